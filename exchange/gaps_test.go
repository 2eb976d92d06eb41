package exchange_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/exchange"
	"github.com/matthan/matthan/geo"
)

// A gap with no camera anywhere and no known legs has empty cells there,
// not zeros; an empty list is an empty collection.
func TestGapsCodecs(t *testing.T) {
	gaps := []geo.Gap{
		{Rank: 1, IntersectionStatus: geo.IntersectionStatus{Intersection: geo.Intersection{ID: "J-1", Name: "Ngã tư Quốc lộ 50 – Đường tỉnh 879", Lat: 10.35, Lon: 106.46, RoadClass: camera.RoadNational, Commune: "Song Bình", Legs: 4, Roads: []string{"Quốc lộ 50", "Đường tỉnh 879"}}}, Incidents: 2,
			NearestCamera: &geo.NearestCamera{ID: "CG-0001", DistanceM: 812.5, State: camera.StateDown}},
		{Rank: 2, IntersectionStatus: geo.IntersectionStatus{Intersection: geo.Intersection{ID: "J-2", Lat: 10.36, Lon: 106.47, RoadClass: camera.RoadOther}}},
	}
	var buf bytes.Buffer
	if err := exchange.WriteGapsCSV(&buf, gaps); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		exchange.GapColumns(),
		{"1", "J-1", "Ngã tư Quốc lộ 50 – Đường tỉnh 879", "10.35", "106.46", "national", "Song Bình", "4", "Quốc lộ 50; Đường tỉnh 879", "2", "0", "0", "CG-0001", "812.5", "down"},
		{"2", "J-2", "", "10.36", "106.47", "other", "", "", "", "0", "0", "0", "", "", ""},
	}
	for i := range want {
		if !slices.Equal(recs[i], want[i]) {
			t.Errorf("row %d: %q, want %q", i, recs[i], want[i])
		}
	}
	for _, tc := range []struct {
		gaps []geo.Gap
		n    int
	}{{nil, 0}, {gaps, 2}} {
		buf.Reset()
		if err := exchange.WriteGapsGeoJSON(&buf, tc.gaps); err != nil {
			t.Fatal(err)
		}
		var fc struct {
			Type     string
			Features []struct {
				ID         string
				Properties map[string]any
			}
		}
		if err := json.Unmarshal(buf.Bytes(), &fc); err != nil || fc.Type != "FeatureCollection" || len(fc.Features) != tc.n {
			t.Fatalf("geojson of %d gaps: %v %s", tc.n, err, buf.Bytes())
		}
		if tc.n > 0 && (fc.Features[0].ID != "J-1" || fc.Features[0].Properties["nearest_camera_state"] != "down" || fc.Features[1].Properties["rank"] != 2.0) {
			t.Errorf("features: %+v", fc.Features)
		}
	}
}
