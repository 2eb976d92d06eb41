package registry

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/matthan/matthan/camera"
)

// SchemaVersion is the version of the bucket layout this code writes.
// Version 2 added the duplicate index of donations (donations_by_gift);
// version 3 the running cost of the cameras by commune (commune_facts);
// version 4 the compact copy of each camera's money fields (camera_facts);
// version 5 the bank references of donations (donations_by_ref);
// version 6 the hotline tips (tips, tip_informants, tips_by_time,
// tips_by_incident; registry/tips.go), created empty on open: an older
// program, which would neither purge tips nor know their sealed
// informants are there, refuses the file instead.
const SchemaVersion = 6

// Bucket names. One place, so that migrations and the backup test can list
// them.
var (
	bucketMeta    = []byte("meta")
	bucketCameras = []byte("cameras")
	bucketTokens  = []byte("tokens")
	bucketAudit   = []byte("audit")

	bucketHealth, bucketTransitions = []byte("health"), []byte("health_transitions") // registry/health.go
	bucketLayers                    = []byte("layers")                               // registry/layers.go

	bucketIncidents, bucketIncByCamera, bucketIncByTime, bucketIncByPlace, bucketIncByCase, bucketIncByCategory, bucketClips, bucketCustody = []byte("incidents"), []byte("incidents_by_camera"), []byte("incidents_by_time"), []byte("incidents_by_place"), []byte("incidents_by_case"), []byte("incidents_by_category"), []byte("clips"), []byte("clip_custody") // registry/incidents*.go, clips.go, custody.go

	bucketDonations, bucketDonByDate, bucketDonByCamera, bucketDonByCommune, bucketDonByDonor, bucketDonTotals = []byte("donations"), []byte("donations_by_date"), []byte("donations_by_camera"), []byte("donations_by_commune"), []byte("donations_by_donor"), []byte("donation_totals") // registry/donations*.go

	bucketDonByGift = []byte("donations_by_gift") // registry/donations_dupes.go, since schema 2
	bucketDonByRef  = []byte("donations_by_ref")  // registry/donations_dupes.go, since schema 5

	bucketUsers, bucketSessions = []byte("users"), []byte("sessions") // registry/users.go, sessions.go

	bucketPublic = []byte("public_communes") // registry/public.go

	keySchema = []byte("schema_version")
)

// allBuckets are created on open.
var allBuckets = [][]byte{bucketMeta, bucketCameras, bucketTokens, bucketAudit, bucketHealth, bucketTransitions, bucketLayers, bucketIncidents, bucketIncByCamera, bucketIncByTime, bucketIncByPlace, bucketIncByCase, bucketIncByCategory, bucketClips, bucketCustody, bucketDonations, bucketDonByDate, bucketDonByCamera, bucketDonByCommune, bucketDonByDonor, bucketDonTotals, bucketDonByGift, bucketCommuneFacts, bucketCameraFacts, bucketDonByRef, bucketUsers, bucketSessions, bucketPublic, bucketTips, bucketTipInformants, bucketTipsByTime, bucketTipsByIncident, bucketApplied, bucketAppliedByTime}

// ErrLocked is returned by Open when another process (a running daemon)
// holds the database file's lock.
var ErrLocked = errors.New("the database is locked by another process (is a daemon running on it?)")

// Options tune Open.
type Options struct {
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Timeout is how long Open waits for the file lock held by another
	// process (a running daemon); 1 s when zero.
	Timeout time.Duration
	// ReadOnly opens the file without the write lock.
	ReadOnly bool
}

// Store is the bbolt-backed registry. It is safe for concurrent use.
type Store struct {
	db  *bolt.DB
	now func() time.Time
	// folds remembers the accent-folded form of each commune spelling
	// met (readCommuneNames): a pure function's results, so never stale.
	folds *foldCache
	// hashSlots bounds the password hashes running at once
	// (passwords.go).
	hashSlots chan struct{}
	// uses holds the tokens' last uses not yet written (token_use.go);
	// bg the writes of them under way, which Close waits for.
	uses     *tokenUses
	bg       *sync.WaitGroup
	readOnly bool

	// tx, when set, is the transaction of a batch of commands being
	// applied (apply.go): the copy of the store that applies one command
	// runs every read and write in it, and its clock is the command's
	// time. Never set on the store callers hold.
	tx *bolt.Tx
	// loc is the clock's time zone, read once at Open: a command's time
	// is given in it while it applies, as the clock gives times (a
	// donation's latest date is the date in the users' zone).
	loc *time.Location
}

// Open opens (creating if needed) the database at path, creating its
// directory, its buckets and its schema version.
func Open(path string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Timeout == 0 {
		opts.Timeout = time.Second
	}
	if !opts.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.Timeout, ReadOnly: opts.ReadOnly, FreelistType: bolt.FreelistMapType})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("open %s: %w", path, ErrLocked)
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s := &Store{db: db, now: opts.Now, readOnly: opts.ReadOnly, hashSlots: make(chan struct{}, hashConcurrency), folds: &foldCache{}, uses: &tokenUses{}, bg: &sync.WaitGroup{}, loc: opts.Now().Location()}
	if !opts.ReadOnly {
		if err := s.init(); err != nil {
			_ = db.Close()
			return nil, err
		}
	} else if err := s.checkSchema(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init() error {
	have := SchemaVersion
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		v := meta.Get(keySchema)
		if v == nil {
			return meta.Put(keySchema, []byte(strconv.Itoa(SchemaVersion)))
		}
		var err error
		if have, err = strconv.Atoi(string(v)); err != nil {
			return fmt.Errorf("schema version %q is not a number", v)
		}
		if have > SchemaVersion {
			return fmt.Errorf("database schema version %d is newer than this program's %d: upgrade matthan", have, SchemaVersion)
		}
		return nil
	})
	if err != nil || have == SchemaVersion {
		return err
	}
	return s.migrate(have)
}

// migrate brings a database of an older schema version up to this one,
// one step at a time, and writes the new version last: a migration cut
// off halfway runs again on the next open. Each step rebuilds its bucket
// from scratch, so what a cut-off run (or an older program writing in
// between) left there does not count. The gift index is written in
// batches (five million donations do not fit one transaction); the
// camera and commune facts of a million cameras take one each.
func (s *Store) migrate(have int) error {
	if have < 2 {
		if err := s.indexGifts(); err != nil {
			return fmt.Errorf("migrate to schema 2 (duplicate index of donations): %w", err)
		}
	}
	if have < 3 {
		if err := s.db.Update(buildCommuneFacts); err != nil {
			return fmt.Errorf("migrate to schema 3 (cost of the cameras by commune): %w", err)
		}
	}
	if have < 4 {
		if err := s.db.Update(buildCameraFacts); err != nil {
			return fmt.Errorf("migrate to schema 4 (facts of each camera): %w", err)
		}
	}
	if have < 5 {
		if err := s.indexRefs(); err != nil {
			return fmt.Errorf("migrate to schema 5 (bank references of donations): %w", err)
		}
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchema, []byte(strconv.Itoa(SchemaVersion)))
	})
}

func (s *Store) checkSchema() error {
	v, err := s.SchemaVersion()
	if err != nil {
		return err
	}
	if v > SchemaVersion {
		return fmt.Errorf("database schema version %d is newer than this program's %d", v, SchemaVersion)
	}
	return nil
}

// SchemaVersion returns the schema version stored in the file.
func (s *Store) SchemaVersion() (int, error) {
	var v int
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMeta)
		if b == nil {
			return errors.New("not a matthan database: no meta bucket")
		}
		raw := b.Get(keySchema)
		if raw == nil {
			return errors.New("not a matthan database: no schema version")
		}
		n, err := strconv.Atoi(string(raw))
		v = n
		return err
	})
	return v, err
}

// Close writes the tokens' last uses not written yet, then closes the
// database file. Pending read transactions finish first.
func (s *Store) Close() error {
	ferr := s.flushTokenUses()
	return errors.Join(ferr, s.db.Close())
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.db.Path() }

// Check runs bbolt's consistency check, then checks that the derived
// buckets kept beside the camera records (the camera facts and the
// commune facts) match the records, and returns the first problem. Every
// test store runs it when it closes (registrytest). It first waits for
// the background writes of the tokens' last uses: bbolt's check must not
// run beside a commit.
func (s *Store) Check() error {
	s.bg.Wait()
	return s.db.View(func(tx *bolt.Tx) error {
		var first error
		for err := range tx.Check() { // drain: Check's goroutine must finish
			if first == nil {
				first = err
			}
		}
		if first != nil {
			return first
		}
		if err := checkCameraFacts(tx); err != nil {
			return err
		}
		return checkCommuneFacts(tx)
	})
}

// update runs fn in a write transaction: its own, or the batch's when
// this copy of the store applies a command (apply.go). Every write of the
// store goes through it, so that a batch of commands commits once.
func (s *Store) update(fn func(*bolt.Tx) error) error {
	if s.tx != nil {
		return fn(s.tx)
	}
	return s.db.Update(fn)
}

// view runs fn in a read transaction, or in the batch's transaction when
// this copy applies a command: a write that reads first must see the
// commands before it in the same batch.
func (s *Store) view(fn func(*bolt.Tx) error) error {
	if s.tx != nil {
		return fn(s.tx)
	}
	return s.db.View(fn)
}

// itob encodes a sequence number as a sortable key.
func itob(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func notFound(kind, id string) error {
	return camera.Errorf(camera.ENOTFOUND, "id", "no %s with id %q", kind, id)
}
