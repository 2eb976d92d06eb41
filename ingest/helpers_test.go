package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// police is the actor of test writes.
var police = camera.Actor{Name: "ca-xa", Role: camera.RolePolice}

// urlOf is the stream URL of registrytest.Camera(id, …) with its
// credentials, as the poller dials it: tests check it never leaks.
func urlOf(id string) string { return "rtsp://admin:s3cret@" + id + ".cam.test/live" }

// waitFor polls cond until it holds or the deadline passes: the tests'
// only way to wait, never a bare sleep.
func waitFor(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// idOf returns the camera id of a fake URL: its host without .cam.test,
// whatever the credentials.
func idOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return strings.TrimSuffix(u.Hostname(), ".cam.test")
}

// call is one probe seen by a fakeProber.
type call struct {
	url  string
	deep bool
	at   time.Time
}

// fakeProber answers from a per-URL script, records every call, and
// reports a camera probed twice at once.
type fakeProber struct {
	mu       sync.Mutex
	script   map[string]func(ctx context.Context) camera.ProbeResult
	def      func(ctx context.Context) camera.ProbeResult
	inflight map[string]int
	calls    []call
	overlap  string // first URL probed twice at once
	started  chan string
}

func newFakeProber() *fakeProber {
	return &fakeProber{
		script:   map[string]func(context.Context) camera.ProbeResult{},
		def:      answer(camera.StateUp, camera.ReasonOK),
		inflight: map[string]int{},
		started:  make(chan string, 100_000),
	}
}

// answer returns a script step that answers at once.
func answer(state camera.HealthState, reason string) func(context.Context) camera.ProbeResult {
	return func(context.Context) camera.ProbeResult {
		return camera.ProbeResult{State: state, Reason: reason, Latency: time.Millisecond}
	}
}

// blackHole waits for the probe's deadline, as a camera that never
// answers does.
func blackHole(ctx context.Context) camera.ProbeResult {
	<-ctx.Done()
	if ctx.Err() == context.Canceled {
		return camera.ProbeResult{State: camera.StateUnknown, Reason: camera.ReasonCanceled}
	}
	return camera.ProbeResult{State: camera.StateDown, Reason: camera.ReasonTimeout}
}

// set makes camera id answer with f from now on.
func (f *fakeProber) set(id string, fn func(context.Context) camera.ProbeResult) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script[urlOf(id)] = fn
}

func (f *fakeProber) Probe(ctx context.Context, url string, deep bool) camera.ProbeResult {
	id := idOf(url)
	f.mu.Lock()
	f.inflight[id]++
	if f.inflight[id] > 1 && f.overlap == "" {
		f.overlap = id
	}
	f.calls = append(f.calls, call{url: url, deep: deep, at: time.Now()})
	fn := f.script[url]
	if fn == nil {
		fn = f.def
	}
	f.mu.Unlock()
	select {
	case f.started <- url:
	default:
	}
	r := fn(ctx)
	f.mu.Lock()
	f.inflight[id]--
	f.mu.Unlock()
	return r
}

// callsOf returns the calls made for camera id, whatever its URL.
func (f *fakeProber) callsOf(id string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if idOf(c.url) == id {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeProber) count(id string) int { return len(f.callsOf(id)) }

func (f *fakeProber) checkNoOverlap(tb testing.TB) {
	tb.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.overlap != "" {
		tb.Errorf("camera %s was probed twice at once", f.overlap)
	}
}

// fastConfig is a configuration in milliseconds for tests.
func fastConfig() Config {
	return Config{
		Interval:      100 * time.Millisecond,
		Timeout:       50 * time.Millisecond,
		Retry:         10 * time.Millisecond,
		Jitter:        time.Millisecond,
		FlushInterval: 10 * time.Millisecond,
	}
}

// rig is a poller on a real store with a fake prober.
type rig struct {
	store  *registry.Store
	prober *fakeProber
	reg    *prometheus.Registry
	logs   *syncBuffer
	p      *Poller
}

func newRig(tb testing.TB, cfg Config, cams ...*camera.Camera) *rig {
	tb.Helper()
	r := &rig{store: registrytest.Open(tb), prober: newFakeProber(), reg: prometheus.NewRegistry(), logs: &syncBuffer{}}
	if len(cams) > 0 {
		registrytest.AddCameras(tb, r.store, cams...)
	}
	p, err := New(Options{Config: cfg, Prober: r.prober, Store: r.store, Registerer: r.reg, Logger: r.logs.logger()})
	if err != nil {
		tb.Fatalf("new poller: %v", err)
	}
	r.p = p
	return r
}

func (r *rig) start(tb testing.TB) {
	tb.Helper()
	if err := r.p.Start(context.Background()); err != nil {
		tb.Fatalf("start: %v", err)
	}
	tb.Cleanup(r.stop)
}

// stop stops the poller.
func (r *rig) stop() { r.p.Stop() }

// probeNow makes camera id due at once (instead of in its slot, up to an
// interval away).
func (r *rig) probeNow(id string) {
	r.p.mu.Lock()
	defer r.p.mu.Unlock()
	if e := r.p.entries.get(id); e != nil {
		r.p.reschedule(e, r.p.clock.Now().UnixNano())
	}
}

// noSecrets checks that the logs never carried the stream URL or the
// password.
func (r *rig) noSecrets(tb testing.TB) {
	tb.Helper()
	logs := r.logs.String()
	for _, s := range []string{"s3cret", "cam.test", "rtsp://"} {
		if strings.Contains(logs, s) {
			tb.Errorf("logs contain %q:\n%s", s, logs)
		}
	}
}

// transitions returns camera id's stored transitions, oldest first.
func (r *rig) transitions(tb testing.TB, id string) []camera.Transition {
	tb.Helper()
	ts, err := r.store.Transitions(context.Background(), id, time.Time{}, time.Time{}, 0)
	if err != nil {
		tb.Fatal(err)
	}
	for i, j := 0, len(ts)-1; i < j; i, j = i+1, j-1 {
		ts[i], ts[j] = ts[j], ts[i]
	}
	return ts
}

// changes renders transitions as "unknown→up down→up" for messages.
func changes(ts []camera.Transition) string {
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s→%s", t.From, t.To)
	}
	return b.String()
}

// syncBuffer collects log output from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(s, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
