package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Secrets the daemon's logs must never contain.
const (
	e2eAdminToken = "e2e-admin-token-7f3a9c2b51d84e60"
	e2eUser       = "opercg"
	e2ePassword   = "Pw-e2e-9f3k-Qx"
)

// TestEndToEnd runs the real binary: create, read, search, import, export,
// stop with SIGTERM, restart, token create, backup, and a daemon on the
// backup copy.
func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")
	env := []string{"MATTHAN_ADMIN_TOKEN=" + e2eAdminToken}
	serve := func() *proc {
		return startDaemon(t, env, "serve", "--db", db, "--listen", "127.0.0.1:0", "--log-level", "debug")
	}
	var daemons []*proc
	secrets := []string{e2eAdminToken, e2ePassword, e2eUser + ":"}

	d := serve()
	daemons = append(daemons, d)
	mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/readyz", "", "", nil)

	// Create a camera with a Vietnamese name and credentials in its URL.
	body := `{"id":"CG-E2E-0001","name":"Ngã tư Chợ Gạo","lat":10.3541,"lon":106.4632,` +
		`"commune":"Thị trấn Chợ Gạo","district":"Chợ Gạo","province":"Tiền Giang",` +
		`"road_class":"national","site":"intersection","direction_deg":45,"fov_deg":90,"range_m":60,` +
		`"rtsp_url":"rtsp://` + e2eUser + `:` + e2ePassword + `@10.20.30.40:554/Streaming/Channels/101",` +
		`"installed_on":"2024-03-15","cost_vnd":4500000}`
	created := mustCall(t, http.StatusCreated, http.MethodPost, d.URL+"/api/v1/cameras", e2eAdminToken, "application/json", []byte(body))
	noSecrets(t, "POST answer", created, e2ePassword, e2eUser)

	// Read it back: the credentials are stored but never shown.
	got := mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/cameras/CG-E2E-0001", e2eAdminToken, "", nil)
	noSecrets(t, "GET answer", got, e2ePassword, e2eUser)
	var cam struct {
		ID             string  `json:"id"`
		Name           string  `json:"name"`
		Lat            float64 `json:"lat"`
		RTSPURL        string  `json:"rtsp_url"`
		HasCredentials bool    `json:"has_credentials"`
		CostVND        int64   `json:"cost_vnd"`
	}
	unmarshal(t, got, &cam)
	if cam.Name != "Ngã tư Chợ Gạo" || cam.Lat != 10.3541 || cam.CostVND != 4500000 {
		t.Errorf("GET camera = %+v", cam)
	}
	if cam.RTSPURL != "rtsp://10.20.30.40:554/Streaming/Channels/101" || !cam.HasCredentials {
		t.Errorf("rtsp_url %q, has_credentials %v; want the URL without credentials, true", cam.RTSPURL, cam.HasCredentials)
	}

	// Accent-insensitive search finds it.
	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/cameras?q=cho%20gao", e2eAdminToken, "", nil), &page)
	if len(page.Items) != 1 || page.Items[0].ID != "CG-E2E-0001" {
		t.Errorf("search q=cho gao = %+v, want CG-E2E-0001", page.Items)
	}

	// Import a few hundred cameras with the CLI.
	rows := cameraRows("CG-IMP", 0, 300, true)
	csvFile := filepath.Join(dir, "cameras.csv")
	if err := os.WriteFile(csvFile, encodeCSV(t, rows), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runBinary(t, nil, "import", "cameras", csvFile, "--server", d.URL, "--token", e2eAdminToken)
	if code != 0 || strings.TrimSpace(out) != "created 300, updated 0, unchanged 0, rejected 0" {
		t.Fatalf("import cameras: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// The same file again changes nothing; the token comes from the env.
	out, _, code = runBinary(t, []string{"MATTHAN_TOKEN=" + e2eAdminToken}, "import", "cameras", "--server", d.URL, csvFile)
	if code != 0 || strings.TrimSpace(out) != "created 0, updated 0, unchanged 300, rejected 0" {
		t.Fatalf("second import: exit %d, stdout %q", code, out)
	}

	// Rejected rows: listed with their line, exit status 1. Atomic: nothing
	// stored; otherwise the good rows are.
	bad := cameraRows("CG-BAD", 0, 3, false)
	bad[1][2] = "95" // lat
	badFile := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(badFile, encodeCSV(t, bad), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runBinary(t, nil, "import", "cameras", badFile, "--atomic", "--server", d.URL, "--token", e2eAdminToken)
	if code != 1 || !strings.Contains(out, `rejected line 3 (id "CG-BAD-000001"): lat:`) || !strings.Contains(errOut, "nothing was stored") {
		t.Errorf("atomic import of a bad row: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if status, _ := call(t, http.MethodGet, d.URL+"/api/v1/cameras/CG-BAD-000000", e2eAdminToken, "", nil); status != http.StatusNotFound {
		t.Errorf("an atomic import with a rejected row stored a camera (status %d)", status)
	}
	out, _, code = runBinary(t, nil, "import", "cameras", badFile, "--server", d.URL, "--token", e2eAdminToken)
	if code != 1 || !strings.HasPrefix(out, "created 2, updated 0, unchanged 0, rejected 1\nrejected line 3 (id \"CG-BAD-000001\"): lat: ") {
		t.Errorf("import of a bad row: exit %d, stdout %q", code, out)
	}
	for _, id := range []string{"CG-BAD-000000", "CG-BAD-000002"} {
		mustCall(t, http.StatusNoContent, http.MethodDelete, d.URL+"/api/v1/cameras/"+id, e2eAdminToken, "", nil)
	}

	// Export with the CLI, to a file and to stdout; both match the API's.
	exportFile := filepath.Join(dir, "export.csv")
	if _, errOut, code := runBinary(t, nil, "export", "cameras", "--format", "csv", "--output", exportFile, "--server", d.URL, "--token", e2eAdminToken); code != 0 {
		t.Fatalf("export cameras: exit %d: %s", code, errOut)
	}
	exported, err := os.ReadFile(exportFile)
	if err != nil {
		t.Fatal(err)
	}
	stdoutExport, _, code := runBinary(t, nil, "export", "cameras", "--server", d.URL, "--token", e2eAdminToken)
	if code != 0 || stdoutExport != string(exported) {
		t.Errorf("export to stdout (exit %d) differs from export to a file", code)
	}
	recs := decodeCSV(t, exported)
	if len(recs) != 301 {
		t.Fatalf("export has %d cameras, want 301", len(recs))
	}
	for _, r := range rows {
		if diff := sameCamera(r, recs[r[0]]); diff != "" {
			t.Fatalf("exported %s differs: %s", r[0], diff)
		}
	}
	if u := recs["CG-E2E-0001"]["rtsp_url"]; u != "rtsp://10.20.30.40:554/Streaming/Channels/101" {
		t.Errorf("exported rtsp_url = %q", u)
	}
	noSecrets(t, "CSV export", exported, e2ePassword)
	geoBefore := export(t, d.URL, e2eAdminToken, "geojson")

	// A token created through the API works.
	var tok struct {
		Token string `json:"token"`
	}
	unmarshal(t, mustCall(t, http.StatusCreated, http.MethodPost, d.URL+"/api/v1/tokens", e2eAdminToken, "application/json",
		[]byte(`{"name":"ban công an xã","role":"police"}`)), &tok)
	if tok.Token == "" {
		t.Fatal("POST /api/v1/tokens gave no token")
	}
	secrets = append(secrets, tok.Token)
	mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/cameras/CG-E2E-0001", tok.Token, "", nil)

	// token create needs the daemon stopped, and says so.
	_, errOut, code = runBinary(t, nil, "token", "create", "--role", "planner", "--name", "quy hoạch", "--db", db)
	if code != 1 || !strings.Contains(errOut, "locked") || !strings.Contains(errOut, "stop the daemon") {
		t.Errorf("token create on a running daemon's db: exit %d, stderr %q; want 1 and a message about the lock", code, errOut)
	}

	// SIGTERM: a clean stop.
	if code := d.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d, want 0\n%s", code, d.stderr.String())
	}

	// Now token create works on the stopped daemon's file.
	out, errOut, code = runBinary(t, nil, "token", "create", "--role", "planner", "--name", "quy hoạch", "--db", db)
	planner := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(planner, "mt_") || strings.Contains(planner, "\n") {
		t.Fatalf("token create: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	secrets = append(secrets, planner)

	// Restart on the same file: everything is still there.
	d = serve()
	daemons = append(daemons, d)
	if again := export(t, d.URL, e2eAdminToken, "csv"); !bytes.Equal(again, exported) {
		t.Errorf("CSV export after a restart differs from before")
	}
	if again := export(t, d.URL, e2eAdminToken, "geojson"); !bytes.Equal(again, geoBefore) {
		t.Errorf("GeoJSON export after a restart differs from before")
	}
	unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/cameras/CG-E2E-0001", planner, "", nil), &cam)
	if !cam.HasCredentials {
		t.Errorf("credentials lost across a restart")
	}
	mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/cameras/CG-E2E-0001", tok.Token, "", nil)

	// Hot backup through the CLI, while the daemon runs.
	backupFile := filepath.Join(dir, "backup.db")
	out, errOut, code = runBinary(t, []string{"MATTHAN_TOKEN=" + e2eAdminToken}, "backup", "--server", d.URL, backupFile)
	if code != 0 || !strings.HasPrefix(out, "backup: ") {
		t.Fatalf("backup: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, err := os.Stat(backupFile + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("backup left %s.tmp behind", backupFile)
	}
	if code := d.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d, want 0", code)
	}

	// A daemon on the backup holds everything, credentials and tokens too.
	b := startDaemon(t, env, "serve", "--db", backupFile, "--listen", "127.0.0.1:0")
	daemons = append(daemons, b)
	if fromBackup := export(t, b.URL, e2eAdminToken, "csv"); !bytes.Equal(fromBackup, exported) {
		t.Errorf("CSV export of the backup differs from the original's")
	}
	if fromBackup := export(t, b.URL, e2eAdminToken, "geojson"); !bytes.Equal(fromBackup, geoBefore) {
		t.Errorf("GeoJSON export of the backup differs from the original's")
	}
	unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, b.URL+"/api/v1/cameras/CG-E2E-0001", planner, "", nil), &cam)
	if !cam.HasCredentials {
		t.Errorf("credentials missing from the backup")
	}
	if code := b.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d, want 0", code)
	}

	// No log line of any daemon carries a token or a credential.
	for i, d := range daemons {
		log := d.stderr.String()
		if !strings.Contains(log, "level=") {
			t.Errorf("daemon %d logged nothing in slog's text format:\n%s", i, log)
		}
		noSecrets(t, "daemon log", []byte(log), secrets...)
		if !strings.Contains(log, "msg=stopped") {
			t.Errorf("daemon %d did not log a clean stop", i)
		}
	}
}

// noSecrets fails the test if b contains any of the secrets.
func noSecrets(t *testing.T, what string, b []byte, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("%s contains a secret %q", what, s[:min(len(s), 6)]+"…")
		}
	}
}
