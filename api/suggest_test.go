package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/internal/vntext"
)

// suggestOut is the answer of GET /coverage/suggest.
type suggestOut struct {
	geo.SuggestResult
	Suggestions []struct {
		geo.Suggestion
		EstCostVND *int64 `json:"est_cost_vnd"`
	} `json:"suggestions"`
	EstCostVND  *int64 `json:"est_cost_vnd"`
	CostCameras int    `json:"cost_cameras"`
}

// On the sample district: five suggestions cover gaps only, cost the
// median of the cameras' costs each, and a camera installed as the first
// one says covers exactly the junctions it lists.
func TestSuggestRoute(t *testing.T) {
	e, _ := newGeoEnv(t)
	planner := e.tokens[camera.RolePlanner]
	gaps := map[string]bool{}
	var fc struct {
		Features []struct {
			Properties map[string]any
		}
	}
	e.doJSON(planner, "GET", "/api/v1/coverage/gaps?limit=1000", nil, 200, &fc)
	for _, f := range fc.Features {
		gaps[f.Properties["id"].(string)] = true
	}

	var out suggestOut
	e.doJSON(planner, "GET", "/api/v1/coverage/suggest?n=5", nil, 200, &out)
	if len(out.Suggestions) != 5 || out.Junctions != 296 || out.CoveredBefore != 296-len(gaps) {
		t.Fatalf("5 suggestions on the sample: %d, junctions %d, covered before %d (gaps %d)", len(out.Suggestions), out.Junctions, out.CoveredBefore, len(gaps))
	}
	// The estimate: the lower median of the sample cameras' costs.
	var costs []int64
	for _, c := range sampleCameras(t) {
		if c.CostVND > 0 {
			costs = append(costs, c.CostVND)
		}
	}
	slices.Sort(costs)
	median := costs[(len(costs)-1)/2]
	if out.CostCameras != len(costs) || out.EstCostVND == nil || *out.EstCostVND != 5*median {
		t.Errorf("cost: %v from %d cameras, want 5 × %d from %d", out.EstCostVND, out.CostCameras, median, len(costs))
	}
	seen := map[string]bool{}
	added := 0
	for _, s := range out.Suggestions {
		if s.EstCostVND == nil || *s.EstCostVND != median || s.Gain <= 0 || s.JunctionsAdded != len(s.Covers) {
			t.Errorf("suggestion %d: cost %v, gain %d, %d added, covers %v", s.Rank, s.EstCostVND, s.Gain, s.JunctionsAdded, s.Covers)
		}
		for _, id := range s.Covers {
			if !gaps[id] || seen[id] {
				t.Errorf("suggestion %d covers %s, which is no gap or is covered by an earlier one", s.Rank, id)
			}
			seen[id] = true
		}
		added += s.JunctionsAdded
		if s.CoveredAfter != out.CoveredBefore+added {
			t.Errorf("suggestion %d: covered after %d, want %d", s.Rank, s.CoveredAfter, out.CoveredBefore+added)
		}
	}
	if out.CoveredAfter != out.CoveredBefore+added {
		t.Errorf("covered after %d, want %d", out.CoveredAfter, out.CoveredBefore+added)
	}

	// Install the first suggestion: coverage grows by what it said.
	first := out.Suggestions[0]
	cam := cameraJSON("NEW-1")
	cam["lat"], cam["lon"], cam["direction_deg"], cam["fov_deg"], cam["range_m"] = first.Lat, first.Lon, first.DirectionDeg, first.FOVDeg, first.RangeM
	e.doJSON(adminToken, "POST", "/api/v1/cameras", cam, 201, nil)
	var rep geo.CoverageReport
	e.doJSON(planner, "GET", "/api/v1/coverage", nil, 200, &rep)
	if rep.Covered != out.CoveredBefore+first.JunctionsAdded {
		t.Errorf("after installing suggestion 1: covered %d, want %d + %d", rep.Covered, out.CoveredBefore, first.JunctionsAdded)
	}

	// A commune: every suggestion and what it covers is in it.
	e.doJSON(planner, "GET", "/api/v1/coverage/suggest?n=3&commune=song+binh&road_class=district,provincial", nil, 200, &out)
	if len(out.Suggestions) == 0 || out.Junctions == 0 || out.Junctions >= 296 {
		t.Errorf("commune=song binh: %d suggestions over %d junctions", len(out.Suggestions), out.Junctions)
	}
	for _, s := range out.Suggestions {
		if vntext.Fold(s.Commune) != "song binh" {
			t.Errorf("commune=song binh suggested a camera in %q", s.Commune)
		}
	}

	// GeoJSON: the camera and its field of view, per suggestion.
	var gj struct {
		Type     string
		Features []struct {
			Geometry struct {
				Type string
			}
			Properties map[string]any
		}
	}
	e.doJSON(planner, "GET", "/api/v1/coverage/suggest?n=4&format=geojson", nil, 200, &gj)
	if gj.Type != "FeatureCollection" || len(gj.Features) != 8 {
		t.Fatalf("geojson: %s with %d features, want 8", gj.Type, len(gj.Features))
	}
	for i, f := range gj.Features {
		wantKind, wantGeom := "camera", "Point"
		if i%2 == 1 {
			wantKind, wantGeom = "fov", "Polygon"
		}
		if f.Properties["kind"] != wantKind || f.Geometry.Type != wantGeom || f.Properties["rank"] != float64(i/2+1) {
			t.Errorf("feature %d: %s %v", i, f.Geometry.Type, f.Properties)
		}
		if wantKind == "camera" && f.Properties["est_cost_vnd"] != float64(median) {
			t.Errorf("feature %d: est_cost_vnd %v, want %d", i, f.Properties["est_cost_vnd"], median)
		}
	}
}

func TestSuggestRouteRefuses(t *testing.T) {
	e, _ := newGeoEnv(t)
	planner := e.tokens[camera.RolePlanner]
	for _, tc := range []struct{ query, field string }{
		{"n=0", "n"},
		{"n=501", "n"},
		{"n=five", "n"},
		{"road_class=highway", "road_class"},
		{"mode=working", "mode"},
		{"fov_deg=0", "fov_deg"},
		{"fov_deg=400", "fov_deg"},
		{"range_m=-1", "range_m"},
		{"range_m=6000", "range_m"},
		{"range_m=abc", "range_m"},
		{"format=csv", "format"},
		{"limit=5", "limit"},
	} {
		if p := e.problem(planner, "GET", "/api/v1/coverage/suggest?"+tc.query, nil, http.StatusBadRequest); p.Field != tc.field {
			t.Errorf("%s: field %q, want %q (%s)", tc.query, p.Field, tc.field, p.Detail)
		}
	}
	// Where to put cameras is a planning question: not a fundraiser's.
	e.problem(e.tokens[camera.RoleFundraiser], "GET", "/api/v1/coverage/suggest", nil, http.StatusForbidden)
	var out struct{ Token string }
	e.doJSON(adminToken, "POST", "/api/v1/tokens", map[string]string{"name": "police", "role": "police"}, 201, &out)
	e.doJSON(out.Token, "GET", "/api/v1/coverage/suggest?n=1", nil, 200, nil)
	if got := e.doJSON(planner, "GET", "/api/v1/coverage/suggest?n=1&fov_deg=360&range_m=30", nil, 200, nil); !strings.Contains(string(got), `"mount_from":"asked"`) {
		t.Errorf("a mount asked for: %s", got)
	}
}
