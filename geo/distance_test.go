package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/matthan/matthan/camera"
)

func TestDistance(t *testing.T) {
	deg := EarthRadius * math.Pi / 180 // one degree of a great circle
	for _, tc := range []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		want                   float64
	}{
		{"same point", 10.35, 106.46, 10.35, 106.46, 0},
		{"one degree of meridian", 10, 106, 11, 106, deg},
		{"one degree of equator", 0, 106, 0, 107, deg},
		{"pole to equator", 90, 0, 0, 45, EarthRadius * math.Pi / 2},
		{"antipodes", 0, 0, 0, 180, EarthRadius * math.Pi},
		{"across the antimeridian", 0, 179.9995, 0, -179.9995, 0.001 * deg},
		{"across the north pole", 89.999, 0, 89.999, 180, 0.002 * deg},
		{"the two antimeridians", 10, 180, 10, -180, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Distance(tc.lat1, tc.lon1, tc.lat2, tc.lon2)
			if math.Abs(got-tc.want) > 1e-6*math.Max(1, tc.want) {
				t.Errorf("got %v m, want %v m", got, tc.want)
			}
		})
	}
}

func TestBearing(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		want                   float64
	}{
		{"north", 0, 0, 1, 0, 0},
		{"east", 0, 0, 0, 1, 90},
		{"south", 0, 0, -1, 0, 180},
		{"west", 0, 0, 0, -1, 270},
		{"east across the antimeridian", 0, 179.9, 0, -179.9, 90},
		{"west across the antimeridian", 0, -179.9, 0, 179.9, 270},
		{"just west of north wraps to 359.x", 0, 0, 1, -0.001, 359.94271},
		{"same point", 10, 106, 10, 106, 0},
		{"from the south pole everything is north", -90, 0, -89, 30, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Bearing(tc.lat1, tc.lon1, tc.lat2, tc.lon2)
			if math.Abs(got-tc.want) > 1e-3 || got < 0 || got >= 360 {
				t.Errorf("got %v°, want %v°", got, tc.want)
			}
		})
	}
}

func TestDestinationRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		lat := rng.Float64()*179.9 - 89.95
		lon := rng.Float64()*360 - 180
		b := rng.Float64() * 360
		d := rng.Float64() * 5000
		lat2, lon2 := Destination(lat, lon, b, d)
		if lon2 < -180 || lon2 >= 180 {
			t.Fatalf("Destination gave lon %v", lon2)
		}
		if got := Distance(lat, lon, lat2, lon2); math.Abs(got-d) > 1e-6 {
			t.Fatalf("from (%v,%v) %v m at %v°: distance back %v", lat, lon, d, b, got)
		}
		if d > 1 {
			if got := Bearing(lat, lon, lat2, lon2); angleDiff(got, b) > 1e-6 {
				t.Fatalf("from (%v,%v) %v m at %v°: bearing back %v", lat, lon, d, b, got)
			}
		}
	}
}

func TestAngleDiff(t *testing.T) {
	for _, tc := range []struct{ a, b, want float64 }{
		{0, 0, 0}, {359, 1, 2}, {1, 359, 2}, {90, 270, 180}, {10, 350, 20}, {720, 0, 0}, {-10, 10, 20},
	} {
		if got := angleDiff(tc.a, tc.b); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("angleDiff(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestCoversEdges checks the coverage definition at the edges of sectors,
// with points placed by the destination formula.
func TestCoversEdges(t *testing.T) {
	places := []struct {
		name     string
		lat, lon float64
	}{
		{"Chợ Gạo", 10.35, 106.46},
		{"equator", 0, 0},
		{"near the north pole", 89.99, 45},
		{"near the south pole", -89.99, -120},
		{"on the antimeridian", 0, 179.9999},
		{"west of the antimeridian", -12, -179.9999},
	}
	mounts := []struct {
		dir, fov, rng float64
	}{
		{0, 90, 50},     // looking north: the sector wraps across 0/360
		{350, 40, 100},  // wrapping the other way
		{90, 1, 30},     // a narrow beam
		{180, 120, 500}, // wide
		{270, 359, 40},  // all but a sliver behind
		{45, 360, 60},   // all round
	}
	for _, pl := range places {
		for _, m := range mounts {
			cam := &camera.Camera{ID: "C", Lat: pl.lat, Lon: pl.lon, DirectionDeg: m.dir, FOVDeg: m.fov, RangeM: m.rng, Status: camera.StatusActive}
			half := m.fov / 2
			type pt struct {
				what       string
				bearing, d float64
				want       bool
			}
			pts := []pt{
				{"the camera itself", 0, 0, true},
				{"straight ahead at half range", m.dir, m.rng / 2, true},
				{"straight ahead at range", m.dir, m.rng, true},
				{"straight ahead just past range", m.dir, m.rng + 0.01, false},
				{"left edge at range", m.dir - half, m.rng, true},
				{"right edge at range", m.dir + half, m.rng, true},
				{"left edge at 1 m", m.dir - half, 1, true},
				{"right edge at 1 cm", m.dir + half, 0.01, true},
				{"right edge just past range", m.dir + half, m.rng + 0.01, false},
			}
			if m.fov < 360 {
				pts = append(pts,
					pt{"just left of the left edge", m.dir - half - 0.01, m.rng / 2, false},
					pt{"just right of the right edge", m.dir + half + 0.01, m.rng / 2, false},
					pt{"behind", m.dir + 180, m.rng / 2, m.fov >= 360},
				)
			} else {
				pts = append(pts, pt{"behind", m.dir + 180, m.rng, true})
			}
			for _, p := range pts {
				lat, lon := Destination(pl.lat, pl.lon, p.bearing, p.d)
				if got := Covers(cam, lat, lon); got != p.want {
					t.Errorf("%s, camera at %v° fov %v° range %v m: %s (bearing %v, %v m): covered = %v, want %v",
						pl.name, m.dir, m.fov, m.rng, p.what, normBearing(p.bearing), p.d, got, p.want)
				}
			}
		}
	}
}

func TestCoversWrap(t *testing.T) {
	cam := &camera.Camera{Lat: 10, Lon: 106, DirectionDeg: 350, FOVDeg: 40, RangeM: 100}
	for _, tc := range []struct {
		bearing float64
		want    bool
	}{{330, true}, {350, true}, {0, true}, {5, true}, {10, true}, {15, false}, {325, false}, {170, false}} {
		lat, lon := Destination(cam.Lat, cam.Lon, tc.bearing, 50)
		if got := Covers(cam, lat, lon); got != tc.want {
			t.Errorf("bearing %v: covered = %v, want %v", tc.bearing, got, tc.want)
		}
	}
}

func TestSectorPolygon(t *testing.T) {
	for _, tc := range []struct {
		name               string
		lat, lon, dir, fov float64
		wantLen            int
	}{
		{"a 90° sector", 10.35, 106.46, 0, 90, DefaultSectorSegments + 3},
		{"a circle", 10.35, 106.46, 0, 360, DefaultSectorSegments + 1},
		{"across the antimeridian", 0, 179.9999, 90, 60, DefaultSectorSegments + 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Sector(tc.lat, tc.lon, tc.dir, tc.fov, 100, 0)
			r := p[0]
			if len(r) != tc.wantLen {
				t.Fatalf("ring of %d points, want %d", len(r), tc.wantLen)
			}
			if r[0] != r[len(r)-1] {
				t.Fatal("ring not closed")
			}
			if err := ValidatePolygon(p); err != nil && tc.lon < 179 {
				t.Fatalf("sector polygon invalid: %v", err)
			}
			// Counter-clockwise: positive signed area.
			area := 0.0
			for i := 0; i+1 < len(r); i++ {
				area += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
			}
			if area <= 0 {
				t.Errorf("ring is clockwise (area %v)", area)
			}
			for _, q := range r {
				if math.Abs(q[0]-tc.lon) > 1 {
					t.Fatalf("longitude %v jumps away from the camera at %v", q[0], tc.lon)
				}
				if d := Distance(tc.lat, tc.lon, q[1], q[0]); d > 100+1e-6 {
					t.Fatalf("vertex %v is %v m away, beyond the range", q, d)
				}
			}
		})
	}
}
