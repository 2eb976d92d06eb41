package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// moneyCamera is the JSON of a camera of commune and cost.
func moneyCamera(id, commune string, cost int64) []byte {
	return fmt.Appendf(nil, `{"id":%q,"name":"Camera %s","lat":10.35,"lon":106.46,"commune":%q,"cost_vnd":%d}`, id, id, commune, cost)
}

// problemOf decodes a problem answer.
func problemOf(t *testing.T, b []byte) (field, detail string) {
	t.Helper()
	var p struct {
		Field  string `json:"field"`
		Detail string `json:"detail"`
	}
	unmarshal(t, b, &p)
	return p.Field, p.Detail
}

// fundingTotals returns the cost and donations of a funding view's totals.
func fundingTotals(t *testing.T, d *proc, groupBy string) (cost, donated int64) {
	t.Helper()
	var v struct {
		Totals struct {
			CostVND    int64 `json:"cost_vnd"`
			DonatedVND int64 `json:"donated_vnd"`
		} `json:"totals"`
	}
	unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/funding?group_by="+groupBy, e2eAdminToken, "", nil), &v)
	return v.Totals.CostVND, v.Totals.DonatedVND
}

// summaryCost returns the cost of the district summary's total.
func summaryCost(t *testing.T, d *proc) int64 {
	t.Helper()
	var s struct {
		Total struct {
			CostVND int64 `json:"cost_vnd"`
		} `json:"total"`
	}
	unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/reports/summary", e2eAdminToken, "", nil), &s)
	return s.Total.CostVND
}

// costMetric returns the value of matthan_camera_cost_vnd_total for
// commune, and whether the series is there.
func costMetric(t *testing.T, d *proc, commune string) (float64, bool) {
	t.Helper()
	metrics := string(mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/metrics", "", "", nil))
	m := regexp.MustCompile(`(?m)^matthan_camera_cost_vnd_total\{commune="` + regexp.QuoteMeta(commune) + `"\} (\S+)$`).FindStringSubmatch(metrics)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v, true
}

// TestEndToEndMoneyBounds is the red team's reproduction: two cameras of
// 9,223,372,036,854,775,807 đồng in one commune made its total read −2 in
// the funding view, the summary and /metrics. Every cost is now at most
// camera.MaxVND on every input path, and the sums are right at the bound.
func TestEndToEndMoneyBounds(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, []string{"MATTHAN_ADMIN_TOKEN=" + e2eAdminToken}, "serve", "--db", filepath.Join(t.TempDir(), "m.db"), "--listen", "127.0.0.1:0")
	const commune = "Song Bình"
	cameras := d.URL + "/api/v1/cameras"

	b := mustCall(t, http.StatusBadRequest, http.MethodPost, cameras, e2eAdminToken, "application/json", moneyCamera("CG-M1", commune, math.MaxInt64))
	if field, detail := problemOf(t, b); field != "cost_vnd" || !strings.Contains(detail, "at most 10.000.000.000.000 ₫") {
		t.Errorf("a cost of MaxInt64: field %q, detail %q; want cost_vnd and the bound", field, detail)
	}
	mustCall(t, http.StatusBadRequest, http.MethodPost, cameras, e2eAdminToken, "application/json", moneyCamera("CG-M1", commune, camera.MaxVND+1))
	for _, id := range []string{"CG-M1", "CG-M2"} {
		mustCall(t, http.StatusCreated, http.MethodPost, cameras, e2eAdminToken, "application/json", moneyCamera(id, commune, camera.MaxVND))
	}
	b = mustCall(t, http.StatusBadRequest, http.MethodPatch, cameras+"/CG-M1", e2eAdminToken, "application/json", []byte(`{"cost_vnd":9223372036854775807}`))
	if field, _ := problemOf(t, b); field != "cost_vnd" {
		t.Errorf("PATCH to MaxInt64: field %q, want cost_vnd", field)
	}
	b = mustCall(t, http.StatusBadRequest, http.MethodPut, cameras+"/CG-M2", e2eAdminToken, "application/json", moneyCamera("CG-M2", commune, math.MaxInt64))
	if field, _ := problemOf(t, b); field != "cost_vnd" {
		t.Errorf("PUT at MaxInt64: field %q, want cost_vnd", field)
	}
	csv := strings.Join(csvHeader, ",") + "\nCG-M3,Camera,10.35,106.46," + commune + ",,,,,,,,,,9223372036854775807\n"
	var res importResult
	unmarshal(t, mustCall(t, http.StatusOK, http.MethodPost, cameras+"/import", e2eAdminToken, "text/csv", []byte(csv)), &res)
	if res.Created != 0 || len(res.Rejections) != 1 || res.Rejections[0].Field != "cost_vnd" {
		t.Errorf("CSV import of a cost of MaxInt64: %+v, want one rejection naming cost_vnd", res)
	}
	geojson := `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[106.46,10.35]},` +
		`"properties":{"id":"CG-M3","name":"Camera","commune":"` + commune + `","cost_vnd":9223372036854775807}}]}`
	res = importResult{}
	unmarshal(t, mustCall(t, http.StatusOK, http.MethodPost, cameras+"/import", e2eAdminToken, "application/geo+json", []byte(geojson)), &res)
	if res.Created != 0 || len(res.Rejections) != 1 || res.Rejections[0].Field != "cost_vnd" {
		t.Errorf("GeoJSON import of a cost of MaxInt64: %+v, want one rejection naming cost_vnd", res)
	}

	// The two cameras at the bound sum right everywhere.
	const want = 2 * camera.MaxVND
	for _, g := range []string{"commune", "camera", "donor"} {
		if cost, _ := fundingTotals(t, d, g); cost != want {
			t.Errorf("funding by %s: total cost %d, want %d", g, cost, want)
		}
	}
	if cost := summaryCost(t, d); cost != want {
		t.Errorf("summary: total cost %d, want %d", cost, want)
	}
	if v, ok := costMetric(t, d, commune); !ok || v != float64(want) {
		t.Errorf("matthan_camera_cost_vnd_total{commune=%q} = %v (present %v), want %d", commune, v, ok, want)
	}
	// A donation over the bound is refused as before, naming amount_vnd.
	b = mustCall(t, http.StatusBadRequest, http.MethodPost, d.URL+"/api/v1/donations", e2eAdminToken, "application/json",
		[]byte(`{"donor":"An","amount_vnd":10000000000001,"received_on":"2024-05-01","camera_id":"CG-M1"}`))
	if field, _ := problemOf(t, b); field != "amount_vnd" {
		t.Errorf("a donation over the bound: field %q, want amount_vnd", field)
	}
	if code := d.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d", code)
	}
}

// TestEndToEndMoneyLegacyCost: a database written before cost_vnd was
// bounded may hold a camera of 9,223,372,036,854,775,807 đồng. It still
// reads; a camera that would take its commune's total past the int64
// range is refused (400, cost_vnd); the views whose sums it takes past
// that range answer an error naming it, never a wrapped total; and once
// its cost is corrected, everything sums again.
func TestEndToEndMoneyLegacyCost(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "legacy-money.db")
	s, err := registry.Open(db, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The store takes the cost as given, as the versions before did.
	ctx := context.Background()
	for _, c := range []*camera.Camera{
		{ID: "CG-BIG", Name: "Camera đắt", Lat: 10.35, Lon: 106.46, Commune: "Song Bình", CostVND: math.MaxInt64},
		{ID: "CG-OK", Name: "Camera", Lat: 10.36, Lon: 106.47, Commune: "Bình Phan", CostVND: 5_000_000},
	} {
		c.ApplyDefaults()
		if err := s.CreateCamera(ctx, c, camera.Actor{Name: "old version", Role: camera.RoleAdmin}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	d := startDaemon(t, []string{"MATTHAN_ADMIN_TOKEN=" + e2eAdminToken}, "serve", "--db", db, "--listen", "127.0.0.1:0")
	cameras := d.URL + "/api/v1/cameras"
	var cam struct {
		CostVND int64 `json:"cost_vnd"`
	}
	unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, cameras+"/CG-BIG", e2eAdminToken, "", nil), &cam)
	if cam.CostVND != math.MaxInt64 {
		t.Errorf("the old camera reads cost %d", cam.CostVND)
	}

	// Another camera of its commune would take the sum past int64.
	b := mustCall(t, http.StatusBadRequest, http.MethodPost, cameras, e2eAdminToken, "application/json", moneyCamera("CG-NEW", "Song Bình", 1))
	if field, detail := problemOf(t, b); field != "cost_vnd" || !strings.Contains(detail, "Song Bình") {
		t.Errorf("a camera that overflows its commune: field %q, detail %q", field, detail)
	}
	mustCall(t, http.StatusNotFound, http.MethodGet, cameras+"/CG-NEW", e2eAdminToken, "", nil)

	// The views that sum it with another answer an error naming it.
	for _, path := range []string{"/api/v1/funding?group_by=commune", "/api/v1/funding?group_by=camera", "/api/v1/funding?group_by=donor",
		"/api/v1/funding?group_by=commune&format=csv", "/api/v1/reports/summary"} {
		b := mustCall(t, http.StatusInternalServerError, http.MethodGet, d.URL+path, e2eAdminToken, "", nil)
		if field, detail := problemOf(t, b); field != "cost_vnd" || !strings.Contains(detail, "CG-BIG") || !strings.Contains(detail, "correct their cost_vnd") {
			t.Errorf("%s: field %q, detail %q; want cost_vnd naming CG-BIG", path, field, detail)
		}
	}
	metrics := string(mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/metrics", "", "", nil))
	if regexp.MustCompile(`(?m)^matthan_camera_cost_vnd_total\{[^}]*\} -`).MatchString(metrics) {
		t.Errorf("/metrics shows a negative cost:\n%s", metrics)
	}

	// Any other change of the camera must correct its cost too.
	b = mustCall(t, http.StatusBadRequest, http.MethodPatch, cameras+"/CG-BIG", e2eAdminToken, "application/json", []byte(`{"notes":"x"}`))
	if field, _ := problemOf(t, b); field != "cost_vnd" {
		t.Errorf("PATCH of another field: field %q, want cost_vnd", field)
	}
	mustCall(t, http.StatusOK, http.MethodPatch, cameras+"/CG-BIG", e2eAdminToken, "application/json", []byte(`{"cost_vnd":7000000}`))
	if cost, _ := fundingTotals(t, d, "commune"); cost != 12_000_000 {
		t.Errorf("funding after the correction: total cost %d, want 12000000", cost)
	}
	if cost := summaryCost(t, d); cost != 12_000_000 {
		t.Errorf("summary after the correction: total cost %d, want 12000000", cost)
	}
	mustCall(t, http.StatusCreated, http.MethodPost, cameras, e2eAdminToken, "application/json", moneyCamera("CG-NEW", "Song Bình", 1))
	if code := d.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d", code)
	}
}
