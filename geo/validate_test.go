package geo

import (
	"testing"

	"github.com/paulmach/orb"
)

func TestParsePolygonGeoJSON(t *testing.T) {
	const square = `[[106.4,10.3],[106.5,10.3],[106.5,10.4],[106.4,10.4],[106.4,10.3]]`
	const hole = `[[106.42,10.32],[106.44,10.32],[106.44,10.34],[106.42,10.32]]`
	for _, tc := range []struct {
		name  string
		in    string
		field string // "" = valid
		rings int
	}{
		{"bare polygon", `{"type":"Polygon","coordinates":[` + square + `]}`, "", 1},
		{"polygon with a hole", `{"type":"Polygon","coordinates":[` + square + `,` + hole + `]}`, "", 2},
		{"multipolygon", `{"type":"MultiPolygon","coordinates":[[` + square + `],[[[0,0],[1,0],[1,1],[0,0]]]]}`, "", 1},
		{"feature", `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[` + square + `]}}`, "", 1},
		{"collection of one", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[` + square + `]}}]}`, "", 1},
		{"repeated vertices are fine", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,0],[1,1],[0,0]]]}`, "", 1},

		{"not JSON", `{"type":`, "body", 0},
		{"no type", `{"coordinates":[]}`, "type", 0},
		{"a point", `{"type":"Point","coordinates":[1,2]}`, "type", 0},
		{"a line string feature", `{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]}}`, "geometry.type", 0},
		{"a geometry collection", `{"type":"GeometryCollection","geometries":[]}`, "type", 0},
		{"a feature without geometry", `{"type":"Feature","geometry":null}`, "geometry", 0},
		{"empty collection", `{"type":"FeatureCollection","features":[]}`, "features", 0},
		{"two features", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[` + square + `]}},{"type":"Feature","geometry":{"type":"Polygon","coordinates":[` + square + `]}}]}`, "features", 0},
		{"point in a collection", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}]}`, "features[0].geometry.type", 0},
		{"no rings", `{"type":"Polygon","coordinates":[]}`, "coordinates", 0},
		{"no coordinates", `{"type":"Polygon"}`, "coordinates", 0},
		{"unclosed", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}`, "coordinates[0]", 0},
		{"three positions", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`, "coordinates[0]", 0},
		{"bow-tie", `{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}`, "coordinates[0]", 0},
		{"bow-tie hole", `{"type":"Polygon","coordinates":[` + square + `,[[106.42,10.32],[106.44,10.34],[106.44,10.32],[106.42,10.34],[106.42,10.32]]]}`, "coordinates[1]", 0},
		{"figure eight touching at a vertex", `{"type":"Polygon","coordinates":[[[0,0],[1,1],[2,0],[2,2],[1,1],[0,2],[0,0]]]}`, "coordinates[0]", 0},
		{"a vertex touching an edge", `{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[2,0.0],[0,4],[0,0]]]}`, "coordinates[0]", 0},
		{"a spike folding back", `{"type":"Polygon","coordinates":[[[0,0],[2,0],[1,0],[1,1],[0,0]]]}`, "coordinates[0]", 0},
		{"flat", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[2,0],[0,0]]]}`, "coordinates[0]", 0},
		{"3-D", `{"type":"Polygon","coordinates":[[[0,0,5],[1,0,5],[1,1,5],[0,0,5]]]}`, "coordinates[0][0]", 0},
		{"3-D deep in a feature", `{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[` + square + `],[[[0,0],[1,0],[1,1,3],[0,0]]]]}}`, "geometry.coordinates[1][0][2]", 0},
		{"one number", `{"type":"Polygon","coordinates":[[[0],[1,0],[1,1],[0,0]]]}`, "coordinates[0][0]", 0},
		{"null coordinate", `{"type":"Polygon","coordinates":[[[0,null],[1,0],[1,1],[0,0]]]}`, "coordinates", 0},
		{"string coordinate", `{"type":"Polygon","coordinates":[[["0","0"],[1,0],[1,1],[0,0]]]}`, "coordinates", 0},
		{"wrong nesting", `{"type":"Polygon","coordinates":[[0,0],[1,0],[1,1],[0,0]]}`, "coordinates", 0},
		{"latitude out of range", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,91],[0,0]]]}`, "coordinates[0][2]", 0},
		{"longitude out of range", `{"type":"Polygon","coordinates":[[[0,0],[181,0],[1,1],[0,0]]]}`, "coordinates[0][1]", 0},
		{"empty multipolygon", `{"type":"MultiPolygon","coordinates":[]}`, "coordinates", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := ParsePolygonGeoJSON([]byte(tc.in))
			if tc.field == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				var p orb.Polygon
				switch v := g.(type) {
				case orb.Polygon:
					p = v
				case orb.MultiPolygon:
					p = v[0]
				default:
					t.Fatalf("got %T", g)
				}
				if len(p) != tc.rings {
					t.Errorf("%d rings, want %d", len(p), tc.rings)
				}
				if err := ValidatePolygon(g); err != nil {
					t.Errorf("ValidatePolygon: %v", err)
				}
				return
			}
			if got := errField(t, err); got != tc.field {
				t.Errorf("field %q, want %q (%v)", got, tc.field, err)
			}
		})
	}
}

func TestValidatePolygon(t *testing.T) {
	sq := orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}
	for _, tc := range []struct {
		name  string
		g     orb.Geometry
		field string
	}{
		{"square", orb.Polygon{sq}, ""},
		{"multi", orb.MultiPolygon{{sq}, {sq}}, ""},
		{"line", orb.LineString{{0, 0}, {1, 1}}, "type"},
		{"empty", orb.Polygon{}, "coordinates"},
		{"empty multi", orb.MultiPolygon{}, "coordinates"},
		{"unclosed in multi", orb.MultiPolygon{{sq}, {sq[:4]}}, "coordinates[1][0]"},
		{"out of range", orb.Polygon{{{0, 0}, {200, 0}, {1, 1}, {0, 0}}}, "coordinates[0][1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidatePolygon(tc.g)
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if got := errField(t, err); got != tc.field {
				t.Errorf("field %q, want %q (%v)", got, tc.field, err)
			}
		})
	}
}

func TestParseBBox(t *testing.T) {
	for _, tc := range []struct {
		in    string
		want  BBox
		field string
	}{
		{"106.4,10.3,106.5,10.4", BBox{106.4, 10.3, 106.5, 10.4}, ""},
		{" 170, -10 , -170, 10", BBox{170, -10, -170, 10}, ""}, // across the antimeridian
		{"0,0,0,0", BBox{}, ""},
		{"106.4,10.4,106.5,10.3", BBox{}, "bbox"}, // upside down
		{"1,2,3", BBox{}, "bbox"},
		{"a,2,3,4", BBox{}, "bbox"},
		{"0,0,181,1", BBox{}, "bbox"},
		{"0,-91,1,1", BBox{}, "bbox"},
		{"NaN,0,1,1", BBox{}, "bbox"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			b, err := ParseBBox(tc.in)
			if tc.field == "" {
				if err != nil || b != tc.want {
					t.Fatalf("got %v, %v; want %v", b, err, tc.want)
				}
				return
			}
			if got := errField(t, err); got != tc.field {
				t.Errorf("field %q, want %q", got, tc.field)
			}
		})
	}
}

func TestValidateTile(t *testing.T) {
	for _, tc := range []struct {
		z, x, y int
		field   string
	}{
		{0, 0, 0, ""},
		{1, 1, 1, ""},
		{22, 1<<22 - 1, 0, ""},
		{14, 13_037, 7_636, ""},
		{-1, 0, 0, "z"},
		{23, 0, 0, "z"},
		{0, 1, 0, "x"},
		{0, 0, 1, "y"},
		{3, -1, 0, "x"},
		{3, 0, 8, "y"},
	} {
		err := ValidateTile(tc.z, tc.x, tc.y)
		if tc.field == "" {
			if err != nil {
				t.Errorf("%d/%d/%d: %v", tc.z, tc.x, tc.y, err)
			}
			continue
		}
		if got := errField(t, err); got != tc.field {
			t.Errorf("%d/%d/%d: field %q, want %q", tc.z, tc.x, tc.y, got, tc.field)
		}
	}
}

func TestValidateRadiusAndLatLon(t *testing.T) {
	if err := ValidateRadius(50_000); err != nil {
		t.Errorf("50 km: %v", err)
	}
	if err := ValidateLatLon(-90, 180); err != nil {
		t.Errorf("corner: %v", err)
	}
	if m, err := ParseMode(""); m != Installed || err != nil {
		t.Errorf("ParseMode(\"\") = %v, %v", m, err)
	}
	if _, err := ParseMode("LIVE"); errField(t, err) != "mode" {
		t.Errorf("ParseMode(LIVE): %v", err)
	}
}
