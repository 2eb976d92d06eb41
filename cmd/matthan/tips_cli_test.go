package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestTipsUsage: the tips commands refuse what they cannot run, saying
// what is missing, before they read a key or open a database; a private
// key given where a public one belongs is called what it is.
func TestTipsUsage(t *testing.T) {
	dir := t.TempDir()
	key, id := writeIdentity(t, dir, "chief.key")
	db := filepath.Join(dir, "none.db")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no verb", []string{"tips"}, exitUsage, "missing reveal or rekey"},
		{"reveal without a tip", []string{"tips", "reveal", "--identity", key, "--reason", "x"}, exitUsage, "missing TIP-ID"},
		{"reveal without a key", []string{"tips", "reveal", "TIP-1", "--reason", "x"}, exitUsage, "--identity is required"},
		{"reveal without a reason", []string{"tips", "reveal", "TIP-1", "--identity", key}, exitUsage, "--reason is required"},
		{"reveal with no key file", []string{"tips", "reveal", "TIP-1", "--identity", filepath.Join(dir, "nope.key"), "--reason", "x", "--token", "t"}, exitFailure, "identity file"},
		{"rekey without a key", []string{"tips", "rekey", "--recipient", id.Recipient().String(), "--db", db}, exitUsage, "--identity is required"},
		{"rekey without a recipient", []string{"tips", "rekey", "--identity", key, "--db", db}, exitUsage, "--recipient is required"},
		{"rekey to a typo", []string{"tips", "rekey", "--identity", key, "--recipient", "age1typo", "--db", db}, exitUsage, "--recipient number 1 is not an age X25519 public key"},
		{"rekey to a private key", []string{"tips", "rekey", "--identity", key, "--recipient", id.Recipient().String(), "--recipient", id.String(), "--db", db}, exitUsage, "--recipient number 2 is an age private key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, nil, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.want)
			}
			if strings.Contains(stderr, id.String()) {
				t.Error("the error repeats the private key")
			}
		})
	}
}
