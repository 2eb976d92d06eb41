package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp/rtsptest"
	"github.com/matthan/matthan/registry"
)

// The secrets of a camera that takes its credentials in the URL's query,
// as Dahua's cameras do: rtsp://host/cam/realmonitor?channel=1&user=…
const (
	qcUser = "qc-operator-51"
	qcPass = "Qc-pass-93kT-x"
)

// qcQuery is the query such a camera requires, exactly, in this order.
const qcQuery = "channel=1&user=" + qcUser + "&password=" + qcPass + "&subtype=0"

// hookRecorder is a webhook receiver that keeps every body it gets.
type hookRecorder struct {
	mu     sync.Mutex
	bodies []string
}

func (h *hookRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.bodies = append(h.bodies, string(b))
	h.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (h *hookRecorder) all() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return strings.Join(h.bodies, "\n")
}

// TestEndToEndQueryCredentials runs the real binary with a fake camera
// that answers only when the URL's query carries its user and password in
// its own order. The credentials given in rtsp_url's query are used by the
// poller (the camera is found up) and kept write-only: no answer to any
// role, no export, map, tile, audit entry, webhook, metric or log line
// holds them; has_credentials says true; a PATCH or PUT of what GET
// answered, and a re-import of the export, keep them.
func TestEndToEndQueryCredentials(t *testing.T) {
	t.Parallel()
	cam, err := rtsptest.Start(rtsptest.Options{Path: "/cam/realmonitor", Query: qcQuery, Server: "Dahua Rtsp Server"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cam.Close)
	hooks := &hookRecorder{}
	hookServer := httptest.NewServer(hooks)
	t.Cleanup(hookServer.Close)

	dir := t.TempDir()
	db := filepath.Join(dir, "q.db")
	cfgFile := filepath.Join(dir, "matthan.yaml")
	cfg := e2ePollerConfig + "  webhooks:\n    - " + hookServer.URL + "/hook\n"
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	const hookSecret = "qc-webhook-secret-5521"
	env := []string{"MATTHAN_ADMIN_TOKEN=" + e2eAdminToken, "MATTHAN_WEBHOOK_SECRET=" + hookSecret}
	serve := func() *proc {
		return startDaemon(t, env, "serve", "--config", cfgFile, "--db", db, "--listen", "127.0.0.1:0",
			"--log-level", "debug", "--poll-interval", e2ePollInterval.String())
	}
	d := serve()
	daemons := []*proc{d}

	const id = "CG-DAHUA-01"
	public := cam.URL() + "?channel=1&subtype=0"
	body, err := json.Marshal(map[string]any{
		"id": id, "name": "Cổng chợ Bình Phan", "lat": 10.3541, "lon": 106.4632, "commune": "Bình Phan",
		"direction_deg": 45, "fov_deg": 90, "range_m": 60, "cost_vnd": 4_500_000,
		"rtsp_url": cam.URLWithQuery(),
	})
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{qcPass, qcUser, e2eAdminToken, hookSecret}
	created := mustCall(t, http.StatusCreated, http.MethodPost, d.URL+"/api/v1/cameras", e2eAdminToken, "application/json", body)
	noSecrets(t, "POST answer", created, secrets...)

	// One token per role.
	tokens := map[camera.Role]string{camera.RoleAdmin: e2eAdminToken}
	for _, role := range []camera.Role{camera.RolePolice, camera.RolePlanner, camera.RoleFundraiser} {
		var tok struct {
			Token string `json:"token"`
		}
		unmarshal(t, mustCall(t, http.StatusCreated, http.MethodPost, d.URL+"/api/v1/tokens", e2eAdminToken, "application/json",
			[]byte(`{"name":"`+string(role)+`","role":"`+string(role)+`"}`)), &tok)
		tokens[role] = tok.Token
		secrets = append(secrets, tok.Token)
	}

	// The poller dials the URL as given: the camera answers only then.
	waitHealth := func(d *proc, want camera.HealthState) {
		t.Helper()
		deadline := time.Now().Add(startDeadline)
		for {
			var h healthView
			unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/cameras/"+id+"/health", e2eAdminToken, "", nil), &h)
			if h.State == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("camera still %s (%s) after %v, want %s; last probe %+v", h.State, h.Reason, startDeadline, want, h.LastProbe)
			}
			pause(t, 20*time.Millisecond)
		}
	}
	waitHealth(d, camera.StateUp)

	type camView struct {
		RTSPURL        string `json:"rtsp_url"`
		HasCredentials bool   `json:"has_credentials"`
	}
	checkView := func(what string, b []byte) {
		t.Helper()
		noSecrets(t, what, b, secrets...)
		var v camView
		unmarshal(t, b, &v)
		if v.RTSPURL != public || !v.HasCredentials {
			t.Errorf("%s: rtsp_url %q, has_credentials %v; want %q, true", what, v.RTSPURL, v.HasCredentials, public)
		}
	}
	checkView("POST answer", created)

	// Every role, every way a camera is shown.
	z, x, y := tileOf(10.3541, 106.4632, 15)
	for role, tok := range tokens {
		checkView(string(role)+" GET", mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/cameras/"+id, tok, "", nil))
		for _, path := range []string{
			"/api/v1/cameras", "/api/v1/cameras?q=binh+phan", "/api/v1/cameras/export?format=csv", "/api/v1/cameras/export?format=geojson",
			"/api/v1/cameras.geojson", "/api/v1/fov.geojson", fmt.Sprintf("/tiles/%d/%d/%d.mvt", z, x, y),
			"/api/v1/cameras/near?lat=10.3541&lon=106.4632&radius_m=500", "/api/v1/health/summary",
		} {
			b := mustCall(t, http.StatusOK, http.MethodGet, d.URL+path, tok, "", nil)
			noSecrets(t, string(role)+" "+path, b, secrets...)
			if strings.Contains(path, "export") && !strings.Contains(string(b), public) {
				t.Errorf("%s %s lacks the public URL %q:\n%s", role, path, public, b)
			}
		}
	}
	noSecrets(t, "health", mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/cameras/"+id+"/health", e2eAdminToken, "", nil), secrets...)

	// What a client read, sent back, keeps the credentials: PATCH with
	// the public URL, PUT of the GET answer, a re-import of the export.
	got := mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/cameras/"+id, tokens[camera.RolePolice], "", nil)
	checkView("PATCH answer", mustCall(t, http.StatusOK, http.MethodPatch, d.URL+"/api/v1/cameras/"+id, tokens[camera.RolePolice], "application/json",
		[]byte(`{"rtsp_url":"`+public+`","name":"Cổng chợ Bình Phan (mới)"}`)))
	var full map[string]any
	unmarshal(t, got, &full)
	full["notes"] = "gắn lại"
	put, _ := json.Marshal(full)
	checkView("PUT answer", mustCall(t, http.StatusOK, http.MethodPut, d.URL+"/api/v1/cameras/"+id, tokens[camera.RolePolice], "application/json", put))
	exported := export(t, d.URL, e2eAdminToken, "csv")
	if res := importCSV(t, d.URL, e2eAdminToken, exported); res.Rejected != 0 {
		t.Fatalf("re-import of the export: %+v", res)
	}
	checkView("GET after the re-import", mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/cameras/"+id, e2eAdminToken, "", nil))

	// New credentials in the query replace the stored ones: a wrong
	// password, then the right one again. The camera follows, and the
	// audit log says the credentials changed, never what they are.
	wrong := strings.Replace(cam.URLWithQuery(), qcPass, "Wrong-"+qcPass, 1)
	secrets = append(secrets, "Wrong-"+qcPass)
	mustCall(t, http.StatusOK, http.MethodPatch, d.URL+"/api/v1/cameras/"+id, e2eAdminToken, "application/json", []byte(`{"rtsp_url":"`+wrong+`"}`))
	waitHealth(d, camera.StateAuthFailed)
	mustCall(t, http.StatusOK, http.MethodPatch, d.URL+"/api/v1/cameras/"+id, e2eAdminToken, "application/json", []byte(`{"rtsp_url":"`+cam.URLWithQuery()+`"}`))
	waitHealth(d, camera.StateUp)
	audit := mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/audit?limit=1000", e2eAdminToken, "", nil)
	noSecrets(t, "audit log", audit, secrets...)
	var entries struct {
		Items []registry.AuditEntry `json:"items"`
	}
	unmarshal(t, audit, &entries)
	credChanges := 0
	for _, e := range entries.Items {
		if e.Target == id && e.Action == "camera.patch" && strings.Join(e.Changes, ",") == "rtsp_credentials" {
			credChanges++
		}
	}
	if credChanges != 2 {
		t.Errorf("audit entries of the two credential changes: %d, want 2\n%s", credChanges, audit)
	}

	// A restart reads the stored camera back with its credentials.
	if code := d.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d", code)
	}
	d = serve()
	daemons = append(daemons, d)
	checkView("GET after a restart", mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/cameras/"+id, e2eAdminToken, "", nil))
	waitHealth(d, camera.StateUp)

	noSecrets(t, "/metrics", mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/metrics", "", "", nil), secrets...)
	for deadline := time.Now().Add(startDeadline); !strings.Contains(hooks.all(), `"to":"auth_failed"`); {
		if time.Now().After(deadline) {
			t.Fatalf("the webhook got no event of the auth failure: %q", hooks.all())
		}
		pause(t, 20*time.Millisecond)
	}
	if code := d.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d", code)
	}
	noSecrets(t, "webhook events", []byte(hooks.all()), secrets...)
	for i, d := range daemons {
		log := d.stderr.String()
		if i == 0 && !strings.Contains(log, "camera health changed") {
			t.Errorf("daemon %d logged no health change: the log is not the one checked", i)
		}
		noSecrets(t, fmt.Sprintf("daemon %d log", i), []byte(log), secrets...)
	}
}

// TestEndToEndLegacyQueryCredentials: a database written before query
// parameters counted as credentials holds them in rtsp_url. The daemon
// reads such a camera with them split off — hidden, has_credentials true,
// still dialled — and its next write stores them apart.
func TestEndToEndLegacyQueryCredentials(t *testing.T) {
	t.Parallel()
	cam, err := rtsptest.Start(rtsptest.Options{Path: "/cam/realmonitor", Query: qcQuery})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cam.Close)
	dir := t.TempDir()
	db := filepath.Join(dir, "legacy.db")
	const id = "CG-OLD-01"
	// The store takes the URL as given, as the versions before did.
	s, err := registry.Open(db, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	old := &camera.Camera{ID: id, Name: "Camera cũ", Lat: 10.35, Lon: 106.46, Commune: "Song Bình", RTSPURL: cam.URLWithQuery()}
	old.ApplyDefaults()
	if err := s.CreateCamera(context.Background(), old, camera.Actor{Name: "old version", Role: camera.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if rec := storedRecord(t, db, id); !strings.Contains(rec, `"rtsp_url":`+jsonString(t, cam.URLWithQuery())) {
		t.Fatalf("the test's database does not hold the URL as an old version stored it: %s", rec)
	}

	cfgFile := filepath.Join(dir, "matthan.yaml")
	if err := os.WriteFile(cfgFile, []byte(e2ePollerConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, []string{"MATTHAN_ADMIN_TOKEN=" + e2eAdminToken}, "serve", "--config", cfgFile, "--db", db,
		"--listen", "127.0.0.1:0", "--log-level", "debug", "--poll-interval", e2ePollInterval.String())
	got := mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/cameras/"+id, e2eAdminToken, "", nil)
	noSecrets(t, "GET of an old camera", got, qcPass, qcUser)
	var v struct {
		RTSPURL        string `json:"rtsp_url"`
		HasCredentials bool   `json:"has_credentials"`
	}
	unmarshal(t, got, &v)
	if v.RTSPURL != cam.URL()+"?channel=1&subtype=0" || !v.HasCredentials {
		t.Errorf("old camera reads rtsp_url %q, has_credentials %v", v.RTSPURL, v.HasCredentials)
	}
	noSecrets(t, "export of an old camera", export(t, d.URL, e2eAdminToken, "csv"), qcPass, qcUser)
	deadline := time.Now().Add(startDeadline)
	for {
		var h healthView
		unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/cameras/"+id+"/health", e2eAdminToken, "", nil), &h)
		if h.State == camera.StateUp {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("old camera %s (%s), want up: its credentials were not dialled", h.State, h.Reason)
		}
		pause(t, 20*time.Millisecond)
	}
	mustCall(t, http.StatusOK, http.MethodPatch, d.URL+"/api/v1/cameras/"+id, e2eAdminToken, "application/json", []byte(`{"notes":"đã sửa"}`))
	if code := d.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d", code)
	}
	rec := storedRecord(t, db, id)
	if !strings.Contains(rec, `"rtsp_url":`+jsonString(t, cam.URL()+"?channel=1&subtype=0")) || !strings.Contains(rec, `"rtsp_query_credentials":`) {
		t.Errorf("the camera written since does not store its credentials apart: %s", rec)
	}
}

// jsonString returns s as encoding/json writes it.
func jsonString(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// storedRecord returns the stored record of camera id, read with bbolt
// from the closed database file at db.
func storedRecord(t *testing.T, db, id string) string {
	t.Helper()
	bdb, err := bolt.Open(db, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	var rec string
	if err := bdb.View(func(tx *bolt.Tx) error {
		rec = string(tx.Bucket([]byte("cameras")).Get([]byte(id)))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return rec
}

// tileOf returns the Web Mercator tile of zoom z holding lat, lon.
func tileOf(lat, lon float64, z int) (int, int, int) {
	n := math.Exp2(float64(z))
	x := int((lon + 180) / 360 * n)
	r := lat * math.Pi / 180
	y := int((1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * n)
	return z, x, y
}
