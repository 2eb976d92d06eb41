package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/demo"
	"github.com/matthan/matthan/internal/sample"
)

// checkDemoEvidence checks the demo's promise about incidents: the
// sample's incidents are there, counted, and the clips the banner names
// are captured from their cameras within the deadline, downloadable with
// a reason and logged in custody.
func checkDemoEvidence(t *testing.T, d *demoRun, plan demo.Plan, deadline time.Time) {
	t.Helper()
	caps, err := demo.PickCaptures(sample.Incidents(), plan, demo.ClipCount)
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) != demo.ClipCount {
		t.Fatalf("the demo captures %d clips, want %d", len(caps), demo.ClipCount)
	}
	for _, c := range caps {
		if want := c.CameraID + " (" + c.IncidentID + ")"; !strings.Contains(d.block, want) {
			t.Errorf("the demo banner does not name the capture %s:\n%s", want, d.block)
		}
	}
	for _, want := range []string{"/api/v1/incidents?limit=5'", "/api/v1/incidents/counts?", "X-Reason: ", "/custody\"", "/verify\""} {
		if !strings.Contains(d.block, want) {
			t.Errorf("the demo banner lacks %q", want)
		}
	}

	var counts struct{ Incidents, Subjects int }
	unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, d.url+"/api/v1/incidents/counts", d.token, "", nil), &counts)
	if want := demo.SampleIncidentCount(); fmt.Sprint(counts.Incidents) != want || counts.Subjects == 0 {
		t.Errorf("the demo counts %d incidents (%d subjects), want the sample's %s", counts.Incidents, counts.Subjects, want)
	}

	seen := map[string]bool{}
	for _, c := range caps {
		var clips struct{ Items []camera.Clip }
		for {
			unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, d.url+"/api/v1/incidents/"+c.IncidentID+"/clips", d.token, "", nil), &clips)
			if len(clips.Items) > 0 {
				break
			}
			if time.Now().After(deadline.Add(time.Minute)) {
				t.Fatalf("no clip of %s from %s:\n%s", c.IncidentID, c.CameraID, d.stderr.String())
			}
			pause(t, 200*time.Millisecond)
		}
		clip := clips.Items[0]
		if clip.CameraID != c.CameraID || clip.Codec != "h264" || clip.Duration < 1 || seen[clip.ID] {
			t.Errorf("the demo clip of %s: %+v (clips must differ)", c.IncidentID, clip)
		}
		seen[clip.ID] = true
		body := mustCall(t, http.StatusOK, http.MethodGet, d.url+"/api/v1/clips/"+clip.ID+"?reason=demo", d.token, "", nil)
		if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != clip.ID {
			t.Errorf("clip %s downloads as %d bytes that do not hash to its id", clip.ID, len(body))
		}
	}
}
