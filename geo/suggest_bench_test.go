package geo

import (
	"context"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/matthan/matthan/camera"
)

// BenchmarkSuggest50 proposes 50 cameras on 100,000 junctions and
// 1,000,000 cameras, with 20,000 incidents ranking the junctions: spread
// over Vietnam (most junctions alone in their range) and packed into one
// province (80 cameras and 10 junctions per km², a third of the junctions
// covered), with the cameras' median mount and with a long one. Target:
// ≤ 2 s each.
func BenchmarkSuggest50(b *testing.B) {
	for _, r := range []region{vietnam, province} {
		x, err := Build(benchCameras(r, 1_000_000, 1), func(id string) camera.HealthState {
			if id[len(id)-1]%3 == 0 {
				return camera.StateDown
			}
			return camera.StateUp
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := x.SetIntersections(benchIntersections(r, 100_000, 3)); err != nil {
			b.Fatal(err)
		}
		var incidents []orb.Point
		for _, p := range benchPoints(r, 20_000) {
			incidents = append(incidents, orb.Point{p[1], p[0]})
		}
		count := NewPointCounter(incidents, 200)
		for _, m := range []struct {
			name     string
			fov, rng float64
		}{{"median", 0, 0}, {"90deg-200m", 90, 200}} {
			b.Run(r.name+"/"+m.name, func(b *testing.B) {
				var secs float64
				var res SuggestResult
				for b.Loop() {
					start := time.Now()
					res, err = x.Suggest(context.Background(), SuggestOptions{N: 50, FOVDeg: m.fov, RangeM: m.rng, Incidents: count})
					if err != nil {
						b.Fatal(err)
					}
					secs = time.Since(start).Seconds()
				}
				b.ReportMetric(secs, "s/suggest")
				b.ReportMetric(float64(len(res.Suggestions)), "cameras")
				b.ReportMetric(float64(res.CoveredAfter-res.CoveredBefore), "junctions_added")
			})
		}
	}
}
