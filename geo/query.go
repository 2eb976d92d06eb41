package geo

import (
	"cmp"
	"math"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/matthan/matthan/camera"
)

// Hit is a camera as the index holds it: what map queries answer.
type Hit struct {
	ID           string             `json:"id"`
	Lat          float64            `json:"lat"`
	Lon          float64            `json:"lon"`
	Commune      string             `json:"commune"`
	RoadClass    camera.RoadClass   `json:"road_class"`
	DirectionDeg float64            `json:"direction_deg"`
	FOVDeg       float64            `json:"fov_deg"`
	RangeM       float64            `json:"range_m"`
	State        camera.HealthState `json:"state"`
}

// NearHit is a camera and its great-circle distance in metres: from the
// query point for Near and Nearest, from the camera to the point for
// Seeing (the same number, up to rounding).
type NearHit struct {
	Hit
	DistanceM float64 `json:"distance_m"`
}

// HitOf returns the Hit of a camera the caller holds (from the registry,
// say), with the given state, for the GeoJSON and tile builders.
func HitOf(cam *camera.Camera, state camera.HealthState) Hit {
	class := cam.RoadClass
	if class == "" {
		class = camera.RoadOther
	}
	return Hit{
		ID: cam.ID, Lat: cam.Lat, Lon: cam.Lon, Commune: cam.Commune, RoadClass: class,
		DirectionDeg: cam.DirectionDeg, FOVDeg: cam.FOVDeg, RangeM: cam.RangeM, State: state,
	}
}

func (x *Index) hit(slot uint32) Hit {
	e := &x.ents[slot]
	return Hit{
		ID: x.ids[slot], Lat: e.lat, Lon: e.lon,
		Commune:      x.names.name(e.commune),
		RoadClass:    camera.RoadClasses[e.class],
		DirectionDeg: e.dir, FOVDeg: e.fov, RangeM: e.rng,
		State: camera.HealthStates[e.state],
	}
}

// scan calls fn with every slot filed in the cells of s — or with every
// camera when the span has more cells than there are occupied cells (a
// country-wide box, a circle around a pole, the last rounds of Nearest),
// where one sequential pass is cheaper than looking cells up.
func (x *Index) scan(s *span, fn func(slot uint32)) {
	if x.g.cellCount(s) > len(x.cells) {
		for slot, id := range x.ids {
			if id != "" {
				fn(uint32(slot))
			}
		}
		return
	}
	x.g.eachCell(s, func(k uint64) {
		for _, slot := range x.cells[k] {
			fn(slot)
		}
	})
}

// cand is a camera found by a distance query.
type cand struct {
	slot uint32
	d    float64
}

// around returns the cameras passing m within radiusM metres of (lat,
// lon), with their distances, in no order. The caller holds the read lock.
func (x *Index) around(lat, lon, radiusM float64, m *matcher, out []cand) []cand {
	phi := lat * deg2rad
	cphi := math.Cos(phi)
	hmax := hOf(radiusM)
	s := x.g.circleSpan(lat, lon, radiusM)
	dLat, dLon := sectorReachDeg(lat, radiusM)
	dLat += slop
	dLon += slop
	x.scan(&s, func(slot uint32) {
		e := &x.ents[slot]
		// A box test first: most cameras of the cells scanned are
		// outside the circle's bounding box, and it costs no
		// trigonometry.
		if math.Abs(e.lat-lat) > dLat {
			return
		}
		if !s.all {
			dl := e.lon - lon
			if dl > 180 {
				dl -= 360
			} else if dl < -180 {
				dl += 360
			}
			if math.Abs(dl) > dLon {
				return
			}
		}
		h := haversineH(phi, cphi, lon, e.lat, e.lon)
		if h > hmax {
			return
		}
		d := hDist(h)
		if d > radiusM || (m != nil && !m.ok(e)) {
			return
		}
		out = append(out, cand{slot, d})
	})
	return out
}

// byDistance orders candidates by distance, then id.
func (x *Index) byDistance(a, b cand) int {
	if c := cmp.Compare(a.d, b.d); c != 0 {
		return c
	}
	return strings.Compare(x.ids[a.slot], x.ids[b.slot])
}

func (x *Index) nearHits(cs []cand) []NearHit {
	out := make([]NearHit, len(cs))
	for i, c := range cs {
		out[i] = NearHit{Hit: x.hit(c.slot), DistanceM: c.d}
	}
	return out
}

// Near returns the cameras passing f within radiusM metres (great-circle)
// of (lat, lon), nearest first (ties by id), at most limit of them (limit ≤
// 0: all). radiusM must be more than 0 and at most MaxRadiusM. Errors are
// EINVALID *camera.Error values naming lat, lon, radius_m, road_class or
// state.
func (x *Index) Near(lat, lon, radiusM float64, f Filter, limit int) ([]NearHit, error) {
	if err := ValidateLatLon(lat, lon); err != nil {
		return nil, err
	}
	if err := ValidateRadius(radiusM); err != nil {
		return nil, err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	m, err := compile(f, &x.names)
	if err != nil {
		return nil, err
	}
	cs := x.around(lat, lon, radiusM, m, nil)
	return x.nearHits(smallest(cs, limit, x.byDistance)), nil
}

// Nearest returns the k cameras passing f nearest to (lat, lon), nearest
// first (ties by id), however far they are; fewer when fewer pass. It
// searches circles of growing radius, so its cost follows the distance to
// the k-th camera.
func (x *Index) Nearest(lat, lon float64, k int, f Filter) ([]NearHit, error) {
	if err := ValidateLatLon(lat, lon); err != nil {
		return nil, err
	}
	if k < 1 {
		return nil, camera.Errorf(camera.EINVALID, "k", "must be at least 1, got %d", k)
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	m, err := compile(f, &x.names)
	if err != nil {
		return nil, err
	}
	return x.nearHits(x.nearest(lat, lon, k, m)), nil
}

// nearest is Nearest under the read lock. Every camera within r is found,
// so once k are, the k nearest of them are the k nearest of all.
func (x *Index) nearest(lat, lon float64, k int, m *matcher) []cand {
	const whole = math.Pi * EarthRadius // half the circumference: every point
	// Start with about one grid cell: in a country of a million cameras
	// that finds the nearest in one round.
	r := 1000.0
	if len(x.byID) <= k {
		r = whole
	}
	var cs []cand
	for {
		cs = x.around(lat, lon, r, m, cs[:0])
		if len(cs) >= k || r >= whole {
			break
		}
		r = math.Min(r*4, whole)
	}
	return smallest(cs, k, x.byDistance)
}

// BBox is a box in degrees. MinLon > MaxLon is a box crossing the
// antimeridian, as in RFC 7946 §5.2: lon 170 to −170 is the 20° around
// 180. MinLat > MaxLat is an error (see ValidateBBox).
type BBox struct {
	MinLon float64 `json:"min_lon"`
	MinLat float64 `json:"min_lat"`
	MaxLon float64 `json:"max_lon"`
	MaxLat float64 `json:"max_lat"`
}

// Contains reports whether the box holds the point, edges included
// (longitudes 180 and −180 are the same meridian).
func (b BBox) Contains(lat, lon float64) bool {
	if lat < b.MinLat || lat > b.MaxLat {
		return false
	}
	if b.lonIn(lon) {
		return true
	}
	switch lon {
	case 180:
		return b.lonIn(-180)
	case -180:
		return b.lonIn(180)
	}
	return false
}

func (b BBox) lonIn(lon float64) bool {
	if b.MinLon <= b.MaxLon {
		return lon >= b.MinLon && lon <= b.MaxLon
	}
	return lon >= b.MinLon || lon <= b.MaxLon
}

func (x *Index) cmpID(a, b uint32) int { return strings.Compare(x.ids[a], x.ids[b]) }

// inBox returns the slots of the cameras in b passing m and sorting after
// after; the caller holds the read lock.
func (x *Index) inBox(b BBox, m *matcher, after string, out []uint32) []uint32 {
	s := x.g.boxSpan(b.MinLat, b.MaxLat, b.MinLon, b.MaxLon)
	x.scan(&s, func(slot uint32) {
		e := &x.ents[slot]
		if b.Contains(e.lat, e.lon) && m.ok(e) && (after == "" || x.ids[slot] > after) {
			out = append(out, slot)
		}
	})
	return out
}

func (x *Index) hits(slots []uint32) []Hit {
	out := make([]Hit, len(slots))
	for i, s := range slots {
		out[i] = x.hit(s)
	}
	return out
}

// Within returns the cameras passing f inside the box b (edges included),
// ordered by id, at most limit of them (limit ≤ 0: all); f.AfterID pages
// through them.
func (x *Index) Within(b BBox, f Filter, limit int) ([]Hit, error) {
	if err := ValidateBBox(b); err != nil {
		return nil, err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	m, err := compile(f, &x.names)
	if err != nil {
		return nil, err
	}
	slots := x.inBox(b, m, f.AfterID, nil)
	return x.hits(smallest(slots, limit, x.cmpID)), nil
}

// InPolygon returns the cameras passing f inside g, an orb.Polygon or
// orb.MultiPolygon in lon/lat (as ParsePolygonGeoJSON returns), ordered by
// id, at most limit of them (limit ≤ 0: all); f.AfterID pages through them.
// Edges are straight lines in lon/lat, as GeoJSON has them, so a polygon
// cannot cross the antimeridian (RFC 7946 §3.1.9: cut it in two and send a
// MultiPolygon). A point on the outer boundary is inside; a point on the
// boundary of a hole is outside (orb/planar's rule).
func (x *Index) InPolygon(g orb.Geometry, f Filter, limit int) ([]Hit, error) {
	var polys []orb.Polygon
	switch t := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{t}
	case orb.MultiPolygon:
		polys = t
	default:
		return nil, camera.Errorf(camera.EINVALID, "geometry", "must be a Polygon or a MultiPolygon, got %T", g)
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	m, err := compile(f, &x.names)
	if err != nil {
		return nil, err
	}
	var slots []uint32
	seen := map[uint32]bool{}
	for _, p := range polys {
		if len(p) == 0 || len(p[0]) == 0 {
			continue
		}
		bd := p.Bound()
		box := BBox{bd.Min[0], bd.Min[1], bd.Max[0], bd.Max[1]}
		for _, slot := range x.inBox(box, m, f.AfterID, nil) {
			e := &x.ents[slot]
			if !seen[slot] && planar.PolygonContains(p, orb.Point{e.lon, e.lat}) {
				seen[slot] = true
				slots = append(slots, slot)
			}
		}
	}
	return x.hits(smallest(slots, limit, x.cmpID)), nil
}

// Seeing returns the cameras passing f whose field of view covers (lat,
// lon) — by Covers, the one definition — nearest first, with their
// distance from the camera. It looks as far as the longest range in the
// index. The states are the current ones; the caller replaces them with
// the states at the time asked about.
func (x *Index) Seeing(lat, lon float64, f Filter) ([]NearHit, error) {
	if err := ValidateLatLon(lat, lon); err != nil {
		return nil, err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	m, err := compile(f, &x.names)
	if err != nil {
		return nil, err
	}
	return x.nearHits(smallest(x.seeing(lat, lon, m), 0, x.byDistance)), nil
}

// seeing returns the cameras passing m (nil: all) covering the point, with
// the distance measured from the camera, in no order.
func (x *Index) seeing(lat, lon float64, m *matcher) []cand {
	r := x.ranges.max()
	if r == 0 {
		return nil
	}
	// Pad the search: around measures from the point, Covers from the
	// camera, and the two may differ in the last bits.
	cs := x.around(lat, lon, r+1, m, nil)
	out := cs[:0]
	for _, c := range cs {
		e := &x.ents[c.slot]
		d := Distance(e.lat, e.lon, lat, lon)
		if sectorCoversAt(e.lat, e.lon, e.dir, e.fov, e.rng, lat, lon, d) {
			out = append(out, cand{c.slot, d})
		}
	}
	return out
}
