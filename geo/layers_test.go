package geo

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
)

func TestParseIntersections(t *testing.T) {
	good := `{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"id":"INT-1","name":"Ngã tư Chợ Gạo","road_class":"national","commune":"Thị trấn Chợ Gạo","legs":4,"roads":["Quốc lộ 50","Đường tỉnh 879"]},"geometry":{"type":"Point","coordinates":[106.46,10.35]}},
		{"type":"Feature","id":"node/123","properties":{"name":"Ngã ba"},"geometry":{"type":"Point","coordinates":[106.47,10.36]}},
		{"type":"Feature","id":4567,"properties":{"road_class":null},"geometry":{"type":"Point","coordinates":[106.48,10.37]}},
		{"type":"Feature","properties":{"id":"INT-5","roads":"Quốc lộ 50; Đường tỉnh 879 ;"},"geometry":{"type":"Point","coordinates":[106.49,10.38]}}]}`
	items, err := ParseIntersections([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	want := []Intersection{
		{ID: "INT-1", Name: "Ngã tư Chợ Gạo", Lat: 10.35, Lon: 106.46, RoadClass: camera.RoadNational, Commune: "Thị trấn Chợ Gạo", Legs: 4, Roads: []string{"Quốc lộ 50", "Đường tỉnh 879"}},
		{ID: "osm-node-123", Name: "Ngã ba", Lat: 10.36, Lon: 106.47, RoadClass: camera.RoadOther},
		{ID: "4567", Lat: 10.37, Lon: 106.48, RoadClass: camera.RoadOther},
		// roads as one text, as a gap's GeoJSON writes them.
		{ID: "INT-5", Lat: 10.38, Lon: 106.49, RoadClass: camera.RoadOther, Roads: []string{"Quốc lộ 50", "Đường tỉnh 879"}},
	}
	for i := range want {
		g, w := items[i], want[i]
		if g.ID != w.ID || g.Name != w.Name || g.Lat != w.Lat || g.Lon != w.Lon || g.RoadClass != w.RoadClass || g.Commune != w.Commune || g.Legs != w.Legs || !slices.Equal(g.Roads, w.Roads) {
			t.Errorf("[%d] got %+v, want %+v", i, g, w)
		}
	}
}

func TestParseIntersectionsErrors(t *testing.T) {
	pt := func(props string) string {
		return `{"type":"Feature","properties":` + props + `,"geometry":{"type":"Point","coordinates":[106.46,10.35]}}`
	}
	fc := func(fs ...string) string {
		return `{"type":"FeatureCollection","features":[` + strings.Join(fs, ",") + `]}`
	}
	for _, tc := range []struct {
		name, in, field string
	}{
		{"not a collection", pt(`{"id":"a"}`), "type"},
		{"not JSON", `[1,2`, "body"},
		{"empty", fc(), "features"},
		{"no id", fc(pt(`{"id":"a"}`), pt(`{"name":"x"}`)), "features[1].properties.id"},
		{"duplicate id", fc(pt(`{"id":"a"}`), pt(`{"id":"a"}`)), "features[1].properties.id"},
		{"bad road class", fc(pt(`{"id":"a","road_class":"highway"}`)), "features[0].properties.road_class"},
		{"name not a string", fc(pt(`{"id":"a","name":{"vi":"x"}}`)), "features[0].properties.name"},
		{"legs negative", fc(pt(`{"id":"a","legs":-3}`)), "features[0].properties.legs"},
		{"roads not strings", fc(pt(`{"id":"a","roads":[1,2]}`)), "features[0].properties.roads"},
		{"a polygon", fc(`{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Polygon","coordinates":[]}}`), "features[0].geometry.type"},
		{"no geometry", fc(`{"type":"Feature","properties":{"id":"a"},"geometry":null}`), "features[0].geometry"},
		{"3-D point", fc(`{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Point","coordinates":[106,10,3]}}`), "features[0].geometry.coordinates"},
		{"point out of range", fc(`{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Point","coordinates":[106,100]}}`), "features[0].geometry.coordinates"},
		{"not a feature", fc(`{"type":"Point","coordinates":[1,2]}`), "features[0].type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseIntersections([]byte(tc.in))
			if got := errField(t, err); got != tc.field {
				t.Errorf("field %q, want %q (%v)", got, tc.field, err)
			}
		})
	}
}

func TestReadIntersections(t *testing.T) {
	roads := `{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"name":"Quốc lộ 50","road_class":"national"},"geometry":{"type":"LineString","coordinates":[[106.45,10.35],[106.47,10.35]]}},
		{"type":"Feature","properties":{"name":"Đường tỉnh 879","road_class":"provincial"},"geometry":{"type":"MultiLineString","coordinates":[[[106.46,10.34],[106.46,10.36]]]}}]}`
	items, err := ReadIntersections(context.Background(), []byte(roads), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Name != "Ngã tư Quốc lộ 50 – Đường tỉnh 879" || items[0].RoadClass != camera.RoadNational {
		t.Fatalf("got %+v", items)
	}
	mixed := `{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Point","coordinates":[106.45,10.35]}},
		{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"LineString","coordinates":[[106.45,10.35],[106.47,10.35]]}}]}`
	if _, err := ReadIntersections(context.Background(), []byte(mixed), Limits{}); errField(t, err) != "features[1].geometry.type" {
		t.Errorf("mixed: %v", err)
	}
	points := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Point","coordinates":[106.45,10.35]}}]}`
	if items, err := ReadIntersections(context.Background(), []byte(points), Limits{}); err != nil || len(items) != 1 || items[0].ID != "a" {
		t.Errorf("points: %+v, %v", items, err)
	}
}

func TestParseRoadsErrors(t *testing.T) {
	line := func(props, coords string) string {
		return `{"type":"FeatureCollection","features":[{"type":"Feature","properties":` + props + `,"geometry":{"type":"LineString","coordinates":` + coords + `}}]}`
	}
	for _, tc := range []struct {
		name, in, field string
	}{
		{"one position", line(`{"name":"a"}`, `[[1,2]]`), "features[0].geometry.coordinates"},
		{"bad class", line(`{"name":"a","road_class":"motorway"}`, `[[1,2],[3,4]]`), "features[0].properties.road_class"},
		{"3-D", line(`{"name":"a"}`, `[[1,2],[3,4,5]]`), "features[0].geometry.coordinates[1]"},
		{"a point", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}]}`, "features[0].geometry.type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRoads([]byte(tc.in))
			if got := errField(t, err); got != tc.field {
				t.Errorf("field %q, want %q (%v)", got, tc.field, err)
			}
		})
	}
}

func TestParseCommunes(t *testing.T) {
	in := `{"type":"FeatureCollection","features":[
	{"type":"Feature","properties":{"name":"Song Bình","district":"Chợ Gạo","province":"Tiền Giang"},"geometry":{"type":"Polygon","coordinates":[
		[[106.40,10.30],[106.50,10.30],[106.50,10.40],[106.40,10.40],[106.40,10.30]],
		[[106.44,10.34],[106.46,10.34],[106.46,10.36],[106.44,10.36],[106.44,10.34]]]}},
	{"type":"Feature","properties":{"name":"Đảo"},"geometry":{"type":"MultiPolygon","coordinates":[
		[[[106.445,10.345],[106.455,10.345],[106.455,10.355],[106.445,10.355],[106.445,10.345]]],
		[[[107,11],[107.1,11],[107.1,11.1],[107,11]]]]}}]}`
	cs, err := ParseCommunes(context.Background(), []byte(in), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		lat, lon float64
		want     string
	}{
		{"inside", 10.31, 106.41, "Song Bình"},
		{"on the edge", 10.30, 106.45, "Song Bình"},
		{"in the hole, outside the island", 10.341, 106.441, ""},
		{"on the island in the hole", 10.35, 106.45, "Đảo"},
		{"on the far island", 11.01, 107.05, "Đảo"},
		{"outside", 12, 106, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := cs.CommuneAt(tc.lat, tc.lon)
			if got != tc.want || ok != (tc.want != "") {
				t.Errorf("got %q, %v; want %q", got, ok, tc.want)
			}
		})
	}
	if c, _ := cs.At(10.31, 106.41); c.District != "Chợ Gạo" || c.Province != "Tiền Giang" {
		t.Errorf("At: %+v", c)
	}
	if cs.Len() != 2 {
		t.Errorf("Len = %d", cs.Len())
	}
	var nilLayer *Communes
	if _, ok := nilLayer.CommuneAt(1, 1); ok {
		t.Error("a nil layer found a commune")
	}

	for _, tc := range []struct{ name, in, field string }{
		{"no name", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`, "features[0].properties.name"},
		{"a point", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Point","coordinates":[0,0]}}]}`, "features[0].geometry.type"},
		{"bow-tie", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}]}`, "features[0].geometry.coordinates[0]"},
		{"a feature", `{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}`, "type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCommunes(context.Background(), []byte(tc.in), Limits{})
			if got := errField(t, err); got != tc.field {
				t.Errorf("field %q, want %q (%v)", got, tc.field, err)
			}
		})
	}
}
