// Package replica is the store of a node in cluster mode: the registry,
// with every write made through the cluster's command log so that every
// node applies it, in the same order, through the same registry code.
//
// Two parts, wired by the daemon:
//
//	app := replica.NewApplier(reg)                  // the registry as cluster.Applier
//	fol := cluster.NewFollower(log, app, nodeID)    // run fol.Run(ctx) in the background
//	st := replica.New(reg, log, fol, nodeID)        // hand st to api, ingest, evidence
//
// Store answers reads from the node's own registry (as fast as single-node
// mode) and takes writes as commands: it builds the command (kind, a
// fresh id, the node, the request id of the context if any, the time, a
// payload with every value chosen now — a token's key, a password's
// hash), appends it to the log, waits until its own follower has applied
// the log up to it, and returns the outcome that apply gave, which is
// exactly what the registry returns in single-node mode (a conflict, a
// not-found, per-row counts). A write whose append fails is appended again
// with the same command id; the registry drops a command id it has
// applied already, and the store then answers with the first one's
// outcome.
//
// Secrets stay on the node that took the request: a token or session
// travels as the hash of its secret, a password as its argon2id hash.
// Camera records travel whole, RTSP credentials included, since every
// node must be able to probe any camera; etcd must be kept as private as
// the registry file (client TLS, no public listener). A tip's informant
// travels as the API sealed it to the police chiefs' keys; the plaintext
// never reaches the store.
//
// Reads of tips are writes: each leaves an audit entry. So GetTip,
// ListTips (the page found here, read by a command carrying its ids) and
// TipInformant are commands, and a sealed informant is answered only
// after this node's apply has committed the audit entry of its reveal.
//
// Every write method of the registry — those of the API's, the poller's
// and the evidence pipeline's interfaces, and the lower-level ones their
// commands are made of (CreateTokenKey, PutLayerPiece, ...) — is a method
// of Store that goes through the log: none reaches the node's file around
// it. Reads are the registry's own, of what this node has applied.
//
// What stays node-local: tokens' last-use times (written by the node that
// saw the use), and the per-probe health figures of RecordHealth (last
// probe, latency) — only confirmed transitions and the health of the
// cameras that made them are commands.
//
// The package imports registry and cluster; cluster does not import
// registry.
package replica
