package main

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/demo"
)

// TestDemoSimulatedCameras runs the demo as a first-time user would and
// checks its promise: within a minute of starting, the health summary
// shows cameras up, degraded, down and auth_failed, and each camera the
// banner names for a fault is found in that state, for that reason.
func TestDemoSimulatedCameras(t *testing.T) {
	t.Parallel()
	start := time.Now()
	deadline := start.Add(time.Minute)
	d := startDemo(t, filepath.Join(t.TempDir(), "demo"))

	plan, err := demo.SamplePlan()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range demo.Faults() {
		line := strings.Join(plan.IDs(f.Kind), ", ")
		if !strings.Contains(d.block, line) || !strings.Contains(d.block, f.What) {
			t.Errorf("the demo banner does not say that %s play %q:\n%s", line, f.What, d.block)
		}
	}
	for _, want := range []string{"/api/v1/health/summary'", "/api/v1/health?state=down'", "probes each every 10s"} {
		if !strings.Contains(d.block, want) {
			t.Errorf("the demo banner lacks %q:\n%s", want, d.block)
		}
	}

	// Every state the simulation plays shows in the summary.
	var summary struct {
		Total struct {
			Cameras int                        `json:"cameras"`
			States  map[camera.HealthState]int `json:"states"`
		} `json:"total"`
	}
	wantStates := []camera.HealthState{camera.StateUp, camera.StateDegraded, camera.StateDown, camera.StateAuthFailed}
	for {
		unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, d.url+"/api/v1/health/summary", d.token, "", nil), &summary)
		missing := 0
		for _, st := range wantStates {
			if summary.Total.States[st] == 0 {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a minute after the demo started the summary is %+v; want every one of %v", summary.Total, wantStates)
		}
		pause(t, 200*time.Millisecond)
	}
	t.Logf("every state shown %v after the start: %v", time.Since(start).Round(time.Millisecond), summary.Total.States)

	// Each camera in the state of its part, for its reason.
	var page struct {
		Items []struct {
			CameraID string             `json:"camera_id"`
			State    camera.HealthState `json:"state"`
			Reason   string             `json:"reason"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	for {
		unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, d.url+"/api/v1/health?limit=1000", d.token, "", nil), &page)
		if page.NextCursor != "" || len(page.Items) != plan.Len() {
			t.Fatalf("/api/v1/health lists %d cameras (next cursor %q), want %d", len(page.Items), page.NextCursor, plan.Len())
		}
		var wrong []string
		for _, it := range page.Items {
			kind, _ := plan.Fault(it.CameraID) // none for a camera not in the plan: it must be up
			if msg := demoHealthMismatch(kind, it.State, it.Reason); msg != "" {
				wrong = append(wrong, fmt.Sprintf("%s: %s", it.CameraID, msg))
			}
		}
		if len(wrong) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a minute after the demo started %d cameras are not in the state of their part:\n%s", len(wrong), strings.Join(wrong[:min(len(wrong), 20)], "\n"))
		}
		pause(t, 200*time.Millisecond)
	}
	t.Logf("every simulated camera in its state %v after the start", time.Since(start).Round(time.Millisecond))

	checkDemoEvidence(t, d, plan, deadline)

	d.stop(t)
	if strings.Contains(d.stderr.String(), demo.PasswordPrefix) {
		t.Errorf("the demo logged a camera password")
	}
}

// demoHealthMismatch says how a camera's health differs from what its
// part in the simulation should give, "" when it agrees.
func demoHealthMismatch(kind demo.Fault, state camera.HealthState, reason string) string {
	for _, f := range demo.Faults() {
		if f.Kind != kind || f.State == "" {
			continue
		}
		if state != f.State || reason != f.Reason {
			return fmt.Sprintf("%s (%s), want %s (%s)", state, reason, f.State, f.Reason)
		}
		return ""
	}
	switch kind {
	case demo.FaultFlaps: // either, depending on the moment
		if state != camera.StateUp && state != camera.StateDown {
			return fmt.Sprintf("%s, want up or down", state)
		}
	case demo.FaultMetered: // unknown until its daily slot comes
		if state != camera.StateUnknown && state != camera.StateUp {
			return fmt.Sprintf("%s, want unknown or up", state)
		}
	default:
		if state != camera.StateUp {
			return fmt.Sprintf("%s (%s), want up", state, reason)
		}
	}
	return ""
}
