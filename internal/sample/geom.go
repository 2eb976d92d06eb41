package sample

import (
	"math"

	"github.com/matthan/matthan/geo"
)

// Geometry helpers. The generator works in a local plane ("metres east and
// north of the district origin", type vec) and writes WGS84 degrees rounded
// to 6 decimals (type ll, about 0.1 m). Everything that ends up in a file is
// computed from the rounded degrees, so that what a reader recomputes from
// the files agrees with what the generator decided.

const (
	// earthRadiusM is the mean Earth radius docs/design.md prescribes for every
	// distance in the system.
	earthRadiusM = geo.EarthRadius
	// originLat and originLon are the centre of Thị trấn Chợ Gạo, the origin
	// of the local plane.
	originLat = 10.35
	originLon = 106.46
)

// mPerDegLat is the length of one degree of latitude on the sphere.
const mPerDegLat = earthRadiusM * math.Pi / 180

// mPerDegLon returns the length of one degree of longitude at the origin.
func mPerDegLon() float64 { return mPerDegLat * math.Cos(originLat*math.Pi/180) }

// vec is a point or a vector of the local plane, in metres (X east, Y north).
type vec struct{ X, Y float64 }

func (a vec) add(b vec) vec             { return vec{a.X + b.X, a.Y + b.Y} }
func (a vec) sub(b vec) vec             { return vec{a.X - b.X, a.Y - b.Y} }
func (a vec) scale(k float64) vec       { return vec{a.X * k, a.Y * k} }
func (a vec) dot(b vec) float64         { return a.X*b.X + a.Y*b.Y }
func (a vec) cross(b vec) float64       { return a.X*b.Y - a.Y*b.X }
func (a vec) len() float64              { return math.Hypot(a.X, a.Y) }
func (a vec) dist(b vec) float64        { return a.sub(b).len() }
func (a vec) perp() vec                 { return vec{-a.Y, a.X} }
func (a vec) lerp(b vec, t float64) vec { return a.add(b.sub(a).scale(t)) }

// unit returns a scaled to length 1 (or a itself if it is zero).
func (a vec) unit() vec {
	l := a.len()
	if l == 0 {
		return a
	}
	return a.scale(1 / l)
}

// km returns the point x km east and y km north of the origin.
func km(x, y float64) vec { return vec{x * 1000, y * 1000} }

// fromHeading returns the unit vector of a compass heading in degrees
// (0 = north, clockwise).
func fromHeading(deg float64) vec {
	rad := deg * math.Pi / 180
	return vec{math.Sin(rad), math.Cos(rad)}
}

// heading returns the compass heading of v in degrees, in [0, 360).
func heading(v vec) float64 {
	h := math.Atan2(v.X, v.Y) * 180 / math.Pi
	if h < 0 {
		h += 360
	}
	return h
}

// ll is a WGS84 position in degrees.
type ll struct{ Lat, Lon float64 }

// round6 rounds x to 6 decimals, the precision of every coordinate written.
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// toLL converts a plane point to degrees rounded to 6 decimals.
func toLL(v vec) ll {
	return ll{round6(originLat + v.Y/mPerDegLat), round6(originLon + v.X/mPerDegLon())}
}

// toVec converts degrees to the plane.
func toVec(p ll) vec {
	return vec{(p.Lon - originLon) * mPerDegLon(), (p.Lat - originLat) * mPerDegLat}
}

// key returns p in integer micro-degrees, for exact comparisons of rounded
// positions.
func (p ll) key() [2]int64 {
	return [2]int64{int64(math.Round(p.Lat * 1e6)), int64(math.Round(p.Lon * 1e6))}
}

// haversineM returns the great-circle distance between a and b in metres,
// geo's: the one distance of every answer.
func haversineM(a, b ll) float64 { return geo.Distance(a.Lat, a.Lon, b.Lat, b.Lon) }

// bearingDeg returns the initial great-circle bearing from a to b in degrees,
// in [0, 360).
func bearingDeg(a, b ll) float64 {
	const rad = math.Pi / 180
	φ1, φ2 := a.Lat*rad, b.Lat*rad
	dλ := (b.Lon - a.Lon) * rad
	y := math.Sin(dλ) * math.Cos(φ2)
	x := math.Cos(φ1)*math.Sin(φ2) - math.Sin(φ1)*math.Cos(φ2)*math.Cos(dλ)
	h := math.Atan2(y, x) / rad
	if h < 0 {
		h += 360
	}
	return h
}

// segIntersect intersects segments a–b and c–d. It returns the parameters t
// along a–b and u along c–d of the crossing, and false for parallel
// segments or when the crossing lies outside either segment (with a
// tolerance of eps in parameter space).
func segIntersect(a, b, c, d vec, eps float64) (t, u float64, ok bool) {
	r, s := b.sub(a), d.sub(c)
	den := r.cross(s)
	if math.Abs(den) < 1e-12*r.len()*s.len() || den == 0 {
		return 0, 0, false
	}
	ca := c.sub(a)
	t = ca.cross(s) / den
	u = ca.cross(r) / den
	if t < -eps || t > 1+eps || u < -eps || u > 1+eps {
		return 0, 0, false
	}
	return t, u, true
}

// distToSeg returns the distance from p to segment a–b and the parameter of
// the nearest point.
func distToSeg(p, a, b vec) (float64, float64) {
	ab := b.sub(a)
	l2 := ab.dot(ab)
	if l2 == 0 {
		return p.dist(a), 0
	}
	t := math.Max(0, math.Min(1, p.sub(a).dot(ab)/l2))
	return p.dist(a.lerp(b, t)), t
}

// inRing reports whether p is inside the closed or open ring (even–odd
// rule). Points exactly on an edge may go either way.
func inRing(p vec, ring []vec) bool {
	in := false
	n := len(ring)
	for i, j := 0, n-1; i < n; j, i = i, i+1 {
		a, b := ring[i], ring[j]
		if (a.Y > p.Y) != (b.Y > p.Y) && p.X < (b.X-a.X)*(p.Y-a.Y)/(b.Y-a.Y)+a.X {
			in = !in
		}
	}
	return in
}

// inRingLL is inRing on degrees (lon as x, lat as y), the test a reader of
// the GeoJSON files runs.
func inRingLL(p ll, ring []ll) bool {
	in := false
	n := len(ring)
	for i, j := 0, n-1; i < n; j, i = i, i+1 {
		a, b := ring[i], ring[j]
		if (a.Lat > p.Lat) != (b.Lat > p.Lat) && p.Lon < (b.Lon-a.Lon)*(p.Lat-a.Lat)/(b.Lat-a.Lat)+a.Lon {
			in = !in
		}
	}
	return in
}

// distToRing returns the distance from p to the boundary of ring.
func distToRing(p vec, ring []vec) float64 {
	best := math.Inf(1)
	for i := range ring {
		d, _ := distToSeg(p, ring[i], ring[(i+1)%len(ring)])
		best = math.Min(best, d)
	}
	return best
}

// signedArea returns the signed area of ring (positive when counter-
// clockwise). The ring may be closed or open.
func signedArea(ring []vec) float64 {
	s := 0.0
	for i := range ring {
		a, b := ring[i], ring[(i+1)%len(ring)]
		s += a.cross(b)
	}
	return s / 2
}

// ringSimple reports whether the open ring has no two non-adjacent edges
// that touch or cross.
func ringSimple(ring []vec) bool {
	n := len(ring)
	for i := 0; i < n; i++ {
		a, b := ring[i], ring[(i+1)%n]
		for j := i + 2; j < n; j++ {
			if i == 0 && j == n-1 {
				continue // adjacent through the closing vertex
			}
			c, d := ring[j], ring[(j+1)%n]
			if _, _, ok := segIntersect(a, b, c, d, 1e-9); ok {
				return false
			}
		}
	}
	return true
}

// clipHalfPlane clips the convex polygon poly to the half-plane n·p ≤ c
// (Sutherland–Hodgman).
func clipHalfPlane(poly []vec, n vec, c float64) []vec {
	var out []vec
	for i := range poly {
		a, b := poly[i], poly[(i+1)%len(poly)]
		da, db := n.dot(a)-c, n.dot(b)-c
		if da <= 0 {
			out = append(out, a)
		}
		if (da < 0 && db > 0) || (da > 0 && db < 0) {
			out = append(out, a.lerp(b, da/(da-db)))
		}
	}
	return out
}
