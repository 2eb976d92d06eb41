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
			tr := newTracker("C1", &seed)
			var got []camera.Transition
			for i, st := range tt.results {
				r := camera.ProbeResult{State: st, Reason: "r" + string(st), At: t0.Add(time.Duration(i) * time.Second)}
				if x, ok := tr.observe(r, tt.need); ok {
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
			}
			if s != tt.want {
				t.Errorf("transitions: got %q, want %q", s, tt.want)
			}
			if tr.health.State != tt.final {
				t.Errorf("final state: got %s, want %s", tr.health.State, tt.final)
			}
		})
	}
}

func TestTrackerCountsFailures(t *testing.T) {
	tr := newTracker("C1", nil)
	for i, st := range []camera.HealthState{camera.StateDown, camera.StateDegraded, camera.StateDown} {
		tr.observe(camera.ProbeResult{State: st, At: t0}, 2)
		if got := tr.health.ConsecutiveFailures; got != i+1 {
			t.Errorf("after %d failures: got %d", i+1, got)
		}
	}
	tr.observe(camera.ProbeResult{State: camera.StateUp, Reason: camera.ReasonOK, At: t0, Codec: "H264"}, 2)
	if tr.health.ConsecutiveFailures != 0 || tr.health.LastProbe == nil || tr.health.LastProbe.Codec != "H264" {
		t.Errorf("after an up result: %+v", tr.health)
	}
}

var t0 = time.Date(2024, 3, 5, 14, 40, 0, 0, time.UTC)
