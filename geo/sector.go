package geo

import (
	"math"

	"github.com/paulmach/orb"

	"github.com/matthan/matthan/camera"
)

// Tolerances of the coverage test. A point computed to lie exactly on the
// edge of a sector (at range_m, or at direction_deg ± fov_deg/2) comes out
// of floating-point trigonometry a few ulps either side of it; these
// tolerances make such points count as covered, as the definition's "at
// most" and "within" say. They are far below anything a camera can tell
// apart: a micrometre along the range, and on the sides a nano-degree or
// a micrometre sideways, whichever is more (close to the camera a bearing
// carries fewer exact digits).
const (
	coverTolM   = 1e-6
	coverTolDeg = 1e-9
)

// Covers reports whether cam covers the point (lat, lon), by the one
// definition of docs/design.md: the great-circle distance from the camera is at
// most range_m, and the initial bearing from the camera to the point is
// within fov_deg/2 of direction_deg (going the short way round, so a
// camera looking north at 0° with a 90° field of view covers bearings 315°
// to 45°). A camera with fov_deg ≥ 360 covers its whole disc, and the
// camera's own location (distance 0, no bearing) is always covered.
//
// Covers ignores cam.Status: whether a retired camera counts is the
// caller's business (the Index holds active cameras only).
func Covers(cam *camera.Camera, lat, lon float64) bool {
	return SectorCovers(cam.Lat, cam.Lon, cam.DirectionDeg, cam.FOVDeg, cam.RangeM, lat, lon)
}

// SectorCovers is Covers for a camera given by its mount: position
// (camLat, camLon), direction dirDeg, field of view fovDeg and range
// rangeM.
func SectorCovers(camLat, camLon, dirDeg, fovDeg, rangeM, lat, lon float64) bool {
	d := Distance(camLat, camLon, lat, lon)
	return sectorCoversAt(camLat, camLon, dirDeg, fovDeg, rangeM, lat, lon, d)
}

// sectorCoversAt is SectorCovers when the distance d is already known.
func sectorCoversAt(camLat, camLon, dirDeg, fovDeg, rangeM, lat, lon, d float64) bool {
	if d > rangeM+coverTolM {
		return false
	}
	if fovDeg >= 360 || d == 0 {
		return true
	}
	b := Bearing(camLat, camLon, lat, lon)
	return angleDiff(b, dirDeg) <= fovDeg/2+coverTolDeg+coverTolM/d*rad2deg
}

// DefaultSectorSegments is the number of straight segments approximating
// the arc of a field-of-view polygon (and the whole circle of a 360°
// camera): at 32 segments the chord of a 50 m, 90° arc strays 7 cm from
// the arc.
const DefaultSectorSegments = 32

// Sector returns the field of view of a camera as a polygon in lon/lat:
// the apex at the camera, then an arc of segments straight pieces (at
// least 1; 0 means DefaultSectorSegments) from direction + fov/2 back to
// direction − fov/2, each point placed with the spherical destination
// formula at rangeM. A camera with fovDeg ≥ 360 gives a circle around it
// with no apex. The ring is closed and runs counter-clockwise, the
// exterior orientation of RFC 7946.
//
// Longitudes are unwrapped relative to the camera, so the ring of a camera
// at lon 179.9999 goes on past 180 instead of jumping to −180: the polygon
// stays a simple shape for planar tools (GeoJSON viewers accept such
// coordinates; RFC 7946 would split the polygon at the antimeridian).
// Sectors reaching over a pole are not meaningful in lon/lat and come out
// distorted.
func Sector(lat, lon, dirDeg, fovDeg, rangeM float64, segments int) orb.Polygon {
	if segments <= 0 {
		segments = DefaultSectorSegments
	}
	unwrap := func(l float64) float64 {
		switch {
		case l-lon > 180:
			return l - 360
		case l-lon < -180:
			return l + 360
		}
		return l
	}
	if fovDeg >= 360 {
		ring := make(orb.Ring, 0, segments+1)
		for i := range segments {
			// Counter-clockwise: bearings decreasing from north.
			b := 360 - float64(i)*360/float64(segments)
			la, lo := Destination(lat, lon, b, rangeM)
			ring = append(ring, orb.Point{unwrap(lo), la})
		}
		ring = append(ring, ring[0])
		return orb.Polygon{ring}
	}
	ring := make(orb.Ring, 0, segments+3)
	ring = append(ring, orb.Point{lon, lat})
	start := dirDeg + fovDeg/2
	for i := 0; i <= segments; i++ {
		b := start - float64(i)*fovDeg/float64(segments)
		la, lo := Destination(lat, lon, b, rangeM)
		ring = append(ring, orb.Point{unwrap(lo), la})
	}
	ring = append(ring, ring[0])
	return orb.Polygon{ring}
}

// sectorReachDeg returns how far, in degrees of latitude and of longitude,
// a range of rangeM metres reaches from latitude lat: the half-size of a
// box that holds the whole disc. Near the poles the longitude reach is the
// whole circle.
func sectorReachDeg(lat, rangeM float64) (dLat, dLon float64) {
	delta := rangeM / EarthRadius
	dLat = delta * rad2deg
	c := math.Cos(lat * deg2rad)
	s := math.Sin(delta)
	if delta >= math.Pi/2 || s >= c {
		return dLat, 180
	}
	return dLat, math.Asin(s/c) * rad2deg
}
