package geo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
)

// A road layer with a bad feature among good ones: the import stops at
// the first; the check names every bad feature and makes the junctions
// of the good ones.
func TestCheckIntersections(t *testing.T) {
	cross := `{"type":"Feature","properties":{"name":%q,"road_class":"district"},"geometry":{"type":"LineString","coordinates":[[%v,10.35],[%v,10.36]]}}`
	across := `{"type":"Feature","properties":{"name":"Đường ngang","road_class":"provincial"},"geometry":{"type":"LineString","coordinates":[[106.40,10.355],[106.50,10.355]]}}`
	features := []string{
		across,
		fmt.Sprintf(cross, "Dọc 1", 106.41, 106.41),
		`{"type":"Feature","properties":{"name":"Hỏng","road_class":"highway"},"geometry":{"type":"LineString","coordinates":[[106.42,10.35],[106.42,10.36]]}}`,
		`{"type":"Feature","properties":{"name":"Không hình"},"geometry":null}`,
		`{"type":"Feat","properties":{},"geometry":{"type":"LineString","coordinates":[[106.43,10.35],[106.43,10.36]]}}`,
		`{"type":"Feature","properties":"x","geometry":{"type":"LineString","coordinates":[[106.44,10.35],[106.44,10.36]]}}`,
		fmt.Sprintf(cross, "Dọc 2", 106.45, 106.45),
		`{"type":"Feature","properties":{"name":"Điểm"},"geometry":{"type":"Point","coordinates":[106.46,10.35]}}`,
	}
	raw := []byte(`{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`)
	if _, err := ReadIntersections(context.Background(), raw, Limits{}); camera.ErrorField(err) != "features[2].properties.road_class" {
		t.Errorf("the import stops at %v, want features[2].properties.road_class", err)
	}
	check, items, err := CheckIntersections(context.Background(), raw, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range check.Errors {
		got = append(got, fmt.Sprintf("%d %s", e.Feature, e.Field))
		if e.Detail == "" {
			t.Errorf("feature %d: no detail", e.Feature)
		}
	}
	want := []string{"2 features[2].properties.road_class", "3 features[3].geometry", "4 features[4].type", "5 features[5]", "7 features[7].geometry.type"}
	if !slices.Equal(got, want) || check.Features != 8 || check.Invalid != 5 || check.Source != "roads" {
		t.Errorf("check: %d features, %d invalid, source %s, errors %v; want 8, 5, roads, %v", check.Features, check.Invalid, check.Source, got, want)
	}
	if len(items) != 2 {
		t.Fatalf("junctions of the valid roads: %d, want 2 (%v)", len(items), items)
	}
	for _, it := range items {
		if it.RoadClass != camera.RoadProvincial || it.Legs != 4 {
			t.Errorf("junction %+v", it)
		}
	}

	// What stops an import stops a check too.
	for _, tc := range []struct {
		name, raw string
		lim       Limits
		code      string
	}{
		{"broken JSON", `{"type":"FeatureCollection","features":[` + across + `,{"type":"Feature",`, Limits{}, camera.EINVALID},
		{"not a collection", `{"type":"Feature"}`, Limits{}, camera.EINVALID},
		{"too many features", `{"type":"FeatureCollection","features":[` + across + `,` + across + `]}`, Limits{Features: 1}, camera.ETOOLARGE},
	} {
		if _, _, err := CheckIntersections(context.Background(), []byte(tc.raw), tc.lim); camera.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}

	// Points: the first MaxFeatureErrors errors are kept, all counted.
	var pts []string
	for i := range MaxFeatureErrors + 20 {
		pts = append(pts, fmt.Sprintf(`{"type":"Feature","properties":{"id":"J%d","road_class":"nope"},"geometry":{"type":"Point","coordinates":[106.4,10.3]}}`, i))
	}
	pts = append(pts, `{"type":"Feature","properties":{"id":"OK"},"geometry":{"type":"Point","coordinates":[106.4,10.3]}}`)
	check, items, err = CheckIntersections(context.Background(), []byte(`{"type":"FeatureCollection","features":[`+strings.Join(pts, ",")+`]}`), Limits{})
	if err != nil || len(check.Errors) != MaxFeatureErrors || check.Invalid != MaxFeatureErrors+20 || len(items) != 1 || check.Source != "points" {
		t.Errorf("points: %v, %d errors kept, %d invalid, %d items, %s", err, len(check.Errors), check.Invalid, len(items), check.Source)
	}
}

// A commune layer: errors per feature; built aside, the changes it would
// make to the intersections in place are counted and nothing changes.
func TestCheckCommunesAndPreview(t *testing.T) {
	x := NewIndex()
	items := []Intersection{
		{ID: "A", Lat: 10.305, Lon: 106.405},                     // in Xã 0-0 once the layer is in
		{ID: "B", Lat: 10.315, Lon: 106.405, Commune: "Tự đặt"},  // named by its input: kept
		{ID: "C", Lat: 10.5, Lon: 106.9},                         // in no commune
		{ID: "D", Lat: 10.305, Lon: 106.415, RoadClass: "urban"}, // in Xã 1-0
	}
	if err := x.SetIntersections(items); err != nil {
		t.Fatal(err)
	}
	tiles := tiledCommunes(106.4, 10.3, 2, 2, 0.01, 4)
	var fs []string
	for _, c := range tiles {
		var ring []string
		for _, p := range c.Geometry[0][0] {
			ring = append(ring, fmt.Sprintf("[%v,%v]", p[0], p[1]))
		}
		fs = append(fs, fmt.Sprintf(`{"type":"Feature","properties":{"name":%q},"geometry":{"type":"Polygon","coordinates":[[%s]]}}`, c.Name, strings.Join(ring, ",")))
	}
	fs = append(fs, `{"type":"Feature","properties":{"name":""},"geometry":{"type":"Polygon","coordinates":[[[106,10],[106.1,10],[106.1,10.1],[106,10]]]}}`)
	check, cs, err := CheckCommunes(context.Background(), []byte(`{"type":"FeatureCollection","features":[`+strings.Join(fs, ",")+`]}`), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if cs.Len() != 4 || check.Invalid != 1 || len(check.Errors) != 1 || check.Errors[0].Field != "features[4].properties.name" || check.Source != "communes" {
		t.Fatalf("communes: %d, check %+v", cs.Len(), check)
	}
	u, err := x.BeginLayerUpdate()
	if err != nil {
		t.Fatal(err)
	}
	if err := u.Communes(context.Background(), cs); err != nil {
		t.Fatal(err)
	}
	if got := u.CommuneChanges(); got != 2 {
		t.Errorf("intersections changing commune: %d, want 2 (A and D)", got)
	}
	u.Close()
	if st, _ := x.IntersectionCoverage("A"); st.Commune != "" {
		t.Errorf("a check changed the layer in place: A is in %q", st.Commune)
	}

	// An intersection layer built aside, measured, thrown away.
	cam := &camera.Camera{ID: "CAM", Lat: 10.305, Lon: 106.405, FOVDeg: 360, RangeM: 30, Status: camera.StatusActive}
	if err := x.Upsert(cam); err != nil {
		t.Fatal(err)
	}
	u, err = x.BeginLayerUpdate()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Intersections(context.Background(), []Intersection{{ID: "N1", Lat: 10.305, Lon: 106.4051}, {ID: "N2", Lat: 10.4, Lon: 106.4}}); err != nil {
		t.Fatal(err)
	}
	sts := u.Statuses()
	u.Close()
	if len(sts) != 2 || !sts[0].Covered || sts[1].Covered || sts[0].RoadClass != camera.RoadOther {
		t.Errorf("statuses of the layer aside: %+v", sts)
	}
	if rep, _ := x.Coverage(AreaFilter{}, Installed); rep.Intersections != 4 {
		t.Errorf("the layer in place has %d intersections after a check, want 4", rep.Intersections)
	}
}

// A check agrees with the import: what the import takes, the check takes
// whole and without errors; where the import stops at a feature, the
// check names that feature first; what stops the import for the whole
// input stops the check too.
func FuzzCheckIntersections(f *testing.F) {
	for _, s := range []string{
		`{"type":"FeatureCollection","features":[
			{"type":"Feature","properties":{"name":"Quốc lộ 50","road_class":"national"},"geometry":{"type":"LineString","coordinates":[[106.45,10.35],[106.47,10.35]]}},
			{"type":"Feature","properties":{"name":"Hỏng","road_class":"cao tốc"},"geometry":{"type":"LineString","coordinates":[[106.455,10.34],[106.455,10.36]]}},
			{"type":"Feature","properties":{"name":"Đường tỉnh 879","road_class":"provincial"},"geometry":{"type":"MultiLineString","coordinates":[[[106.46,10.34],[106.46,10.36]]]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","id":"node/1","properties":{"name":"Ngã ba","legs":3},"geometry":{"type":"Point","coordinates":[106.46,10.35]}},{"type":"Feature","properties":"x","geometry":null},{"type":"Feature","properties":{"id":"node/1"},"geometry":{"type":"Point","coordinates":[106.47,10.35]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Point","coordinates":[1,2]}},{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feat"},{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Point","coordinates":[1,2,3]}}]}`,
		`{"type":"FeatureCollection","features":[]}`,
		`[1,2`,
	} {
		f.Add([]byte(s))
	}
	f.Add(roadsJSON(gridRoads(12, 30)))
	f.Fuzz(func(t *testing.T, raw []byte) {
		items, rerr := ReadIntersections(context.Background(), raw, fuzzLimits)
		check, checked, cerr := CheckIntersections(context.Background(), raw, fuzzLimits)
		if cerr != nil {
			checkLayerError(t, cerr)
		}
		if len(check.Errors) > MaxFeatureErrors || check.Invalid < len(check.Errors) || check.Invalid > check.Features {
			t.Fatalf("check %+v", check)
		}
		rfield := camera.ErrorField(rerr)
		switch {
		case rerr == nil:
			if cerr != nil || check.Invalid != 0 || len(checked) != len(items) {
				t.Fatalf("the import takes %d intersections; the check: %d, %+v, %v", len(items), len(checked), check, cerr)
			}
			for i := range items {
				if items[i].ID != checked[i].ID {
					t.Fatalf("intersection %d: %s, the import %s", i, checked[i].ID, items[i].ID)
				}
			}
		case camera.ErrorCode(rerr) == camera.EINVALID && strings.HasPrefix(rfield, "features["):
			switch {
			case cerr == nil && (len(check.Errors) == 0 || check.Errors[0].Field != rfield):
				t.Fatalf("the import stops at %s; the check names %+v", rfield, check.Errors)
			case cerr != nil && camera.ErrorCode(cerr) != camera.ETOOLARGE && camera.ErrorField(cerr) != rfield && (len(check.Errors) == 0 || check.Errors[0].Field != rfield):
				t.Fatalf("the import stops at %s; the check at %v", rfield, cerr)
			}
		default:
			if cerr == nil || camera.ErrorCode(cerr) != camera.ErrorCode(rerr) || camera.ErrorField(cerr) != rfield {
				t.Fatalf("the import is refused %v; the check %v", rerr, cerr)
			}
		}
	})
}
