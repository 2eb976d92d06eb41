package demo

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/matthan/matthan/camera"
)

// The demo starts with a month of health history, so that the district
// report's uptime, the funding views' cost per working hour and "was it
// up at time T" read like a programme that has been running, not like
// one started a minute ago (time before a camera's first probe counts as
// not up). The history is made up, the same at every start: every camera
// up since history ago, and about one in six with an outage of an
// hour to a day and a half somewhere in the month. The camera on a
// metered link, probed once a day, gets none: it stays unknown until its
// first probe. The poller then records what the simulated cameras really
// do from now on.

// history is how far back the made-up history goes: the report's
// default window.
const history = 30 * 24 * time.Hour

// historyFor returns the made-up transitions of the plan's cameras,
// ending before now.
func historyFor(plan Plan, now time.Time) []camera.Transition {
	rng := rand.New(rand.NewPCG(2019, 11))
	var out []camera.Transition
	for _, r := range plan.roles {
		id := r.id
		if r.kind == FaultMetered {
			continue
		}
		since := now.Add(-history - time.Duration(rng.IntN(24*60))*time.Minute)
		out = append(out, camera.Transition{CameraID: id, At: since, From: camera.StateUnknown, To: camera.StateUp, Reason: "ok"})
		if rng.IntN(6) != 0 {
			continue
		}
		down := since.Add(time.Duration(1+rng.IntN(26*24)) * time.Hour)
		reason := [...]string{"timeout", "refused", "no_frames"}[rng.IntN(3)]
		to := camera.StateDown
		if reason == "no_frames" {
			to = camera.StateDegraded
		}
		back := down.Add(time.Duration(60+rng.IntN(36*60)) * time.Minute)
		out = append(out,
			camera.Transition{CameraID: id, At: down, From: camera.StateUp, To: to, Reason: reason},
			camera.Transition{CameraID: id, At: back, From: to, To: camera.StateUp, Reason: "ok"})
	}
	return out
}

// seedHistory stores the made-up history (transitions only: the
// cameras' current state is the poller's to find) and says how many
// transitions it wrote.
func seedHistory(ctx context.Context, store Store, plan Plan, now time.Time) (int, error) {
	ts := historyFor(plan, now)
	return len(ts), store.RecordHealth(ctx, nil, ts)
}
