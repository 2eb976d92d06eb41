package api_test

import (
	"testing"

	"filippo.io/age"

	"github.com/matthan/matthan/internal/informant"
)

// newTestSealer seals to a key made for the test, which it then forgets:
// the server under test can seal, and nobody can open.
func newTestSealer(t testing.TB) *informant.Sealer {
	t.Helper()
	s, _ := newTestSealerWithKey(t)
	return s
}

// newTestSealerWithKey seals to a key made for the test and returns the
// key, to open what the server sealed.
func newTestSealerWithKey(t testing.TB) (*informant.Sealer, *age.X25519Identity) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	s, err := informant.NewSealer([]string{id.Recipient().String()})
	if err != nil {
		t.Fatal(err)
	}
	return s, id
}
