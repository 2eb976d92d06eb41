package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// writeFileAtomic creates path with what write writes, so that path is
// either absent (or its old version) or complete: the data goes to
// path.tmp, is fsynced, checked by check (when not nil), and renamed over
// path; then the directory is fsynced so that the rename itself survives a
// crash. On any error path.tmp is removed and path is untouched.
func writeFileAtomic(path string, write func(w io.Writer) (int64, error), check func(tmp string, n int64) error) (n int64, err error) {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			_ = f.Close() // a second Close is harmless
			_ = os.Remove(tmp)
		}
	}()
	if n, err = write(f); err != nil {
		return n, err
	}
	if err = f.Sync(); err != nil {
		return n, fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err = f.Close(); err != nil {
		return n, err
	}
	if check != nil {
		if err = check(tmp, n); err != nil {
			return n, err
		}
	}
	if err = os.Rename(tmp, path); err != nil {
		return n, err
	}
	if d, derr := os.Open(filepath.Dir(path)); derr == nil {
		_ = d.Sync() // best effort: not every file system syncs directories
		_ = d.Close()
	}
	return n, nil
}
