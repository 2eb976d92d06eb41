package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp"
	"github.com/matthan/matthan/evidence"
	"github.com/matthan/matthan/registry/registrytest"
)

// testClipLimit is the upload limit of the incident tests: small, so that
// an upload over it costs nothing.
const testClipLimit = 256 << 10

// incEnv is env with incidents and clips: a clip store in a temporary
// directory, the real RTSP capture, and the incident metrics.
type incEnv struct {
	*env
	files *evidence.ClipStore
	reg   *prometheus.Registry
}

func newIncidentEnv(t *testing.T) *incEnv {
	t.Helper()
	return newIncidentEnvWith(t, nil)
}

// newIncidentEnvWith is newIncidentEnv with options changed by set (a
// clock, say) before the server is built.
func newIncidentEnvWith(t *testing.T, set func(*api.Options)) *incEnv {
	t.Helper()
	store := registrytest.Open(t)
	files, err := evidence.NewClipStore(filepath.Join(t.TempDir(), "clips"))
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	m, err := evidence.NewIncidentMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	clips := &evidence.Clips{Store: store, Files: files, Source: &rtsp.Prober{}, Metrics: m, CaptureStartTimeout: 5 * time.Second}
	o := api.Options{
		Store: store, Capabilities: allCapabilities(store), Registry: reg, AdminToken: adminToken, BodyLimit: 64 << 10, ImportLimit: 8 << 20,
		Clips: clips, ClipLimit: testClipLimit, IncidentMetrics: m,
	}
	if set != nil {
		set(&o)
	}
	a := mustNew(t, o)
	a.SetReady(true)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, store: store, api: a, tokens: map[camera.Role]string{camera.RoleAdmin: adminToken}}
	for _, r := range []camera.Role{camera.RolePolice, camera.RolePlanner, camera.RoleFundraiser} {
		var out struct{ Token string }
		e.doJSON(adminToken, "POST", "/api/v1/tokens", map[string]string{"name": string(r) + "-1", "role": string(r)}, http.StatusCreated, &out)
		e.tokens[r] = out.Token
	}
	return &incEnv{env: e, files: files, reg: reg}
}

// on returns the env bound to a subtest.
func (e *incEnv) on(t *testing.T) *incEnv {
	c := *e
	c.env = e.env.on(t)
	return &c
}

// police is the token used for incidents unless a test says otherwise.
func (e *incEnv) police() string { return e.tokens[camera.RolePolice] }

// addCamera registers a camera (cameraJSON with another id and place).
func (e *incEnv) addCamera(id string, lat, lon float64, rtspURL string) {
	e.t.Helper()
	c := cameraJSON(id)
	c["lat"], c["lon"] = lat, lon
	if rtspURL != "" {
		c["rtsp_url"] = rtspURL
	}
	e.doJSON(adminToken, "POST", "/api/v1/cameras", c, http.StatusCreated, nil)
}

// incidentJSON is a valid incident on a camera.
func incidentJSON(cameraID string, start time.Time) map[string]any {
	return map[string]any{
		"camera_ids": []string{cameraID}, "start": start.Format(time.RFC3339), "end": start.Add(40 * time.Minute).Format(time.RFC3339),
		"category": "theft", "case_ref": "CA-CG/2026/101", "subjects": 2, "handling": "criminal",
		"note": "Trộm cắp xe máy tại ngã tư Chợ Gạo; camera ghi rõ biển số.",
	}
}

// createIncident posts an incident and returns it.
func (e *incEnv) createIncident(v map[string]any) camera.Incident {
	e.t.Helper()
	var in camera.Incident
	e.doJSON(e.police(), "POST", "/api/v1/incidents", v, http.StatusCreated, &in)
	return in
}

// setHealth records a camera's current health as the poller would.
func (e *incEnv) setHealth(id string, st camera.HealthState, reason string, since time.Time) {
	e.t.Helper()
	h := camera.Health{CameraID: id, State: st, Reason: reason, Since: since}
	tr := camera.Transition{CameraID: id, At: since, From: camera.StateUnknown, To: st, Reason: reason}
	if err := e.store.RecordHealth(context.Background(), []camera.Health{h}, []camera.Transition{tr}); err != nil {
		e.t.Fatal(err)
	}
}

// clipFiles lists every file under the clip store, temporary ones
// included, relative to its directory.
func (e *incEnv) clipFiles() []string {
	e.t.Helper()
	var out []string
	err := filepath.WalkDir(e.files.Dir(), func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(e.files.Dir(), path)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// requests returns how many requests the server answered for a route
// pattern with a status, from its own metrics: the signal that a handler
// has finished.
func (e *incEnv) requests(route, code string) int {
	e.t.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, mf := range mfs {
		if mf.GetName() != "matthan_http_requests_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["route"] == route && labels["code"] == code {
				n += int(m.GetCounter().GetValue())
			}
		}
	}
	return n
}

// waitRequests polls the metrics until the server has answered n requests
// of a route with a status.
func (e *incEnv) waitRequests(route, code string, n int) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for e.requests(route, code) < n {
		if time.Now().After(deadline) {
			e.t.Fatalf("the server did not answer %d %s requests with %s within 10 s", n, route, code)
		}
		pollPause(e.t)
	}
}

// pollPause waits a little between two checks of a condition polled with
// a deadline.
func pollPause(t *testing.T) {
	t.Helper()
	timer := time.NewTimer(10 * time.Millisecond)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-t.Context().Done():
		t.FailNow()
	}
}

// hasField reports whether a JSON body has a key anywhere, for the checks
// that aggregated answers carry no detail.
func hasField(body []byte, key string) bool {
	return strings.Contains(string(body), `"`+key+`"`)
}
