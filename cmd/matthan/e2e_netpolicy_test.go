package main

import (
	"encoding/json"
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

// TestEndToEndNetworkPolicy runs the real binary with a network policy
// that denies 127.0.0.2: a camera there is refused at registration (and
// in an import), and a camera registered there before the policy was set
// is kept but never connected to — the poller reports it down, reason
// denied — while a camera on 127.0.0.1, answering the same garbage, is
// probed as usual (down, not_rtsp).
func TestEndToEndNetworkPolicy(t *testing.T) {
	t.Parallel()
	allowed, err := rtsptest.StartBroken(rtsptest.Garbage, rtsptest.BrokenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(allowed.Close)
	denied, err := rtsptest.StartBroken(rtsptest.Garbage, rtsptest.BrokenOptions{Addr: "127.0.0.2:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(denied.Close)

	dir := t.TempDir()
	db := filepath.Join(dir, "netpolicy.db")
	writeConfig := func(name, body string) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	before := writeConfig("before.yaml", "poller:\n  enabled: false\n")
	after := writeConfig("after.yaml", e2ePollerConfig+"probe:\n  deny_networks:\n    - 169.254.0.0/16\n    - fe80::/10\n    - 127.0.0.2/32\n")
	env := []string{"MATTHAN_ADMIN_TOKEN=" + e2eAdminToken}
	cameraBody := func(id, url string) []byte {
		b, err := json.Marshal(map[string]any{"id": id, "name": "Ngã tư " + id, "lat": 10.3541, "lon": 106.4632, "commune": "Song Bình", "rtsp_url": url})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	post := func(d *proc, id, url string, want int) []byte {
		t.Helper()
		return mustCall(t, want, http.MethodPost, d.URL+"/api/v1/cameras", e2eAdminToken, "application/json", cameraBody(id, url))
	}
	refused := func(b []byte, detail string) {
		t.Helper()
		var p struct{ Field, Detail string }
		unmarshal(t, b, &p)
		if p.Field != "rtsp_url" || !strings.Contains(p.Detail, detail) || strings.Contains(p.Detail, e2ePassword) {
			t.Errorf("problem %s, want field rtsp_url and %q", b, detail)
		}
	}

	// Before: the default policy. The metadata service is refused; both
	// cameras are registered. The poller is off: nothing is probed yet.
	d := startDaemon(t, env, "serve", "--config", before, "--db", db, "--listen", "127.0.0.1:0")
	refused(post(d, "CG-NET-M", "rtsp://"+e2eUser+":"+e2ePassword+"@169.254.169.254/latest/meta-data", http.StatusBadRequest),
		"169.254.169.254 is in the denied network 169.254.0.0/16")
	post(d, "CG-NET-A", "rtsp://"+allowed.Addr()+"/live", http.StatusCreated)
	post(d, "CG-NET-B", "rtsp://"+e2eUser+":"+e2ePassword+"@"+denied.Addr()+"/live", http.StatusCreated)
	if code := d.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d, want 0", code)
	}

	// After: 127.0.0.2 denied.
	d = startDaemon(t, env, "serve", "--config", after, "--db", db, "--listen", "127.0.0.1:0",
		"--log-level", "debug", "--poll-interval", e2ePollInterval.String())
	refused(post(d, "CG-NET-C", "rtsp://"+denied.Addr()+"/other", http.StatusBadRequest), "127.0.0.2 is in the denied network 127.0.0.2/32")
	csv := encodeCSV(t, [][]string{{"CG-NET-D", "Chợ Song Bình", "10.35", "106.46", "Song Bình", "Chợ Gạo", "Tiền Giang",
		"commune", "road", "90", "90", "40", "rtsp://" + denied.Addr() + "/d", "2022-03-15", "3500000"}})
	var rep struct {
		Created    int
		Rejections []struct {
			Line  int
			Field string
		}
	}
	unmarshal(t, mustCall(t, http.StatusOK, http.MethodPost, d.URL+"/api/v1/cameras/import", e2eAdminToken, "text/csv", csv), &rep)
	if rep.Created != 0 || len(rep.Rejections) != 1 || rep.Rejections[0].Line != 2 || rep.Rejections[0].Field != "rtsp_url" {
		t.Errorf("import of a denied camera: %+v, want line 2 rejected on rtsp_url", rep)
	}

	health := func(id string) healthView {
		t.Helper()
		var h healthView
		unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/cameras/"+id+"/health", e2eAdminToken, "", nil), &h)
		return h
	}
	waitDown := func(id, reason string) healthView {
		t.Helper()
		deadline := time.Now().Add(startDeadline)
		for {
			h := health(id)
			if h.State == camera.StateDown {
				if h.Reason != reason {
					t.Errorf("%s: down, reason %s (%+v), want %s", id, h.Reason, h.LastProbe, reason)
				}
				return h
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s still %s after %v, want down (%s)", id, h.State, startDeadline, reason)
			}
			pause(t, 20*time.Millisecond)
		}
	}
	waitDown("CG-NET-A", camera.ReasonNotRTSP)
	h := waitDown("CG-NET-B", camera.ReasonDenied)
	if h.LastProbe == nil || !strings.Contains(h.LastProbe.Detail, "the network policy forbids connecting to "+denied.Addr()) {
		t.Errorf("CG-NET-B's last probe %+v does not say why", h.LastProbe)
	}
	metrics := string(mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/metrics", "", "", nil))
	if !strings.Contains(metrics, `matthan_probes_total{reason="denied",result="down"} `) {
		t.Error("/metrics does not count the denied probes")
	}
	if code := d.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d, want 0", code)
	}

	if n := denied.Accepted(); n != 0 {
		t.Errorf("the camera the policy forbids was connected to %d times", n)
	}
	if allowed.Accepted() == 0 {
		t.Error("the allowed camera was never probed")
	}
	log := d.stderr.String()
	if n := strings.Count(log, "camera_id=CG-NET-B from=unknown to=down reason=denied"); n != 1 {
		t.Errorf("the change of CG-NET-B is logged %d times, want once:\n%s", n, log)
	}
	noSecrets(t, "daemon log", []byte(log), e2ePassword, e2eAdminToken)
}
