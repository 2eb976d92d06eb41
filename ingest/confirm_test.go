package ingest

import (
	"strconv"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
)

func TestTrackerConfirmation(t *testing.T) {
	const (
		U = camera.StateUp
		D = camera.StateDown
		G = camera.StateDegraded
		A = camera.StateAuthFailed
	)
	tests := []struct {
		name    string
		start   camera.HealthState
		need    int
		results []camera.HealthState
		want    string // transitions, e.g. "unknown→up@1": to and index of the first agreeing result
		final   camera.HealthState
	}{
		{"first result alone is not enough", camera.StateUnknown, 2, []camera.HealthState{U}, "", camera.StateUnknown},
		{"first state confirmed after two", camera.StateUnknown, 2, []camera.HealthState{U, U}, "unknown→up@0", U},
		{"single flap ignored", U, 2, []camera.HealthState{U, D, U, U, D, U}, "", U},
		{"outage confirmed, dated at first failure", U, 2, []camera.HealthState{U, D, D, D}, "up→down@1", D},
		{"recovery needs two too", D, 2, []camera.HealthState{U, D, U, U}, "down→up@2", U},
		{"disagreeing failures do not confirm", U, 2, []camera.HealthState{D, G, D, G}, "", U},
		{"then agreeing ones do", U, 2, []camera.HealthState{D, G, G}, "up→degraded@1", G},
		{"need 1 follows every result", U, 1, []camera.HealthState{D, U, A}, "up→down@0 down→up@1 up→auth_failed@2", A},
		{"need 3", camera.StateUnknown, 3, []camera.HealthState{D, D, U, D, D, D}, "unknown→down@3", D},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seed := camera.Health{CameraID: "C1", State: tt.start}
			tr := newTracker(&seed)
			var got []camera.Transition
			for i, st := range tt.results {
				r := camera.ProbeResult{State: st, Reason: "r" + string(st), At: t0.Add(time.Duration(i) * time.Second)}
				if x, ok := tr.observe("C1", r, tt.need); ok {
					got = append(got, x)
				}
			}
			var s string
			for i, x := range got {
				if i > 0 {
					s += " "
				}
				s += string(x.From) + "→" + string(x.To) + "@" + strconv.Itoa(int(x.At.Sub(t0)/time.Second))
				if x.Reason != "r"+string(x.To) {
					t.Errorf("reason %q, want the confirming result's", x.Reason)
				}
				if x.CameraID != "C1" {
					t.Errorf("transition of camera %q, want C1", x.CameraID)
				}
			}
			if s != tt.want {
				t.Errorf("transitions: got %q, want %q", s, tt.want)
			}
			if h := tr.health("C1"); h.State != tt.final || h.CameraID != "C1" {
				t.Errorf("final state: got %s, want %s", h.State, tt.final)
			}
		})
	}
}

func TestTrackerCountsFailures(t *testing.T) {
	tr := newTracker(nil)
	for i, st := range []camera.HealthState{camera.StateDown, camera.StateDegraded, camera.StateDown} {
		tr.observe("C1", camera.ProbeResult{State: st, At: t0}, 2)
		if got := tr.health("C1").ConsecutiveFailures; got != i+1 {
			t.Errorf("after %d failures: got %d", i+1, got)
		}
	}
	tr.observe("C1", camera.ProbeResult{State: camera.StateUp, Reason: camera.ReasonOK, At: t0, Codec: "H264"}, 2)
	if h := tr.health("C1"); h.ConsecutiveFailures != 0 {
		t.Errorf("after an up result: %+v", h)
	}
}

// TestTrackerKeepsHealth: the packed tracker gives back the health it was
// seeded with, and what results made of it.
func TestTrackerKeepsHealth(t *testing.T) {
	since := time.Date(2025, 3, 1, 8, 0, 0, 123456789, time.UTC)
	seed := camera.Health{CameraID: "C1", State: camera.StateDown, Reason: "status_503", Since: since, ConsecutiveFailures: 7,
		LastProbe: &camera.ProbeResult{State: camera.StateDown, Reason: "status_503", At: since.Add(time.Hour)}}
	tr := newTracker(&seed)
	got := tr.health("C1")
	want := seed
	want.LastProbe = nil
	if !got.Since.Equal(want.Since) {
		t.Errorf("since: got %v, want %v", got.Since, want.Since)
	}
	got.Since = want.Since
	if got != want {
		t.Errorf("health: got %+v, want %+v", got, want)
	}
	if h := newTracker(nil).health("C9"); h != camera.UnknownHealth("C9") {
		t.Errorf("no seed: got %+v, want unknown", h)
	}
	if h := newTracker(&camera.Health{CameraID: "C9", State: "bogus", Reason: "x"}).health("C9"); h != camera.UnknownHealth("C9") {
		t.Errorf("invalid seed: got %+v, want unknown", h)
	}

	// Up twice: confirmed up, dated at the first result.
	for i := range 2 {
		tr.observe("C1", camera.ProbeResult{State: camera.StateUp, Reason: camera.ReasonOK, At: t0.Add(time.Duration(i) * time.Second)}, 2)
	}
	if h := tr.health("C1"); h.State != camera.StateUp || h.Reason != camera.ReasonOK || !h.Since.Equal(t0) || h.ConsecutiveFailures != 0 {
		t.Errorf("after recovery: %+v", h)
	}
	if tr, ok := tr.force("C1", camera.StateUnknown, camera.ReasonRetired, t0.Add(time.Minute)); !ok || tr.From != camera.StateUp || tr.Reason != camera.ReasonRetired {
		t.Errorf("force: %+v %v", tr, ok)
	}
	if h := tr.health("C1"); h.State != camera.StateUnknown || h.Reason != camera.ReasonRetired || !h.Since.Equal(t0.Add(time.Minute)) {
		t.Errorf("after force: %+v", h)
	}
	if _, ok := tr.force("C1", camera.StateUnknown, camera.ReasonRetired, t0.Add(2*time.Minute)); ok {
		t.Error("forcing the same state again made a transition")
	}
	if h := (&tracker{state: sUnknown}).health("C2"); !h.Since.IsZero() || h.Reason != "" {
		t.Errorf("zero since and reason: %+v", h)
	}
}

var t0 = time.Date(2024, 3, 5, 14, 40, 0, 0, time.UTC)
