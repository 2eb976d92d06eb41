package main

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/matthan/matthan/registry"
)

const backupSynopsis = "matthan backup FILE [--server URL] [--token T]"

// backup saves a hot backup of a running daemon's database to FILE. The
// copy is trusted only when it is complete: its size must match what the
// daemon announced, and it must open as a matthan database and pass
// bbolt's consistency check, before it replaces FILE.
func (c *cli) backup(ctx context.Context, args []string) error {
	fs := c.newFlagSet("backup", backupSynopsis)
	server, token := c.clientFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos, "FILE"); err != nil {
		return err
	}
	path := pos[0]
	cl, err := c.newClient(fs, *server, *token)
	if err != nil {
		return err
	}
	resp, err := cl.do(ctx, request{method: http.MethodGet, path: "/api/v1/backup"})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	want := resp.ContentLength // -1 when the daemon did not say
	n, err := writeFileAtomic(path,
		func(w io.Writer) (int64, error) { return io.Copy(w, resp.Body) },
		func(tmp string, n int64) error {
			if want >= 0 && n != want {
				return fmt.Errorf("backup incomplete: got %d of %d bytes", n, want)
			}
			return checkBackup(tmp)
		})
	if err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	fmt.Fprintf(c.stdout, "backup: %d bytes written to %s\n", n, path)
	return nil
}

// checkBackup opens the copy read-only and runs the consistency check.
func checkBackup(path string) error {
	s, err := registry.Open(path, registry.Options{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("backup is not a usable database: %w", err)
	}
	defer s.Close()
	if err := s.Check(); err != nil {
		return fmt.Errorf("backup fails the consistency check: %w", err)
	}
	return nil
}
