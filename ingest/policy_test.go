package ingest

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp"
	"github.com/matthan/matthan/camera/rtsp/rtsptest"
	"github.com/matthan/matthan/internal/metricstest"
	"github.com/matthan/matthan/registry/registrytest"
)

// TestPollerNetworkPolicy runs the poller with the real prober on cameras
// the network policy forbids — one by address, one by a name resolving
// into the denied network — both of them a server that would answer
// not_rtsp: neither is ever connected to, both are confirmed down with
// reason denied, the change is logged once per camera and counted.
func TestPollerNetworkPolicy(t *testing.T) {
	ctx := context.Background()
	server, err := rtsptest.StartBroken(rtsptest.Garbage, rtsptest.BrokenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	_, port, _ := strings.Cut(server.Addr(), ":")

	store := registrytest.Open(t)
	byAddr := registrytest.Camera("CG-0001", "Song Bình")
	byAddr.RTSPURL = "rtsp://127.0.0.1:" + port + "/live"
	byName := registrytest.Camera("CG-0002", "Song Bình")
	byName.RTSPURL = "rtsp://localhost:" + port + "/live"
	registrytest.AddCameras(t, store, byAddr, byName)

	logs := &syncBuffer{}
	reg := prometheus.NewRegistry()
	p, err := New(Options{
		Config: Config{
			Interval: 300 * time.Millisecond, Timeout: 300 * time.Millisecond, Retry: 20 * time.Millisecond,
			Jitter: time.Millisecond, FlushInterval: 10 * time.Millisecond,
		},
		Prober: &rtsp.Prober{Networks: &camera.NetPolicy{Deny: []netip.Prefix{
			netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128"),
		}}},
		Store:      store,
		Logger:     logs.logger(),
		Registerer: reg,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer p.Stop()

	for _, id := range []string{byAddr.ID, byName.ID} {
		waitFor(t, 10*time.Second, id+" confirmed down", func() bool {
			h, _ := p.Current(id)
			return h.State == camera.StateDown
		})
		h, _ := p.Current(id)
		if h.Reason != camera.ReasonDenied || h.LastProbe == nil || !strings.Contains(h.LastProbe.Detail, "the network policy forbids connecting to") {
			t.Errorf("%s: reason %q, last probe %+v, want denied", id, h.Reason, h.LastProbe)
		}
	}
	// A few more rounds: still nothing reaches the server.
	waitFor(t, 10*time.Second, "more probes", func() bool {
		return metricstest.Value(t, reg, "matthan_probes_total", map[string]string{"result": "down", "reason": "denied"}) >= 6
	})
	p.Stop()
	if n := server.Accepted(); n != 0 {
		t.Errorf("the server the policy forbids accepted %d connections", n)
	}
	for _, id := range []string{byAddr.ID, byName.ID} {
		ts, err := store.Transitions(ctx, id, time.Time{}, time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != 1 || ts[0].To != camera.StateDown || ts[0].Reason != camera.ReasonDenied {
			t.Errorf("%s: transitions %s, want one to down (denied)", id, changes(ts))
		}
		if n := strings.Count(logs.String(), "camera_id="+id+" from=unknown to=down reason=denied"); n != 1 {
			t.Errorf("%s: the change is logged %d times, want once:\n%s", id, n, logs.String())
		}
	}
}
