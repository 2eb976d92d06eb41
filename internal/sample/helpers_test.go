package sample_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"testing"

	"github.com/matthan/matthan/internal/sample"
)

// This file holds the readers and the small geometry the tests use. The
// geometry is written again here, on purpose, rather than borrowed from
// the generator: the tests check the files, not the generator's opinion of
// them.

const earthRadiusM = 6371008.8

type pos struct{ lat, lon float64 }

// haversineM is the great-circle distance of docs/design.md.
func haversineM(a, b pos) float64 {
	const rad = math.Pi / 180
	dLat, dLon := (b.lat-a.lat)*rad, (b.lon-a.lon)*rad
	s := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.lat*rad)*math.Cos(b.lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusM * math.Asin(math.Min(1, math.Sqrt(s)))
}

// bearing is the initial bearing from a to b in degrees, [0, 360).
func bearing(a, b pos) float64 {
	const rad = math.Pi / 180
	y := math.Sin((b.lon-a.lon)*rad) * math.Cos(b.lat*rad)
	x := math.Cos(a.lat*rad)*math.Sin(b.lat*rad) - math.Sin(a.lat*rad)*math.Cos(b.lat*rad)*math.Cos((b.lon-a.lon)*rad)
	return math.Mod(math.Atan2(y, x)/rad+360, 360)
}

// angleDiff is the absolute difference of two headings, [0, 180].
func angleDiff(a, b float64) float64 {
	d := math.Mod(math.Abs(a-b), 360)
	if d > 180 {
		d = 360 - d
	}
	return d
}

// covers is the coverage definition of docs/design.md.
func covers(cam pos, dir, fov, rangeM float64, p pos) bool {
	if haversineM(cam, p) > rangeM {
		return false
	}
	return fov >= 360 || angleDiff(bearing(cam, p), dir) <= fov/2
}

// xy projects p to metres around the district centre (good to 0.1 % here).
func xy(p pos) (float64, float64) {
	const rad = math.Pi / 180
	return (p.lon - 106.46) * rad * earthRadiusM * math.Cos(10.35*rad), (p.lat - 10.35) * rad * earthRadiusM
}

// distToSegM is the distance in metres from p to segment a–b, and the
// heading of the segment.
func distToSegM(p, a, b pos) float64 {
	px, py := xy(p)
	ax, ay := xy(a)
	bx, by := xy(b)
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = math.Max(0, math.Min(1, ((px-ax)*dx+(py-ay)*dy)/l2))
	}
	return math.Hypot(px-ax-t*dx, py-ay-t*dy)
}

// inRing is the even–odd point-in-polygon test on [lon, lat] rings.
func inRing(p pos, ring [][2]float64) bool {
	in := false
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		a, b := ring[i], ring[j]
		if (a[1] > p.lat) != (b[1] > p.lat) && p.lon < (b[0]-a[0])*(p.lat-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

// ringArea is the signed shoelace area of a [lon, lat] ring in square
// degrees, positive when counter-clockwise.
func ringArea(ring [][2]float64) float64 {
	s := 0.0
	for i := 0; i+1 < len(ring); i++ {
		s += ring[i][0]*ring[i+1][1] - ring[i+1][0]*ring[i][1]
	}
	return s / 2
}

// segmentsCross reports whether segments p1–p2 and p3–p4 touch or cross.
func segmentsCross(p1, p2, p3, p4 [2]float64) bool {
	d := func(a, b, c [2]float64) float64 { return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0]) }
	d1, d2, d3, d4 := d(p3, p4, p1), d(p3, p4, p2), d(p1, p2, p3), d(p1, p2, p4)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	on := func(a, b, c [2]float64) bool {
		return math.Min(a[0], b[0]) <= c[0] && c[0] <= math.Max(a[0], b[0]) && math.Min(a[1], b[1]) <= c[1] && c[1] <= math.Max(a[1], b[1])
	}
	return (d1 == 0 && on(p3, p4, p1)) || (d2 == 0 && on(p3, p4, p2)) || (d3 == 0 && on(p1, p2, p3)) || (d4 == 0 && on(p1, p2, p4))
}

// is6 reports whether x has at most 6 decimals.
func is6(x float64) bool { return math.Round(x*1e6)/1e6 == x }

// featureCollection is a GeoJSON FeatureCollection with raw coordinates.
type featureCollection struct {
	Type     string `json:"type"`
	Features []struct {
		Type       string         `json:"type"`
		Properties map[string]any `json:"properties"`
		Geometry   struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
	} `json:"features"`
}

func readGeoJSON(t *testing.T, name string, b []byte) featureCollection {
	t.Helper()
	var fc featureCollection
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if fc.Type != "FeatureCollection" {
		t.Fatalf("%s: type %q, want FeatureCollection", name, fc.Type)
	}
	return fc
}

// str returns a string property.
func str(props map[string]any, key string) string {
	s, _ := props[key].(string)
	return s
}

// readCSV reads a CSV file and checks its header; it returns the records
// as maps by column name.
func readCSV(t *testing.T, name string, b []byte, header []string) []map[string]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(recs) == 0 || len(recs[0]) != len(header) {
		t.Fatalf("%s: header %v, want %v", name, recs[0], header)
	}
	for i, h := range header {
		if recs[0][i] != h {
			t.Fatalf("%s: header %v, want %v", name, recs[0], header)
		}
	}
	var out []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range header {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
	return out
}

// commune is one parsed commune polygon.
type commune struct {
	name string
	ring [][2]float64
}

// communes parses communes.geojson.
func communes(t *testing.T) []commune {
	t.Helper()
	fc := readGeoJSON(t, sample.CommunesFile, sample.Communes())
	var out []commune
	for _, f := range fc.Features {
		var rings [][][2]float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &rings); err != nil {
			t.Fatalf("commune %s: %v", str(f.Properties, "name"), err)
		}
		if len(rings) != 1 {
			t.Fatalf("commune %s: %d rings, want 1", str(f.Properties, "name"), len(rings))
		}
		out = append(out, commune{str(f.Properties, "name"), rings[0]})
	}
	return out
}

// communeOf returns the name of the commune containing p, or "".
func communeOf(cs []commune, p pos) string {
	for _, c := range cs {
		if inRing(p, c.ring) {
			return c.name
		}
	}
	return ""
}

// line is one parsed road.
type line struct {
	name, class string
	pts         []pos
}

// roads parses roads.geojson.
func roads(t *testing.T) []line {
	t.Helper()
	fc := readGeoJSON(t, sample.RoadsFile, sample.Roads())
	var out []line
	for _, f := range fc.Features {
		if f.Geometry.Type != "LineString" {
			t.Fatalf("road %s: geometry %s, want LineString", str(f.Properties, "name"), f.Geometry.Type)
		}
		var cs [][2]float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &cs); err != nil {
			t.Fatal(err)
		}
		l := line{name: str(f.Properties, "name"), class: str(f.Properties, "road_class")}
		for _, c := range cs {
			l.pts = append(l.pts, pos{c[1], c[0]})
		}
		out = append(out, l)
	}
	return out
}

// distTo returns the distance in metres from p to the road, and the
// heading of the nearest segment.
func (l line) distTo(p pos) (float64, float64) {
	best, head := math.Inf(1), 0.0
	for i := 0; i+1 < len(l.pts); i++ {
		if d := distToSegM(p, l.pts[i], l.pts[i+1]); d < best {
			best, head = d, bearing(l.pts[i], l.pts[i+1])
		}
	}
	return best, head
}

// junction is one parsed intersection.
type junction struct {
	id, name, class, commune string
	legs                     int
	roads                    []string
	at                       pos
}

// intersections parses intersections.geojson.
func intersections(t *testing.T) []junction {
	t.Helper()
	fc := readGeoJSON(t, sample.IntersectionsFile, sample.Intersections())
	var out []junction
	for _, f := range fc.Features {
		if f.Geometry.Type != "Point" {
			t.Fatalf("intersection %s: geometry %s, want Point", str(f.Properties, "id"), f.Geometry.Type)
		}
		var c [2]float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &c); err != nil {
			t.Fatal(err)
		}
		j := junction{id: str(f.Properties, "id"), name: str(f.Properties, "name"), class: str(f.Properties, "road_class"),
			commune: str(f.Properties, "commune"), at: pos{c[1], c[0]}}
		if legs, ok := f.Properties["legs"].(float64); ok {
			j.legs = int(legs)
		}
		if rs, ok := f.Properties["roads"].([]any); ok {
			for _, r := range rs {
				s, _ := r.(string)
				j.roads = append(j.roads, s)
			}
		}
		out = append(out, j)
	}
	return out
}

// classRank orders road classes, national first.
func classRank(c string) int {
	for i, x := range []string{"national", "provincial", "district", "commune", "urban", "other"} {
		if x == c {
			return i
		}
	}
	return -1
}
