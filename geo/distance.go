package geo

import "math"

// EarthRadius is the radius in metres of the sphere every distance in
// Mắt Thần is measured on: the mean Earth radius (IUGG R1). PostGIS gives
// the same figures with use_spheroid = false. orb/geo uses the equatorial
// radius (6,378,137 m, 0.1 % longer), which is why this package does not
// use its distance helpers.
const EarthRadius = 6371008.8

const (
	deg2rad = math.Pi / 180
	rad2deg = 180 / math.Pi
)

// Distance returns the great-circle distance in metres between two points
// given in degrees, by the haversine formula, which stays accurate for the
// short distances (metres) that coverage is about.
func Distance(lat1, lon1, lat2, lon2 float64) float64 {
	return hDist(haversineH(lat1*deg2rad, math.Cos(lat1*deg2rad), lon1, lat2, lon2))
}

// haversineH returns the haversine of the central angle between two points:
// h = sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2). Comparing h with a threshold
// avoids the asin and sqrt for candidates that are rejected; phi1 and
// cosPhi1 are passed in so that a query point's trigonometry is computed
// once.
func haversineH(phi1, cosPhi1, lon1, lat2, lon2 float64) float64 {
	phi2 := lat2 * deg2rad
	s1 := math.Sin((phi2 - phi1) / 2)
	s2 := math.Sin((lon2 - lon1) * deg2rad / 2)
	return s1*s1 + cosPhi1*math.Cos(phi2)*s2*s2
}

// hDist turns a haversine h into metres.
func hDist(h float64) float64 {
	if h > 1 {
		h = 1 // rounding near the antipode
	}
	return 2 * EarthRadius * math.Asin(math.Sqrt(h))
}

// hOf is the inverse of hDist: the haversine of a distance in metres, used
// as a rejection threshold. It is padded by a relative 1e-9 so that rounding
// never rejects a point the exact distance test would accept; candidates
// that pass are then measured exactly.
func hOf(distM float64) float64 {
	if distM >= math.Pi*EarthRadius {
		return 1 + 1e-9
	}
	s := math.Sin(distM / EarthRadius / 2)
	return s*s*(1+1e-9) + 1e-18
}

// Bearing returns the initial bearing in degrees, in [0, 360), of the
// great circle from point 1 to point 2: 0 is north, 90 east. The bearing
// between identical points is 0. At a pole every direction is south (or
// north); the formula then follows the meridian of the other point.
func Bearing(lat1, lon1, lat2, lon2 float64) float64 {
	phi1, phi2 := lat1*deg2rad, lat2*deg2rad
	dl := (lon2 - lon1) * deg2rad
	y := math.Sin(dl) * math.Cos(phi2)
	x := math.Cos(phi1)*math.Sin(phi2) - math.Sin(phi1)*math.Cos(phi2)*math.Cos(dl)
	return normBearing(math.Atan2(y, x) * rad2deg)
}

// normBearing maps any angle in degrees into [0, 360).
func normBearing(b float64) float64 {
	b = math.Mod(b, 360)
	if b < 0 {
		b += 360
	}
	if b >= 360 { // -1e-17 + 360 rounds to 360
		b = 0
	}
	return b
}

// angleDiff returns the absolute difference between two bearings, in
// [0, 180], going the short way round (so 359 and 1 are 2 apart).
func angleDiff(a, b float64) float64 {
	d := math.Abs(math.Mod(a-b, 360))
	if d > 180 {
		d = 360 - d
	}
	return d
}

// Destination returns the point reached from (lat, lon) by travelling
// distM metres along the great circle leaving at the initial bearing
// bearingDeg. The longitude is normalised into [-180, 180).
//
// It works with the unit vector of the destination in the frame of the
// start (up, north, east) and takes both angles with atan2, which keeps
// full precision near the poles where the textbook asin form loses
// micrometres.
func Destination(lat, lon, bearingDeg, distM float64) (lat2, lon2 float64) {
	sinPhi, cosPhi := math.Sincos(lat * deg2rad)
	sinT, cosT := math.Sincos(bearingDeg * deg2rad)
	sinD, cosD := math.Sincos(distM / EarthRadius)
	x := cosD*cosPhi - sinD*cosT*sinPhi // towards the start's meridian at the equator
	y := sinD * sinT                    // east
	z := cosD*sinPhi + sinD*cosT*cosPhi // towards the north pole
	lat2 = math.Atan2(z, math.Hypot(x, y)) * rad2deg
	return lat2, normLon(lon + math.Atan2(y, x)*rad2deg)
}

// normLon maps a longitude into [-180, 180).
func normLon(lon float64) float64 {
	lon = math.Mod(lon+180, 360)
	if lon < 0 {
		lon += 360
	}
	return lon - 180
}

// metresToDegLat converts a north–south distance into degrees of latitude.
func metresToDegLat(m float64) float64 { return m / EarthRadius * rad2deg }
