package api_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/exchange"
)

// Every gap, as a file: the same gaps in the same order as the pages, in
// GeoJSON, CSV (with a byte order mark when asked) and a workbook.
func TestGapsExport(t *testing.T) {
	e, _ := newGeoEnv(t)
	planner := e.tokens[camera.RolePlanner]
	// The ranking, page by page.
	var want []string
	path := "/api/v1/coverage/gaps?limit=40&road_class=national,provincial,district,commune"
	for path != "" {
		var page struct {
			Features []struct {
				Properties map[string]any
			}
			NextCursor string `json:"next_cursor"`
		}
		e.doJSON(planner, "GET", path, nil, 200, &page)
		for _, f := range page.Features {
			want = append(want, f.Properties["id"].(string))
		}
		path = ""
		if page.NextCursor != "" {
			path = "/api/v1/coverage/gaps?limit=40&road_class=national,provincial,district,commune&cursor=" + page.NextCursor
		}
	}
	if len(want) < 41 {
		t.Fatalf("the sample has %d gaps of those classes; the test wants more than a page", len(want))
	}
	const q = "/api/v1/coverage/gaps?road_class=national,provincial,district,commune&format="

	t.Run("geojson", func(t *testing.T) {
		st, raw, h := e.on(t).do(planner, "GET", q+"geojson", "", nil)
		var fc struct {
			Type     string
			Features []struct {
				Properties map[string]any
			}
		}
		if err := json.Unmarshal(raw, &fc); st != 200 || err != nil {
			t.Fatalf("%d %v %.200s", st, err, raw)
		}
		var got []string
		for _, f := range fc.Features {
			got = append(got, f.Properties["id"].(string))
		}
		if fc.Type != "FeatureCollection" || !slices.Equal(got, want) {
			t.Errorf("geojson: %d gaps, want the %d of the pages in their order", len(got), len(want))
		}
		if h.Get("Content-Disposition") != `attachment; filename="coverage-gaps.geojson"` || h.Get("X-Total-Gaps") != strconv.Itoa(len(want)) {
			t.Errorf("headers %v", h)
		}
	})
	t.Run("csv", func(t *testing.T) {
		for _, bom := range []bool{false, true} {
			path := q + "csv"
			if bom {
				path += "&bom=true"
			}
			st, raw, h := e.on(t).do(planner, "GET", path, "", nil)
			if st != 200 || h.Get("Content-Disposition") != `attachment; filename="coverage-gaps.csv"` {
				t.Fatalf("%d %v", st, h)
			}
			if got := bytes.HasPrefix(raw, []byte(exchange.BOM)); got != bom {
				t.Errorf("bom=%v: starts with a byte order mark: %v", bom, got)
			}
			recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte(exchange.BOM)))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(recs[0], exchange.GapColumns()) || len(recs) != len(want)+1 {
				t.Fatalf("csv: header %v, %d rows, want %d", recs[0], len(recs)-1, len(want))
			}
			for i, r := range recs[1:] {
				if r[0] != strconv.Itoa(i+1) || r[1] != want[i] {
					t.Fatalf("row %d: rank %s id %s, want %d %s", i+1, r[0], r[1], i+1, want[i])
				}
			}
			if first := recs[1]; first[5] != "national" || first[2] == "" || first[12] == "" || first[13] == "" {
				t.Errorf("first gap: %v", first)
			}
		}
	})
	t.Run("xlsx", func(t *testing.T) {
		f := e.on(t).getXLSX(planner, q+"xlsx", "coverage-gaps.xlsx")
		s := openSheet(t, f, "gaps", exchange.GapColumns())
		if len(s.rows) != len(want)+1 {
			t.Fatalf("%d rows, want %d", len(s.rows)-1, len(want))
		}
		for i := range want {
			if got := s.raw(i+2, "id"); got != want[i] {
				t.Fatalf("row %d: %s, want %s", i+1, got, want[i])
			}
		}
		if r := s.number(2, "rank", "#,##0"); r != 1 {
			t.Errorf("rank %v", r)
		}
		if m := s.number(2, "nearest_camera_m", ""); m <= 0 {
			t.Errorf("nearest_camera_m %v", m)
		}
	})
	t.Run("refused", func(t *testing.T) {
		e := e.on(t)
		for _, tc := range []struct{ query, field string }{
			{"format=pdf", "format"},
			{"format=csv&limit=10", "limit"},
			{"format=xlsx&cursor=abc", "cursor"},
			{"format=xlsx&bom=true", "bom"},
			{"bom=true", "bom"},
			{"format=", "format"},
		} {
			if p := e.problem(planner, "GET", "/api/v1/coverage/gaps?"+tc.query, nil, http.StatusBadRequest); p.Field != tc.field {
				t.Errorf("%s: field %q, want %q", tc.query, p.Field, tc.field)
			}
		}
		e.problem(e.tokens[camera.RoleFundraiser], "GET", "/api/v1/coverage/gaps?format=csv", nil, http.StatusForbidden)
	})
}
