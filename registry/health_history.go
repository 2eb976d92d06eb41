package registry

import (
	"bytes"
	"context"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// History queries. A transition at time T means "in state To from T on",
// T included; before a camera's first transition its state is unknown.
// Every query is one Seek into the camera's key range of
// health_transitions and a walk over the records it answers with.

// Transitions returns up to limit transitions of camera id whose time is
// in [from, to), newest first. A zero from means since the beginning, a
// zero to means until now and after; limit <= 0 means no limit.
func (s *Store) Transitions(ctx context.Context, id string, from, to time.Time, limit int) ([]camera.Transition, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []camera.Transition
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTransitions)
		if b == nil {
			return nil
		}
		prefix := transitionPrefix(id)
		c := b.Cursor()
		// Start at the first key at or after `to` and walk back.
		var k, v []byte
		if to.IsZero() {
			// Past every 8-byte time: the last key of this camera is
			// just before.
			k, _ = c.Seek(append(bytes.Clone(prefix), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))
		} else {
			k, _ = c.Seek(transitionKey(id, to))
		}
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		var lo []byte
		if !from.IsZero() {
			lo = transitionKey(id, from)
		}
		for ; k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+8; k, v = c.Prev() {
			if lo != nil && bytes.Compare(k, lo) < 0 {
				break
			}
			t, err := decodeTransition(id, k, v)
			if err != nil {
				return err
			}
			out = append(out, t)
			if limit > 0 && len(out) == limit {
				break
			}
		}
		return nil
	})
	return out, err
}

// StateAt returns the state camera id was in at time t, and the reason of
// the transition that put it there: unknown and "" before its first
// recorded transition (or for an id with no history at all; StateAt never
// answers ENOTFOUND, check the camera first when that matters).
func (s *Store) StateAt(ctx context.Context, id string, t time.Time) (camera.HealthState, string, error) {
	if err := ctx.Err(); err != nil {
		return "", "", err
	}
	state, reason := camera.StateUnknown, ""
	err := s.view(func(tx *bolt.Tx) error {
		tr, ok, err := transitionAt(tx, id, t)
		if ok {
			state, reason = tr.To, tr.Reason
		}
		return err
	})
	return state, reason, err
}

// StatesAt is StateAt for many cameras from one snapshot ("which of the
// cameras that see this spot were working at 21:40?"). Every id gets an
// entry.
func (s *Store) StatesAt(ctx context.Context, ids []string, t time.Time) (map[string]camera.HealthState, error) {
	out := make(map[string]camera.HealthState, len(ids))
	err := s.view(func(tx *bolt.Tx) error {
		for i, id := range ids {
			if i%1024 == 1023 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			tr, ok, err := transitionAt(tx, id, t)
			if err != nil {
				return err
			}
			out[id] = camera.StateUnknown
			if ok {
				out[id] = tr.To
			}
		}
		return nil
	})
	return out, err
}

// transitionAt finds the latest transition of camera id at or before t,
// and leaves nothing open: the cursor is local. ok is false when there is
// none.
func transitionAt(tx *bolt.Tx, id string, t time.Time) (tr camera.Transition, ok bool, err error) {
	b := tx.Bucket(bucketTransitions)
	if b == nil {
		return tr, false, nil
	}
	c := b.Cursor()
	key := transitionKey(id, t)
	k, v := c.Seek(key)
	if k == nil || !bytes.Equal(k, key) {
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
	}
	prefix := transitionPrefix(id)
	if k == nil || !bytes.HasPrefix(k, prefix) || len(k) != len(prefix)+8 {
		return tr, false, nil
	}
	tr, err = decodeTransition(id, k, v)
	return tr, err == nil, err
}

// UptimeStats is how a camera spent a time window [From, To).
//
// Time before the camera's first recorded transition is unknown (it was
// not probed yet). Ratio is up time over known time (up + degraded + down
// + auth_failed): the share of the time the camera was observed working.
// It is null when no time in the window is known, because "never
// observed" is not 0 % uptime. Degraded counts against the ratio: a
// camera that answers but sends no picture is not doing its job.
//
// The last recorded state is taken to last until To. While the daemon is
// stopped nothing is recorded, so a camera stays in the state it was last
// seen in; To is clamped to the store's clock, so a window ending in the
// future counts only up to now.
type UptimeStats struct {
	From              time.Time `json:"from"`
	To                time.Time `json:"to"`
	UpSeconds         float64   `json:"up_seconds"`
	DegradedSeconds   float64   `json:"degraded_seconds"`
	DownSeconds       float64   `json:"down_seconds"`
	AuthFailedSeconds float64   `json:"auth_failed_seconds"`
	UnknownSeconds    float64   `json:"unknown_seconds"`
	// Ratio is UpSeconds / known seconds, from 0 to 1, or nil (JSON null)
	// when no time in the window is known.
	Ratio *float64 `json:"ratio"`
	// Changes counts the transitions inside the window.
	Changes int `json:"changes"`
}

// Uptime computes how camera id spent [from, to): seconds in each state
// and the uptime ratio (see UptimeStats). to is clamped to now; a window
// that is empty after clamping gives zeros and a nil ratio.
func (s *Store) Uptime(ctx context.Context, id string, from, to time.Time) (UptimeStats, error) {
	if err := ctx.Err(); err != nil {
		return UptimeStats{}, err
	}
	if now := s.now(); to.After(now) {
		to = now
	}
	if !to.After(from) {
		return UptimeStats{From: from, To: from}, nil
	}
	var (
		initial = camera.StateUnknown
		inside  []camera.Transition
	)
	err := s.view(func(tx *bolt.Tx) error {
		tr, ok, err := transitionAt(tx, id, from)
		if err != nil {
			return err
		}
		if ok {
			initial = tr.To
		}
		// Transitions strictly after from and before to; one at exactly
		// from is already the initial state.
		inside, err = transitionsBetween(tx, id, from, to)
		return err
	})
	if err != nil {
		return UptimeStats{}, err
	}
	return computeUptime(initial, from, to, inside), nil
}

// transitionsBetween returns camera id's transitions in (from, to), oldest
// first.
func transitionsBetween(tx *bolt.Tx, id string, from, to time.Time) ([]camera.Transition, error) {
	b := tx.Bucket(bucketTransitions)
	if b == nil {
		return nil, nil
	}
	c := b.Cursor()
	lo, hi := transitionKey(id, from), transitionKey(id, to)
	var out []camera.Transition
	k, v := c.Seek(lo)
	if k != nil && bytes.Equal(k, lo) {
		k, v = c.Next()
	}
	for ; k != nil && bytes.Compare(k, hi) < 0; k, v = c.Next() {
		t, err := decodeTransition(id, k, v)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// computeUptime walks the window: initial is the state at from, ts are the
// transitions inside (from, to), oldest first. Durations are summed in
// integer nanoseconds, so that rounding cannot make the parts disagree
// with the whole.
func computeUptime(initial camera.HealthState, from, to time.Time, ts []camera.Transition) UptimeStats {
	spent := map[camera.HealthState]time.Duration{}
	state, at := initial, from
	for _, t := range ts {
		spent[state] += t.At.Sub(at)
		state, at = t.To, t.At
	}
	spent[state] += to.Sub(at)

	st := UptimeStats{
		From:              from,
		To:                to,
		UpSeconds:         spent[camera.StateUp].Seconds(),
		DegradedSeconds:   spent[camera.StateDegraded].Seconds(),
		DownSeconds:       spent[camera.StateDown].Seconds(),
		AuthFailedSeconds: spent[camera.StateAuthFailed].Seconds(),
		UnknownSeconds:    spent[camera.StateUnknown].Seconds(),
		Changes:           len(ts),
	}
	known := spent[camera.StateUp] + spent[camera.StateDegraded] + spent[camera.StateDown] + spent[camera.StateAuthFailed]
	if known > 0 {
		r := float64(spent[camera.StateUp]) / float64(known)
		st.Ratio = &r
	}
	return st
}
