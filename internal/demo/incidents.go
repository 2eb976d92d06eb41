package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/sample"
)

// The demo's evidence: the sample's incidents are imported like the other
// data sets, and a few short clips are captured from the simulated cameras
// of the most recent ones once the poller has found those cameras up (the
// capture route refuses a camera that is not), in the background, so that
// the banner does not wait for the poller.
const (
	// ClipCount is how many clips the demo captures.
	ClipCount      = 3
	captureSeconds = 2
	// captureWait bounds the wait for a camera to be found up: its
	// first probes come within one poll interval, the confirming one a
	// retry later.
	captureWait = 2 * time.Minute
	healthPoll  = 250 * time.Millisecond
	// clipReason is the reason the banner's download example gives.
	clipReason = "demo: xem thu bang chung"
)

// Capture is one clip the demo records: from a camera, for an incident of
// that camera.
type Capture struct {
	IncidentID string
	CameraID   string
}

// PickCaptures chooses the most recent sample incidents whose first
// camera is simulated without a fault, one per picture size: the fake
// cameras all film the same test picture, so two cameras of one size
// would give byte-identical clips — one clip, content-addressed, shared
// by two incidents.
func PickCaptures(incidentsJSON []byte, plan Plan, n int) ([]Capture, error) {
	var ins []struct {
		ID        string   `json:"id"`
		CameraIDs []string `json:"camera_ids"`
		Start     string   `json:"start"`
	}
	if err := json.Unmarshal(incidentsJSON, &ins); err != nil {
		return nil, fmt.Errorf("read the sample incidents: %w", err)
	}
	type dated struct {
		Capture
		start time.Time
	}
	var all []dated
	for _, in := range ins {
		start, err := time.Parse(time.RFC3339, in.Start)
		if err != nil || len(in.CameraIDs) == 0 {
			return nil, fmt.Errorf("sample incident %s: bad start or no camera", in.ID)
		}
		if kind, ok := plan.byID[in.CameraIDs[0]]; ok && kind == FaultNone {
			all = append(all, dated{Capture{in.ID, in.CameraIDs[0]}, start})
		}
	}
	slices.SortStableFunc(all, func(a, b dated) int { return b.start.Compare(a.start) })
	size := map[string]string{}
	for i, r := range plan.roles {
		b := simBrands[i%len(simBrands)]
		size[r.id] = fmt.Sprintf("%dx%d", b.width, b.height)
	}
	var out []Capture
	seen := map[string]bool{}
	for _, d := range all {
		if len(out) == n {
			break
		}
		if !seen[size[d.CameraID]] {
			seen[size[d.CameraID]] = true
			out = append(out, d.Capture)
		}
	}
	return out, nil
}

// CaptureClips waits for each chosen camera to be up and captures its
// clip through the API, as the demo's admin: the clip goes through the
// same checks, recording and custody as an operator's. It gives up on a
// camera after two minutes, and on everything when ctx ends (the demo
// stops). Run it in the background: the banner does not wait for it.
func (d *Demo) CaptureClips(ctx context.Context, log *slog.Logger) {
	for _, c := range d.captures {
		if err := waitUp(ctx, d.store, c.CameraID, captureWait); err != nil {
			if ctx.Err() == nil {
				log.Warn("demo clip not captured", slog.String("camera", c.CameraID), slog.Any("err", err))
			}
			continue
		}
		body := fmt.Sprintf(`{"camera_id":%q,"capture_seconds":%d}`, c.CameraID, captureSeconds)
		answer, err := d.api.call(ctx, http.MethodPost, "/api/v1/incidents/"+c.IncidentID+"/clips", "application/json", []byte(body))
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("demo clip not captured", slog.String("camera", c.CameraID), slog.Any("err", err))
			}
			continue
		}
		var clip camera.Clip
		if err := json.Unmarshal(answer, &clip); err == nil {
			log.Info("demo clip captured", slog.String("incident", c.IncidentID), slog.String("camera", c.CameraID),
				slog.String("clip", clip.ID), slog.Float64("seconds", clip.Duration))
		}
	}
}

// waitUp polls a camera's health until the poller has found it up.
func waitUp(ctx context.Context, store Store, id string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	t := time.NewTicker(healthPoll)
	defer t.Stop()
	for {
		h, err := store.CurrentHealth(ctx, id)
		if err == nil && h.State == camera.StateUp {
			return nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("still %s after %v", h.State, limit)
			}
			return err
		case <-t.C:
		}
	}
}

// printIncidents adds the incidents and evidence examples to the banner.
func printIncidents(w io.Writer, url string, caps []Capture, loc *time.Location) {
	if len(caps) == 0 {
		return
	}
	auth := `-H "Authorization: Bearer $MATTHAN_TOKEN"`
	var cams []string
	for _, c := range caps {
		cams = append(cams, c.CameraID+" ("+c.IncidentID+")")
	}
	first := caps[0].IncidentID
	fmt.Fprintf(w, `
Incidents and evidence: the sample's %s incidents (kept forever in the demo:
retention is off). %d-second clips are being captured from %s
as soon as the poller finds those cameras up (within a minute).
  curl %s '%s/api/v1/incidents?limit=5'
  curl %s '%s/api/v1/incidents/counts?from=%s'
  curl %s '%s/api/v1/incidents/%s/clips'
  CLIP=$(curl -s %s '%s/api/v1/incidents/%s/clips' | grep -o '"id":"[0-9a-f]\{64\}"' | head -1 | cut -d'"' -f4)
  curl %s -H 'X-Reason: %s' -o clip.mp4 "%s/api/v1/clips/$CLIP"   # logged in custody
  curl %s "%s/api/v1/clips/$CLIP/custody"
  curl %s "%s/api/v1/clips/$CLIP/verify"
`, SampleIncidentCount(), captureSeconds, strings.Join(cams, ", "),
		auth, url, auth, url, strings.ReplaceAll(time.Date(2021, 1, 1, 0, 0, 0, 0, loc).Format(time.RFC3339), "+", "%2B"),
		auth, url, first, auth, url, first, auth, clipReason, url, auth, url, auth, url)
}

// SampleIncidentCount is how many incidents the sample holds, for the
// banner ("48").
func SampleIncidentCount() string {
	var ins []json.RawMessage
	if err := json.Unmarshal(sample.Incidents(), &ins); err != nil {
		return "sample"
	}
	return fmt.Sprint(len(ins))
}
