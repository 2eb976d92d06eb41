package geo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/matthan/matthan/camera"
)

// dense is a small box of Chợ Gạo where test cameras and intersections
// crowd, so that most intersections have several cameras.
var dense = region{name: "dense", minLat: 10.35, maxLat: 10.36, minLon: 106.46, maxLon: 106.47, communes: []string{"Long Bình Điền", "Song Bình"}}

func randomIntersections(rng *rand.Rand, n int) []Intersection {
	out := make([]Intersection, n)
	for i := range out {
		r := dense
		if i%10 == 9 {
			r = testRegions[rng.IntN(len(testRegions))] // a few far away
		}
		lat, lon := r.point(rng)
		out[i] = Intersection{
			ID:        fmt.Sprintf("INT-%04d", i),
			Name:      fmt.Sprintf("Ngã tư %d", i),
			Lat:       lat,
			Lon:       lon,
			RoadClass: camera.RoadClasses[rng.IntN(len(camera.RoadClasses))],
			Commune:   r.communes[rng.IntN(len(r.communes))],
		}
	}
	return out
}

func denseCameras(rng *rand.Rand, n int) []*camera.Camera {
	cams := randomCameras(rng, n)
	for i, c := range cams {
		if i%5 != 0 {
			c.Lat, c.Lon = dense.point(rng)
			c.Commune = dense.communes[rng.IntN(2)]
		}
	}
	return cams
}

// bruteCoverage counts, for each intersection, the cameras covering it and
// those of them up, by Covers over every pair.
func bruteCoverage(cams map[string]*camera.Camera, states map[string]camera.HealthState, items []Intersection) (inst, live map[string]int) {
	inst, live = map[string]int{}, map[string]int{}
	for _, it := range items {
		for id, c := range cams {
			if Covers(c, it.Lat, it.Lon) {
				inst[it.ID]++
				if states[id] == camera.StateUp {
					live[it.ID]++
				}
			}
		}
	}
	return inst, live
}

func checkCounts(t *testing.T, x *Index, cams map[string]*camera.Camera, states map[string]camera.HealthState, items []Intersection) {
	t.Helper()
	inst, live := bruteCoverage(cams, states, items)
	got, err := x.Intersections(AreaFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(items) {
		t.Fatalf("%d intersections, want %d", len(got), len(items))
	}
	covered := 0
	for _, s := range got {
		if s.Cameras != inst[s.ID] || s.CamerasLive != live[s.ID] {
			t.Fatalf("%s: %d cameras (%d live), want %d (%d live)", s.ID, s.Cameras, s.CamerasLive, inst[s.ID], live[s.ID])
		}
		if s.Covered != (s.Cameras > 0) || s.CoveredLive != (s.CamerasLive > 0) {
			t.Fatalf("%s: covered flags %v/%v disagree with counts", s.ID, s.Covered, s.CoveredLive)
		}
		if s.Covered {
			covered++
		}
	}
	if covered == 0 || covered == len(items) {
		t.Fatalf("%d of %d intersections covered: the test data does not exercise both cases", covered, len(items))
	}
}

func TestCoverageIncremental(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 21))
	cams := denseCameras(rng, 1500)
	states := randomStates(rng, cams)
	items := randomIntersections(rng, 600)
	x := buildIndex(t, cams, states)
	if err := x.SetIntersections(items); err != nil {
		t.Fatal(err)
	}
	live := map[string]*camera.Camera{}
	for _, c := range cams {
		live[c.ID] = c
	}
	checkCounts(t, x, live, states, items)

	for i := range 2000 {
		c := cams[rng.IntN(len(cams))]
		op := rng.IntN(6)
		if (op == 0 || op == 1) && live[c.ID] == nil {
			states[c.ID] = camera.StateUnknown // added anew: the index knows nothing of its health
		}
		switch op {
		case 0: // a small move and a new mount
			m := *c
			if old := live[c.ID]; old != nil {
				m = *old
			}
			m.Lat, m.Lon = Destination(m.Lat, m.Lon, rng.Float64()*360, rng.Float64()*60)
			m.DirectionDeg = float64(rng.IntN(360))
			m.FOVDeg = float64(1 + rng.IntN(360))
			m.RangeM = 10 + rng.Float64()*300
			if err := x.Upsert(&m); err != nil {
				t.Fatal(err)
			}
			live[c.ID] = &m
		case 1: // a move across the map
			m := *denseCameras(rng, 1)[0]
			m.ID = c.ID
			if err := x.Upsert(&m); err != nil {
				t.Fatal(err)
			}
			live[c.ID] = &m
		case 2:
			x.Remove(c.ID)
			delete(live, c.ID)
		case 3:
			r := *c
			r.Status = camera.StatusRetired
			if err := x.Upsert(&r); err != nil {
				t.Fatal(err)
			}
			delete(live, c.ID)
		case 4: // back, or new
			n := *c
			n.ID = fmt.Sprintf("%s-%d", c.ID, i)
			if rng.IntN(2) == 0 {
				n.ID = c.ID
			}
			if err := x.Upsert(&n); err != nil {
				t.Fatal(err)
			}
			if _, known := states[n.ID]; !known || live[n.ID] == nil {
				states[n.ID] = camera.StateUnknown // a camera added anew starts unknown
			}
			live[n.ID] = &n
		case 5:
			s := camera.HealthStates[rng.IntN(len(camera.HealthStates))]
			if live[c.ID] == nil {
				continue
			}
			if err := x.SetState(c.ID, s); err != nil {
				t.Fatal(err)
			}
			states[c.ID] = s
		}
		if i%500 == 499 {
			checkCounts(t, x, live, states, items)
		}
	}
	checkCounts(t, x, live, states, items)

	// And the same counts from scratch.
	var final []*camera.Camera
	for _, c := range live {
		final = append(final, c)
	}
	y := buildIndex(t, final, states)
	if err := y.SetIntersections(items); err != nil {
		t.Fatal(err)
	}
	a, _ := x.Intersections(AreaFilter{})
	b, _ := y.Intersections(AreaFilter{})
	for i := range a {
		if a[i].Cameras != b[i].Cameras || a[i].CamerasLive != b[i].CamerasLive {
			t.Fatalf("%s: incremental %d/%d, from scratch %d/%d", a[i].ID, a[i].Cameras, a[i].CamerasLive, b[i].Cameras, b[i].CamerasLive)
		}
	}
}

// TestIntersectionCoverage checks the set of covering cameras of one
// intersection.
func TestIntersectionCoverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 22))
	cams := denseCameras(rng, 800)
	items := randomIntersections(rng, 100)
	x := buildIndex(t, cams, nil)
	if err := x.SetIntersections(items); err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		st, ok := x.IntersectionCoverage(it.ID)
		if !ok {
			t.Fatalf("%s not found", it.ID)
		}
		var want []ref
		for _, c := range cams {
			if Covers(c, it.Lat, it.Lon) {
				want = append(want, ref{c.ID, Distance(c.Lat, c.Lon, it.Lat, it.Lon)})
			}
		}
		sortRefs(want)
		var ids []string
		for _, r := range want {
			ids = append(ids, r.id)
		}
		if !slices.Equal(st.CameraIDs, ids) || st.Cameras != len(ids) {
			t.Fatalf("%s: cameras %v (count %d), want %v", it.ID, st.CameraIDs, st.Cameras, ids)
		}
	}
	if _, ok := x.IntersectionCoverage("nope"); ok {
		t.Error("an unknown intersection was found")
	}
}

// coverageFixture is a hand-made district: two communes, five
// intersections, three cameras.
func coverageFixture(t *testing.T) *Index {
	t.Helper()
	const lat, lon = 10.35, 106.46
	at := func(dx, dy float64) (float64, float64) { return offset(lat, lon, dx, dy) }
	items := []Intersection{
		{ID: "A", RoadClass: camera.RoadNational, Commune: "Song Bình"},
		{ID: "B", RoadClass: camera.RoadNational, Commune: "Song Bình"},
		{ID: "C", RoadClass: camera.RoadProvincial, Commune: "Song Bình"},
		{ID: "D", RoadClass: camera.RoadNational, Commune: "Xuân Đông"},
		{ID: "E", RoadClass: camera.RoadCommune, Commune: "Xuân Đông"},
	}
	pos := [][2]float64{{0, 0}, {1000, 0}, {2000, 0}, {0, 3000}, {5000, 5000}}
	for i := range items {
		items[i].Lat, items[i].Lon = at(pos[i][0], pos[i][1])
		items[i].Name = "Ngã tư " + items[i].ID
	}
	cam := func(id string, dx, dy, dir, fov, rng float64) *camera.Camera {
		la, lo := at(dx, dy)
		return &camera.Camera{ID: id, Lat: la, Lon: lo, DirectionDeg: dir, FOVDeg: fov, RangeM: rng, Status: camera.StatusActive, RoadClass: camera.RoadNational}
	}
	cams := []*camera.Camera{
		cam("cam-A", -20, 0, 90, 60, 50),  // looks east at A
		cam("cam-B", 1000, 30, 0, 90, 50), // at B's north, looking away
		cam("cam-C", 2000, 40, 180, 90, 50),
		cam("cam-far", 20_000, 0, 0, 360, 50),
	}
	x := buildIndex(t, cams, map[string]camera.HealthState{"cam-A": camera.StateUp, "cam-C": camera.StateDown})
	if err := x.SetIntersections(items); err != nil {
		t.Fatal(err)
	}
	return x
}

func TestCoverageReport(t *testing.T) {
	x := coverageFixture(t)
	// Installed: A (cam-A) and C (cam-C) covered; live: only A.
	for _, tc := range []struct {
		name                 string
		f                    AreaFilter
		mode                 Mode
		total, covered       int
		groups, communes     int
		firstGroupCommune    string
		firstGroupCovered    int
		firstGroupIntersects int
	}{
		{"all installed", AreaFilter{}, Installed, 5, 2, 4, 2, "Song Bình", 1, 2},
		{"all live", AreaFilter{}, Live, 5, 1, 4, 2, "Song Bình", 1, 2},
		{"one commune", AreaFilter{Communes: []string{"Xuân Đông"}}, Installed, 2, 0, 2, 1, "Xuân Đông", 0, 1},
		{"national roads", AreaFilter{RoadClasses: []camera.RoadClass{camera.RoadNational}}, Installed, 3, 1, 2, 2, "Song Bình", 1, 2},
		{"default mode", AreaFilter{}, "", 5, 2, 4, 2, "Song Bình", 1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := x.Coverage(tc.f, tc.mode)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Intersections != tc.total || rep.Covered != tc.covered {
				t.Errorf("total %d/%d, want %d/%d", rep.Covered, rep.Intersections, tc.covered, tc.total)
			}
			if want := float64(tc.covered) / float64(tc.total); math.Abs(rep.Ratio-want) > 1e-12 {
				t.Errorf("ratio %v, want %v", rep.Ratio, want)
			}
			if len(rep.Groups) != tc.groups || len(rep.Communes) != tc.communes {
				t.Fatalf("%d groups and %d communes, want %d and %d: %+v", len(rep.Groups), len(rep.Communes), tc.groups, tc.communes, rep.Groups)
			}
			g := rep.Groups[0]
			if g.Commune != tc.firstGroupCommune || g.Covered != tc.firstGroupCovered || g.Intersections != tc.firstGroupIntersects {
				t.Errorf("first group %+v", g)
			}
		})
	}
	if _, err := x.Coverage(AreaFilter{}, "sometimes"); errField(t, err) != "mode" {
		t.Errorf("bad mode: %v", err)
	}

	counts := x.CoverageCounts()
	want := []CoverageCount{
		{"Song Bình", camera.RoadNational, 2, 1, 1},
		{"Song Bình", camera.RoadProvincial, 1, 1, 0},
		{"Xuân Đông", camera.RoadNational, 1, 0, 0},
		{"Xuân Đông", camera.RoadCommune, 1, 0, 0},
	}
	if !slices.Equal(counts, want) {
		t.Errorf("CoverageCounts = %+v, want %+v", counts, want)
	}
	if r := counts[0].Ratio(Live); r != 0.5 {
		t.Errorf("ratio %v, want 0.5", r)
	}

	// cam-C comes up: C is covered live too.
	if err := x.SetState("cam-C", camera.StateUp); err != nil {
		t.Fatal(err)
	}
	if rep, _ := x.Coverage(AreaFilter{}, Live); rep.Covered != 2 {
		t.Errorf("after cam-C came up, %d covered live, want 2", rep.Covered)
	}
	// cam-B turns round to face B.
	cb, _ := x.Get("cam-B")
	if err := x.Upsert(&camera.Camera{ID: "cam-B", Lat: cb.Lat, Lon: cb.Lon, DirectionDeg: 180, FOVDeg: 90, RangeM: 50, Status: camera.StatusActive}); err != nil {
		t.Fatal(err)
	}
	if rep, _ := x.Coverage(AreaFilter{}, Installed); rep.Covered != 3 {
		t.Errorf("after cam-B turned, %d covered, want 3", rep.Covered)
	}
}

func TestGaps(t *testing.T) {
	x := coverageFixture(t)
	gaps, total, err := x.Gaps(AreaFilter{}, Installed, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Uncovered: B (national, cam-B 30 m away), D (national, cam-A about
	// 3 km away), E (commune). National first, the farther first.
	var ids []string
	for _, g := range gaps {
		ids = append(ids, g.ID)
	}
	if !slices.Equal(ids, []string{"D", "B", "E"}) || total != 3 {
		t.Fatalf("gaps %v (total %d), want [D B E] (3)", ids, total)
	}
	if g := gaps[1]; g.Rank != 2 || g.NearestCamera == nil || g.NearestCamera.ID != "cam-B" || math.Abs(g.NearestCamera.DistanceM-30) > 0.01 {
		t.Errorf("gap B: %+v, nearest %+v", g, g.NearestCamera)
	}
	if g := gaps[0]; g.NearestCamera.ID != "cam-A" || g.NearestCamera.State != camera.StateUp {
		t.Errorf("gap D nearest %+v", g.NearestCamera)
	}

	// Incidents near B put it before D.
	la, lo := gaps[1].Lat, gaps[1].Lon
	count := NewPointCounter([]orb.Point{{lo, la}, {lo + 0.0001, la}, {106, 20}}, 100)
	gaps, _, _ = x.Gaps(AreaFilter{}, Installed, 2, count)
	if len(gaps) != 2 || gaps[0].ID != "B" || gaps[0].Incidents != 2 || gaps[1].ID != "D" {
		t.Fatalf("with incidents: %+v", gaps)
	}

	// Live: C (cam-C is down) is a gap too, after the national ones.
	gaps, total, _ = x.Gaps(AreaFilter{}, Live, 0, nil)
	ids = ids[:0]
	for _, g := range gaps {
		ids = append(ids, g.ID)
	}
	if !slices.Equal(ids, []string{"D", "B", "C", "E"}) || total != 4 {
		t.Errorf("live gaps %v (total %d), want [D B C E]", ids, total)
	}
	if gaps[2].Cameras != 1 || gaps[2].CamerasLive != 0 || gaps[2].NearestCamera.State != camera.StateDown {
		t.Errorf("live gap C: %+v nearest %+v", gaps[2], gaps[2].NearestCamera)
	}

	// Filters and an empty index.
	gaps, total, _ = x.Gaps(AreaFilter{Communes: []string{"Xuân Đông"}}, Installed, 1, nil)
	if len(gaps) != 1 || gaps[0].ID != "D" || total != 2 {
		t.Errorf("Xuân Đông gaps: %v total %d", gaps, total)
	}
	y := NewIndex()
	if err := y.SetIntersections([]Intersection{{ID: "lonely", Lat: 1, Lon: 1}}); err != nil {
		t.Fatal(err)
	}
	gaps, _, _ = y.Gaps(AreaFilter{}, Installed, 0, nil)
	if len(gaps) != 1 || gaps[0].NearestCamera != nil || gaps[0].RoadClass != camera.RoadOther {
		t.Errorf("gap with no camera anywhere: %+v", gaps)
	}
}

func TestSetIntersectionsValidation(t *testing.T) {
	x := NewIndex()
	for _, tc := range []struct {
		name  string
		items []Intersection
		field string
	}{
		{"no id", []Intersection{{Lat: 1, Lon: 1}}, "intersections[0].id"},
		{"duplicate", []Intersection{{ID: "a"}, {ID: "a"}}, "intersections[1].id"},
		{"position", []Intersection{{ID: "a", Lat: 100}}, "intersections[0]"},
		{"class", []Intersection{{ID: "a", RoadClass: "lane"}}, "intersections[0].road_class"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := errField(t, x.SetIntersections(tc.items)); got != tc.field {
				t.Errorf("field %q, want %q", got, tc.field)
			}
		})
	}
}

func TestCommunesFillIntersections(t *testing.T) {
	x := NewIndex()
	items := []Intersection{
		{ID: "in", Lat: 10.355, Lon: 106.465},
		{ID: "named", Lat: 10.355, Lon: 106.465, Commune: "Given"},
		{ID: "out", Lat: 11, Lon: 107},
	}
	if err := x.SetIntersections(items); err != nil {
		t.Fatal(err)
	}
	cs, err := ParseCommunes(context.Background(), []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Song Bình"},
		"geometry":{"type":"Polygon","coordinates":[[[106.46,10.35],[106.47,10.35],[106.47,10.36],[106.46,10.36],[106.46,10.35]]]}}]}`), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.SetCommunes(cs); err != nil {
		t.Fatal(err)
	}
	got, _ := x.Intersections(AreaFilter{})
	if got[0].Commune != "Song Bình" || got[1].Commune != "Given" || got[2].Commune != "" {
		t.Errorf("communes %q %q %q", got[0].Commune, got[1].Commune, got[2].Commune)
	}
	if rep, _ := x.Coverage(AreaFilter{Communes: []string{"Song Bình"}}, Installed); rep.Intersections != 1 {
		t.Errorf("Song Bình has %d intersections, want 1", rep.Intersections)
	}
	// Loaded before the intersections, the layer applies too.
	y := NewIndex()
	if err := y.SetCommunes(cs); err != nil {
		t.Fatal(err)
	}
	if err := y.SetIntersections(items); err != nil {
		t.Fatal(err)
	}
	got, _ = y.Intersections(AreaFilter{})
	if got[0].Commune != "Song Bình" {
		t.Errorf("commune %q, want Song Bình", got[0].Commune)
	}
	if name, ok := y.CommuneAt(10.351, 106.469); !ok || name != "Song Bình" {
		t.Errorf("CommuneAt = %q, %v", name, ok)
	}
}
