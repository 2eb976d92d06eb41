package registry

import (
	"context"
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// BackupSize returns the size in bytes that WriteBackup will write for the
// snapshot it sees; sizes may differ by the time the backup runs.
func (s *Store) BackupSize() (int64, error) {
	var n int64
	err := s.view(func(tx *bolt.Tx) error {
		n = tx.Size()
		return nil
	})
	return n, err
}

// WriteBackup streams a consistent copy of the whole database to w from one
// read transaction. Writers are not blocked while it runs (bbolt readers
// see a snapshot), so the daemon keeps serving. The copy is a complete
// bbolt file that Open accepts.
func (s *Store) WriteBackup(w io.Writer, size func(int64)) (int64, error) {
	var n int64
	err := s.view(func(tx *bolt.Tx) error {
		if size != nil {
			size(tx.Size())
		}
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// ActionBackup is the audit log's action for a backup taken.
const ActionBackup = "backup.download"

// RecordBackup writes in the audit log that actor took a backup, the
// file name and its size: a backup copies every record (donors, the
// hashes of tokens and passwords), so who took one is kept as a write
// is, and the latest such entry is when the last backup was made.
func (s *Store) RecordBackup(ctx context.Context, actor camera.Actor, name string, size int64) error {
	return s.recordCopy(ctx, ActionBackup, actor, name, size)
}

// ActionSnapshot is the audit log's action for a copy of the registry
// sent to a node that joins the cluster: a copy of everything like a
// backup, kept apart so that it never counts as the operator's backup.
const ActionSnapshot = "cluster.snapshot"

// RecordSnapshot writes in the audit log that a node of the cluster
// (actor) copied the registry to join, the copy's name and its size.
func (s *Store) RecordSnapshot(ctx context.Context, actor camera.Actor, name string, size int64) error {
	return s.recordCopy(ctx, ActionSnapshot, actor, name, size)
}

// recordCopy writes the audit entry of a copy of the whole registry.
func (s *Store) recordCopy(ctx context.Context, action string, actor camera.Actor, name string, size int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		return appendAudit(tx, s.now().UTC(), actor, action, name, []string{fmt.Sprintf("bytes: %d", size)})
	})
}
