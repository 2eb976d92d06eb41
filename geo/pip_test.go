package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// linearAt is the reference lookup: the first commune, in input order,
// whose boundary holds the point by orb's linear test.
func linearAt(list []Commune, lat, lon float64) int {
	for i := range list {
		if planar.MultiPolygonContains(list[i].Geometry, orb.Point{lon, lat}) {
			return i
		}
	}
	return -1
}

// probePoints returns points to test a layer with: random ones in and
// around it, and for each ring its vertices, the midpoints of its edges,
// points a hair off them, and points level with a vertex in x or y (where
// the ray test has its special cases).
func probePoints(rng *rand.Rand, list []Commune, random int) []orb.Point {
	var b orb.Bound
	for i, c := range list {
		if i == 0 {
			b = c.Geometry.Bound()
		}
		b = b.Union(c.Geometry.Bound())
	}
	b = b.Pad(0.1 * math.Max(b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]))
	var pts []orb.Point
	for range random {
		pts = append(pts, orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])})
	}
	for _, c := range list {
		for _, p := range c.Geometry {
			for _, r := range p {
				for k := 0; k+1 < len(r); k += 1 + rng.IntN(3) {
					a, e := r[k], r[k+1]
					mid := orb.Point{(a[0] + e[0]) / 2, (a[1] + e[1]) / 2}
					pts = append(pts, a, mid,
						orb.Point{math.Nextafter(mid[0], math.Inf(1)), mid[1]},
						orb.Point{mid[0], math.Nextafter(mid[1], math.Inf(-1))},
						orb.Point{a[0], a[1] + (rng.Float64()-0.5)*1e-3},
						orb.Point{a[0] + (rng.Float64()-0.5)*1e-3, a[1]})
				}
			}
		}
	}
	return pts
}

// TestCommunesAtMatchesLinear compares the indexed lookup with orb's
// linear test on layers with every feature the index has to get right:
// rings long enough to be banded (wavy, with long straight edges too),
// holes with islands in them, multipolygons scattered far apart,
// overlapping communes (the first in input order wins), shared borders,
// and boundaries the size of a country and of the world.
func TestCommunesAtMatchesLinear(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 41))
	holed := wavySquare(106.0, 10.0, 0.2, 40)
	hole := wavySquare(106.05, 10.05, 0.1, 20)
	slices := func(r orb.Ring) orb.Ring { // the hole walked the other way round
		out := make(orb.Ring, len(r))
		for i := range r {
			out[i] = r[len(r)-1-i]
		}
		return out
	}
	layers := map[string][]Commune{
		"tiled, wavy":  tiledCommunes(106.40, 10.30, 4, 3, 0.02, 40),
		"tiled, plain": tiledCommunes(106.40, 10.30, 4, 4, 0.02, 1),
		"holes and islands": {
			{Name: "holed", Geometry: orb.MultiPolygon{{holed, slices(hole)}}},
			{Name: "island", Geometry: orb.MultiPolygon{{wavySquare(106.07, 10.07, 0.03, 33)}}},
			{Name: "scattered", Geometry: orb.MultiPolygon{{wavySquare(106.3, 10.0, 0.01, 9)}, {wavySquare(109.3, 12.0, 0.01, 40)}, {wavySquare(104.0, 8.5, 0.01, 8)}}},
		},
		"overlapping": {
			{Name: "small", Geometry: orb.MultiPolygon{{wavySquare(106.05, 10.05, 0.05, 40)}}},
			{Name: "big", Geometry: orb.MultiPolygon{{wavySquare(106.0, 10.0, 0.2, 64)}}},
			{Name: "country", Geometry: orb.MultiPolygon{{wavySquare(102, 8.5, 15, 300)}}},
			{Name: "world", Geometry: orb.MultiPolygon{{{{-180, -90}, {180, -90}, {180, 90}, {-180, 90}, {-180, -90}}}}},
		},
		"comb": {{Name: "comb", Geometry: orb.MultiPolygon{{comb(106, 10, 200)}}}},
	}
	for name, list := range layers {
		t.Run(name, func(t *testing.T) {
			cs := NewCommunes(list)
			for _, p := range probePoints(rng, list, 5_000) {
				want := linearAt(list, p[1], p[0])
				got := cs.index(p[1], p[0])
				if got != want {
					t.Fatalf("At(%v, %v) = commune %d, orb's linear test says %d", p[1], p[0], got, want)
				}
			}
		})
	}
}

// comb is a ring of n teeth, each spanning the ring's whole width: the
// worst case of the banding, which must still answer right.
func comb(x0, y0 float64, n int) orb.Ring {
	r := orb.Ring{{x0, y0}}
	for k := range n {
		y := y0 + float64(k)*0.002
		r = append(r, orb.Point{x0 + 1, y}, orb.Point{x0 + 1, y + 0.001}, orb.Point{x0 + 0.01, y + 0.001}, orb.Point{x0 + 0.01, y + 0.002})
	}
	top := y0 + float64(n)*0.002
	return append(r, orb.Point{x0, top}, orb.Point{x0, y0})
}

// TestRingIndexBands checks the banding keeps memory linear: a comb, all
// of whose teeth span the ring, gets few bands.
func TestRingIndexBands(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    orb.Ring
	}{
		{"wavy", wavySquare(106, 10, 0.1, 10_000)},
		{"comb", comb(106, 10, 2_000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ri := newRingIndex(tc.r)
			if len(ri.start) == 0 {
				t.Fatal("not banded")
			}
			if edges := len(tc.r) - 1; len(ri.edges) > maxBandEntries*edges {
				t.Errorf("%d band entries for %d edges", len(ri.edges), edges)
			}
		})
	}
}
