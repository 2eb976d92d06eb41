package registry

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// Up time of every camera at once. Uptime answers for one camera with two
// seeks into health_transitions; a million cameras are two million seeks
// from the root of the tree and a transaction each. health_transitions is
// keyed camera id 0x00 time, and 0x00 sorts before every byte of an id,
// so its key order is camera id order, then time: one walk in key order
// meets every camera's history in turn, in the order of the cameras
// bucket. upWalker makes that walk, seeking only over long stretches of
// history outside the window.

// skipSteps is how many keys upWalker steps over one by one before it
// seeks instead: a camera's few transitions are cheaper to step over, a
// flapping camera's years of history cheaper to jump.
const skipSteps = 8

// upWalker computes the time cameras were up in a window [from, to),
// with the semantics of Uptime: the state at from is the one set by the
// last transition at or before from (unknown before the first), and each
// transition inside (from, to) starts a new state.
type upWalker struct {
	c        *bolt.Cursor
	k, v     []byte
	lo, hi   uint64 // from and to as the 8 bytes that end a key
	from, to time.Time
	empty    bool
	prefix   []byte // of the camera being walked, reused
	err      error  // the first transition that would not decode
}

func newUpWalker(tx *bolt.Tx, from, to time.Time) *upWalker {
	w := &upWalker{from: from, to: to, empty: !to.After(from)}
	w.lo, w.hi = uint64(from.UnixNano())^(1<<63), uint64(to.UnixNano())^(1<<63)
	if b := tx.Bucket(bucketTransitions); b != nil && !w.empty {
		w.c = b.Cursor()
		w.k, w.v = w.c.First()
	}
	return w
}

// of reports whether k is a transition of the camera whose prefix is p.
func of(k, p []byte) bool { return len(k) == len(p)+8 && bytes.HasPrefix(k, p) }

// keyAt returns the 8 time bytes that end a transition key.
func keyAt(k []byte) uint64 { return binary.BigEndian.Uint64(k[len(k)-8:]) }

// nanos turns key time bytes back into Unix nanoseconds.
func nanos(t uint64) int64 { return int64(t ^ (1 << 63)) }

// upFor returns how long camera id was up in the window. Calls must come
// in increasing id order (the order of the cameras bucket).
func (w *upWalker) upFor(id []byte) time.Duration {
	if w.c == nil {
		return 0
	}
	p := append(append(w.prefix[:0], id...), 0)
	w.prefix = p
	// Step to this camera's first key, over histories of cameras not
	// asked about.
	for n := 0; w.k != nil && bytes.Compare(w.k, p) < 0; n++ {
		if n == skipSteps {
			w.k, w.v = w.c.Seek(p)
			break
		}
		w.k, w.v = w.c.Next()
	}
	if w.k == nil || !of(w.k, p) {
		return 0 // never probed: unknown all along
	}
	// The state at from.
	up := false
	for n := 0; w.k != nil && of(w.k, p) && keyAt(w.k) <= w.lo; n++ {
		if n == skipSteps {
			up = w.jumpToFrom(p)
			break
		}
		up = w.isUp(w.v)
		w.k, w.v = w.c.Next()
	}
	// Transitions inside the window.
	var spent time.Duration
	at := w.from.UnixNano()
	for w.k != nil && of(w.k, p) && keyAt(w.k) < w.hi {
		t := nanos(keyAt(w.k))
		if up {
			spent += time.Duration(t - at)
		}
		up, at = w.isUp(w.v), t
		w.k, w.v = w.c.Next()
	}
	if up {
		spent += time.Duration(w.to.UnixNano() - at)
	}
	// Step over the history after the window.
	for n := 0; w.k != nil && of(w.k, p); n++ {
		if n == skipSteps {
			p[len(p)-1] = 1 // the first key after every key of this camera
			w.k, w.v = w.c.Seek(p)
			break
		}
		w.k, w.v = w.c.Next()
	}
	return spent
}

// jumpToFrom seeks over a long history before the window and returns
// whether the camera was up at from. Some key of the camera at or before
// from has been seen, so the one found is the camera's.
func (w *upWalker) jumpToFrom(p []byte) bool {
	lo := binary.BigEndian.AppendUint64(bytes.Clone(p), w.lo)
	k, v := w.c.Seek(lo)
	if k != nil && bytes.Equal(k, lo) {
		up := w.isUp(v)
		w.k, w.v = w.c.Next()
		return up
	}
	var pv []byte
	if k == nil {
		_, pv = w.c.Last()
		w.k, w.v = nil, nil
		return w.isUp(pv)
	}
	_, pv = w.c.Prev()
	up := w.isUp(pv)
	w.k, w.v = w.c.Next()
	return up
}

// toUp is how encoding/json writes the state a transition goes to when
// that state is up; "to" is the only member whose value can be "up".
var toUp = []byte(`"to":"up"`)

// isUp reports whether a transition value goes to up.
func (w *upWalker) isUp(v []byte) bool {
	if bytes.Contains(v, toUp) {
		return true
	}
	if bytes.Contains(v, []byte(`"to":"`)) {
		return false
	}
	var tv transitionValue
	if err := json.Unmarshal(v, &tv); err != nil {
		if w.err == nil {
			w.err = fmt.Errorf("decode transition: %w", err)
		}
		return false
	}
	return tv.To == camera.StateUp
}

// UptimeAll returns how long each camera with a recorded history was up
// in [from, to), with the semantics of Uptime (to is clamped to the
// store's clock); cameras never probed are absent (no up time). It walks
// the health history once instead of seeking per camera.
func (s *Store) UptimeAll(ctx context.Context, from, to time.Time) (map[string]time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if now := s.now(); to.After(now) {
		to = now
	}
	out := map[string]time.Duration{}
	err := s.view(func(tx *bolt.Tx) error {
		return walkUptime(ctx, tx, from, to, func(id []byte, up time.Duration) { out[string(id)] = up })
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UptimeByCommune returns the up time in [from, to) of the active
// cameras, summed by the commune written on them (the spelling of the
// records, as the spatial index and its camera counts have it), with the
// semantics of Uptime (to is clamped to the store's clock). It walks the
// camera facts and the health history side by side, both in id order:
// the district summary's up hours of a million cameras without a lookup
// per camera.
func (s *Store) UptimeByCommune(ctx context.Context, from, to time.Time) (map[string]time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if now := s.now(); to.After(now) {
		to = now
	}
	// Pointers, so that adding to a commune met before allocates no key.
	sums := map[string]*time.Duration{}
	err := s.view(func(tx *bolt.Tx) error {
		w := newUpWalker(tx, from, to)
		err := eachCameraFacts(ctx, tx, func(id []byte, f *cameraFacts) error {
			if camera.Status(f.status) != camera.StatusActive {
				return nil
			}
			sum := sums[string(f.commune)]
			if sum == nil {
				sum = new(time.Duration)
				sums[string(f.commune)] = sum
			}
			*sum += w.upFor(id)
			return nil
		})
		if err != nil {
			return err
		}
		return w.err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]time.Duration, len(sums))
	for commune, sum := range sums {
		out[commune] = *sum
	}
	return out, nil
}

// walkUptime calls fn with the up time in [from, to) of every camera
// that has a recorded history, in id order. id is valid during the call.
func walkUptime(ctx context.Context, tx *bolt.Tx, from, to time.Time, fn func(id []byte, up time.Duration)) error {
	w := newUpWalker(tx, from, to)
	t := ticker{ctx: ctx}
	var id []byte
	for w.k != nil {
		if err := t.tick(); err != nil {
			return err
		}
		if len(w.k) < 9 || w.k[len(w.k)-9] != 0 {
			return fmt.Errorf("health transition key %q is malformed", w.k)
		}
		id = append(id[:0], w.k[:len(w.k)-9]...) // w.k moves on
		fn(id, w.upFor(id))
	}
	return w.err
}

// upTotal returns the up time in [from, to) of every camera with a
// recorded history, in milliseconds (each camera's truncated, as its row
// would show it): the donor view's totals, whose camera pass does not
// walk the history.
func upTotal(ctx context.Context, tx *bolt.Tx, from, to time.Time) (int64, error) {
	var ms int64
	err := walkUptime(ctx, tx, from, to, func(_ []byte, up time.Duration) { ms += up.Milliseconds() })
	return ms, err
}
