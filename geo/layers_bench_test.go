package geo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/matthan/matthan/camera"
)

// communeBench is the red team's commune layer, at the scale of the
// country: 10,000 communes of 64 positions tiling a square of 5° (cells of
// 0.05°, 5.5 km), one of them — in the middle — a boundary of 240,000
// positions; and a million junctions, half spread over the square and half
// in the detailed commune (a city's street grid, where the red team's
// junctions were).
func communeBench() ([]Commune, []Intersection) {
	const n, size = 100, 0.05
	list := tiledCommunes(104, 8.6, n, n, size, 16)
	big := &list[50*n+50]
	b := big.Geometry.Bound()
	big.Geometry = orb.MultiPolygon{{wavySquare(b.Min[0], b.Min[1], size, 60_000)}}
	rng := rand.New(rand.NewPCG(51, 51))
	items := make([]Intersection, 1_000_000)
	for i := range items {
		var lat, lon float64
		if i%2 == 0 {
			lat, lon = 8.6+rng.Float64()*n*size, 104+rng.Float64()*n*size
		} else {
			lat, lon = b.Min[1]+rng.Float64()*size, b.Min[0]+rng.Float64()*size
		}
		items[i] = Intersection{ID: fmt.Sprintf("J-%07d", i), Lat: lat, Lon: lon, RoadClass: camera.RoadUrban}
	}
	return list, items
}

// BenchmarkCommuneAt1M finds the commune of a million junctions among
// 10,000 communes, one of 240,000 positions (communeBench): the index
// build, the lookups one after another, and the lookups of an import (on
// all cores but one). Target: ≤ 5 s. BenchmarkCommuneAtLinear is orb's linear
// test on the same data.
func BenchmarkCommuneAt1M(b *testing.B) {
	list, items := communeBench()
	cv, err := newCoverage(context.Background(), items)
	if err != nil {
		b.Fatal(err)
	}
	var build, seq, par float64
	found := 0
	for b.Loop() {
		start := time.Now()
		cs := NewCommunes(list)
		build = time.Since(start).Seconds()

		start = time.Now()
		found = 0
		for _, it := range items {
			if cs.index(it.Lat, it.Lon) >= 0 {
				found++
			}
		}
		seq = time.Since(start).Seconds()

		start = time.Now()
		if _, err := cv.locate(context.Background(), cs, buildWorkers()); err != nil {
			b.Fatal(err)
		}
		par = time.Since(start).Seconds()
	}
	b.ReportMetric(build, "s-index")
	b.ReportMetric(seq, "s/1M-lookups")
	b.ReportMetric(par, "s/1M-import")
	b.ReportMetric(float64(found), "found")
}

// BenchmarkCommuneAtLinear is the lookup of BenchmarkCommuneAt1M by orb's
// linear test of every edge (planar.MultiPolygonContains after a
// bounding-box check), on 2,000 of its junctions: its time per lookup, and
// that time for the million.
func BenchmarkCommuneAtLinear(b *testing.B) {
	list, items := communeBench()
	bounds := make([]orb.Bound, len(list))
	for i := range list {
		bounds[i] = list[i].Geometry.Bound()
	}
	const sample = 2_000
	var per float64
	for b.Loop() {
		start := time.Now()
		for _, it := range items[:sample] {
			pt := orb.Point{it.Lon, it.Lat}
			for i := range list {
				if bounds[i].Contains(pt) && planar.MultiPolygonContains(list[i].Geometry, pt) {
					break
				}
			}
		}
		per = time.Since(start).Seconds() / sample
	}
	b.ReportMetric(per*1e6, "µs/lookup")
	b.ReportMetric(per*1e6, "s/1M-lookups")
}

// BenchmarkPlannerGrid reads the red team's import: a street grid of
// 1,000 × 1,000 lines (379 KB here, 294 KB theirs), which crosses itself a
// million times and once became 999,999 junctions in 23 s, taking the
// daemon from 272 MB to 1.08 GB. With the default limits it is refused:
// the time to refuse it and the memory allocated meanwhile.
func BenchmarkPlannerGrid(b *testing.B) {
	body := roadsJSON(gridRoads(1000, 20))
	var before, after runtime.MemStats
	var secs float64
	for b.Loop() {
		runtime.ReadMemStats(&before)
		start := time.Now()
		_, err := ReadIntersections(context.Background(), body, Limits{})
		secs = time.Since(start).Seconds()
		runtime.ReadMemStats(&after)
		if camera.ErrorCode(err) != camera.ETOOLARGE {
			b.Fatalf("the grid was not refused: %v", err)
		}
	}
	b.ReportMetric(secs, "s/refusal")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), "MB-allocated")
	b.ReportMetric(float64(len(body))/1000, "KB-body")
}
