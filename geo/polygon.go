package geo

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"

	"github.com/matthan/matthan/camera"
)

// MaxPolygonPositions bounds the positions of the polygon of a "cameras
// within" request, so that its validation and the point-in-polygon tests
// of the cameras in its box stay quick. (Commune boundaries have their
// own limit, Limits.PolygonPositions.)
const MaxPolygonPositions = 250_000

// ParsePolygonGeoJSON reads the polygon of a "cameras within" request: a
// bare Polygon or MultiPolygon geometry, a Feature holding one, or a
// FeatureCollection of exactly one such Feature. The geometry is checked
// as ValidatePolygon says, from the raw JSON (so that 3-D positions and
// nulls are seen). Errors are EINVALID *camera.Error values whose field is
// the JSON path at fault, e.g. "features[0].geometry.coordinates[0]".
func ParsePolygonGeoJSON(raw []byte) (orb.Geometry, error) {
	d, err := decodeDoc(raw)
	if err != nil {
		return nil, err
	}
	switch d.Type {
	case "Polygon", "MultiPolygon":
		return decodePolygonal(&rawGeometry{Type: d.Type, Coordinates: d.Coordinates}, "", MaxPolygonPositions)
	case "Feature":
		if d.Geometry == nil {
			return nil, camera.Errorf(camera.EINVALID, "geometry", "must be a Polygon or a MultiPolygon, got null")
		}
		return decodePolygonal(d.Geometry, "geometry", MaxPolygonPositions)
	case "FeatureCollection":
		switch len(d.Features) {
		case 0:
			return nil, camera.Errorf(camera.EINVALID, "features", "must hold one polygon feature, got none")
		case 1:
		default:
			return nil, camera.Errorf(camera.EINVALID, "features", "must hold one polygon feature, got %d features", len(d.Features))
		}
		f := d.Features[0]
		if f.Type != "Feature" {
			return nil, camera.Errorf(camera.EINVALID, "features[0].type", "must be Feature, got %q", f.Type)
		}
		if f.Geometry == nil {
			return nil, camera.Errorf(camera.EINVALID, "features[0].geometry", "must be a Polygon or a MultiPolygon, got null")
		}
		return decodePolygonal(f.Geometry, "features[0].geometry", MaxPolygonPositions)
	case "":
		return nil, camera.Errorf(camera.EINVALID, "type", "is missing: send a GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection")
	}
	return nil, camera.Errorf(camera.EINVALID, "type", "must be Polygon or MultiPolygon (or a Feature of one), got %q", d.Type)
}

// polygon builds and validates a polygon from decoded rings.
func polygon(rings [][][]num, path string) (orb.Polygon, error) {
	if len(rings) == 0 {
		return nil, camera.Errorf(camera.EINVALID, path, "a polygon needs an outer ring")
	}
	p := make(orb.Polygon, len(rings))
	for i, r := range rings {
		rpath := fmt.Sprintf("%s[%d]", path, i)
		ls, err := line(r, rpath)
		if err != nil {
			return nil, err
		}
		if err := checkRing(orb.Ring(ls), rpath); err != nil {
			return nil, err
		}
		p[i] = orb.Ring(ls)
	}
	return p, nil
}

// ValidatePolygon checks a polygon or multipolygon in lon/lat: every ring
// has at least 4 positions, is closed (first position = last), lies in
// range, and does not cross or touch itself (two segments that are not
// neighbours share no point, and neighbours do not fold back onto each
// other). Winding order is not checked (RFC 7946 asks parsers not to), nor
// whether holes lie inside their outer ring. Errors name the ring, e.g.
// "coordinates[1][0]" for the outer ring of the second polygon.
func ValidatePolygon(g orb.Geometry) error {
	check := func(p orb.Polygon, path string) error {
		if len(p) == 0 {
			return camera.Errorf(camera.EINVALID, path, "a polygon needs an outer ring")
		}
		for i, r := range p {
			rpath := fmt.Sprintf("%s[%d]", path, i)
			for j, pt := range r {
				if err := ValidateLatLon(pt[1], pt[0]); err != nil {
					return camera.Errorf(camera.EINVALID, fmt.Sprintf("%s[%d]", rpath, j), "%s", camera.ErrorMessage(err))
				}
			}
			if err := checkRing(r, rpath); err != nil {
				return err
			}
		}
		return nil
	}
	switch t := g.(type) {
	case orb.Polygon:
		return check(t, "coordinates")
	case orb.MultiPolygon:
		if len(t) == 0 {
			return camera.Errorf(camera.EINVALID, "coordinates", "a MultiPolygon needs at least one polygon")
		}
		for i, p := range t {
			if err := check(p, fmt.Sprintf("coordinates[%d]", i)); err != nil {
				return err
			}
		}
		return nil
	}
	return camera.Errorf(camera.EINVALID, "type", "must be Polygon or MultiPolygon, got %T", g)
}

// checkRing checks one ring: closed, at least 4 positions, simple.
func checkRing(r orb.Ring, path string) error {
	if len(r) < 4 {
		return camera.Errorf(camera.EINVALID, path, "a ring needs at least 4 positions, got %d", len(r))
	}
	if r[0] != r[len(r)-1] {
		return camera.Errorf(camera.EINVALID, path, "ring is not closed: the last position must repeat the first")
	}
	// Repeated consecutive positions are harmless; drop them so that no
	// segment has zero length.
	pts := make([]orb.Point, 0, len(r))
	for _, p := range r {
		if len(pts) == 0 || p != pts[len(pts)-1] {
			pts = append(pts, p)
		}
	}
	if len(pts) < 4 {
		return camera.Errorf(camera.EINVALID, path, "ring has fewer than 3 distinct corners")
	}
	i, j, found, checked := crossing(pts)
	if !checked {
		return camera.Errorf(camera.ETOOLARGE, path, "ring is too convoluted to check: its %d segments overlap east to west as no boundary's do (a comb, a star of long spikes)", len(pts)-1)
	}
	if found {
		return camera.Errorf(camera.EINVALID, path, "ring crosses itself: segment %d (%v,%v → %v,%v) meets segment %d (%v,%v → %v,%v)",
			i, pts[i][0], pts[i][1], pts[i+1][0], pts[i+1][1], j, pts[j][0], pts[j][1], pts[j+1][0], pts[j+1][1])
	}
	return nil
}

// Ring checks test each segment against the segments whose east–west
// extent overlaps its own: 2 to 6 of them along a real boundary (5.3 for
// a wavy square of 4,000 positions, 1.8 for the sample district's
// communes). A ring that would need more than ringTestsPerSegment tests a
// segment (and ringTestsFree in all) — a comb whose teeth all span it,
// which took 6 s at 20,000 positions and would take a quarter of an hour
// at 250,000 — is refused instead.
const (
	ringTestsPerSegment = 256
	ringTestsFree       = 1_000_000
)

// crossing looks for two segments of the closed ring pts (no zero-length
// segments) that meet where they should not, by sort and sweep: segments
// ordered by their western end, each tested against the ones whose x
// extent still overlaps. That is near-linear for real boundaries and
// O(n²) at worst: past the budget of tests (see ringTestsPerSegment) it
// gives up, and checked is false.
func crossing(pts []orb.Point) (i, j int, found, checked bool) {
	n := len(pts) - 1 // segments
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	minX := func(i int) float64 { return math.Min(pts[i][0], pts[i+1][0]) }
	maxX := func(i int) float64 { return math.Max(pts[i][0], pts[i+1][0]) }
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(minX(a), minX(b)) })
	budget := ringTestsFree + ringTestsPerSegment*n
	var active []int
	for _, i := range order {
		x0 := minX(i)
		keep := active[:0]
		for _, j := range active {
			if maxX(j) >= x0 {
				keep = append(keep, j)
			}
		}
		active = keep
		if budget -= len(active); budget < 0 {
			return 0, 0, false, false
		}
		for _, j := range active {
			a, b := min(i, j), max(i, j)
			if segmentsClash(pts, a, b, n) {
				return a, b, true, true
			}
		}
		active = append(active, i)
	}
	return 0, 0, false, true
}

// segmentsClash tests segments a < b of a ring of n segments: neighbours
// (b = a+1, or the first and the last) may only share their common
// vertex; others may share nothing.
func segmentsClash(pts []orb.Point, a, b, n int) bool {
	p1, p2 := pts[a], pts[a+1]
	q1, q2 := pts[b], pts[b+1]
	switch {
	case b == a+1: // p2 == q1
		return foldsBack(p1, p2, q2)
	case a == 0 && b == n-1: // q2 == p1
		return foldsBack(q1, p1, p2)
	}
	return segmentsMeet(p1, p2, q1, q2)
}

// foldsBack reports whether the path a → b → c turns straight back, so
// that the two segments overlap along a stretch.
func foldsBack(a, b, c orb.Point) bool {
	if orient(a, b, c) != 0 {
		return false
	}
	return (a[0]-b[0])*(c[0]-b[0])+(a[1]-b[1])*(c[1]-b[1]) > 0
}

// orient returns the sign of the turn a → b → c: +1 left, −1 right, 0
// straight.
func orient(a, b, c orb.Point) int {
	v := (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// onSegment reports whether c, collinear with a–b, lies within its box.
func onSegment(a, b, c orb.Point) bool {
	return math.Min(a[0], b[0]) <= c[0] && c[0] <= math.Max(a[0], b[0]) &&
		math.Min(a[1], b[1]) <= c[1] && c[1] <= math.Max(a[1], b[1])
}

// segmentsMeet reports whether the closed segments p1–p2 and q1–q2 share
// at least one point.
func segmentsMeet(p1, p2, q1, q2 orb.Point) bool {
	if math.Max(p1[1], p2[1]) < math.Min(q1[1], q2[1]) || math.Max(q1[1], q2[1]) < math.Min(p1[1], p2[1]) {
		return false
	}
	d1, d2 := orient(q1, q2, p1), orient(q1, q2, p2)
	d3, d4 := orient(p1, p2, q1), orient(p1, p2, q2)
	if d1*d2 < 0 && d3*d4 < 0 {
		return true // a proper crossing
	}
	// Touching: an end of one lies on the other.
	return (d1 == 0 && onSegment(q1, q2, p1)) || (d2 == 0 && onSegment(q1, q2, p2)) ||
		(d3 == 0 && onSegment(p1, p2, q1)) || (d4 == 0 && onSegment(p1, p2, q2))
}
