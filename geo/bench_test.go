package geo

import (
	"context"
	"fmt"
	"iter"
	"math/rand/v2"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/quadtree"

	"github.com/matthan/matthan/camera"
)

// Benchmarks print their figures with b.ReportMetric:
//
//	go test -run '^$' -bench . -benchtime 1x ./geo/      (one build each)
//	go test -run '^$' -bench Near ./geo/                  (latency percentiles)
//
// The country-sized data is a million cameras spread over Vietnam's box
// (lat 8.5–23.4, lon 102–109.5), about one camera per 0.01° cell; the
// province-sized variant puts them in one square degree (80 per km²).

var (
	vietnam  = region{name: "vietnam", minLat: 8.5, maxLat: 23.4, minLon: 102, maxLon: 109.5, communes: benchCommunes(2000)}
	province = region{name: "province", minLat: 10, maxLat: 11, minLon: 106, maxLon: 107, communes: benchCommunes(200)}
)

func benchCommunes(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("Xã %d", i)
	}
	return out
}

// benchCameras yields n random cameras of r. It reuses one Camera value:
// the index copies what it keeps, so the benchmark's memory is the
// index's.
func benchCameras(r region, n int, seed uint64) iter.Seq[*camera.Camera] {
	return func(yield func(*camera.Camera) bool) {
		rng := rand.New(rand.NewPCG(seed, 1))
		var c camera.Camera
		c.Status = camera.StatusActive
		for i := range n {
			c.ID = fmt.Sprintf("CAM-%07d", i)
			c.Lat, c.Lon = r.point(rng)
			c.Commune = r.communes[rng.IntN(len(r.communes))]
			c.RoadClass = camera.RoadClasses[rng.IntN(len(camera.RoadClasses))]
			c.DirectionDeg = float64(rng.IntN(360))
			c.FOVDeg = []float64{60, 90, 110, 360}[rng.IntN(4)]
			c.RangeM = 20 + rng.Float64()*80
			if !yield(&c) {
				return
			}
		}
	}
}

func benchIntersections(r region, n int, seed uint64) []Intersection {
	rng := rand.New(rand.NewPCG(seed, 2))
	out := make([]Intersection, n)
	for i := range out {
		lat, lon := r.point(rng)
		out[i] = Intersection{ID: fmt.Sprintf("INT-%06d", i), Lat: lat, Lon: lon,
			RoadClass: camera.RoadClasses[rng.IntN(len(camera.RoadClasses))], Commune: r.communes[rng.IntN(len(r.communes))]}
	}
	return out
}

func heapMB() float64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

func BenchmarkBuild1M(b *testing.B) {
	for _, r := range []region{vietnam, province} {
		b.Run(r.name, func(b *testing.B) {
			var cams []*camera.Camera
			for c := range benchCameras(r, 1_000_000, 1) {
				cams = append(cams, c.Clone())
			}
			var x *Index
			var secs, mb float64
			for b.Loop() {
				x = nil
				before := heapMB()
				start := time.Now()
				var err error
				x, err = Build(slices.Values(cams), nil)
				if err != nil {
					b.Fatal(err)
				}
				secs = time.Since(start).Seconds()
				// The ids are the cameras' strings, shared: count them
				// in, as the index keeps them alive.
				mb = heapMB() - before + float64(x.Len()*len("CAM-0000000"))/(1<<20)
			}
			b.ReportMetric(secs, "s/build")
			b.ReportMetric(mb, "MB-heap")
			b.ReportMetric(mb*(1<<20)/float64(x.Len()), "B/camera")
		})
	}
}

// latencies times each query and reports p50 and p99 in µs.
func latencies(b *testing.B, n int, unit string, query func(i int) int) {
	var ds []time.Duration
	found := 0
	i := 0
	for b.Loop() {
		start := time.Now()
		found += query(i % n)
		ds = append(ds, time.Since(start))
		i++
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(ds[len(ds)*99/100].Nanoseconds())/1e3, "p99-µs")
	if unit != "" {
		b.ReportMetric(float64(found)/float64(len(ds)), unit)
	}
}

func benchPoints(r region, n int) [][2]float64 {
	rng := rand.New(rand.NewPCG(42, 42))
	pts := make([][2]float64, n)
	for i := range pts {
		pts[i][0], pts[i][1] = r.point(rng)
	}
	return pts
}

func BenchmarkNear500m1M(b *testing.B) {
	for _, r := range []region{vietnam, province} {
		b.Run(r.name, func(b *testing.B) {
			x, err := Build(benchCameras(r, 1_000_000, 1), nil)
			if err != nil {
				b.Fatal(err)
			}
			pts := benchPoints(r, 100_000)
			latencies(b, len(pts), "hits/query", func(i int) int {
				hs, err := x.Near(pts[i][0], pts[i][1], 500, Filter{}, 100)
				if err != nil {
					b.Fatal(err)
				}
				return len(hs)
			})
		})
	}
}

func BenchmarkNearest10_1M(b *testing.B) {
	x, err := Build(benchCameras(vietnam, 1_000_000, 1), nil)
	if err != nil {
		b.Fatal(err)
	}
	pts := benchPoints(vietnam, 100_000)
	latencies(b, len(pts), "hits/query", func(i int) int {
		hs, _ := x.Nearest(pts[i][0], pts[i][1], 10, Filter{})
		return len(hs)
	})
}

func BenchmarkSeeing1M(b *testing.B) {
	x, err := Build(benchCameras(province, 1_000_000, 1), nil)
	if err != nil {
		b.Fatal(err)
	}
	pts := benchPoints(province, 100_000)
	latencies(b, len(pts), "hits/query", func(i int) int {
		hs, _ := x.Seeing(pts[i][0], pts[i][1], Filter{})
		return len(hs)
	})
}

// qpoint is a camera for orb's quadtree.
type qpoint struct {
	p  orb.Point
	id int32
}

func (q *qpoint) Point() orb.Point { return q.p }

// BenchmarkQuadtreeNear500m1M is the alternative measured against the grid:
// orb's quadtree, queried with the circle's box and filtered by haversine.
func BenchmarkQuadtreeNear500m1M(b *testing.B) {
	for _, r := range []region{vietnam, province} {
		b.Run(r.name, func(b *testing.B) {
			start := time.Now()
			qt := quadtree.New(orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}})
			i := int32(0)
			for c := range benchCameras(r, 1_000_000, 1) {
				if err := qt.Add(&qpoint{orb.Point{c.Lon, c.Lat}, i}); err != nil {
					b.Fatal(err)
				}
				i++
			}
			build := time.Since(start).Seconds()
			pts := benchPoints(r, 100_000)
			var buf []orb.Pointer
			latencies(b, len(pts), "hits/query", func(i int) int {
				lat, lon := pts[i][0], pts[i][1]
				dLat, dLon := sectorReachDeg(lat, 500)
				buf = qt.InBound(buf[:0], orb.Bound{Min: orb.Point{lon - dLon, lat - dLat}, Max: orb.Point{lon + dLon, lat + dLat}})
				n := 0
				for _, p := range buf {
					q := p.Point()
					if Distance(lat, lon, q[1], q[0]) <= 500 {
						n++
					}
				}
				return n
			})
			b.ReportMetric(build, "s/build")
		})
	}
}

// coverageBench is a million cameras and 100,000 intersections over
// Vietnam.
func coverageBench(b *testing.B) (*Index, []Intersection) {
	b.Helper()
	x, err := Build(benchCameras(vietnam, 1_000_000, 1), func(id string) camera.HealthState {
		if id[len(id)-1]%3 == 0 {
			return camera.StateDown
		}
		return camera.StateUp
	})
	if err != nil {
		b.Fatal(err)
	}
	return x, benchIntersections(vietnam, 100_000, 3)
}

func BenchmarkCoverageFromScratch(b *testing.B) {
	x, items := coverageBench(b)
	var secs float64
	for b.Loop() {
		start := time.Now()
		if err := x.SetIntersections(items); err != nil {
			b.Fatal(err)
		}
		secs = time.Since(start).Seconds()
	}
	rep, _ := x.Coverage(AreaFilter{}, Installed)
	b.ReportMetric(secs, "s/recompute")
	b.ReportMetric(float64(rep.Covered), "covered")
}

func BenchmarkCoverageMoveOne(b *testing.B) {
	x, items := coverageBench(b)
	if err := x.SetIntersections(items); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	ranges := []float64{50, 100, camera.MaxRangeM} // typical, and the longest allowed
	i := 0
	latencies(b, 1, "", func(int) int {
		id := fmt.Sprintf("CAM-%07d", rng.IntN(1_000_000))
		h, _ := x.Get(id)
		lat, lon := Destination(h.Lat, h.Lon, rng.Float64()*360, rng.Float64()*100)
		c := &camera.Camera{ID: id, Lat: lat, Lon: lon, DirectionDeg: float64(rng.IntN(360)), FOVDeg: h.FOVDeg,
			RangeM: ranges[i%len(ranges)], RoadClass: h.RoadClass, Commune: h.Commune, Status: camera.StatusActive}
		i++
		if err := x.Upsert(c); err != nil {
			b.Fatal(err)
		}
		return 1
	})
}

func BenchmarkCoverageReport(b *testing.B) {
	x, items := coverageBench(b)
	if err := x.SetIntersections(items); err != nil {
		b.Fatal(err)
	}
	latencies(b, 1, "covered", func(int) int {
		rep, _ := x.Coverage(AreaFilter{}, Live)
		return rep.Covered
	})
}

func BenchmarkGaps100(b *testing.B) {
	x, items := coverageBench(b)
	if err := x.SetIntersections(items); err != nil {
		b.Fatal(err)
	}
	latencies(b, 1, "gaps", func(int) int {
		gs, _, _ := x.Gaps(AreaFilter{}, Live, 100, nil)
		return len(gs)
	})
}

// BenchmarkJunctions50k computes the junctions of a street grid of 50,000
// segments (250 streets each way, 100 segments each).
func BenchmarkJunctions50k(b *testing.B) {
	var roads []Road
	const streets, segs = 250, 100
	for i := range streets {
		for _, vertical := range []bool{false, true} {
			pts := make([][2]float64, segs+1)
			for j := range pts {
				along, across := float64(j)*120-50, float64(i)*113+float64(j%3)*2
				if vertical {
					pts[j] = [2]float64{across, along}
				} else {
					pts[j] = [2]float64{along, across}
				}
			}
			roads = append(roads, road(fmt.Sprintf("Đường %v %d", vertical, i), camera.RoadUrban, pts...))
		}
	}
	var n int
	for b.Loop() {
		js, err := Junctions(context.Background(), roads, -1)
		if err != nil {
			b.Fatal(err)
		}
		n = len(js)
	}
	b.ReportMetric(float64(n), "junctions")
	b.ReportMetric(float64(streets*2*segs), "segments")
}

// BenchmarkTileZ15 and BenchmarkTileZ13 time random tiles of a province
// holding a million cameras (80 per km²) and 100,000 intersections:
// p50/p99 latency, the process's CPU time per tile (cpu-ms/tile, garbage
// collection included: on a shared machine it varies less than the
// latency) and the mean size of a tile (bytes/tile, as served without
// gzip).
func BenchmarkTileZ15(b *testing.B) { benchTile(b, 15) }

// BenchmarkTileZ13 is BenchmarkTileZ15 at zoom 13, the first zoom with the
// field-of-view layer: a z13 tile holds about 2,000 cameras there.
func BenchmarkTileZ13(b *testing.B) { benchTile(b, 13) }

func benchTile(b *testing.B, z int) {
	x, err := Build(benchCameras(province, 1_000_000, 1), nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := x.SetIntersections(benchIntersections(province, 100_000, 3)); err != nil {
		b.Fatal(err)
	}
	pts := benchPoints(province, 1000)
	cpu := cpuTime(b)
	latencies(b, len(pts), "bytes/tile", func(i int) int {
		t := maptile.At(orb.Point{pts[i][1], pts[i][0]}, maptile.Zoom(z))
		data, err := x.Tile(z, int(t.X), int(t.Y), TileOptions{})
		if err != nil {
			b.Fatal(err)
		}
		return len(data)
	})
	b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N)/1e6, "cpu-ms/tile")
}

// cpuTime is the process's user + system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkMemory1M reports what a daemon holds for a country: a million
// cameras and 100,000 intersections with their coverage. MB-heap is the
// live heap they add; MB-sys what the Go runtime has taken from the OS
// by then (an upper bound of their share of RSS, build garbage included).
func BenchmarkMemory1M(b *testing.B) {
	var heap, sys float64
	for b.Loop() {
		before := heapMB()
		x, items := coverageBench(b)
		if err := x.SetIntersections(items); err != nil {
			b.Fatal(err)
		}
		items = nil
		heap = heapMB() - before
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		sys = float64(m.Sys) / (1 << 20)
		runtime.KeepAlive(x)
	}
	b.ReportMetric(heap, "MB-heap")
	b.ReportMetric(sys, "MB-sys")
}
