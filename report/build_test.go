package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/exchange"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/internal/sample"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
	"github.com/matthan/matthan/report"
)

var hcm = time.FixedZone("ICT", 7*3600)

// sampleSources are the real sources of a summary — a store and a
// spatial index — holding the sample district: communes, intersections,
// cameras, donations and incidents.
func sampleSources(t *testing.T, now time.Time) report.Sources {
	t.Helper()
	ctx := context.Background()
	s := registrytest.OpenAt(t, filepath.Join(t.TempDir(), "matthan.db"), func() time.Time { return now })
	cams, rejects, err := exchange.ReadAll(exchange.NewCSVDecoder(bytes.NewReader(sample.Cameras())))
	if err != nil || len(rejects) > 0 {
		t.Fatalf("sample cameras: %v, rejects %v", err, rejects)
	}
	if _, err := s.ImportCameras(ctx, cams, false, camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	places, err := s.Places(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ds, rejects, err := exchange.ReadAllDonations(exchange.NewDonationCSVDecoder(bytes.NewReader(sample.Donations()), places, now))
	if err != nil || len(rejects) > 0 {
		t.Fatalf("sample donations: %v, rejects %v", err, rejects)
	}
	if _, err := s.ImportDonations(ctx, ds, camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	var ins []*camera.Incident
	if err := json.Unmarshal(sample.Incidents(), &ins); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateIncidents(ctx, ins, camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	ix := geo.NewIndex()
	communes, err := geo.ParseCommunes(ctx, sample.Communes(), geo.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	junctions, err := geo.ParseIntersections(sample.Intersections())
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.SetCommunes(communes); err != nil {
		t.Fatal(err)
	}
	if err := ix.SetIntersections(junctions); err != nil {
		t.Fatal(err)
	}
	for _, c := range cams {
		if err := ix.Upsert(c); err != nil {
			t.Fatal(err)
		}
	}
	return report.Sources{Uptime: s, Incidents: s, Money: s, Map: ix}
}

// TestBuildSample builds the summary of the sample district — shaped on
// Chợ Gạo's programme — from a real store and index: its totals to the
// đồng, and every total the sum of the communes'.
func TestBuildSample(t *testing.T) {
	now := time.Date(2024, 6, 1, 9, 0, 0, 0, time.UTC)
	sum, err := report.Build(context.Background(), sampleSources(t, now), report.Query{To: now, Now: now, Location: hcm})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Communes) != 19 || sum.Total.Cameras != 350 {
		t.Errorf("%d communes, %d cameras; want 19 and 350", len(sum.Communes), sum.Total.Cameras)
	}
	if sum.Total.FundingVND != 1_300_000_000 || sum.Total.CostVND != 1_300_000_000 {
		t.Errorf("funding %s, cost %s; want 1.300.000.000 ₫ each", camera.FormatVND(sum.Total.FundingVND), camera.FormatVND(sum.Total.CostVND))
	}
	if got, subj := sum.Total.Incidents[camera.HandlingCriminal], sum.Total.Subjects[camera.HandlingCriminal]; got != 29 || subj != 35 {
		t.Errorf("criminal cases %d with %d suspects, want 29 and 35", got, subj)
	}
	if c := sum.Total.Coverage["all"]; c.Intersections != 296 || c.Installed == 0 || c.Live != 0 {
		t.Errorf("coverage of all roads: %+v; want 296 intersections, some covered installed, none live (no camera is up)", c)
	}
	// Without from: incidents of all time, uptime over the 30 days
	// before to; times in the zone asked for.
	if sum.From != nil || !sum.To.Equal(now) || !sum.UptimeFrom.Equal(now.Add(-report.DefaultUptimeWindow)) || !sum.GeneratedAt.Equal(now) {
		t.Errorf("window: from %v, to %v, uptime from %v, generated %v", sum.From, sum.To, sum.UptimeFrom, sum.GeneratedAt)
	}
	for _, at := range []time.Time{sum.To, sum.UptimeFrom, sum.GeneratedAt} {
		if at.Location() != hcm {
			t.Errorf("%v is not in the zone asked for", at)
		}
	}
	names := make([]string, len(sum.Communes))
	var want report.Row
	want.Coverage, want.Incidents = map[string]report.Coverage{}, map[camera.Handling]int{}
	for i, r := range sum.Communes {
		names[i] = r.Commune
		want.Cameras += r.Cameras
		want.UpNow += r.UpNow
		want.FundingVND += r.FundingVND
		want.CostVND += r.CostVND
		for k, v := range r.Coverage {
			c := want.Coverage[k]
			c.Intersections += v.Intersections
			c.Installed += v.Installed
			want.Coverage[k] = c
		}
		for h, n := range r.Incidents {
			want.Incidents[h] += n
		}
		if r.Cameras > 0 && (r.Uptime == nil || *r.Uptime != 0) {
			t.Errorf("%s: uptime %v, want 0 (no camera was ever probed)", r.Commune, r.Uptime)
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("communes not in order: %v", names)
	}
	got := sum.Total
	if got.Cameras != want.Cameras || got.UpNow != want.UpNow || got.FundingVND != want.FundingVND || got.CostVND != want.CostVND {
		t.Errorf("total %+v, the communes add up to %+v", got, want)
	}
	for k, v := range want.Coverage {
		if c := got.Coverage[k]; c.Intersections != v.Intersections || c.Installed != v.Installed {
			t.Errorf("coverage %s: total %+v, the communes add up to %+v", k, c, v)
		}
	}
	for h, n := range want.Incidents {
		if got.Incidents[h] != n {
			t.Errorf("%s incidents: total %d, the communes add up to %d", h, got.Incidents[h], n)
		}
	}
}

// fakeSources are sources of given figures, to check how Build puts them
// together; a source's error, when set, is what it answers.
type fakeSources struct {
	up         map[string]time.Duration
	upErr      error
	counts     *registry.IncidentCounts
	given      map[string]int64
	cost       map[string]int64
	cameras    []geo.CameraCount
	coverage   []geo.CoverageCount
	gotUpFrom  time.Time
	gotIncFrom time.Time
}

func (f *fakeSources) UptimeByCommune(ctx context.Context, from, to time.Time) (map[string]time.Duration, error) {
	f.gotUpFrom = from
	return f.up, f.upErr
}

// HandlingCounts waits for the context when the up time fails: Build
// must cancel the other passes and answer the first error.
func (f *fakeSources) HandlingCounts(ctx context.Context, from, to time.Time) (*registry.IncidentCounts, error) {
	f.gotIncFrom = from
	if f.upErr != nil {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return f.counts, nil
}

func (f *fakeSources) DonationTotals(context.Context) (map[string]int64, error) { return f.given, nil }
func (f *fakeSources) CostTotals(context.Context) (map[string]int64, error)     { return f.cost, nil }
func (f *fakeSources) CameraCounts() []geo.CameraCount                          { return f.cameras }
func (f *fakeSources) CoverageCounts() []geo.CoverageCount                      { return f.coverage }

func (f *fakeSources) all() report.Sources {
	return report.Sources{Uptime: f, Incidents: f, Money: f, Map: f}
}

func ptr(v float64) *float64 { return &v }

// TestBuildPutsTogether: the figures of each source land in their
// commune's row and the total, with the rates and the uptime over the
// window; a commune met in one source only has a row.
func TestBuildPutsTogether(t *testing.T) {
	from := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	to := from.Add(10 * time.Hour)
	f := &fakeSources{
		up: map[string]time.Duration{"Bình Ninh": 15 * time.Hour, "Song Bình": 4 * time.Hour},
		counts: &registry.IncidentCounts{ByHandling: []registry.HandlingCountRow{
			{Commune: "Bình Ninh", Handling: camera.HandlingCriminal, Incidents: 2, Subjects: 3},
			{Commune: "Hòa Định", Handling: camera.HandlingNone, Incidents: 1},
		}},
		given: map[string]int64{"Bình Ninh": 5_000_000, "Long Bình Điền": 700_000},
		cost:  map[string]int64{"Bình Ninh": 9_000_000, "Song Bình": 4_500_000},
		cameras: []geo.CameraCount{
			{Commune: "Bình Ninh", Cameras: 2, States: map[camera.HealthState]int{camera.StateUp: 1, camera.StateDown: 1}},
			{Commune: "Song Bình", Cameras: 1, States: map[camera.HealthState]int{camera.StateUp: 1}},
		},
		coverage: []geo.CoverageCount{
			{Commune: "Bình Ninh", RoadClass: camera.RoadNational, Intersections: 4, CoveredInstalled: 3, CoveredLive: 1},
			{Commune: "Bình Ninh", RoadClass: camera.RoadCommune, Intersections: 6, CoveredInstalled: 2},
		},
	}
	sum, err := report.Build(context.Background(), f.all(), report.Query{From: from, To: to, Now: to, Location: hcm})
	if err != nil {
		t.Fatal(err)
	}
	if !f.gotUpFrom.Equal(from) || !f.gotIncFrom.Equal(from) || sum.From == nil || !sum.From.Equal(from) {
		t.Errorf("windows asked: up time from %v, incidents from %v; summary from %v; want %v", f.gotUpFrom, f.gotIncFrom, sum.From, from)
	}
	none := map[camera.Handling]int{}
	want := []report.Row{
		{Commune: "Bình Ninh", Cameras: 2, UpNow: 1, UpHours: 15, Uptime: ptr(0.75), FundingVND: 5_000_000, CostVND: 9_000_000,
			Coverage: map[string]report.Coverage{
				"national": {Intersections: 4, Installed: 3, Live: 1, InstalledRate: 0.75, LiveRate: 0.25},
				"commune":  {Intersections: 6, Installed: 2, InstalledRate: 2.0 / 6},
				"all":      {Intersections: 10, Installed: 5, Live: 1, InstalledRate: 0.5, LiveRate: 0.1},
			},
			Incidents: map[camera.Handling]int{camera.HandlingCriminal: 2}, Subjects: map[camera.Handling]int{camera.HandlingCriminal: 3}},
		{Commune: "Hòa Định", Coverage: map[string]report.Coverage{},
			Incidents: map[camera.Handling]int{camera.HandlingNone: 1}, Subjects: map[camera.Handling]int{camera.HandlingNone: 0}},
		{Commune: "Long Bình Điền", FundingVND: 700_000, Coverage: map[string]report.Coverage{}, Incidents: none, Subjects: none},
		{Commune: "Song Bình", Cameras: 1, UpNow: 1, UpHours: 4, Uptime: ptr(0.4), CostVND: 4_500_000,
			Coverage: map[string]report.Coverage{}, Incidents: none, Subjects: none},
	}
	if !reflect.DeepEqual(sum.Communes, want) {
		t.Errorf("communes:\n got %+v\nwant %+v", sum.Communes, want)
	}
	total := report.Row{Commune: "total", Cameras: 3, UpNow: 2, UpHours: 19, Uptime: ptr(19.0 / 30), FundingVND: 5_700_000, CostVND: 13_500_000,
		Coverage: map[string]report.Coverage{
			"national": {Intersections: 4, Installed: 3, Live: 1, InstalledRate: 0.75, LiveRate: 0.25},
			"commune":  {Intersections: 6, Installed: 2, InstalledRate: 2.0 / 6},
			"all":      {Intersections: 10, Installed: 5, Live: 1, InstalledRate: 0.5, LiveRate: 0.1},
		},
		Incidents: map[camera.Handling]int{camera.HandlingCriminal: 2, camera.HandlingNone: 1},
		Subjects:  map[camera.Handling]int{camera.HandlingCriminal: 3, camera.HandlingNone: 0}}
	if !reflect.DeepEqual(sum.Total, total) {
		t.Errorf("total:\n got %+v\nwant %+v", sum.Total, total)
	}
}

// TestBuildWithout: without sources, a summary has no communes and a
// zero total, not an error.
func TestBuildWithout(t *testing.T) {
	to := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	sum, err := report.Build(context.Background(), report.Sources{}, report.Query{To: to, Now: to})
	if err != nil || sum.Communes == nil || len(sum.Communes) != 0 || sum.Total.Cameras != 0 || sum.Total.Uptime != nil {
		t.Errorf("summary of nothing: %+v, %v", sum, err)
	}
	if b, _ := json.Marshal(sum); !strings.Contains(string(b), `"communes":[]`) {
		t.Errorf("JSON of nothing: %s, want an empty list of communes", b)
	}
}

// TestBuildErrors: a sum of money an int64 cannot hold is an internal
// error naming the money, and a failing source fails the summary with its
// own error, stopping the other passes.
func TestBuildErrors(t *testing.T) {
	to := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		f     *fakeSources
		code  string
		field string
	}{
		{"donations of all communes", &fakeSources{given: map[string]int64{"A": math.MaxInt64, "B": 1}}, camera.EINTERNAL, "amount_vnd"},
		{"cost of all communes", &fakeSources{cost: map[string]int64{"A": math.MaxInt64, "B": math.MaxInt64}}, camera.EINTERNAL, "cost_vnd"},
		{"a failing pass", &fakeSources{upErr: camera.Errorf(camera.EUNAVAILABLE, "", "the store is closing")}, camera.EUNAVAILABLE, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := report.Build(context.Background(), tt.f.all(), report.Query{To: to, Now: to})
			if camera.ErrorCode(err) != tt.code || camera.ErrorField(err) != tt.field || errors.Is(err, context.Canceled) {
				t.Errorf("err = %v (code %q, field %q), want code %q naming %q", err, camera.ErrorCode(err), camera.ErrorField(err), tt.code, tt.field)
			}
		})
	}
}
