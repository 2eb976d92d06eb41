package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp"
	"github.com/matthan/matthan/internal/sample"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// samplePlan is the plan of the sample's cameras.
func samplePlan(t *testing.T) Plan {
	t.Helper()
	plan, err := SamplePlan()
	if err != nil {
		t.Fatal(err)
	}
	if plan.Len() != sample.CameraCount {
		t.Fatalf("the plan has %d cameras, want the sample's %d", plan.Len(), sample.CameraCount)
	}
	return plan
}

// TestSimulationPlaysItsParts starts the simulated fleet and probes, as
// the poller does (deep, with the demo's timeout, at the URL the registry
// gets), every camera that plays a fault and a few that play none: each
// answers with the state and reason its part promises.
func TestSimulationPlaysItsParts(t *testing.T) {
	plan := samplePlan(t)
	sim, err := Simulate(plan, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)

	type want struct {
		state  camera.HealthState
		reason string
	}
	wants := map[string]want{}
	for _, f := range Faults() {
		ids := plan.IDs(f.Kind)
		if len(ids) == 0 {
			t.Errorf("no camera plays %q", f.What)
		}
		for _, id := range ids {
			w := want{f.State, f.Reason}
			if f.State == "" { // flapping and metered cameras start up
				w = want{camera.StateUp, camera.ReasonOK}
			}
			wants[id] = w
		}
	}
	for _, id := range plan.IDs(FaultNone)[:5] {
		wants[id] = want{camera.StateUp, camera.ReasonOK}
	}
	p := &rtsp.Prober{}
	for id, w := range wants {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), PollTimeout)
			defer cancel()
			r := p.Probe(ctx, sim.urls[id], true)
			if r.State != w.state || r.Reason != w.reason {
				t.Errorf("probe of %s: %s (%s), want %s (%s)", id, r.State, r.Reason, w.state, w.reason)
			}
		})
	}
}

// TestRewriteCameras: every sample camera's rtsp_url points at its
// simulated camera, with credentials for five in six, and nothing else
// of the file changes.
func TestRewriteCameras(t *testing.T) {
	plan := samplePlan(t)
	sim, err := Simulate(plan, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	out, err := sim.rewriteCameras(sample.Cameras())
	if err != nil {
		t.Fatal(err)
	}
	before, _ := csv.NewReader(bytes.NewReader(sample.Cameras())).ReadAll()
	after, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil || len(after) != len(before) {
		t.Fatalf("%d records, %v; want %d", len(after), err, len(before))
	}
	urlCol := -1
	for i, h := range before[0] {
		if h == "rtsp_url" {
			urlCol = i
		}
	}
	withPassword := 0
	for i := 1; i < len(after); i++ {
		for c := range after[i] {
			if c != urlCol && after[i][c] != before[i][c] {
				t.Errorf("line %d: column %s changed from %q to %q", i+1, before[0][c], before[i][c], after[i][c])
			}
		}
		u, err := url.Parse(after[i][urlCol])
		if err != nil || u.Scheme != "rtsp" || !strings.HasPrefix(u.Host, "127.0.0.1:") {
			t.Errorf("line %d: rtsp_url %q, want a simulated camera on 127.0.0.1", i+1, after[i][urlCol])
			continue
		}
		if pw, ok := u.User.Password(); ok && strings.HasPrefix(pw, PasswordPrefix) {
			withPassword++
		}
	}
	if n := len(after) - 1; withPassword < n*5/6-1 || withPassword > n*5/6+1 {
		t.Errorf("%d of %d cameras have a password, want five in six", withPassword, n)
	}
}
