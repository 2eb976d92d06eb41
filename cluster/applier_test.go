package cluster_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/matthan/matthan/cluster"
	bolt "go.etcd.io/bbolt"
)

// boltApplier is the test Applier: a real bbolt file, one transaction per
// command holding the command's effect and the revision, as the registry
// will in cluster mode. Its one kind of command, camera.create, creates a
// camera id unless one exists, which is decided at apply.
type boltApplier struct {
	path string
	db   *bolt.DB

	noSync bool

	mu     sync.Mutex
	failAt int64 // the apply of this revision fails after its effect, as a crash would
}

var (
	bucketMeta    = []byte("meta")    // "applied": the last applied revision
	bucketCameras = []byte("cameras") // camera id -> revision of the command that created it
	bucketHistory = []byte("history") // revision (big-endian) -> command id, one per apply
	keyApplied    = []byte("applied")
)

// errCrash is what a simulated crash returns from inside the transaction.
var errCrash = errors.New("simulated crash")

var _ cluster.Applier = (*boltApplier)(nil)

// newBoltApplier opens a fresh bbolt file in t.TempDir(), checked for
// consistency and closed when the test ends. Its commits do not fsync
// (test data dies with the test); see newSyncedBoltApplier.
func newBoltApplier(t testing.TB) *boltApplier {
	t.Helper()
	return openBoltApplier(t, true)
}

// newSyncedBoltApplier is newBoltApplier with an fsync per commit, as the
// registry's store does: what benchmarks measure.
func newSyncedBoltApplier(t testing.TB) *boltApplier {
	t.Helper()
	return openBoltApplier(t, false)
}

func openBoltApplier(t testing.TB, noSync bool) *boltApplier {
	t.Helper()
	a := &boltApplier{path: filepath.Join(t.TempDir(), "node.db"), noSync: noSync}
	a.open(t)
	t.Cleanup(func() { a.close(t) })
	return a
}

func (a *boltApplier) open(t testing.TB) {
	t.Helper()
	db, err := bolt.Open(a.path, 0o600, &bolt.Options{NoSync: a.noSync})
	if err != nil {
		t.Fatalf("open %s: %v", a.path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketMeta, bucketCameras, bucketHistory} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("buckets: %v", err)
	}
	a.db = db
}

// close checks the file's consistency and closes it; closing twice does
// nothing.
func (a *boltApplier) close(t testing.TB) {
	t.Helper()
	if a.db == nil {
		return
	}
	err := a.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	})
	if err != nil {
		t.Errorf("bbolt check of %s: %v", a.path, err)
	}
	if err := a.db.Close(); err != nil {
		t.Errorf("close %s: %v", a.path, err)
	}
	a.db = nil
}

// crashAt makes the apply of rev fail inside its transaction, after its
// effect was written: bbolt rolls the whole batch back, as a crash
// before commit would.
func (a *boltApplier) crashAt(rev int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.failAt = rev
}

type createPayload struct {
	ID string `json:"id"`
}

func (a *boltApplier) Apply(entries []cluster.Entry) ([]any, error) {
	a.mu.Lock()
	failAt := a.failAt
	a.mu.Unlock()
	outcomes := make([]any, len(entries))
	err := a.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		last := readRev(meta.Get(keyApplied))
		for i, e := range entries {
			if e.Rev <= last {
				return fmt.Errorf("revision %d applied again after %d", e.Rev, last)
			}
			last = e.Rev
			out, err := a.apply(tx, e)
			if err != nil {
				return err
			}
			outcomes[i] = out
			if e.Rev == failAt {
				return errCrash
			}
		}
		return meta.Put(keyApplied, revKey(last))
	})
	if err != nil {
		return nil, err
	}
	return outcomes, nil
}

// apply makes one command's change in tx.
func (a *boltApplier) apply(tx *bolt.Tx, e cluster.Entry) (string, error) {
	outcome := "ignored"
	if e.Command.Kind == "camera.create" {
		var p createPayload
		if err := json.Unmarshal(e.Command.Payload, &p); err != nil {
			return "", fmt.Errorf("payload: %w", err)
		}
		cams := tx.Bucket(bucketCameras)
		if cams.Get([]byte(p.ID)) != nil {
			outcome = "conflict"
		} else {
			outcome = "created"
			if err := cams.Put([]byte(p.ID), revKey(e.Rev)); err != nil {
				return "", err
			}
		}
	}
	return outcome, tx.Bucket(bucketHistory).Put(revKey(e.Rev), []byte(e.Command.ID))
}

func (a *boltApplier) LastApplied() (int64, error) {
	var rev int64
	err := a.db.View(func(tx *bolt.Tx) error {
		rev = readRev(tx.Bucket(bucketMeta).Get(keyApplied))
		return nil
	})
	return rev, err
}

// applied is one line of the applier's history.
type applied struct {
	Rev int64
	ID  string
}

// history returns every command applied, in the order of their revisions.
func (a *boltApplier) history(t testing.TB) []applied {
	t.Helper()
	var out []applied
	err := a.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketHistory).ForEach(func(k, v []byte) error {
			out = append(out, applied{Rev: readRev(k), ID: string(v)})
			return nil
		})
	})
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	return out
}

// creator returns the revision of the command that created camera id, 0
// when none did.
func (a *boltApplier) creator(t testing.TB, id string) int64 {
	t.Helper()
	var rev int64
	err := a.db.View(func(tx *bolt.Tx) error {
		rev = readRev(tx.Bucket(bucketCameras).Get([]byte(id)))
		return nil
	})
	if err != nil {
		t.Fatalf("camera %s: %v", id, err)
	}
	return rev
}

// revKey encodes a revision so that byte order is numeric order.
func revKey(rev int64) []byte {
	return []byte(fmt.Sprintf("%016x", rev))
}

func readRev(b []byte) int64 {
	if b == nil {
		return 0
	}
	n, err := strconv.ParseInt(string(b), 16, 64)
	if err != nil {
		panic(fmt.Sprintf("stored revision %q: %v", b, err))
	}
	return n
}
