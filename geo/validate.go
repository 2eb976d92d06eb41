package geo

import (
	"strconv"
	"strings"

	"github.com/matthan/matthan/camera"
)

// Limits on query parameters.
const (
	// MaxRadiusM bounds the radius of Near: 50 km is a district and its
	// neighbours, already thousands of cameras in a city.
	MaxRadiusM = 50_000
	// MaxZoom is the deepest tile zoom served (z 22 is 4 cm a pixel).
	MaxZoom = 22
)

// ValidateLatLon checks a point given in degrees: finite, latitude in
// [-90, 90], longitude in [-180, 180]. The error names lat or lon.
func ValidateLatLon(lat, lon float64) error {
	if !finite(lat) || lat < -90 || lat > 90 {
		return camera.Errorf(camera.EINVALID, "lat", "must be a number from -90 to 90, got %v", lat)
	}
	if !finite(lon) || lon < -180 || lon > 180 {
		return camera.Errorf(camera.EINVALID, "lon", "must be a number from -180 to 180, got %v", lon)
	}
	return nil
}

// ValidateRadius checks the radius of a Near query: more than 0 and at
// most MaxRadiusM metres. The error names radius_m.
func ValidateRadius(radiusM float64) error {
	if !finite(radiusM) || radiusM <= 0 || radiusM > MaxRadiusM {
		return camera.Errorf(camera.EINVALID, "radius_m", "must be more than 0 and at most %d metres, got %v", MaxRadiusM, radiusM)
	}
	return nil
}

// ValidateBBox checks a box: every edge finite and in range, and MinLat ≤
// MaxLat (an upside-down box is an error). MinLon > MaxLon is allowed: it
// is a box crossing the antimeridian (RFC 7946 §5.2). The error names
// bbox.
func ValidateBBox(b BBox) error {
	for _, v := range []struct {
		name     string
		v, limit float64
	}{{"min_lon", b.MinLon, 180}, {"min_lat", b.MinLat, 90}, {"max_lon", b.MaxLon, 180}, {"max_lat", b.MaxLat, 90}} {
		if !finite(v.v) || v.v < -v.limit || v.v > v.limit {
			return camera.Errorf(camera.EINVALID, "bbox", "%s must be a number from %v to %v, got %v", v.name, -v.limit, v.limit, v.v)
		}
	}
	if b.MinLat > b.MaxLat {
		return camera.Errorf(camera.EINVALID, "bbox", "min_lat %v is north of max_lat %v: the order is minLon,minLat,maxLon,maxLat", b.MinLat, b.MaxLat)
	}
	return nil
}

// ParseBBox parses the bbox query parameter, "minLon,minLat,maxLon,maxLat"
// in degrees, and validates it.
func ParseBBox(s string) (BBox, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return BBox{}, camera.Errorf(camera.EINVALID, "bbox", "must be minLon,minLat,maxLon,maxLat, got %d numbers", len(parts))
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return BBox{}, camera.Errorf(camera.EINVALID, "bbox", "%q is not a number", p)
		}
		v[i] = f
	}
	b := BBox{v[0], v[1], v[2], v[3]}
	return b, ValidateBBox(b)
}

// ValidateTile checks tile coordinates: z in 0..MaxZoom, x and y in
// 0..2^z−1. The error names z, x or y.
func ValidateTile(z, x, y int) error {
	if z < 0 || z > MaxZoom {
		return camera.Errorf(camera.EINVALID, "z", "must be from 0 to %d, got %d", MaxZoom, z)
	}
	n := 1 << z
	if x < 0 || x >= n {
		return camera.Errorf(camera.EINVALID, "x", "must be from 0 to %d at zoom %d, got %d", n-1, z, x)
	}
	if y < 0 || y >= n {
		return camera.Errorf(camera.EINVALID, "y", "must be from 0 to %d at zoom %d, got %d", n-1, z, y)
	}
	return nil
}

// Mode is which cameras count for coverage.
type Mode string

// Coverage modes: installed counts every active camera, live only those
// whose current health is up.
const (
	Installed Mode = "installed"
	Live      Mode = "live"
)

// ParseMode parses the mode query parameter; empty means installed. The
// error names mode.
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case "", Installed:
		return Installed, nil
	case Live:
		return Live, nil
	}
	return "", camera.Errorf(camera.EINVALID, "mode", "must be installed or live, got %q", s)
}
