package rtsp_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp"
	"github.com/matthan/matthan/camera/rtsp/rtsptest"
)

// BenchmarkProbeDescribe measures shallow probes (connect, OPTIONS,
// DESCRIBE) run in parallel against a few fake cameras on loopback. The
// cameras run in the same process, so the figure is a lower bound of what
// the prober alone can do. The project's goal is 2,000 probes/s on 2 cores:
//
//	go test -run x -bench ProbeDescribe -benchtime 3s ./camera/rtsp/
func BenchmarkProbeDescribe(b *testing.B) {
	const cameras = 4
	// parallelism × GOMAXPROCS probes run at once. A probe spends most of
	// its time waiting for the camera, so the poller runs many more probes
	// than there are cores; 8 per core stands for that.
	const parallelism = 8
	urls := make([]string, cameras)
	for i := range urls {
		c, err := rtsptest.Start(rtsptest.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(c.Close)
		urls[i] = c.URL()
	}
	p := &rtsp.Prober{Timeout: 5 * time.Second}
	var next, failed atomic.Int64

	b.ReportAllocs()
	b.SetParallelism(parallelism)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			url := urls[next.Add(1)%cameras]
			if res := p.Probe(ctx, url, false); res.State != camera.StateUp {
				if failed.Add(1) == 1 {
					b.Errorf("probe: %s %s: %s", res.State, res.Reason, res.Detail)
				}
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "probes/s")
}
