package ingest

import (
	"math"
	"time"
	"unique"

	"github.com/matthan/matthan/camera"
)

// tracker turns a camera's stream of probe results into confirmed state
// changes. One lost packet or one slow answer must not page the commune
// police: a new state is confirmed only after `need` results in a row
// agree on it. Results that disagree with the confirmed state but not with
// each other (down, then degraded) restart the count, because they do not
// yet say what the camera's new state is.
//
// It holds all of the camera's current health except its last probe, in
// 32 bytes (a poller holds one per camera); health rebuilds it.
//
// A tracker is owned by the poller and used under its lock.
type tracker struct {
	since      int64 // when state began, Unix nanoseconds; 0 for the zero time
	candSince  int64 // At of the first result agreeing on cand
	reason     istr  // reason of the latest result that agreed with state
	failures   uint32
	candStreak uint16    // results in a row agreeing on cand
	state      stateCode // never sNone
	cand       stateCode // the state being confirmed, sNone when none
}

func newTracker(seed *camera.Health) tracker {
	if seed != nil && seed.State.Valid() {
		return tracker{
			state: codeOf(seed.State), reason: intern(seed.Reason), since: nanos(seed.Since),
			failures: uint32(min(max(seed.ConsecutiveFailures, 0), math.MaxUint32)),
		}
	}
	return tracker{state: sUnknown}
}

// health returns the camera's current health, without its last probe.
func (t tracker) health(id string) camera.Health {
	return camera.Health{
		CameraID: id, State: t.state.state(), Reason: t.reason.String(), Since: timeOf(t.since),
		ConsecutiveFailures: int(t.failures),
	}
}

// pending reports whether a change is being confirmed: the next probe
// should come soon, and be deep.
func (t *tracker) pending() bool { return t.candStreak > 0 }

// resetPending forgets a change being confirmed (the camera's URL
// changed: results about the old URL say nothing about the new one).
func (t *tracker) resetPending() { t.cand, t.candStreak = sNone, 0 }

// observe feeds one result (never an unknown one: those say nothing and
// the poller drops them) about camera id and returns the confirmed
// transition, if this result confirmed one.
//
// The transition is dated at the first agreeing result, not at the
// confirming one: the camera was down from the first failed probe, and
// uptime should count it so. Its reason is the confirming result's.
func (t *tracker) observe(id string, r camera.ProbeResult, need int) (camera.Transition, bool) {
	st := codeOf(r.State)
	if st == sUp {
		t.failures = 0
	} else if t.failures < math.MaxUint32 {
		t.failures++
	}

	if st == t.state {
		t.resetPending()
		t.setReason(r.Reason)
		return camera.Transition{}, false
	}
	if st == t.cand {
		t.candStreak++ // need ≤ MaxUint16 (Config): it cannot overflow
	} else {
		t.cand, t.candSince, t.candStreak = st, nanos(r.At), 1
	}
	if int(t.candStreak) < need {
		return camera.Transition{}, false
	}
	since := timeOf(t.candSince)
	tr := camera.Transition{CameraID: id, At: since, From: t.state.state(), To: t.cand.state(), Reason: r.Reason}
	t.state, t.since = t.cand, t.candSince
	t.setReason(r.Reason)
	t.resetPending()
	return tr, true
}

func (t *tracker) setReason(r string) {
	if t.reason.String() != r {
		t.reason = intern(r)
	}
}

// force sets the state of camera id without confirmation, for changes the
// poller decides itself (retirement), and returns the transition, if any.
func (t *tracker) force(id string, state camera.HealthState, reason string, at time.Time) (camera.Transition, bool) {
	t.resetPending()
	st := codeOf(state)
	if t.state == st {
		return camera.Transition{}, false
	}
	tr := camera.Transition{CameraID: id, At: at, From: t.state.state(), To: state, Reason: reason}
	t.state, t.since = st, nanos(at)
	t.setReason(reason)
	t.failures = 0
	return tr, true
}

// stateCode is a camera.HealthState in one byte.
type stateCode uint8

// State codes; sNone is no state (no change being confirmed).
const (
	sNone stateCode = iota
	sUp
	sDegraded
	sDown
	sAuthFailed
	sUnknown
	numStateCodes
)

var stateOfCode = [numStateCodes]camera.HealthState{
	"", camera.StateUp, camera.StateDegraded, camera.StateDown, camera.StateAuthFailed, camera.StateUnknown,
}

// codeOf returns the code of s, sNone when s is not a valid state.
func codeOf(s camera.HealthState) stateCode {
	switch s {
	case camera.StateUp:
		return sUp
	case camera.StateDegraded:
		return sDegraded
	case camera.StateDown:
		return sDown
	case camera.StateAuthFailed:
		return sAuthFailed
	case camera.StateUnknown:
		return sUnknown
	}
	return sNone
}

func (c stateCode) state() camera.HealthState { return stateOfCode[c] }

// istr is an interned string in 8 bytes: every camera of a commune, every
// camera refused for the same reason, shares one copy. The zero istr is
// "".
type istr struct{ h unique.Handle[string] }

func intern(s string) istr {
	if s == "" {
		return istr{}
	}
	return istr{unique.Make(s)}
}

func (s istr) String() string {
	if s == (istr{}) {
		return ""
	}
	return s.h.Value()
}

// nanos returns t in Unix nanoseconds, 0 for the zero time.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// timeOf is the inverse of nanos.
func timeOf(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}
