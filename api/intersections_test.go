package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
)

// The junctions of a cell of the coverage table, and of its covered or
// uncovered part, page by page: as many as the table counts.
func TestListIntersections(t *testing.T) {
	e, _ := newGeoEnv(t)
	planner := e.tokens[camera.RolePlanner]
	var rep geo.CoverageReport
	e.doJSON(planner, "GET", "/api/v1/coverage", nil, 200, &rep)
	// The commune × class with the most junctions.
	cell := slices.MaxFunc(rep.Groups, func(a, b geo.CoverageGroup) int { return a.Intersections - b.Intersections })
	walk := func(query string, limit int) []string {
		t.Helper()
		var ids []string
		path := "/api/v1/intersections?" + query + "&limit=" + strconv.Itoa(limit)
		for path != "" {
			var page struct {
				Type     string
				Features []struct {
					Geometry   struct{ Type string }
					Properties map[string]any
				}
				NextCursor string `json:"next_cursor"`
			}
			st, raw, h := e.do(planner, "GET", path, "", nil)
			if st != 200 {
				t.Fatalf("GET %s: %d %s", path, st, raw)
			}
			unmarshalT(t, raw, &page)
			if page.Type != "FeatureCollection" || h.Get("Content-Type") != "application/geo+json" {
				t.Fatalf("GET %s: %s, %s", path, page.Type, h.Get("Content-Type"))
			}
			for _, f := range page.Features {
				p := f.Properties
				if p["commune"] != cell.Commune || p["road_class"] != string(cell.RoadClass) || f.Geometry.Type != "Point" {
					t.Errorf("%s: a junction of %v %v", query, p["commune"], p["road_class"])
				}
				ids = append(ids, p["id"].(string))
			}
			if len(page.Features) > limit {
				t.Fatalf("page of %d, limit %d", len(page.Features), limit)
			}
			path = ""
			if page.NextCursor != "" {
				path = "/api/v1/intersections?" + query + "&limit=" + strconv.Itoa(limit) + "&cursor=" + page.NextCursor
			}
		}
		if !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != len(ids) {
			t.Errorf("%s: ids not in order or repeated: %v", query, ids)
		}
		return ids
	}
	base := "commune=" + url.QueryEscape(cell.Commune) + "&road_class=" + string(cell.RoadClass)
	for _, tc := range []struct {
		query string
		want  int
	}{
		{base, cell.Intersections},
		{base + "&covered=true", cell.Covered},
		{base + "&covered=false", cell.Intersections - cell.Covered},
	} {
		for _, limit := range []int{1, 3, 1000} {
			if got := walk(tc.query, limit); len(got) != tc.want {
				t.Errorf("%s, limit %d: %d junctions, want %d", tc.query, limit, len(got), tc.want)
			}
		}
	}
	if cell.Covered == 0 || cell.Covered == cell.Intersections {
		t.Errorf("the test wants a cell partly covered: %+v", cell)
	}
	for _, tc := range []struct{ query, field string }{
		{"covered=maybe", "covered"},
		{"mode=working", "mode"},
		{"road_class=highway", "road_class"},
		{"limit=0", "limit"},
		{"cursor=*!*", "cursor"},
	} {
		if p := e.problem(planner, "GET", "/api/v1/intersections?"+tc.query, nil, http.StatusBadRequest); p.Field != tc.field {
			t.Errorf("%s: field %q, want %q", tc.query, p.Field, tc.field)
		}
	}
	e.problem(e.tokens[camera.RoleFundraiser], "GET", "/api/v1/intersections", nil, http.StatusForbidden)
}
