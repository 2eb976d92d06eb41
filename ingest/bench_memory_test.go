package ingest

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/camera"
)

// benchCommunes are the 19 communes of the sample district.
var benchCommunes = [19]string{
	"Song Bình", "Bình Phan", "Tân Thuận Bình", "Hòa Định", "Bình Phục Nhứt",
	"Xuân Đông", "Hòa Tịnh", "Mỹ Tịnh An", "Lương Hòa Lạc", "Phú Kiết",
	"Thanh Bình", "Quơn Long", "Bình Ninh", "Tân Bình Thạnh", "An Thạnh Thủy",
	"Đăng Hưng Phước", "Long Bình Điền", "Trung Hòa", "Chợ Gạo",
}

// genStore is an in-memory Store of n generated cameras: nothing is kept,
// every scan builds fresh values as decoding a real store does (so that
// strings the poller keeps are its own, as they would be). Every other
// camera has a stored health with a last probe. Writes are discarded.
type genStore struct {
	n      int
	writes atomic.Int64
}

func (s *genStore) camera(i int) *camera.Camera {
	c := &camera.Camera{
		ID:   fmt.Sprintf("CG-%06d", i),
		Name: fmt.Sprintf("Ngã tư %d", i), Lat: 10.35, Lon: 106.46,
		Commune:  strings.Clone(benchCommunes[i%len(benchCommunes)]),
		District: "Chợ Gạo", Province: "Tiền Giang",
		RTSPURL:     fmt.Sprintf("rtsp://10.%d.%d.%d:554/Streaming/Channels/101", i>>16&255, i>>8&255, i&255),
		Credentials: camera.Credentials{Username: "admin", Password: fmt.Sprintf("Cg%07dx", i*7919%10_000_000)},
		InstalledOn: "2021-05-01",
	}
	c.ApplyDefaults()
	return c
}

func (s *genStore) health(i int) camera.Health {
	at := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Millisecond)
	h := camera.Health{
		CameraID: fmt.Sprintf("CG-%06d", i), State: camera.StateUp, Reason: strings.Clone(camera.ReasonOK),
		Since: at.Add(-72 * time.Hour),
		LastProbe: &camera.ProbeResult{
			State: camera.StateUp, Reason: strings.Clone(camera.ReasonOK), At: at, Latency: 80 * time.Millisecond,
			Deep: i%15 == 0, Codec: strings.Clone("h264"), Width: 1920, Height: 1080, Server: strings.Clone("Hikvision-Webs"),
		},
	}
	if i%10 == 0 { // a tenth of them down
		h.State, h.Reason, h.ConsecutiveFailures = camera.StateDown, strings.Clone(camera.ReasonRefused), 40
		h.LastProbe.State, h.LastProbe.Reason = camera.StateDown, h.Reason
		h.LastProbe.Codec, h.LastProbe.Width, h.LastProbe.Height, h.LastProbe.Server = "", 0, 0, ""
		h.LastProbe.Detail = fmt.Sprintf("dial tcp 10.%d.%d.%d:554: connect: connection refused", i>>16&255, i>>8&255, i&255)
	}
	return h
}

func (s *genStore) ForEachCamera(ctx context.Context, fn func(*camera.Camera) error) error {
	for i := range s.n {
		if i%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if err := fn(s.camera(i)); err != nil {
			return err
		}
	}
	return nil
}

func (s *genStore) ForEachHealth(ctx context.Context, fn func(camera.Health) error) error {
	for i := 0; i < s.n; i += 2 {
		if i%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if err := fn(s.health(i)); err != nil {
			return err
		}
	}
	return nil
}

func (s *genStore) RecordHealth(context.Context, []camera.Health, []camera.Transition) error {
	s.writes.Add(1)
	return nil
}

// BenchmarkPollerMemory1M starts a poller on 1,000,000 cameras (an
// in-memory store, a 1 h interval, an instant prober) and reports the
// live heap the poller holds per camera, after a GC, and how long Start
// (the load) took, in wall time and in CPU time (the process's, GC and
// the fake store's work included; steadier than wall time on a busy
// machine), and the heap the runtime holds from the OS (HeapSys: the peak
// of the load shows there). Targets: ≤ 300 B/camera, ≤ 5 s.
func BenchmarkPollerMemory1M(b *testing.B) {
	const n = 1_000_000
	var perCam, loadS, loadCPU, heapSys float64
	for b.Loop() {
		store := &genStore{n: n}
		prober := ProberFunc(func(context.Context, string, bool) camera.ProbeResult {
			return camera.ProbeResult{State: camera.StateUp, Reason: camera.ReasonOK, Latency: 80 * time.Millisecond,
				Codec: "h264", Width: 1920, Height: 1080, Server: "Hikvision-Webs"}
		})
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)

		p, err := New(Options{Config: Config{Interval: time.Hour}, Prober: prober, Store: store, Registerer: prometheus.NewRegistry()})
		if err != nil {
			b.Fatal(err)
		}
		start, cpu := time.Now(), cpuTime(b)
		if err := p.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		loadS, loadCPU = time.Since(start).Seconds(), (cpuTime(b) - cpu).Seconds()
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&after)
		perCam = (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / n
		heapSys = float64(after.HeapSys) / 1e6
		p.Stop()
		runtime.KeepAlive(p)
	}
	b.ReportMetric(perCam, "B/camera")
	b.ReportMetric(loadS, "load_s")
	b.ReportMetric(loadCPU, "load_cpu_s")
	b.ReportMetric(heapSys, "heap_sys_MB")
	b.ReportMetric(0, "ns/op")
}
