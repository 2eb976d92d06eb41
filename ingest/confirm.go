package ingest

import (
	"time"

	"github.com/matthan/matthan/camera"
)

// tracker turns a camera's stream of probe results into confirmed state
// changes. One lost packet or one slow answer must not page the commune
// police: a new state is confirmed only after `need` results in a row
// agree on it. Results that disagree with the confirmed state but not with
// each other (down, then degraded) restart the count, because they do not
// yet say what the camera's new state is.
//
// A tracker is owned by the poller and used under its lock.
type tracker struct {
	health camera.Health

	cand       camera.HealthState // the state being confirmed, "" when none
	candSince  time.Time          // At of the first result agreeing on cand
	candStreak int                // results in a row agreeing on cand
}

func newTracker(id string, seed *camera.Health) tracker {
	if seed != nil && seed.State.Valid() {
		h := *seed
		h.CameraID = id
		return tracker{health: h}
	}
	return tracker{health: camera.UnknownHealth(id)}
}

// pending reports whether a change is being confirmed: the next probe
// should come soon, and be deep.
func (t *tracker) pending() bool { return t.candStreak > 0 }

// resetPending forgets a change being confirmed (the camera's URL
// changed: results about the old URL say nothing about the new one).
func (t *tracker) resetPending() { t.cand, t.candStreak = "", 0 }

// observe feeds one result (never an unknown one: those say nothing and
// the poller drops them) and returns the confirmed transition, if this
// result confirmed one.
//
// The transition is dated at the first agreeing result, not at the
// confirming one: the camera was down from the first failed probe, and
// uptime should count it so. Its reason is the confirming result's.
func (t *tracker) observe(r camera.ProbeResult, need int) (camera.Transition, bool) {
	last := r
	t.health.LastProbe = &last
	if r.State == camera.StateUp {
		t.health.ConsecutiveFailures = 0
	} else {
		t.health.ConsecutiveFailures++
	}

	if r.State == t.health.State {
		t.resetPending()
		t.health.Reason = r.Reason
		return camera.Transition{}, false
	}
	if r.State == t.cand {
		t.candStreak++
	} else {
		t.cand, t.candSince, t.candStreak = r.State, r.At, 1
	}
	if t.candStreak < need {
		return camera.Transition{}, false
	}
	tr := camera.Transition{CameraID: t.health.CameraID, At: t.candSince, From: t.health.State, To: t.cand, Reason: r.Reason}
	t.health.State, t.health.Reason, t.health.Since = t.cand, r.Reason, t.candSince
	t.resetPending()
	return tr, true
}

// force sets the state without confirmation, for changes the poller
// decides itself (retirement), and returns the transition, if any.
func (t *tracker) force(state camera.HealthState, reason string, at time.Time) (camera.Transition, bool) {
	t.resetPending()
	if t.health.State == state {
		return camera.Transition{}, false
	}
	tr := camera.Transition{CameraID: t.health.CameraID, At: at, From: t.health.State, To: state, Reason: reason}
	t.health.State, t.health.Reason, t.health.Since = state, reason, at
	t.health.ConsecutiveFailures = 0
	return tr, true
}
