package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp/rtsptest"
	"github.com/matthan/matthan/internal/informant"
	"github.com/matthan/matthan/registry"
)

// writeIdentity writes a new age identity to a file in dir, as
// age-keygen would, and returns the file and the identity.
func writeIdentity(t *testing.T, dir, name string) (string, *age.X25519Identity) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte("# public key: "+id.Recipient().String()+"\n"+id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, id
}

// TestEndToEndTipInformantSecrecy runs the real binary with tips sealed
// to a chief's key made here, records tips with a planted informant, and
// reads every way the daemon has of letting something out: the answers of
// every tip route to police and admin, the counts, the audit log,
// /metrics, a backup, the webhooks, the daemon's log and the database
// file itself. The informant's name and phone are in none of them; the
// chief's key opens them with `matthan tips reveal`, another key does
// not; `matthan tips rekey` moves every informant to a new chief.
func TestEndToEndTipInformantSecrecy(t *testing.T) {
	t.Parallel()
	const (
		name    = "Phạm Thị Kín Zyxwqv"
		phone   = "0987654321"
		address = "tổ 7 ấp Qwerkx"
	)
	secrets := []string{name, "Zyxwqv", phone, "987654321", "Qwerkx"}

	cam, err := rtsptest.Start(rtsptest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cam.Close)
	hooks := &hookRecorder{}
	hookServer := httptest.NewServer(hooks)
	t.Cleanup(hookServer.Close)

	dir := t.TempDir()
	chiefFile, chief := writeIdentity(t, dir, "chief.key")
	strangerFile, _ := writeIdentity(t, dir, "stranger.key")
	db := filepath.Join(dir, "tips.db")
	cfgFile := filepath.Join(dir, "matthan.yaml")
	cfg := e2ePollerConfig + "  webhooks:\n    - " + hookServer.URL + "/hook\n" +
		"tips:\n  enabled: true\n  recipients:\n    - " + chief.Recipient().String() + "\n"
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"MATTHAN_ADMIN_TOKEN=" + e2eAdminToken, "MATTHAN_WEBHOOK_SECRET=tips-webhook-secret-0193"}
	d := startDaemon(t, env, "serve", "--config", cfgFile, "--db", db, "--listen", "127.0.0.1:0",
		"--log-level", "debug", "--poll-interval", e2ePollInterval.String())
	var tok struct {
		Token string `json:"token"`
	}
	unmarshal(t, mustCall(t, http.StatusCreated, http.MethodPost, d.URL+"/api/v1/tokens", e2eAdminToken, "application/json",
		[]byte(`{"name":"cong-an-xa","role":"police"}`)), &tok)
	police := tok.Token

	// A camera at the place, which the poller finds up: the webhook
	// gets its event.
	mustCall(t, http.StatusCreated, http.MethodPost, d.URL+"/api/v1/cameras", e2eAdminToken, "application/json", []byte(`{
		"id":"CG-TIP-1","name":"Ngã tư chợ","lat":10.3541,"lon":106.4612,"commune":"Song Bình",
		"direction_deg":0,"fov_deg":360,"range_m":80,"rtsp_url":"`+cam.URL()+`"}`))

	tip := func(informant map[string]any) map[string]any {
		return map[string]any{
			"received_at": time.Now().Add(-time.Hour).Format(time.RFC3339), "channel": "hotline",
			"lat": 10.3542, "lon": 106.4613, "category": "theft",
			"summary": "nghe tin có nhóm trộm chó hoạt động ban đêm", "informant": informant,
		}
	}
	post := func(v map[string]any, want int) []byte {
		t.Helper()
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got := mustCall(t, want, http.MethodPost, d.URL+"/api/v1/tips", police, "application/json", b)
		noSecrets(t, "POST /api/v1/tips answer", got, secrets...)
		return got
	}
	full := map[string]any{"name": name, "phone": phone, "address": address, "note": "gọi lại sau 21 giờ, đừng nói tên"}
	var created camera.Tip
	unmarshal(t, post(tip(full), http.StatusCreated), &created)
	// Refused requests that carry the informant leave nothing behind.
	bad := tip(full)
	bad["channel"] = "fax"
	post(bad, http.StatusBadRequest)
	long := tip(map[string]any{"name": name, "phone": phone + strings.Repeat("9", 40)})
	post(long, http.StatusBadRequest)

	reads := []string{
		"/api/v1/tips", "/api/v1/tips/" + created.ID, "/api/v1/tips/" + created.ID + "/seeing",
		"/api/v1/tips?commune=song+binh", "/api/v1/tips/counts", "/api/v1/reports/summary",
	}
	for _, path := range reads {
		for _, token := range []string{police, e2eAdminToken} {
			noSecrets(t, "GET "+path, mustCall(t, http.StatusOK, http.MethodGet, d.URL+path, token, "", nil), secrets...)
		}
	}
	mustCall(t, http.StatusOK, http.MethodPatch, d.URL+"/api/v1/tips/"+created.ID, police, "application/json", []byte(`{"outcome":"administrative","people":2}`))

	// Revealing: the reason is audited before the answer; the chief's
	// key opens it, another key does not.
	out, stderr, code := runBinary(t, nil, "tips", "reveal", created.ID, "--identity", chiefFile,
		"--server", d.URL, "--token", police, "--reason", "lấy lời khai nhân chứng")
	if code != 0 || !strings.Contains(out, name) || !strings.Contains(out, phone) || !strings.Contains(out, address) {
		t.Fatalf("reveal with the chief's key: exit %d\nstdout %s\nstderr %s", code, out, stderr)
	}
	out, stderr, code = runBinary(t, nil, "tips", "reveal", created.ID, "--identity", strangerFile,
		"--server", d.URL, "--token", police, "--reason", "tò mò")
	if code == 0 || !strings.Contains(stderr, "cannot open") {
		t.Errorf("reveal with another key: exit %d, stderr %s", code, stderr)
	}
	noSecrets(t, "reveal with another key", []byte(out+stderr), secrets...)
	_, stderr, code = runBinary(t, nil, "tips", "reveal", created.ID, "--identity", chiefFile, "--server", d.URL, "--token", police)
	if code != exitUsage || !strings.Contains(stderr, "--reason is required") {
		t.Errorf("reveal without a reason: exit %d, stderr %s", code, stderr)
	}

	audit := mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/audit?limit=1000", e2eAdminToken, "", nil)
	noSecrets(t, "the audit log", audit, secrets...)
	if !strings.Contains(string(audit), "reason: lấy lời khai nhân chứng") || !strings.Contains(string(audit), `"tip.informant"`) {
		t.Errorf("the audit log lacks the reveal's reason:\n%s", audit)
	}
	noSecrets(t, "/metrics", mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/metrics", "", "", nil), secrets...)
	backup := mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/backup", e2eAdminToken, "", nil)
	noSecrets(t, "the backup", backup, secrets...)
	backupFile := filepath.Join(dir, "backup.db")
	if err := os.WriteFile(backupFile, backup, 0o600); err != nil {
		t.Fatal(err)
	}

	for deadline := time.Now().Add(startDeadline); !strings.Contains(hooks.all(), `"to":"up"`); {
		if time.Now().After(deadline) {
			t.Fatalf("the webhook got no event: %q", hooks.all())
		}
		pause(t, 20*time.Millisecond)
	}
	if code := d.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d", code)
	}
	noSecrets(t, "webhook events", []byte(hooks.all()), secrets...)
	log := d.stderr.String()
	if !strings.Contains(log, "tips_enabled=true") {
		t.Errorf("the daemon's log is not the one checked:\n%s", log)
	}
	noSecrets(t, "the daemon's log", []byte(log), secrets...)
	raw, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	noSecrets(t, "the database file", raw, secrets...)

	// The backup holds the sealed informant, which the chief opens.
	readInformant := func(file string, ids ...age.Identity) (*camera.Informant, error) {
		t.Helper()
		s, err := registry.Open(file, registry.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		sealed, err := s.TipInformant(context.Background(), created.ID, cliActor, "kiểm tra sao lưu")
		if err != nil {
			t.Fatal(err)
		}
		return informant.Open(sealed, ids...)
	}
	if who, err := readInformant(backupFile, chief); err != nil || who.Name != name {
		t.Errorf("the backup's informant: %+v, %v", who, err)
	}

	// A new chief: every informant resealed offline, the old key no
	// longer opens it, the new one does.
	nextFile, next := writeIdentity(t, dir, "next.key")
	_, stderr, code = runBinary(t, nil, "tips", "rekey", "--identity", strangerFile, "--recipient", next.Recipient().String(), "--db", db)
	if code == 0 || !strings.Contains(stderr, "nothing was changed") {
		t.Errorf("rekey with a key that opens nothing: exit %d, %s", code, stderr)
	}
	_, stderr, code = runBinary(t, nil, "tips", "rekey", "--identity", chiefFile, "--recipient", next.Recipient().String(), "--db", db)
	if code != 0 || !strings.Contains(stderr, "resealed 1 informants") {
		t.Fatalf("rekey: exit %d, %s", code, stderr)
	}
	noSecrets(t, "rekey's output", []byte(stderr), secrets...)
	if _, err := readInformant(db, chief); err == nil {
		t.Error("the old chief's key still opens the informant after the rekey")
	}
	nextIDs, err := informant.ReadIdentities(nextFile)
	if err != nil {
		t.Fatal(err)
	}
	if who, err := readInformant(db, nextIDs...); err != nil || who.Phone != phone {
		t.Errorf("the new chief's key: %+v, %v", who, err)
	}
	raw, err = os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	noSecrets(t, "the database file after the rekey", raw, secrets...)
}

// TestEndToEndTipsRefuseToStart: tips enabled without a recipient, or
// with one that is not an age public key, stop the daemon before it
// listens, naming the setting.
func TestEndToEndTipsRefuseToStart(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  []string
		want string
	}{
		{"no recipients", []string{"MATTHAN_TIPS_ENABLED=true"}, "tips.recipients: must list at least one age public key"},
		{"not a key", []string{"MATTHAN_TIPS_ENABLED=true", "MATTHAN_TIPS_RECIPIENTS=age1nope"}, "tips.recipients[0]: is not an age public key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := filepath.Join(t.TempDir(), "m.db")
			_, stderr, code := runBinary(t, tc.env, "serve", "--db", db, "--listen", "127.0.0.1:0")
			if code == 0 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want it to name %q", code, stderr, tc.want)
			}
			if _, err := os.Stat(db); err == nil {
				t.Error("the daemon created its database before refusing the configuration")
			}
		})
	}
}
