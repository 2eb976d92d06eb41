package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/internal/sample"
)

// previewRoads is a road layer of three lines crossing in the rice
// fields of Song Bình, 400 m and more from any camera, and one bad
// feature.
func previewRoads() []byte {
	line := func(name, class string, a, b [2]float64) string {
		return fmt.Sprintf(`{"type":"Feature","properties":{"name":%q,"road_class":%q},"geometry":{"type":"LineString","coordinates":[[%v,%v],[%v,%v]]}}`, name, class, a[0], a[1], b[0], b[1])
	}
	return []byte(`{"type":"FeatureCollection","features":[` + strings.Join([]string{
		line("Đường tỉnh mới", "provincial", [2]float64{106.405, 10.31}, [2]float64{106.435, 10.31}),
		line("Đường xã 1", "commune", [2]float64{106.41, 10.305}, [2]float64{106.41, 10.315}),
		`{"type":"Feature","properties":{"name":"Đường lỗi","road_class":"cao tốc"},"geometry":{"type":"LineString","coordinates":[[106.42,10.305],[106.42,10.315]]}}`,
		line("Đường xã 2", "commune", [2]float64{106.43, 10.305}, [2]float64{106.43, 10.315}),
	}, ",") + `]}`)
}

// A dry run names every bad feature, says what the valid ones would make
// against the layer in place, and changes nothing; the import after it
// goes through.
func TestLayerDryRun(t *testing.T) {
	e := newLayerEnv(t, geo.Limits{})
	before := e.storedLayer()
	var planner struct{ Token string }
	e.doJSON(adminToken, "POST", "/api/v1/tokens", map[string]string{"name": "planner", "role": "planner"}, 201, &planner)

	var p struct {
		DryRun        bool   `json:"dry_run"`
		Layer         string `json:"layer"`
		Source        string `json:"source"`
		Features      int    `json:"features"`
		Invalid       int    `json:"invalid"`
		Errors        []geo.FeatureError
		Intersections int                      `json:"intersections"`
		ByRoadClass   map[camera.RoadClass]int `json:"by_road_class"`
		Covered       int                      `json:"covered"`
		Current       int                      `json:"current"`
		Added         int                      `json:"added"`
		Removed       int                      `json:"removed"`
		Kept          int                      `json:"kept"`
		Junctions     []geo.IntersectionStatus `json:"junctions"`
	}
	e.doJSON(planner.Token, "POST", "/api/v1/intersections/import?dry_run=true", previewRoads(), 200, &p)
	if !p.DryRun || p.Layer != "intersections" || p.Source != "roads" || p.Features != 4 || p.Invalid != 1 ||
		len(p.Errors) != 1 || p.Errors[0].Feature != 2 || p.Errors[0].Field != "features[2].properties.road_class" {
		t.Fatalf("dry run: %+v", p)
	}
	if p.Intersections != 2 || p.ByRoadClass[camera.RoadProvincial] != 2 || p.Covered != 0 || p.Current != 296 || p.Added != 2 || p.Removed != 296 || p.Kept != 0 || len(p.Junctions) != 2 {
		t.Errorf("what it would make: %+v", p)
	}
	for _, j := range p.Junctions {
		if j.Commune == "" || j.Covered || j.Legs != 4 {
			t.Errorf("junction %+v: want a commune from the boundaries, uncovered, 4 legs", j)
		}
	}
	if !bytes.Equal(e.storedLayer(), before) {
		t.Error("a dry run changed the stored layer")
	}
	var rep geo.CoverageReport
	e.doJSON(planner.Token, "GET", "/api/v1/coverage", nil, 200, &rep)
	if rep.Intersections != 296 {
		t.Errorf("after a dry run the index has %d intersections, want 296", rep.Intersections)
	}
	if m := e.metric(`matthan_layer_imports_total{layer="intersections",result="checked"}`); !strings.HasSuffix(m, " 1") {
		t.Errorf("metric: %q", m)
	}

	// The sample's own layers, checked again: nothing comes or goes.
	var pi struct {
		Invalid, Current, Added, Removed, Kept, Covered int
	}
	e.doJSON(planner.Token, "POST", "/api/v1/intersections/import?dry_run=1", sample.Intersections(), 200, &pi)
	if pi.Invalid != 0 || pi.Current != 296 || pi.Added != 0 || pi.Removed != 0 || pi.Kept != 296 || pi.Covered != rep.Covered {
		t.Errorf("the sample's junctions again: %+v (covered now %d)", pi, rep.Covered)
	}
	var pc struct {
		Communes             int      `json:"communes"`
		Names                []string `json:"names"`
		Added                []string `json:"added"`
		Removed              []string `json:"removed"`
		IntersectionsChanged int      `json:"intersections_changed"`
		CamerasAssigned      int      `json:"cameras_assigned"`
	}
	e.doJSON(planner.Token, "POST", "/api/v1/communes/import?dry_run=true", sample.Communes(), 200, &pc)
	if pc.Communes != 19 || len(pc.Names) != 19 || len(pc.Added) != 0 || len(pc.Removed) != 0 || pc.IntersectionsChanged != 0 || pc.CamerasAssigned != 0 {
		t.Errorf("the sample's communes again: %+v", pc)
	}
	// Bad requests; other roles.
	if pr := e.problem(planner.Token, "POST", "/api/v1/intersections/import?dry_run=maybe", previewRoads(), http.StatusBadRequest); pr.Field != "dry_run" {
		t.Errorf("dry_run=maybe: field %q", pr.Field)
	}
	if pr := e.problem(planner.Token, "POST", "/api/v1/communes/import?dry_run=true", `{"type":"FeatureCollection","features":[`, http.StatusBadRequest); pr.Field == "" {
		t.Errorf("broken JSON: %+v", pr)
	}
	var fund struct{ Token string }
	e.doJSON(adminToken, "POST", "/api/v1/tokens", map[string]string{"name": "fund", "role": "fundraiser"}, 201, &fund)
	e.problem(fund.Token, "POST", "/api/v1/intersections/import?dry_run=true", previewRoads(), http.StatusForbidden)

	// The import itself still refuses the bad feature, then takes the
	// layer without it.
	if pr := e.problem(planner.Token, "POST", "/api/v1/intersections/import", previewRoads(), http.StatusBadRequest); pr.Field != "features[2].properties.road_class" {
		t.Errorf("import: field %q", pr.Field)
	}
	good := dropFeature(t, previewRoads(), 2)
	e.doJSON(planner.Token, "POST", "/api/v1/intersections/import", good, 200, nil)
	e.doJSON(planner.Token, "GET", "/api/v1/coverage", nil, 200, &rep)
	if rep.Intersections != 2 || rep.Covered != 0 {
		t.Errorf("after the import: %d intersections, %d covered", rep.Intersections, rep.Covered)
	}

	// Communes: Song Bình, which holds the two junctions, goes; a new
	// commune comes where a camera stands that is in no commune yet.
	cam := cameraJSON("NO-COMMUNE")
	delete(cam, "commune")
	cam["lat"], cam["lon"] = 10.25, 106.40
	var created cameraOut
	e.doJSON(adminToken, "POST", "/api/v1/cameras", cam, 201, &created)
	if created.Commune != "" {
		t.Fatalf("the camera south of the district is in %q", created.Commune)
	}
	var fc struct {
		Type     string           `json:"type"`
		Features []map[string]any `json:"features"`
	}
	unmarshalT(t, sample.Communes(), &fc)
	fc.Features = slices.DeleteFunc(fc.Features, func(f map[string]any) bool { return f["properties"].(map[string]any)["name"] == "Song Bình" })
	fc.Features = append(fc.Features, map[string]any{"type": "Feature", "properties": map[string]any{"name": "Xã Mới"},
		"geometry": map[string]any{"type": "Polygon", "coordinates": [][][2]float64{{{106.39, 10.24}, {106.41, 10.24}, {106.41, 10.26}, {106.39, 10.26}, {106.39, 10.24}}}}})
	changed, err := json.Marshal(fc)
	if err != nil {
		t.Fatal(err)
	}
	e.doJSON(planner.Token, "POST", "/api/v1/communes/import?dry_run=true", changed, 200, &pc)
	if pc.Communes != 19 || !slices.Equal(pc.Added, []string{"Xã Mới"}) || !slices.Equal(pc.Removed, []string{"Song Bình"}) || pc.IntersectionsChanged != 2 || pc.CamerasAssigned != 1 {
		t.Errorf("Song Bình out, Xã Mới in: %+v", pc)
	}
}

// dropFeature returns the FeatureCollection raw without its feature i.
func dropFeature(t *testing.T, raw []byte, i int) []byte {
	t.Helper()
	var fc struct {
		Type     string `json:"type"`
		Features []any  `json:"features"`
	}
	unmarshalT(t, raw, &fc)
	fc.Features = slices.Delete(fc.Features, i, i+1)
	out, err := json.Marshal(fc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
