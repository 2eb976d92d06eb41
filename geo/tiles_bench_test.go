package geo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/matthan/matthan/camera"
)

// BenchmarkTiles100k: the tiles a console's map asks for over a province
// of 100,000 cameras (one square degree, ~110 km a side, with 10,000
// junctions, 200 commune boundaries and 22,000 km of roads drawn a
// position every 25 m), at each zoom from 9 (the first with roads) to 16:
// p50 and p99 latency in milliseconds and the mean size in KB, a
// sub-benchmark per zoom. Tiles are those holding random cameras, as a
// map panned over the network asks for them. Target: p99 ≤ 50 ms at every
// zoom.
//
//	go test ./geo -run '^$' -bench Tiles100k -benchtime 300x
func BenchmarkTiles100k(b *testing.B) {
	x, err := Build(benchCameras(province, 100_000, 7), nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := x.SetIntersections(benchIntersections(province, 10_000, 8)); err != nil {
		b.Fatal(err)
	}
	if err := x.SetCommunes(benchBoundaries(province, 200, 400)); err != nil {
		b.Fatal(err)
	}
	if err := x.SetRoads(benchRoads(province, 100, 25)); err != nil {
		b.Fatal(err)
	}
	pts := benchPoints(province, 2000)
	for z := 9; z <= 16; z++ {
		b.Run(fmt.Sprintf("z%d", z), func(b *testing.B) {
			var ds []time.Duration
			bytes := 0
			i := 0
			for b.Loop() {
				p := pts[i%len(pts)]
				i++
				t := maptile.At(orb.Point{p[1], p[0]}, maptile.Zoom(z))
				start := time.Now()
				data, err := x.Tile(z, int(t.X), int(t.Y), TileOptions{Gzip: true})
				ds = append(ds, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				bytes += len(data)
			}
			slices.Sort(ds)
			b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1e3, "p50-ms")
			b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds())/1e3, "p99-ms")
			b.ReportMetric(float64(bytes)/float64(len(ds))/1024, "KB-gzip/tile")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// benchBoundaries lays n commune boundaries over r as a grid of cells,
// each a polygon of vertices positions along its edge (a wiggly border,
// as real ones are).
func benchBoundaries(r region, n, vertices int) *Communes {
	side := 1
	for side*side < n {
		side++
	}
	rng := rand.New(rand.NewPCG(9, 9))
	dLat, dLon := (r.maxLat-r.minLat)/float64(side), (r.maxLon-r.minLon)/float64(side)
	list := make([]Commune, 0, n)
	for i := range n {
		la, lo := r.minLat+float64(i/side)*dLat, r.minLon+float64(i%side)*dLon
		ring := make(orb.Ring, 0, vertices+1)
		per := vertices / 4
		for k := range vertices {
			f := float64(k%per) / float64(per)
			j := (rng.Float64() - 0.5) * dLat * 0.02
			var p orb.Point
			switch k / per {
			case 0:
				p = orb.Point{lo + f*dLon, la + j}
			case 1:
				p = orb.Point{lo + dLon + j, la + f*dLat}
			case 2:
				p = orb.Point{lo + dLon - f*dLon, la + dLat + j}
			default:
				p = orb.Point{lo + j, la + dLat - f*dLat}
			}
			ring = append(ring, p)
		}
		ring = append(ring, ring[0])
		list = append(list, Commune{Name: fmt.Sprintf("Xã %d", i), Geometry: orb.MultiPolygon{{ring}}})
	}
	return NewCommunes(list)
}

// benchRoads lays n east–west and n north–south roads across r, evenly
// spaced (100 over a province: a road every 1.1 km, 10,000 crossings),
// each winding ±50 m about its line with a position every stepM metres
// and a metre of jitter, as digitised roads are. Every tenth road is
// national or provincial, every third district, the others commune roads.
func benchRoads(r region, n int, stepM float64) []Road {
	rng := rand.New(rand.NewPCG(11, 11))
	mLat := metresToDegLat(1)
	mLon := mLat / math.Cos((r.minLat+r.maxLat)/2*deg2rad)
	class := func(i int) camera.RoadClass {
		switch {
		case i%20 == 0:
			return camera.RoadNational
		case i%10 == 0:
			return camera.RoadProvincial
		case i%3 == 0:
			return camera.RoadDistrict
		}
		return camera.RoadCommune
	}
	var out []Road
	for i := range n {
		f := (float64(i) + 0.5) / float64(n)
		for _, eastWest := range []bool{true, false} {
			var l orb.LineString
			length := (r.maxLon - r.minLon) / mLon
			if !eastWest {
				length = (r.maxLat - r.minLat) / mLat
			}
			for s := 0.0; s <= length; s += stepM {
				off := 50*math.Sin(s/2000*2*math.Pi+float64(i)) + rng.Float64() - 0.5
				if eastWest {
					l = append(l, orb.Point{r.minLon + s*mLon, r.minLat + f*(r.maxLat-r.minLat) + off*mLat})
				} else {
					l = append(l, orb.Point{r.minLon + f*(r.maxLon-r.minLon) + off*mLon, r.minLat + s*mLat})
				}
			}
			out = append(out, Road{Name: fmt.Sprintf("Đường %d-%t", i, eastWest), RoadClass: class(i), Lines: []orb.LineString{l}})
		}
	}
	return out
}
