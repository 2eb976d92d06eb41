package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// Point in polygon through an index. orb's planar.RingContains casts a
// ray from the point and tests every edge of the ring: against a commune
// boundary of 240,000 positions that is a quarter of a million tests per
// point, and a road layer of a million junctions held the index for
// minutes. The ray only ever meets edges whose x extent holds the point,
// so a ring here keeps its edges in bands of x: a point tests the edges of
// its band, a handful for a real boundary (see BenchmarkCommuneAt1M).
//
// The answers are planar.RingContains's, exactly: the same ray test
// (rayIntersect, below, is orb's) on the only edges that can change them,
// in the same order. Points on a ring's boundary are in the ring; so a
// point on the boundary of a hole is outside its polygon (see
// TestRingIndexMatchesOrb).

// ringIndex is a ring and its edges banded by x.
type ringIndex struct {
	r     orb.Ring
	bound orb.Bound
	x0    float64 // west end of the first band
	inv   float64 // bands per degree
	start []int32 // band b holds edges[start[b]:start[b+1]]; empty: no bands
	edges []int32 // edge i joins r[i] and r[i+1]
}

// Banding: about edgesPerBand edges fall in a band of a boundary whose
// positions are spread evenly. Long edges fall in every band they cross;
// should that make more than maxBandEntries entries per edge (a comb, all
// of whose teeth span the ring), the bands are halved until it does not:
// memory stays linear in the edges, and such a ring costs what it costs
// orb. Rings of fewer than minBandedEdges edges are scanned.
const (
	edgesPerBand   = 4
	maxBandEntries = 8
	minBandedEdges = 32
)

func newRingIndex(r orb.Ring) ringIndex {
	ri := ringIndex{r: r, bound: r.Bound()}
	n := len(r) - 1 // edges
	width := ri.bound.Max[0] - ri.bound.Min[0]
	if n < minBandedEdges || !(width > 0) {
		return ri
	}
	ri.x0 = ri.bound.Min[0]
	for bands := n / edgesPerBand; ; bands /= 2 {
		ri.inv = float64(bands) / width
		total := 0
		for i := range n {
			lo, hi := ri.edgeBands(i, bands)
			total += hi - lo + 1
		}
		if total <= maxBandEntries*n || bands <= 1 {
			ri.fill(n, bands, total)
			return ri
		}
	}
}

// band returns the band of longitude x, of bands bands. It is monotonic in
// x, so an edge from x1 to x2 lies in the bands of x1 to x2.
func (ri *ringIndex) band(x float64, bands int) int {
	b := int((x - ri.x0) * ri.inv)
	return max(0, min(b, bands-1))
}

func (ri *ringIndex) edgeBands(i, bands int) (lo, hi int) {
	a, b := ri.r[i][0], ri.r[i+1][0]
	if a > b {
		a, b = b, a
	}
	return ri.band(a, bands), ri.band(b, bands)
}

// fill files the n edges in bands bands (total entries in all).
func (ri *ringIndex) fill(n, bands, total int) {
	ri.start = make([]int32, bands+1)
	for i := range n {
		lo, hi := ri.edgeBands(i, bands)
		for b := lo; b <= hi; b++ {
			ri.start[b+1]++
		}
	}
	for b := range bands {
		ri.start[b+1] += ri.start[b]
	}
	ri.edges = make([]int32, total)
	next := append([]int32(nil), ri.start[:bands]...)
	for i := range n { // in edge order, so each band lists its edges in order
		lo, hi := ri.edgeBands(i, bands)
		for b := lo; b <= hi; b++ {
			ri.edges[next[b]] = int32(i)
			next[b]++
		}
	}
}

// contains reports whether the ring holds pt, as planar.RingContains does.
func (ri *ringIndex) contains(pt orb.Point) bool {
	r := ri.r
	if !ri.bound.Contains(pt) {
		return false
	}
	c, on := rayIntersect(pt, r[0], r[len(r)-1])
	if on {
		return true
	}
	if len(ri.start) == 0 {
		for i := 0; i < len(r)-1; i++ {
			inter, on := rayIntersect(pt, r[i], r[i+1])
			if on {
				return true
			}
			if inter {
				c = !c
			}
		}
		return c
	}
	b := ri.band(pt[0], len(ri.start)-1)
	for _, i := range ri.edges[ri.start[b]:ri.start[b+1]] {
		inter, on := rayIntersect(pt, r[i], r[i+1])
		if on {
			return true
		}
		if inter {
			c = !c
		}
	}
	return c
}

// polygonIndex is a polygon with its rings indexed.
type polygonIndex struct {
	bound orb.Bound
	rings []ringIndex // the outer ring, then the holes
}

func newPolygonIndex(p orb.Polygon) polygonIndex {
	pi := polygonIndex{bound: p.Bound(), rings: make([]ringIndex, len(p))}
	for i, r := range p {
		pi.rings[i] = newRingIndex(r)
	}
	return pi
}

// contains reports whether the polygon holds pt, as planar.PolygonContains
// does: inside (or on) the outer ring and not inside (nor on) a hole.
func (pi *polygonIndex) contains(pt orb.Point) bool {
	if len(pi.rings) == 0 || !pi.rings[0].contains(pt) {
		return false
	}
	for i := 1; i < len(pi.rings); i++ {
		if pi.rings[i].contains(pt) {
			return false
		}
	}
	return true
}

// rayIntersect is orb's (planar/contains.go, MIT licence, after
// http://rosettacode.org/wiki/Ray-casting_algorithm#Go), unexported
// there: whether the ray from p crosses the segment s–e, and whether p
// lies on it. It is copied so that the indexed test answers exactly as
// orb's linear one.
func rayIntersect(p, s, e orb.Point) (intersects, on bool) {
	if s[0] > e[0] {
		s, e = e, s
	}

	switch p[0] {
	case s[0]:
		if p[1] == s[1] {
			// p == start
			return false, true
		} else if s[0] == e[0] {
			// vertical segment (s -> e)
			// return true if within the line, check to see if start or end is greater.
			if s[1] > e[1] && s[1] >= p[1] && p[1] >= e[1] {
				return false, true
			}

			if e[1] > s[1] && e[1] >= p[1] && p[1] >= s[1] {
				return false, true
			}
		}

		// Move the y coordinate to deal with degenerate case
		p[0] = math.Nextafter(p[0], math.Inf(1))
	case e[0]:
		if p[1] == e[1] {
			// matching the end point
			return false, true
		}

		p[0] = math.Nextafter(p[0], math.Inf(1))
	}

	if p[0] < s[0] || p[0] > e[0] {
		return false, false
	}

	if s[1] > e[1] {
		if p[1] > s[1] {
			return false, false
		} else if p[1] < e[1] {
			return true, false
		}
	} else {
		if p[1] > e[1] {
			return false, false
		} else if p[1] < s[1] {
			return true, false
		}
	}

	rs := (p[1] - s[1]) / (p[0] - s[0])
	ds := (e[1] - s[1]) / (e[0] - s[0])

	if rs == ds {
		return false, true
	}

	return rs <= ds, false
}
