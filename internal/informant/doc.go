// Package informant seals the details of a tip's informant (who called
// the hotline) with age (filippo.io/age), to the X25519 public keys of the
// commune police chiefs, and opens them again with a chief's private key.
//
// The daemon holds only the public keys (the recipients): it can seal but
// never open. Opening happens where a private key is — the `matthan tips
// reveal` and `matthan tips rekey` commands on a chief's machine — and the
// plaintext stays in memory there.
//
// A sealed record is a binary age file whose payload is the informant as
// JSON (camera.Informant). Armor converts it to the PEM-like text the age
// command-line tool reads, for the API's answer.
package informant
