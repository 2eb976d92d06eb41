package api_test

import (
	"bytes"
	"net/url"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/sample"
)

// TestDistrictSummary imports the sample district — shaped on Chợ Gạo's
// programme — and checks the report's totals to the đồng.
func TestDistrictSummary(t *testing.T) {
	e, _ := newGeoEnv(t)
	st, raw, _ := e.do(adminToken, "POST", "/api/v1/donations/import", "text/csv", bytes.NewReader(sample.Donations()))
	if st != 200 {
		t.Fatalf("donations import: %d %s", st, raw)
	}
	e.doJSON(adminToken, "POST", "/api/v1/incidents/import", sample.Incidents(), 200, nil)

	var sum struct {
		Communes []struct {
			Commune    string
			Cameras    int
			FundingVND int64 `json:"funding_vnd"`
		}
		Total struct {
			Cameras    int
			FundingVND int64 `json:"funding_vnd"`
			CostVND    int64 `json:"cost_vnd"`
			Incidents  map[camera.Handling]int
			Subjects   map[camera.Handling]int
			Coverage   map[string]struct{ Intersections, Installed int }
		}
	}
	e.doJSON(e.tokens[camera.RoleFundraiser], "GET", "/api/v1/reports/summary", nil, 200, &sum)
	if len(sum.Communes) != 19 {
		t.Errorf("communes: %d, want 19", len(sum.Communes))
	}
	if sum.Total.Cameras != 350 {
		t.Errorf("cameras: %d, want 350", sum.Total.Cameras)
	}
	if sum.Total.FundingVND != 1_300_000_000 || sum.Total.CostVND != 1_300_000_000 {
		t.Errorf("funding %s, cost %s; want 1.300.000.000 ₫ each", camera.FormatVND(sum.Total.FundingVND), camera.FormatVND(sum.Total.CostVND))
	}
	if got := sum.Total.Incidents[camera.Handling("criminal")]; got != 29 {
		t.Errorf("criminal cases: %d, want 29", got)
	}
	if got := sum.Total.Subjects[camera.Handling("criminal")]; got != 35 {
		t.Errorf("suspects in criminal cases: %d, want 35", got)
	}
	if c := sum.Total.Coverage["all"]; c.Intersections != 296 || c.Installed == 0 {
		t.Errorf("coverage: %+v", c)
	}
	var communeSum int64
	for _, c := range sum.Communes {
		communeSum += c.FundingVND
	}
	if communeSum != sum.Total.FundingVND {
		t.Errorf("communes add up to %d, total says %d", communeSum, sum.Total.FundingVND)
	}
	// Funding views.
	var fund struct {
		Items []map[string]any
	}
	e.doJSON(e.tokens[camera.RoleFundraiser], "GET", "/api/v1/funding?group_by=commune", nil, 200, &fund)
	if len(fund.Items) != 19 {
		t.Errorf("funding by commune: %d rows", len(fund.Items))
	}
	// Cameras a page at a time: every camera once.
	seen, path := 0, "/api/v1/funding?group_by=camera&limit=100"
	for {
		var p struct {
			Items      []map[string]any
			NextCursor string `json:"next_cursor"`
			Totals     struct {
				DonatedVND int64 `json:"donated_vnd"`
			}
		}
		e.doJSON(e.tokens[camera.RoleFundraiser], "GET", path, nil, 200, &p)
		seen += len(p.Items)
		if p.Totals.DonatedVND != 1_300_000_000 {
			t.Fatalf("funding totals on a page: %d", p.Totals.DonatedVND)
		}
		if p.NextCursor == "" {
			break
		}
		path = "/api/v1/funding?group_by=camera&limit=100&cursor=" + url.QueryEscape(p.NextCursor)
	}
	if seen != 350 {
		t.Errorf("funding by camera paged through %d rows, want 350", seen)
	}
	st, csv, h := e.do(e.tokens[camera.RoleFundraiser], "GET", "/api/v1/funding?group_by=donor&format=csv", "", nil)
	if st != 200 || h.Get("Content-Type") != "text/csv; charset=utf-8" || !bytes.Contains(csv, []byte("donated_vnd")) {
		t.Errorf("funding csv: %d %s", st, h.Get("Content-Type"))
	}
	e.problem(e.tokens[camera.RolePlanner], "GET", "/api/v1/funding?group_by=camera", nil, 403)
	e.problem(e.tokens[camera.RoleFundraiser], "GET", "/api/v1/funding?group_by=planet", nil, 400)
	_, metrics, _ := e.do("", "GET", "/metrics", "", nil)
	if !bytes.Contains(metrics, []byte(`matthan_donations_vnd_total{commune="Song Bình"}`)) || !bytes.Contains(metrics, []byte("matthan_camera_cost_vnd_total")) {
		t.Errorf("metrics lack the funding series")
	}
}
