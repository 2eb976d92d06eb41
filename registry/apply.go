package registry

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Applying commands: in cluster mode every write of the daemon travels
// through a log that orders the writes of all nodes, and each node applies
// them to its own store through Apply (the replica package adapts the log
// to it). Apply runs the same code as a write of single-node mode, on a
// copy of the store bound to the batch's transaction and to the command's
// time (Store.tx, Store.update, Store.view), so a command changes every
// node's store the way the same call changes one store.

// Command is one write as the store applies it.
type Command struct {
	// Rev orders the command in the log; Apply records the last one's.
	Rev int64
	// Kind names the write (the Kind* constants of commands.go).
	Kind string
	// ID identifies the command: one applied before is dropped.
	ID string
	// At is the time the write was taken, the store's clock while it
	// applies.
	At time.Time
	// Payload is the write's data, JSON of the kind's payload type.
	Payload []byte
}

// Outcome is what applying one command gave: the write's result (Value,
// the type the kind's payload names) or its error, which is the error the
// same call returns in single-node mode. DuplicateOf, when not zero, is
// the revision at which a command of the same id was applied before: this
// one was dropped and Value and Err are empty.
type Outcome struct {
	Value       any
	Err         error
	DuplicateOf int64
}

// ErrUnknownCommand means a command's kind is not one this program
// applies: a newer program wrote it. The node must stop, not skip it.
var ErrUnknownCommand = errors.New("unknown command kind")

// AppliedRetention is how long, in command time, the ids of applied
// commands are kept to drop a command applied twice. A caller retries an
// append within seconds; a day also covers a node that restarts and
// retries what it had under way.
const AppliedRetention = 24 * time.Hour

// Keys and buckets of the apply.
var (
	keyAppliedRev = []byte("applied_rev")
	// bucketApplied maps a command id to the revision it was applied at;
	// bucketAppliedByTime keys the same ids by command time (8 bytes of
	// Unix nanoseconds, then the id) so that old ones are pruned in order.
	bucketApplied, bucketAppliedByTime = []byte("applied_commands"), []byte("applied_commands_by_time")
)

// LastApplied returns the revision of the last command applied, 0 for a
// store that has applied none.
func (s *Store) LastApplied() (int64, error) {
	var rev int64
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketMeta).Get(keyAppliedRev)
		if v == nil {
			return nil
		}
		if len(v) != 8 {
			return fmt.Errorf("last applied revision: %d bytes, want 8", len(v))
		}
		rev = int64(binary.BigEndian.Uint64(v))
		return nil
	})
	return rev, err
}

// errRedo stops a batch's transaction when a command failed: its writes
// before the error must not stay, and bbolt has no savepoint, so the
// batch runs again from the start with that command left out.
var errRedo = errors.New("redo the batch without a failed command")

// Apply applies cmds in their order, and records the last one's revision
// as the last applied one, all in one transaction: a crash leaves all or
// none. It returns one Outcome per command. A command that fails (a
// duplicate camera id, an invalid change) has its error as its outcome
// and changes nothing, as the same call in single-node mode. The error
// Apply itself returns means nothing was applied: the store cannot go on
// (a disk error, a kind this program does not know).
//
// A failed command rolls the batch back and the batch runs again without
// it: the commands before it make the same changes again, since they read
// the same state. Failures are rare (a conflict), so the cost is small.
func (s *Store) Apply(cmds []Command) ([]any, error) {
	if len(cmds) == 0 {
		return nil, nil
	}
	failed := map[int]error{}
	for {
		outs := make([]any, len(cmds))
		redo := -1
		var redoErr error
		err := s.db.Update(func(tx *bolt.Tx) error {
			for i, c := range cmds {
				out, err := s.applyOne(tx, c, failed[i])
				if err != nil {
					if errors.Is(err, errFatal) {
						return err
					}
					redo, redoErr = i, err
					return errRedo
				}
				outs[i] = out
			}
			if err := pruneApplied(tx, cmds[len(cmds)-1].At.Add(-AppliedRetention)); err != nil {
				return err
			}
			return tx.Bucket(bucketMeta).Put(keyAppliedRev, itob(uint64(cmds[len(cmds)-1].Rev)))
		})
		if errors.Is(err, errRedo) {
			failed[redo] = redoErr
			continue
		}
		if err != nil {
			return nil, err
		}
		return outs, nil
	}
}

// errFatal marks an error of Apply itself, not of one command.
var errFatal = errors.New("apply")

// applyOne applies one command in tx. failed, when not nil, is the error
// the command gave in an earlier run of the batch: it is its outcome and
// the command is not run again.
func (s *Store) applyOne(tx *bolt.Tx, c Command, failed error) (Outcome, error) {
	if c.ID == "" {
		return Outcome{}, fmt.Errorf("%w: command at revision %d has no id", errFatal, c.Rev)
	}
	applied, byTime := tx.Bucket(bucketApplied), tx.Bucket(bucketAppliedByTime)
	if v := applied.Get([]byte(c.ID)); len(v) == 8 {
		return Outcome{DuplicateOf: int64(binary.BigEndian.Uint64(v))}, nil
	}
	if err := applied.Put([]byte(c.ID), itob(uint64(c.Rev))); err != nil {
		return Outcome{}, fmt.Errorf("%w: %w", errFatal, err)
	}
	tk := append(itob(uint64(c.At.UnixNano())), c.ID...)
	if err := byTime.Put(tk, nil); err != nil {
		return Outcome{}, fmt.Errorf("%w: %w", errFatal, err)
	}
	if failed != nil {
		return Outcome{Err: failed}, nil
	}
	run, ok := applierOf(c.Kind)
	if !ok {
		return Outcome{}, fmt.Errorf("%w: %w %q at revision %d", errFatal, ErrUnknownCommand, c.Kind, c.Rev)
	}
	b := *s
	b.tx = tx
	at := c.At.In(s.loc)
	b.now = func() time.Time { return at }
	v, err := run(&b, context.Background(), c.Payload)
	if err != nil {
		var bad badPayload
		if errors.As(err, &bad) {
			return Outcome{}, fmt.Errorf("%w: %s command at revision %d: %w", errFatal, c.Kind, c.Rev, err)
		}
		return Outcome{}, err
	}
	return Outcome{Value: v}, nil
}

// badPayload marks a payload that does not decode: the log holds what
// this program cannot read, and the node stops.
type badPayload struct{ err error }

func (e badPayload) Error() string { return "payload: " + e.err.Error() }
func (e badPayload) Unwrap() error { return e.err }

// pruneApplied forgets the ids of commands taken before cutoff.
func pruneApplied(tx *bolt.Tx, cutoff time.Time) error {
	applied, byTime := tx.Bucket(bucketApplied), tx.Bucket(bucketAppliedByTime)
	limit := itob(uint64(cutoff.UnixNano()))
	var old [][]byte
	c := byTime.Cursor()
	for k, _ := c.First(); len(k) >= 8 && string(k[:8]) < string(limit); k, _ = c.Next() {
		old = append(old, append([]byte(nil), k...))
	}
	for _, k := range old {
		if err := byTime.Delete(k); err != nil {
			return err
		}
		if err := applied.Delete(k[8:]); err != nil {
			return err
		}
	}
	return nil
}

// Empty reports whether the store holds no record: no bucket but the
// schema's has a key. A node of a cluster started on an empty store
// copies a peer's instead of replaying the whole log (docs/cluster.md).
func (s *Store) Empty() (bool, error) {
	empty := true
	err := s.db.View(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if bytes.Equal(name, bucketMeta) {
				continue
			}
			if k, _ := tx.Bucket(name).Cursor().First(); k != nil {
				empty = false
				return nil
			}
		}
		return nil
	})
	return empty, err
}
