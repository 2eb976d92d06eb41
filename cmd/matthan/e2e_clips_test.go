package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp/rtsptest"
)

// TestEndToEndEvidence runs the real binary with a fake camera: a police
// token marks an incident, captures two seconds of the camera once the
// poller finds it up, downloads the clip with a reason (logged in
// custody); then the file is altered on disk, which verification reports
// and downloads refuse, and "matthan verify" on the stopped daemon's
// database exits 1 naming the clip.
func TestEndToEndEvidence(t *testing.T) {
	t.Parallel()
	cam, err := rtsptest.Start(rtsptest.Options{Username: e2eUser, Password: e2ePassword, Width: 1280, Height: 720})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cam.Close)

	dir := t.TempDir()
	db := filepath.Join(dir, "evidence.db")
	cfgFile := filepath.Join(dir, "matthan.yaml")
	if err := os.WriteFile(cfgFile, []byte(e2ePollerConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"MATTHAN_ADMIN_TOKEN=" + e2eAdminToken}
	d := startDaemon(t, env, "serve", "--config", cfgFile, "--db", db, "--listen", "127.0.0.1:0",
		"--log-level", "debug", "--poll-interval", e2ePollInterval.String())

	const officer = "Công an xã Song Bình"
	var tok struct{ Token string }
	unmarshal(t, mustCall(t, http.StatusCreated, http.MethodPost, d.URL+"/api/v1/tokens", e2eAdminToken, "application/json",
		[]byte(`{"name":"`+officer+`","role":"police"}`)), &tok)
	police := tok.Token

	const id = "CG-EVID-01"
	body, err := json.Marshal(map[string]any{
		"id": id, "name": "Ngã ba Song Bình", "lat": 10.3321, "lon": 106.4410, "commune": "Song Bình",
		"rtsp_url": cam.URLWithCredentials(e2eUser, e2ePassword),
	})
	if err != nil {
		t.Fatal(err)
	}
	mustCall(t, http.StatusCreated, http.MethodPost, d.URL+"/api/v1/cameras", police, "application/json", body)

	// The incident, marked before the camera is known to be up.
	start := time.Now().Add(-30 * time.Minute).UTC().Truncate(time.Second)
	var in camera.Incident
	unmarshal(t, mustCall(t, http.StatusCreated, http.MethodPost, d.URL+"/api/v1/incidents", police, "application/json", []byte(`{
		"camera_ids":["`+id+`"],"start":"`+start.Format(time.RFC3339)+`","end":"`+start.Add(20*time.Minute).Format(time.RFC3339)+`",
		"category":"robbery","case_ref":"CA-SB/2026/044","subjects":1,"handling":"criminal",
		"note":"Cướp giật điện thoại tại ngã ba Song Bình."}`)), &in)

	// Wait until the poller has found the camera up; capture is refused
	// before (the state is named), accepted after.
	capture := []byte(`{"camera_id":"` + id + `","capture_seconds":2}`)
	clipsURL := d.URL + "/api/v1/incidents/" + in.ID + "/clips"
	deadline := time.Now().Add(startDeadline)
	var clip camera.Clip
	for {
		status, b := call(t, http.MethodPost, clipsURL, police, "application/json", capture)
		if status == http.StatusCreated {
			unmarshal(t, b, &clip)
			break
		}
		if status != http.StatusServiceUnavailable || !strings.Contains(string(b), "camera "+id+" ") || !strings.Contains(string(b), "cannot capture") {
			t.Fatalf("capture before the camera is up: %d %s", status, b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("capture still refused after %v: %s", startDeadline, b)
		}
		pause(t, 50*time.Millisecond)
	}
	if clip.Codec != "h264" || clip.Width != 1280 || clip.Height != 720 || !clip.Inspected {
		t.Errorf("captured clip %+v, want h264 1280×720", clip)
	}
	if clip.Duration < 1.5 || clip.Duration > 2.5 || clip.Source != camera.ClipCapture || clip.CameraID != id || clip.IncidentID != in.ID {
		t.Errorf("captured clip %+v, want 2 s from %s for %s", clip, id, in.ID)
	}

	// Download with a reason: the bytes hash to the clip's id.
	clipURL := d.URL + "/api/v1/clips/" + clip.ID
	mustCall(t, http.StatusBadRequest, http.MethodGet, clipURL, police, "", nil)
	const reason = "Chuyển hồ sơ vụ CA-SB/2026/044 cho Công an huyện"
	req, _ := http.NewRequest(http.MethodGet, clipURL, nil)
	req.Header.Set("Authorization", "Bearer "+police)
	req.Header.Set("X-Reason", reason)
	resp, err := openapiClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	n, err := io.Copy(h, resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || hex.EncodeToString(h.Sum(nil)) != clip.ID || n != clip.Bytes {
		t.Fatalf("download: status %d, %d bytes hashing to %x; want %s", resp.StatusCode, n, h.Sum(nil), clip.ID)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "video/mp4" {
		t.Errorf("Content-Type %q", ct)
	}

	// The download is in the chain of custody, with who and why.
	var chain struct{ Items []camera.CustodyEntry }
	unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, clipURL+"/custody", police, "", nil), &chain)
	var found bool
	for _, e := range chain.Items {
		if e.Action == camera.CustodyDownload && e.Actor.Name == officer && e.Actor.Role == camera.RolePolice && e.Reason == reason && !e.At.IsZero() {
			found = true
		}
	}
	if !found || chain.Items[0].Action != camera.CustodyCreate {
		t.Errorf("custody %+v: want the creation, then the download by %q for %q", chain.Items, officer, reason)
	}

	// Alter the file on disk (it is stored read-only, next to the
	// database): verification reports it, downloads refuse it.
	file := filepath.Join(dir, "clips", clip.ID[:2], clip.ID)
	if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o440 {
		t.Fatalf("stored clip %s: %v %v", file, info, err)
	}
	if err := os.Chmod(file, 0o640); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(file, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("tampered"), clip.Bytes/2); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var v struct{ Result, SHA256 string }
	unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, clipURL+"/verify", police, "", nil), &v)
	if v.Result != camera.VerifyMismatch || v.SHA256 == clip.ID {
		t.Errorf("verify of the altered file: %+v", v)
	}
	status, b := call(t, http.MethodGet, clipURL+"?reason=court", police, "", nil)
	if status != http.StatusConflict || !strings.Contains(string(b), "altered on disk") {
		t.Errorf("download of the altered file: %d %s", status, b)
	}
	metrics := string(mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/metrics", "", "", nil))
	for _, want := range []string{`matthan_incidents_total{category="robbery"} 1`, "matthan_clip_verify_failures_total 2", "matthan_clip_bytes "} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	if code := d.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d, want 0", code)
	}
	out, errOut, code := runBinary(t, nil, "verify", "--db", db)
	if code != exitFailure || !strings.Contains(out, "MISMATCH  "+clip.ID) || !strings.Contains(out, "1 altered") {
		t.Errorf("matthan verify: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	noSecrets(t, "daemon log", []byte(d.stderr.String()), e2ePassword, e2eUser+":", e2eAdminToken, police)
}
