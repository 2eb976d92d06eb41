package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp/rtsptest"
	"github.com/matthan/matthan/registry"
)

// Poller settings of the end-to-end health test: fast enough that the
// test takes seconds. A local fake camera answers even a deep probe in
// tens of milliseconds with the race detector, but a CI machine running
// every package's tests at once has stalled a first probe past 300 ms
// (a spurious timeout, and one transition too many), so the timeout
// leaves room; it is capped at the interval. The config file below must
// agree.
const (
	e2ePollInterval = time.Second
	e2ePollTimeout  = time.Second
)

const e2ePollerConfig = `# the end-to-end health test: probe fast, confirm fast
poller:
  interval: 1m  # overridden by --poll-interval
  timeout: 1s
  confirm: 2
  retry: 100ms
  jitter: 0s
  flush_interval: 50ms
`

// healthView is the answer of GET /api/v1/cameras/{id}/health.
type healthView struct {
	camera.Health
	Uptime      map[string]registry.UptimeStats `json:"uptime"`
	Transitions []camera.Transition             `json:"transitions"`
}

// TestEndToEndHealth runs the real binary against a fake camera in this
// process: the camera is registered with credentials, found up, made to
// fail and recover, and the daemon's history of it — transitions, their
// times and reasons, uptime over a window, metrics — must match what the
// test saw, survive a restart, and never show the password.
func TestEndToEndHealth(t *testing.T) {
	t.Parallel()
	cam, err := rtsptest.Start(rtsptest.Options{Username: e2eUser, Password: e2ePassword, Server: "Hikvision-Webs"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cam.Close)

	dir := t.TempDir()
	db := filepath.Join(dir, "health.db")
	cfgFile := filepath.Join(dir, "matthan.yaml")
	if err := os.WriteFile(cfgFile, []byte(e2ePollerConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"MATTHAN_ADMIN_TOKEN=" + e2eAdminToken}
	serve := func() *proc {
		return startDaemon(t, env, "serve", "--config", cfgFile, "--db", db, "--listen", "127.0.0.1:0",
			"--log-level", "debug", "--poll-interval", e2ePollInterval.String())
	}
	d := serve()
	daemons := []*proc{d}

	const id = "CG-HEALTH-01"
	const commune = "Thị trấn Chợ Gạo"
	body, err := json.Marshal(map[string]any{
		"id": id, "name": "Ngã tư Chợ Gạo", "lat": 10.3541, "lon": 106.4632, "commune": commune,
		"rtsp_url": cam.URLWithCredentials(e2eUser, e2ePassword),
	})
	if err != nil {
		t.Fatal(err)
	}
	created := time.Now()
	mustCall(t, http.StatusCreated, http.MethodPost, d.URL+"/api/v1/cameras", e2eAdminToken, "application/json", body)

	// A camera's health, and a wait for a state; each wait returns the
	// time the test saw the state, the end of the window in which the
	// daemon must date the change.
	health := func(d *proc, query string) healthView {
		t.Helper()
		var h healthView
		unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/cameras/"+id+"/health"+query, e2eAdminToken, "", nil), &h)
		return h
	}
	waitState := func(want camera.HealthState) time.Time {
		t.Helper()
		deadline := time.Now().Add(startDeadline)
		for {
			h := health(d, "")
			if h.State == want {
				return time.Now()
			}
			if time.Now().After(deadline) {
				t.Fatalf("camera still %s (%s) after %v, want %s; last probe %+v", h.State, h.Reason, startDeadline, want, h.LastProbe)
			}
			pause(t, 20*time.Millisecond)
		}
	}

	sawUp := waitState(camera.StateUp)
	failed := time.Now()
	cam.SetBehavior(rtsptest.NotFound)
	sawDown := waitState(camera.StateDown)
	recovered := time.Now()
	cam.SetBehavior(rtsptest.Streaming)
	sawUpAgain := waitState(camera.StateUp)

	// The history: three transitions, in order, each dated within the
	// window in which the test caused and then saw it. A probe that
	// started just before the camera changed may see the change, so a
	// window opens one probe timeout early.
	h := health(d, "")
	if len(h.Transitions) != 3 {
		t.Fatalf("transitions %+v, want 3", h.Transitions)
	}
	tr := []camera.Transition{h.Transitions[2], h.Transitions[1], h.Transitions[0]} // oldest first
	wants := []struct {
		from, to camera.HealthState
		reason   string
		lo, hi   time.Time
	}{
		{camera.StateUnknown, camera.StateUp, camera.ReasonOK, created, sawUp},
		{camera.StateUp, camera.StateDown, "status_404", failed.Add(-e2ePollTimeout), sawDown},
		{camera.StateDown, camera.StateUp, camera.ReasonOK, recovered.Add(-e2ePollTimeout), sawUpAgain},
	}
	for i, w := range wants {
		g := tr[i]
		if g.CameraID != id || g.From != w.from || g.To != w.to || g.Reason != w.reason {
			t.Errorf("transition %d = %s → %s (%s), want %s → %s (%s)", i, g.From, g.To, g.Reason, w.from, w.to, w.reason)
		}
		if g.At.Before(w.lo) || g.At.After(w.hi) {
			t.Errorf("transition %d (%s → %s) at %s, want within [%s, %s]", i, g.From, g.To,
				g.At.Format(time.StampMicro), w.lo.Format(time.StampMicro), w.hi.Format(time.StampMicro))
		}
	}
	if h.LastProbe == nil || h.LastProbe.State != camera.StateUp || h.LastProbe.Codec != "h264" || h.LastProbe.Server != "Hikvision-Webs" {
		t.Errorf("last probe %+v, want an up probe of an h264 stream from Hikvision-Webs", h.LastProbe)
	}

	// Uptime from the first up until now: the seconds up and down match
	// what the test saw, within the windows of the changes.
	upAt := tr[0].At
	before := time.Now()
	w := health(d, "?from="+url.QueryEscape(upAt.Format(time.RFC3339Nano)))
	after := time.Now()
	win, ok := w.Uptime["window"]
	if !ok {
		t.Fatalf("no window uptime in %+v", w.Uptime)
	}
	secs := func(d time.Duration) float64 { return d.Seconds() }
	upLo := secs(failed.Add(-e2ePollTimeout).Sub(upAt) + before.Sub(sawUpAgain))
	upHi := secs(sawDown.Sub(upAt) + after.Sub(recovered.Add(-e2ePollTimeout)))
	downLo := secs(recovered.Add(-e2ePollTimeout).Sub(sawDown))
	downHi := secs(sawUpAgain.Sub(failed.Add(-e2ePollTimeout)))
	if win.UpSeconds < upLo || win.UpSeconds > upHi {
		t.Errorf("window up_seconds %.3f, want within [%.3f, %.3f]", win.UpSeconds, upLo, upHi)
	}
	if win.DownSeconds < downLo || win.DownSeconds > downHi {
		t.Errorf("window down_seconds %.3f, want within [%.3f, %.3f]", win.DownSeconds, downLo, downHi)
	}
	if win.UnknownSeconds != 0 || win.DegradedSeconds != 0 || win.AuthFailedSeconds != 0 {
		t.Errorf("window %+v: only up and down time expected", win)
	}
	if win.Ratio == nil || *win.Ratio <= 0 || *win.Ratio >= 1 {
		t.Errorf("window ratio %v, want between 0 and 1", win.Ratio)
	} else if want := win.UpSeconds / (win.UpSeconds + win.DownSeconds); *win.Ratio-want > 1e-9 || want-*win.Ratio > 1e-9 {
		t.Errorf("window ratio %v, want up/(up+down) = %v", *win.Ratio, want)
	}

	// Metrics of the poller, with the camera's commune as a label.
	metrics := string(mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/metrics", "", "", nil))
	for _, want := range []string{
		`matthan_probes_total{reason="ok",result="up"} `,
		`matthan_probes_total{reason="status_404",result="down"} `,
		`matthan_cameras{commune="` + commune + `",state="up"} 1`,
		`matthan_probe_duration_seconds_bucket{result="up",le=`,
		`matthan_probe_duration_seconds_count{result="down"} `,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	// A restart keeps the history; the poller takes over from the stored
	// state (no new transition: the camera is still up).
	if code := d.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d, want 0", code)
	}
	d = serve()
	daemons = append(daemons, d)
	mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/readyz", "", "", nil)
	again := health(d, "")
	if again.State != camera.StateUp || len(again.Transitions) != 3 {
		t.Errorf("after a restart: state %s, transitions %+v; want up and the same 3", again.State, again.Transitions)
	}
	for i := range min(len(again.Transitions), 3) {
		if a, b := again.Transitions[i], h.Transitions[i]; !a.At.Equal(b.At) || a.From != b.From || a.To != b.To || a.Reason != b.Reason {
			t.Errorf("transition %d after a restart = %+v, was %+v", i, a, b)
		}
	}
	if code := d.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d, want 0", code)
	}

	for i, d := range daemons {
		log := d.stderr.String()
		noSecrets(t, "daemon log", []byte(log), e2ePassword, e2eUser+":", e2eAdminToken)
		for _, want := range []string{"msg=\"health poller started\"", "msg=\"health poller stopped\"", "msg=stopped"} {
			if !strings.Contains(log, want) {
				t.Errorf("daemon %d did not log %s", i, want)
			}
		}
	}
	if log := daemons[0].stderr.String(); !bytes.Contains([]byte(log), []byte("msg=\"camera health changed\" camera_id="+id)) {
		t.Errorf("the first daemon did not log the changes of %s", id)
	}
}

// pause waits between two polls of a condition with a deadline. It is not
// a wait for an event: the callers check their condition again after it.
func pause(t testing.TB, d time.Duration) {
	t.Helper()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-t.Context().Done():
		t.FailNow()
	}
}
