package api_test

import (
	"math"
	"net/url"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
)

func TestHealthRoutes(t *testing.T) {
	e := newEnv(t)
	for _, id := range []string{"CG-1", "CG-2"} {
		e.doJSON(adminToken, "POST", "/api/v1/cameras", cameraJSON(id), 201, nil)
	}
	now := time.Now().UTC().Truncate(time.Second)
	upAt, downAt := now.Add(-2*time.Hour), now.Add(-1*time.Hour)
	err := e.store.RecordHealth(t.Context(),
		[]camera.Health{{CameraID: "CG-1", State: camera.StateDown, Reason: camera.ReasonRefused, Since: downAt}},
		[]camera.Transition{
			{CameraID: "CG-1", At: upAt, From: camera.StateUnknown, To: camera.StateUp, Reason: camera.ReasonOK},
			{CameraID: "CG-1", At: downAt, From: camera.StateUp, To: camera.StateDown, Reason: camera.ReasonRefused},
		})
	if err != nil {
		t.Fatal(err)
	}
	police := e.tokens[camera.RolePolice]

	var h struct {
		State       camera.HealthState
		Reason      string
		Uptime      map[string]struct{ Ratio *float64 }
		Transitions []camera.Transition
		StateAt     *struct{ State camera.HealthState } `json:"state_at"`
	}
	at := url.QueryEscape(now.Add(-90 * time.Minute).Format(time.RFC3339))
	e.doJSON(police, "GET", "/api/v1/cameras/CG-1/health?at="+at, nil, 200, &h)
	if h.State != camera.StateDown || h.Reason != camera.ReasonRefused {
		t.Errorf("state: %s %s", h.State, h.Reason)
	}
	if r := h.Uptime["24h"].Ratio; r == nil || math.Abs(*r-0.5) > 0.01 {
		t.Errorf("24h uptime ratio: %v, want 0.5 (1 h up, 1 h down, the rest unknown)", r)
	}
	if len(h.Transitions) != 2 || h.Transitions[0].To != camera.StateDown {
		t.Errorf("transitions (newest first): %+v", h.Transitions)
	}
	if h.StateAt == nil || h.StateAt.State != camera.StateUp {
		t.Errorf("state at 90 min ago: %+v", h.StateAt)
	}

	var never struct {
		State  camera.HealthState
		Uptime map[string]struct{ Ratio *float64 }
	}
	e.doJSON(police, "GET", "/api/v1/cameras/CG-2/health", nil, 200, &never)
	if never.State != camera.StateUnknown || never.Uptime["7d"].Ratio != nil {
		t.Errorf("never probed: %+v", never)
	}
	e.problem(police, "GET", "/api/v1/cameras/NOPE/health", nil, 404)
	e.problem(police, "GET", "/api/v1/cameras/CG-1/health?at=yesterday", nil, 400)
	e.problem(police, "GET", "/api/v1/cameras/CG-1/health?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", nil, 400)

	var list struct {
		Items []struct {
			CameraID string `json:"camera_id"`
			State    camera.HealthState
		}
	}
	e.doJSON(police, "GET", "/api/v1/health?state=down&commune=thi+tran+cho+gao", nil, 200, &list)
	if len(list.Items) != 1 || list.Items[0].CameraID != "CG-1" {
		t.Errorf("down cameras: %+v", list.Items)
	}
	e.doJSON(police, "GET", "/api/v1/health?state=unknown", nil, 200, &list)
	if len(list.Items) != 1 || list.Items[0].CameraID != "CG-2" {
		t.Errorf("unknown cameras: %+v", list.Items)
	}
	e.problem(police, "GET", "/api/v1/health?state=sleepy", nil, 400)

	var sum struct {
		Total struct {
			Cameras int
			States  map[camera.HealthState]int
		}
	}
	e.doJSON(e.tokens[camera.RoleFundraiser], "GET", "/api/v1/health/summary", nil, 200, &sum)
	if sum.Total.Cameras != 2 || sum.Total.States[camera.StateDown] != 1 || sum.Total.States[camera.StateUnknown] != 1 {
		t.Errorf("summary: %+v", sum.Total)
	}
	e.problem(e.tokens[camera.RoleFundraiser], "GET", "/api/v1/health", nil, 403)
}
