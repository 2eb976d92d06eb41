package ingest

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry/registrytest"
)

// lateness summarises how late probes started after their due time.
type lateness struct {
	max, p99 time.Duration
	n        int
}

// blackHoleRun polls n black-hole cameras (every probe waits for its
// deadline) and n working ones until every working camera was probed
// `rounds` times, and returns how late the working cameras' probes
// started. The first round counts: the black holes start out as
// never-probed cameras in the normal lane, like cameras that all go dark
// at once.
func blackHoleRun(tb testing.TB, n int, cfg Config, rounds int) lateness {
	tb.Helper()
	store := registrytest.Open(tb)
	var cams []*camera.Camera
	counts := map[string]*atomic.Int32{}
	for i := range n {
		bh, ok := registrytest.Camera(fmt.Sprintf("BH-%04d", i), "Bình Phan"), registrytest.Camera(fmt.Sprintf("OK-%04d", i), "Song Bình")
		cams = append(cams, bh, ok)
		counts[ok.ID] = &atomic.Int32{}
	}
	registrytest.AddCameras(tb, store, cams...)

	prober := ProberFunc(func(ctx context.Context, url string, _ bool) camera.ProbeResult {
		id := idOf(url)
		if c := counts[id]; c != nil {
			c.Add(1)
			return camera.ProbeResult{State: camera.StateUp, Reason: camera.ReasonOK}
		}
		return blackHole(ctx)
	})
	p, err := New(Options{Config: cfg, Prober: prober, Store: store, Registerer: prometheus.NewRegistry()})
	if err != nil {
		tb.Fatal(err)
	}
	var (
		mu   sync.Mutex
		lags []time.Duration
	)
	p.onStart = func(id string, due, started time.Time) {
		if counts[id] != nil {
			mu.Lock()
			lags = append(lags, started.Sub(due))
			mu.Unlock()
		}
	}
	if err := p.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	defer p.Stop()
	waitFor(tb, time.Duration(rounds+3)*cfg.Interval+10*time.Second, "every working camera probed", func() bool {
		for _, c := range counts {
			if c.Load() < int32(rounds) {
				return false
			}
		}
		return true
	})
	p.Stop()

	mu.Lock()
	defer mu.Unlock()
	slices.Sort(lags)
	return lateness{max: lags[len(lags)-1], p99: lags[len(lags)*99/100], n: len(lags)}
}

// BenchmarkPollerBlackHoles: 1,000 black holes among 1,000 working
// cameras, with the default configuration scaled down 20 times (60 s
// interval → 3 s, 10 s timeout → 0.5 s). It reports how late the working
// cameras' probes started, at scale and scaled back to the real interval.
// The target is at most one probe timeout (10 s at full scale).
func BenchmarkPollerBlackHoles(b *testing.B) {
	const scale = 20
	cfg := Config{
		Interval:      DefaultInterval / scale,
		Timeout:       DefaultTimeout / scale,
		Retry:         DefaultRetry / scale,
		Jitter:        DefaultJitter / scale,
		Tick:          DefaultTick / scale,
		FlushInterval: DefaultFlushInterval / scale,
	}
	var worst lateness
	for b.Loop() {
		l := blackHoleRun(b, 1000, cfg, 3)
		if l.max > worst.max {
			worst = l
		}
	}
	b.ReportMetric(worst.max.Seconds()*1000, "max_late_ms")
	b.ReportMetric(worst.p99.Seconds()*1000, "p99_late_ms")
	b.ReportMetric(worst.max.Seconds()*scale, "max_late_s_at_60s")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkPoller10k holds 10,000 cameras with an instant prober and a
// real store, at an interval scaled to stand for 60 s (600 ms by default:
// 100 times faster; MATTHAN_BENCH_INTERVAL=60s runs it at the real
// interval). Every duration of the configuration is scaled alike, so each
// scaled interval does the work of one real minute: the same probes, the
// same number of store writes. One iteration is one interval. It reports
// the process's CPU time (user + system, getrusage) per simulated minute
// as a percentage of one core, and the heap in use. Targets: ≤ 10 % and
// ≤ 100 MB.
func BenchmarkPoller10k(b *testing.B) {
	const cameras = 10_000
	interval := 600 * time.Millisecond
	if s := os.Getenv("MATTHAN_BENCH_INTERVAL"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			b.Fatal(err)
		}
		interval = d
	}
	scale := float64(DefaultInterval) / float64(interval)
	scaled := func(d time.Duration) time.Duration { return time.Duration(float64(d) / scale) }

	store := registrytest.Open(b)
	cams := make([]*camera.Camera, cameras)
	for i := range cams {
		cams[i] = registrytest.Camera(fmt.Sprintf("CG-%05d", i), fmt.Sprintf("Xã %02d", i%19))
	}
	registrytest.AddCameras(b, store, cams...)
	var probes atomic.Int64
	prober := ProberFunc(func(context.Context, string, bool) camera.ProbeResult {
		probes.Add(1)
		return camera.ProbeResult{State: camera.StateUp, Reason: camera.ReasonOK, Latency: 80 * time.Millisecond,
			Codec: "H264", Width: 1920, Height: 1080, Server: "Hikvision"}
	})
	p, err := New(Options{
		Config: Config{
			Interval:      interval,
			Timeout:       scaled(DefaultTimeout),
			Retry:         scaled(DefaultRetry),
			Jitter:        scaled(DefaultJitter),
			Tick:          scaled(DefaultTick),
			FlushInterval: scaled(DefaultFlushInterval),
		},
		Prober: prober, Store: store, Registerer: prometheus.NewRegistry(),
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := p.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer p.Stop()

	// Warm up: every camera confirmed up (two probes each), then one
	// interval of the steady state.
	waitFor(b, 3*interval+time.Minute, "every camera confirmed", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		for e := range p.entries.all() {
			if e.track.state != sUp {
				return false
			}
		}
		return true
	})
	time.Sleep(interval) // a fixed span of steady state to measure, not an event

	before := cpuTime(b)
	probesBefore := probes.Load()
	b.ResetTimer()
	var heapMax uint64
	for b.Loop() {
		time.Sleep(interval)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heapMax = max(heapMax, ms.HeapInuse)
	}
	b.StopTimer()
	cpu := cpuTime(b) - before
	minutes := float64(b.N) // each iteration stands for one minute
	b.ReportMetric(100*cpu.Seconds()/(minutes*60), "cpu_%_of_core")
	b.ReportMetric(float64(heapMax)/1e6, "heap_inuse_MB")
	b.ReportMetric(float64(probes.Load()-probesBefore)/minutes, "probes/sim_min")
	b.ReportMetric(0, "ns/op")
}

// cpuTime is the process's user + system CPU time so far.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
