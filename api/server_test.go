package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

const adminToken = "mt_test_admin_token"

// env is a real server on a real bbolt file, reached over real HTTP.
type env struct {
	t      *testing.T
	srv    *httptest.Server
	store  *registry.Store
	api    *api.Server
	tokens map[camera.Role]string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	store := registrytest.Open(t)
	a := mustNew(t, api.Options{Store: store, Capabilities: allCapabilities(store), Registry: prometheus.NewRegistry(), AdminToken: adminToken, BodyLimit: 64 << 10, ImportLimit: 8 << 20})
	a.SetReady(true)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, store: store, api: a, tokens: map[camera.Role]string{camera.RoleAdmin: adminToken}}
	for _, r := range []camera.Role{camera.RolePolice, camera.RolePlanner, camera.RoleFundraiser} {
		var out struct{ Token string }
		e.doJSON(adminToken, "POST", "/api/v1/tokens", map[string]string{"name": string(r) + "-1", "role": string(r)}, http.StatusCreated, &out)
		e.tokens[r] = out.Token
	}
	return e
}

// on returns the env bound to a subtest, so that its failures stop the
// subtest and not its parent.
func (e *env) on(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// do sends a request and returns the status and body, having checked
// the answer against the OpenAPI description.
func (e *env) do(token, method, path, contentType string, body io.Reader) (int, []byte, http.Header) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	checkOpenAPI(e.t, resp, b)
	return resp.StatusCode, b, resp.Header
}

// doJSON sends v as JSON (a string is sent as is), checks the status and
// decodes the answer into out when out is not nil.
func (e *env) doJSON(token, method, path string, v any, want int, out any) []byte {
	e.t.Helper()
	var body io.Reader
	switch b := v.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(v)
		if err != nil {
			e.t.Fatal(err)
		}
		body = bytes.NewReader(raw)
	}
	status, got, _ := e.do(token, method, path, "application/json", body)
	if status != want {
		e.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, status, want, got)
	}
	if out != nil {
		if err := json.Unmarshal(got, out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, got, err)
		}
	}
	return got
}

// problem decodes a problem+json answer.
func (e *env) problem(token, method, path string, v any, want int) api.Problem {
	e.t.Helper()
	var p api.Problem
	e.doJSON(token, method, path, v, want, &p)
	if p.Status != want || p.Detail == "" {
		e.t.Errorf("%s %s: problem %+v", method, path, p)
	}
	return p
}

func cameraJSON(id string) map[string]any {
	return map[string]any{
		"id": id, "name": "Ngã tư Chợ Gạo", "lat": 10.3541, "lon": 106.4612,
		"commune": "Thị trấn Chợ Gạo", "district": "Chợ Gạo", "province": "Tiền Giang",
		"road_class": "national", "site": "intersection", "direction_deg": 45, "fov_deg": 90, "range_m": 60,
		"rtsp_url": "rtsp://admin:Matkhau123@192.0.2.10:554/Streaming/Channels/101", "installed_on": "2022-03-15", "cost_vnd": 4500000,
	}
}

func TestHealthzReadyz(t *testing.T) {
	e := newEnv(t)
	if st, _, _ := e.do("", "GET", "/healthz", "", nil); st != 200 {
		t.Errorf("healthz: %d", st)
	}
	if st, _, _ := e.do("", "GET", "/readyz", "", nil); st != 200 {
		t.Errorf("readyz: %d", st)
	}
	e.api.SetReady(false)
	if st, _, _ := e.do("", "GET", "/readyz", "", nil); st != 503 {
		t.Errorf("readyz not ready: %d", st)
	}
	st, body, _ := e.do("", "GET", "/metrics", "", nil)
	if st != 200 || !bytes.Contains(body, []byte("matthan_http_requests_total")) {
		t.Errorf("metrics: %d %s", st, body)
	}
}
