package ingest

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp"
	"github.com/matthan/matthan/camera/rtsp/rtsptest"
	"github.com/matthan/matthan/registry/registrytest"
)

// TestEndToEndWithFakeRTSPCamera runs the store, the poller and the real
// RTSP prober against a fake camera that works, is switched off, and
// comes back on the same port.
func TestEndToEndWithFakeRTSPCamera(t *testing.T) {
	ctx := context.Background()
	opts := rtsptest.Options{Username: "admin", Password: "s3cret"}
	fake, err := rtsptest.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	addr := fake.Addr()

	store := registrytest.Open(t)
	c := registrytest.Camera("CG-0001", "Song Bình")
	c.RTSPURL = fake.URL()
	registrytest.AddCameras(t, store, c)

	events := make(chan string, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		events <- string(b)
	}))
	defer hook.Close()

	logs := &syncBuffer{}
	p, err := New(Options{
		Config: Config{
			Interval:      300 * time.Millisecond,
			Timeout:       300 * time.Millisecond,
			Retry:         30 * time.Millisecond,
			Jitter:        time.Millisecond,
			FlushInterval: 10 * time.Millisecond,
			Webhooks:      []string{hook.URL},
			WebhookSecret: testSecret,
		},
		Prober: &rtsp.Prober{},
		Store:  store,
		Logger: logs.logger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	probeNow := func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.reschedule(p.entries.get(c.ID), time.Now().UnixNano())
	}
	transitions := func() []camera.Transition {
		ts, err := store.Transitions(ctx, c.ID, time.Time{}, time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		for i, j := 0, len(ts)-1; i < j; i, j = i+1, j-1 {
			ts[i], ts[j] = ts[j], ts[i]
		}
		return ts
	}
	waitChanges := func(n int) {
		t.Helper()
		waitFor(t, 10*time.Second, "transition "+string(rune('0'+n)), func() bool { return len(transitions()) >= n })
	}

	probeNow()
	waitChanges(1)
	h, _ := p.Current(c.ID)
	if h.LastProbe == nil || h.LastProbe.Codec != "h264" || h.LastProbe.Width != rtsptest.DefaultWidth || h.LastProbe.Server != rtsptest.DefaultServer {
		t.Errorf("last probe of a working camera: %+v", h.LastProbe)
	}

	fake.Close()
	waitChanges(2)

	// rtsptest.Start serves its port before its streams exist, so a
	// DESCRIBE arriving in between races with it (reported to
	// camera/rtsp's owner). Hold this camera's probes while it restarts.
	hold := func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		e := p.entries.get(c.ID)
		if e.index < 0 {
			return false // running or queued: wait until it is back
		}
		p.reschedule(e, time.Now().Add(time.Hour).UnixNano())
		return true
	}
	waitFor(t, 10*time.Second, "the camera's probe done", hold)

	fake, err = rtsptest.Start(rtsptest.Options{Addr: addr, Username: "admin", Password: "s3cret"})
	if err != nil {
		// The port was taken meanwhile: move the camera instead.
		t.Logf("restart on %s: %v; moving the camera to a new port", addr, err)
		fake, err = rtsptest.Start(opts)
		if err != nil {
			t.Fatal(err)
		}
		moved, err := store.UpdateCamera(ctx, c.ID, "camera.patch", police, func(c *camera.Camera) error {
			c.RTSPURL = fake.URL()
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		p.Upsert(moved)
	}
	defer fake.Close()
	probeNow()
	waitChanges(3)
	end := time.Now()
	want := []struct {
		from, to camera.HealthState
		reason   string
	}{
		{camera.StateUnknown, camera.StateUp, camera.ReasonOK},
		{camera.StateUp, camera.StateDown, camera.ReasonRefused},
		{camera.StateDown, camera.StateUp, camera.ReasonOK},
	}
	// Three webhook events, naming the camera and commune only.
	for i := range want {
		select {
		case body := <-events:
			var ev Event
			if err := json.Unmarshal([]byte(body), &ev); err != nil {
				t.Fatal(err)
			}
			if ev.CameraID != c.ID || ev.Commune != "Song Bình" || ev.From != want[i].from || ev.To != want[i].to {
				t.Errorf("event %d: %+v", i, ev)
			}
			if strings.Contains(body, "s3cret") || strings.Contains(body, addr) {
				t.Errorf("event %d carries the camera's address or password: %s", i, body)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("event %d not delivered", i)
		}
	}
	p.Stop()

	ts := transitions()
	if len(ts) != len(want) {
		t.Fatalf("transitions: got %s, want 3", changes(ts))
	}
	for i, w := range want {
		if ts[i].From != w.from || ts[i].To != w.to || ts[i].Reason != w.reason {
			t.Errorf("transition %d: got %+v, want %s→%s (%s)", i, ts[i], w.from, w.to, w.reason)
		}
	}

	// The uptime the store reports is the one the transitions give.
	from := ts[0].At.Add(-time.Second)
	u, err := store.Uptime(ctx, c.ID, from, end)
	if err != nil {
		t.Fatal(err)
	}
	upWant := ts[1].At.Sub(ts[0].At) + end.Sub(ts[2].At)
	downWant := ts[2].At.Sub(ts[1].At)
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-6 }
	if !near(u.UnknownSeconds, 1) || !near(u.UpSeconds, upWant.Seconds()) || !near(u.DownSeconds, downWant.Seconds()) ||
		u.Ratio == nil || !near(*u.Ratio, upWant.Seconds()/(upWant+downWant).Seconds()) || u.Changes != 3 {
		t.Errorf("uptime: got %+v (ratio %v); want up %v down %v unknown 1s", u, *u.Ratio, upWant, downWant)
	}
	if st, _, _ := store.StateAt(ctx, c.ID, ts[1].At.Add(downWant/2)); st != camera.StateDown {
		t.Errorf("state in the middle of the outage: %s", st)
	}

	if l := logs.String(); strings.Contains(l, "s3cret") || strings.Contains(l, "rtsp://") {
		t.Errorf("logs carry the stream URL:\n%s", l)
	}
}
