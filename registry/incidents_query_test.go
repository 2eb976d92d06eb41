package registry_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/vntext"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

// queryFixture is a store with random incidents around Chợ Gạo, many of
// them on place-index cell borders, and the same incidents in memory.
type queryFixture struct {
	s       *registry.Store
	all     []*camera.Incident
	cams    []string
	commune map[string]string // of each camera
}

// Area of the fixture: 0.1° × 0.1°, five cells a side.
const (
	fixLat, fixLon = 10.30, 106.40
	fixSpan        = 0.1
)

func newQueryFixture(t *testing.T, seed uint64, n int) *queryFixture {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 1))
	f := &queryFixture{s: registrytest.Open(t), commune: map[string]string{}}
	// Cameras, a third of them exactly on a cell border.
	for i := range 40 {
		lat, lon := fixLat+rng.Float64()*fixSpan, fixLon+rng.Float64()*fixSpan
		if i%3 == 0 {
			lat = fixLat + float64(rng.IntN(6))*registry.CellDeg
		}
		if i%3 == 1 {
			lon = fixLon + float64(rng.IntN(6))*registry.CellDeg
		}
		id := fmt.Sprintf("CG-%04d", i)
		commune := []string{"Xã Song Bình", "Thị trấn Chợ Gạo", "Bình Phục Nhứt", "Hòa Định"}[i%4]
		mkCamera(t, f.s, id, lat, lon, commune)
		f.cams = append(f.cams, id)
		f.commune[id] = commune
	}
	cases := []string{"", "", "", "HS-01/2026", "hs-01/2026", "Vụ án Đường 50", "vu an duong 50", "HS-02"}
	var given int
	for i := range n {
		// Starts on a coarse grid, so that many incidents share one.
		start := incT0.Add(time.Duration(rng.IntN(30*24*4)) * 15 * time.Minute)
		k := 1 + rng.IntN(3)
		perm := rng.Perm(len(f.cams))[:k]
		var cams []string
		for _, p := range perm {
			cams = append(cams, f.cams[p])
		}
		in := mkIncident(start, cams...)
		in.Category = camera.Categories[rng.IntN(len(camera.Categories))]
		in.CaseRef = cases[rng.IntN(len(cases))]
		in.Subjects = rng.IntN(4)
		in.Handling = camera.Handlings[rng.IntN(len(camera.Handlings))]
		switch rng.IntN(4) {
		case 0: // a place of its own, sometimes on a border
			lat, lon := fixLat+rng.Float64()*fixSpan, fixLon+rng.Float64()*fixSpan
			if rng.IntN(2) == 0 {
				lat = fixLat + float64(rng.IntN(6))*registry.CellDeg
			}
			in.SetPlace(lat, lon)
		}
		if i%7 == 0 {
			given++
			in.ID = fmt.Sprintf("X-%05d", given) // ids that sort apart from generated ones
		}
		f.all = append(f.all, in)
	}
	if _, err := f.s.CreateIncidents(ctx, f.all, officer); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *queryFixture) expect(q registry.IncidentQuery) []*camera.Incident {
	var out []*camera.Incident
	for _, in := range f.all {
		// The commune is the first camera's, named as a person types it.
		if q.Commune != "" && vntext.Fold(f.commune[in.CameraIDs[0]]) != vntext.Fold(q.Commune) &&
			"xa "+vntext.Fold(q.Commune) != vntext.Fold(f.commune[in.CameraIDs[0]]) &&
			"thi tran "+vntext.Fold(q.Commune) != vntext.Fold(f.commune[in.CameraIDs[0]]) {
			continue
		}
		if bruteMatch(q, in, vntext.Fold) {
			out = append(out, in)
		}
	}
	newestFirst(out)
	return out
}

func TestListIncidentsAgainstBruteForce(t *testing.T) {
	f := newQueryFixture(t, 7, 1500)
	rng := rand.New(rand.NewPCG(99, 2))
	day := func() (time.Time, time.Time) {
		from := incT0.Add(time.Duration(rng.IntN(30)) * 24 * time.Hour)
		return from, from.Add(24 * time.Hour)
	}
	border := func() (float64, float64) { // a cell corner inside the area
		return fixLat + float64(1+rng.IntN(4))*registry.CellDeg, fixLon + float64(1+rng.IntN(4))*registry.CellDeg
	}
	var queries []registry.IncidentQuery
	add := func(q registry.IncidentQuery) { queries = append(queries, q) }

	add(registry.IncidentQuery{})
	for range 10 {
		from, to := day()
		add(registry.IncidentQuery{CameraID: f.cams[rng.IntN(len(f.cams))]})
		add(registry.IncidentQuery{CameraID: f.cams[rng.IntN(len(f.cams))], From: from, To: to})
		add(registry.IncidentQuery{From: from, To: to})
		add(registry.IncidentQuery{From: from})
		add(registry.IncidentQuery{To: to})
		lat, lon := border()
		for _, r := range []float64{150, 1000, 2000, 3500} {
			add(registry.IncidentQuery{Lat: lat, Lon: lon, RadiusM: r})
			add(registry.IncidentQuery{Lat: lat, Lon: lon, RadiusM: r, From: from, To: to.Add(72 * time.Hour)})
		}
		add(registry.IncidentQuery{Lat: fixLat + rng.Float64()*fixSpan, Lon: fixLon + rng.Float64()*fixSpan, RadiusM: 500 + rng.Float64()*4000})
		// Wider than maxCells: answered from the time index.
		add(registry.IncidentQuery{Lat: lat, Lon: lon, RadiusM: 300_000, From: from, To: to})
		la0, lo0 := border()
		box := &registry.BBox{MinLat: la0 - registry.CellDeg, MinLon: lo0 - rng.Float64()*0.03, MaxLat: la0 + rng.Float64()*0.03, MaxLon: lo0}
		add(registry.IncidentQuery{BBox: box})
		add(registry.IncidentQuery{BBox: box, Category: camera.CategoryTheft})
		add(registry.IncidentQuery{BBox: box, Lat: la0, Lon: lo0, RadiusM: 1500})
		add(registry.IncidentQuery{CameraID: f.cams[rng.IntN(len(f.cams))], Lat: la0, Lon: lo0, RadiusM: 2500})
		add(registry.IncidentQuery{Category: camera.Categories[rng.IntN(len(camera.Categories))]})
		add(registry.IncidentQuery{Category: camera.CategoryAssault, From: from, To: to.Add(5 * 24 * time.Hour)})
	}
	// A commune, alone (the time index) and with every other index.
	for _, c := range []string{"song binh", "Chợ Gạo", "BINH PHUC NHUT", "Hòa Định", "Mỹ Tịnh An"} {
		from, to := day()
		la0, lo0 := border()
		add(registry.IncidentQuery{Commune: c})
		add(registry.IncidentQuery{Commune: c, From: from, To: to.Add(48 * time.Hour)})
		add(registry.IncidentQuery{Commune: c, CameraID: f.cams[rng.IntN(len(f.cams))]})
		add(registry.IncidentQuery{Commune: c, Lat: la0, Lon: lo0, RadiusM: 2500})
		add(registry.IncidentQuery{Commune: c, Category: camera.CategoryRobbery})
		add(registry.IncidentQuery{Commune: c, CaseRef: "HS-01/2026"})
	}
	// A box whose edges pass exactly through incidents' points.
	p := f.all[0]
	add(registry.IncidentQuery{BBox: &registry.BBox{MinLat: *p.Lat, MinLon: *p.Lon, MaxLat: *p.Lat + 0.01, MaxLon: *p.Lon + 0.01}})
	add(registry.IncidentQuery{BBox: &registry.BBox{MinLat: *p.Lat - 0.01, MinLon: *p.Lon - 0.01, MaxLat: *p.Lat, MaxLon: *p.Lon}})
	for _, c := range []string{"HS-01/2026", "  hs-01/2026", "VU AN DUONG 50", "Vụ án đường 50", "HS-02", "nothing"} {
		add(registry.IncidentQuery{CaseRef: c})
		from, to := day()
		add(registry.IncidentQuery{CaseRef: c, From: from, To: to.Add(10 * 24 * time.Hour), CameraID: f.cams[0]})
	}

	nonEmpty := 0
	for i, q := range queries {
		want := f.expect(q)
		if len(want) > 0 {
			nonEmpty++
		}
		for _, limit := range []int{1, 7, 1000} {
			if limit == 1 && len(want) > 150 {
				limit = 97 // a page at a time is walked on the smaller answers
			}
			got := walk(t, f.s, q, limit)
			if !reflect.DeepEqual(ids(got), ids(want)) {
				t.Fatalf("query %d %+v, limit %d:\n got %d %v\nwant %d %v", i, q, limit, len(got), head(ids(got)), len(want), head(ids(want)))
			}
			if limit == 1000 && len(want) > 0 && !reflect.DeepEqual(got[0], want[0]) {
				t.Fatalf("query %d: first item\n got %+v\nwant %+v", i, got[0], want[0])
			}
		}
	}
	if nonEmpty < len(queries)/2 {
		t.Errorf("only %d of %d queries had results: the test data does not exercise the indexes", nonEmpty, len(queries))
	}
}

func head(s []string) []string { return s[:min(len(s), 8)] }

func TestListIncidentsCursorAndValidation(t *testing.T) {
	ctx := context.Background()
	f := newQueryFixture(t, 3, 200)
	items, next, err := f.s.ListIncidents(ctx, registry.IncidentQuery{CameraID: f.cams[1], Limit: 1})
	if err != nil || len(items) != 1 || next == "" {
		t.Fatalf("first page: %d items, next %q, %v", len(items), next, err)
	}
	if _, _, err := f.s.ListIncidents(ctx, registry.IncidentQuery{After: next}); registry.QueryPartOf(err) != registry.QueryCursor {
		t.Errorf("cursor of another query: got %v, want invalid cursor", err)
	}
	if _, _, err := f.s.ListIncidents(ctx, registry.IncidentQuery{After: "!!"}); registry.QueryPartOf(err) != registry.QueryCursor {
		t.Errorf("garbage cursor: %v", err)
	}
	// The parts of the query at fault; an invalid point is the domain's
	// error, naming lat or lon.
	bad := []struct {
		q     registry.IncidentQuery
		part  registry.QueryPart
		field string
	}{
		{registry.IncidentQuery{Category: "arson"}, registry.QueryCategory, ""},
		{registry.IncidentQuery{From: incT0, To: incT0}, registry.QueryEnd, ""},
		{registry.IncidentQuery{Lat: 91, RadiusM: 10}, 0, "lat"},
		{registry.IncidentQuery{Lat: 10, Lon: 106, RadiusM: -1}, registry.QueryRadius, ""},
		{registry.IncidentQuery{Lat: 10, Lon: 106, RadiusM: 1e9}, registry.QueryRadius, ""},
		{registry.IncidentQuery{BBox: &registry.BBox{MinLon: 107, MinLat: 10, MaxLon: 106, MaxLat: 11}}, registry.QueryBox, ""},
		{registry.IncidentQuery{CameraID: "a/b"}, registry.QueryCamera, ""},
	}
	for _, b := range bad {
		_, _, err := f.s.ListIncidents(ctx, b.q)
		if registry.QueryPartOf(err) != b.part || camera.ErrorField(err) != b.field || camera.ErrorCode(err) != camera.EINVALID {
			t.Errorf("%+v: got %v (part %v, field %q), want part %v, field %q", b.q, err, registry.QueryPartOf(err), camera.ErrorField(err), b.part, b.field)
		}
	}
}
