package registry

import (
	"io"

	bolt "go.etcd.io/bbolt"
)

// BackupSize returns the size in bytes that WriteBackup will write for the
// snapshot it sees; sizes may differ by the time the backup runs.
func (s *Store) BackupSize() (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
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
	err := s.db.View(func(tx *bolt.Tx) error {
		if size != nil {
			size(tx.Size())
		}
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}
