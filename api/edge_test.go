package api_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/evidence"
	"github.com/matthan/matthan/registry/registrytest"
)

// seriesLabels returns the distinct values of each label of a metric.
func (e *authEnv) seriesLabels(name string) (series int, values map[string][]string) {
	e.t.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		e.t.Fatal(err)
	}
	values = map[string][]string{}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			series++
			for _, l := range m.GetLabel() {
				if !slices.Contains(values[l.GetName()], l.GetValue()) {
					values[l.GetName()] = append(values[l.GetName()], l.GetValue())
				}
			}
		}
	}
	return series, values
}

// TestHTTPMetricLabelsBounded: requests with made-up methods and paths
// add no series: methods outside the standard ones count as "other",
// paths no route serves as "unmatched".
func TestHTTPMetricLabelsBounded(t *testing.T) {
	e := newAuthEnv(t, api.Options{})
	send := func(method, path string) {
		t.Helper()
		req, err := http.NewRequest(method, e.srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	// One of each kind first, so that the series exist.
	send("GET", "/api/v1/cameras")
	send("FOO", "/api/v1/cameras")
	send("BAR", "/no/such/path")
	send("GET", "/no/such/path")
	before, _ := e.seriesLabels("matthan_http_requests_total")
	for i := range 50 {
		send(fmt.Sprintf("M%dX", i), "/api/v1/cameras")
		send(fmt.Sprintf("PROP%d", i), fmt.Sprintf("/random/%d/path", i))
		send("GET", fmt.Sprintf("/api/v2/%d", i))
	}
	after, labels := e.seriesLabels("matthan_http_requests_total")
	if after != before {
		t.Errorf("matthan_http_requests_total has %d series after made-up requests, %d before", after, before)
	}
	for _, m := range labels["method"] {
		if !slices.Contains([]string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE", "other"}, m) {
			t.Errorf("method label %q", m)
		}
	}
	for _, r := range labels["route"] {
		if r != "unmatched" && !strings.HasPrefix(r, "/api/v1/") {
			t.Errorf("route label %q", r)
		}
	}
	if n, _ := e.seriesLabels("matthan_http_request_duration_seconds"); n > 2 {
		t.Errorf("request duration has %d series, want 2 (a route and unmatched)", n)
	}
}

// trickle sends a request's head and the first byte of its body, then
// sends nothing more. It returns what the server answered once it closed
// the connection: the test waits on that closure, not on a timer.
func trickle(t *testing.T, base, head string) string {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A bound on a failure, not a pace: the server must close long before.
	if err := conn.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	answer, err := io.ReadAll(conn) // returns when the server closes
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server still held the trickling connection after 30 s; read so far: %q", answer)
	}
	return string(answer)
}

// status reads the status code of a raw HTTP answer.
func status(t *testing.T, answer string) int {
	t.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(answer)), nil)
	if err != nil {
		t.Fatalf("answer %q: %v", answer, err)
	}
	defer resp.Body.Close()
	return resp.StatusCode
}

// TestBodyDeadlines: a client that trickles a body is cut off — a JSON
// body after body_timeout, an import below the minimum rate once its
// grace is over — with 408 and the connection closed.
func TestBodyDeadlines(t *testing.T) {
	e := newAuthEnv(t, api.Options{
		BodyTimeout:   200 * time.Millisecond,
		MinUploadRate: 1 << 10,
		UploadGrace:   200 * time.Millisecond,
		ImportLimit:   8 << 20,
	})
	tests := []struct {
		name, method, path, token, ctype string
		length                           int
		status                           int
		detail                           string
	}{
		{"json", "POST", "/api/v1/cameras", adminToken, "application/json", 2000, 408, "body: did not arrive within 200ms"},
		{"token json", "POST", "/api/v1/tokens", adminToken, "application/json", 100, 408, "body: did not arrive within 200ms"},
		{"import", "POST", "/api/v1/cameras/import", adminToken, "text/csv", 1 << 20, 408, "body: arrived slower than 1024 bytes a second (after the first 200ms)"},
		// Answered without reading the body: the server's discarding of
		// the rest must not wait on the client either.
		{"unauthenticated", "POST", "/api/v1/cameras", "mt_wrong", "application/json", 2000, 401, "unknown token"},
		{"no route", "POST", "/nowhere", "", "application/json", 2000, 404, "no route"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: matthan\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n{",
				tt.method, tt.path, tt.token, tt.ctype, tt.length)
			answer := trickle(t, e.srv.URL, head)
			if st := status(t, answer); st != tt.status {
				t.Errorf("status %d, want %d: %s", st, tt.status, answer)
			}
			if !strings.Contains(answer, tt.detail) {
				t.Errorf("answer %q, want %q", answer, tt.detail)
			}
		})
	}
	// A body sent at once is not affected, JSON or import.
	e.doJSON(adminToken, "POST", "/api/v1/cameras", cameraJSON("CG-0001"), http.StatusCreated, nil)
	st, body, _ := e.do(adminToken, "POST", "/api/v1/cameras/import", "text/csv", strings.NewReader(
		"id,name,lat,lon,commune,district,province,road_class,site,direction_deg,fov_deg,range_m,rtsp_url,installed_on,cost_vnd\n"+
			"CG-0002,Chợ,10.35,106.46,Song Bình,Chợ Gạo,Tiền Giang,national,road,0,90,50,,2024-01-01,1000\n"))
	if st != http.StatusOK {
		t.Errorf("import sent at once: %d %s", st, body)
	}
}

// TestClipUploadDeadline: a clip upload, raw or multipart, trickled below
// the minimum rate is answered 408, its connection closed, and nothing is
// left in the clip store.
func TestClipUploadDeadline(t *testing.T) {
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
	a := mustNew(t, api.Options{
		Store: store, Capabilities: allCapabilities(store), Registry: reg, AdminToken: adminToken,
		Clips: &evidence.Clips{Store: store, Files: files, Metrics: m}, ClipLimit: testClipLimit, IncidentMetrics: m,
		MinUploadRate: 1 << 10, UploadGrace: 200 * time.Millisecond,
	})
	a.SetReady(true)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	e := &incEnv{env: &env{t: t, srv: srv, store: store, api: a, tokens: map[camera.Role]string{camera.RoleAdmin: adminToken, camera.RolePolice: adminToken}}, files: files, reg: reg}
	e.addCamera("CG-0001", 10.35, 106.46, "")
	inc := e.createIncident(incidentJSON("CG-0001", time.Date(2026, 11, 24, 21, 40, 0, 0, time.UTC)))
	path := "/api/v1/incidents/" + inc.ID + "/clips"
	for _, ctype := range []string{"video/mp4", "multipart/form-data; boundary=b"} {
		head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: matthan\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: 100000\r\n\r\n", path, adminToken, ctype)
		if strings.HasPrefix(ctype, "multipart") {
			head += "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.mp4\"\r\n\r\n"
		}
		answer := trickle(t, srv.URL, head+"x")
		if st := status(t, answer); st != http.StatusRequestTimeout || !strings.Contains(answer, "arrived slower than 1024 bytes a second") {
			t.Errorf("%s trickled: %s", ctype, answer)
		}
	}
	if left := e.clipFiles(); len(left) != 0 {
		t.Errorf("files left in the clip store: %v", left)
	}
}
