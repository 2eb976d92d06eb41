// Package registrytest opens real registry stores for tests: a bbolt file in
// t.TempDir(), closed and consistency-checked when the test ends (the habit
// of bbolt's own internal/btesting).
package registrytest

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/matthan/matthan/registry"
)

// Open returns a fresh store in a temporary directory. On cleanup it runs
// bbolt's consistency check and closes the file.
func Open(tb testing.TB) *registry.Store {
	tb.Helper()
	return OpenAt(tb, filepath.Join(tb.TempDir(), "matthan.db"), nil)
}

// OpenAt opens the store at path with an optional clock, with the same
// cleanup as Open.
func OpenAt(tb testing.TB, path string, now func() time.Time) *registry.Store {
	tb.Helper()
	s, err := registry.Open(path, registry.Options{Now: now})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Check(); err != nil {
			tb.Errorf("consistency check of %s: %v", path, err)
		}
		if err := s.Close(); err != nil {
			tb.Errorf("close store: %v", err)
		}
	})
	return s
}
