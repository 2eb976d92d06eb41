package geo

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/matthan/matthan/camera"
)

// world is random test data and its index.
type world struct {
	cams   []*camera.Camera
	states map[string]camera.HealthState
	x      *Index
	index  map[string]*camera.Camera
}

func (w *world) byID(id string) *camera.Camera {
	if w.index == nil {
		w.index = map[string]*camera.Camera{}
		for _, c := range w.cams {
			w.index[c.ID] = c
		}
	}
	return w.index[id]
}

func newWorld(t testing.TB, seed uint64, n int) *world {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 99))
	w := &world{cams: randomCameras(rng, n)}
	w.states = randomStates(rng, w.cams)
	w.x = buildIndex(t, w.cams, w.states)
	return w
}

// queryPoints returns points to ask about: random ones in every region,
// and the awkward places (poles, antimeridian).
func queryPoints(rng *rand.Rand, perRegion int) [][2]float64 {
	pts := [][2]float64{{90, 0}, {-90, 0}, {0, 180}, {0, -180}, {89.9999, 179.9999}, {-89.9999, -179.9999}, {65, 180}, {0.0001, -179.9999}}
	for _, r := range testRegions {
		for range perRegion {
			lat, lon := r.point(rng)
			pts = append(pts, [2]float64{lat, lon})
		}
	}
	return pts
}

// filters are the filters every query is checked with.
func testFilters(w *world) []Filter {
	return []Filter{
		{},
		{AreaFilter: AreaFilter{Communes: []string{"Chợ Gạo", "Thị trấn Chợ Gạo", "Bắc Cực", "Đông"}}},
		{AreaFilter: AreaFilter{CommuneMatch: func(c string) bool { return strings.Contains(c, "Cực") || strings.HasPrefix(c, "T") }}},
		{AreaFilter: AreaFilter{RoadClasses: []camera.RoadClass{camera.RoadNational, camera.RoadDistrict}}},
		{States: []camera.HealthState{camera.StateUp}},
		{AreaFilter: AreaFilter{Communes: []string{"no such commune"}}},
		{AreaFilter: AreaFilter{RoadClasses: []camera.RoadClass{camera.RoadUrban}}, States: []camera.HealthState{camera.StateDown, camera.StateUnknown}},
	}
}

func TestNearMatchesBruteForce(t *testing.T) {
	w := newWorld(t, 1, 20_000)
	rng := rand.New(rand.NewPCG(7, 7))
	radii := []float64{1, 50, 500, 2000, 10_000, 50_000}
	for _, p := range queryPoints(rng, 12) {
		r := radii[rng.IntN(len(radii))]
		// The cameras within r, by brute force, once per point.
		var all []ref
		for _, c := range w.cams {
			if d := Distance(p[0], p[1], c.Lat, c.Lon); d <= r {
				all = append(all, ref{c.ID, d})
			}
		}
		for _, f := range testFilters(w) {
			got, err := w.x.Near(p[0], p[1], r, f, 0)
			if err != nil {
				t.Fatal(err)
			}
			var want []ref
			for _, rf := range all {
				if bruteFilter(f, w.byID(rf.id), w.states[rf.id]) {
					want = append(want, rf)
				}
			}
			sortRefs(want)
			checkNear(t, got, want)
			// The limit keeps the nearest.
			lim, err := w.x.Near(p[0], p[1], r, f, 3)
			if err != nil {
				t.Fatal(err)
			}
			checkNear(t, lim, want[:min(3, len(want))])
		}
	}
}

// TestNearAcrossTheAntimeridian is the case of the issue: a 500 m circle
// around lon 179.999 holds cameras at lon −179.999.
func TestNearAcrossTheAntimeridian(t *testing.T) {
	x := NewIndex()
	for _, c := range []*camera.Camera{
		{ID: "east", Lat: 0, Lon: -179.999, FOVDeg: 360, RangeM: 50, Status: camera.StatusActive},
		{ID: "west", Lat: 0, Lon: 179.999, FOVDeg: 360, RangeM: 50, Status: camera.StatusActive},
		{ID: "seam", Lat: 0.001, Lon: 180, FOVDeg: 360, RangeM: 50, Status: camera.StatusActive},
		{ID: "far", Lat: 0, Lon: -179.99, FOVDeg: 360, RangeM: 50, Status: camera.StatusActive},
	} {
		if err := x.Upsert(c); err != nil {
			t.Fatal(err)
		}
	}
	got, err := x.Near(0, 179.999, 500, Filter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if ids := nearIDs(got); !slices.Equal(ids, []string{"west", "seam", "east"}) {
		t.Errorf("got %v, want [west seam east]", ids)
	}
	if d := got[2].DistanceM; math.Abs(d-222.39) > 0.01 {
		t.Errorf("east is %v m away, want 222.39 m", d)
	}
}

func TestNearestMatchesBruteForce(t *testing.T) {
	w := newWorld(t, 2, 20_000)
	rng := rand.New(rand.NewPCG(8, 8))
	for _, p := range queryPoints(rng, 5) {
		all := make([]ref, len(w.cams))
		for i, c := range w.cams {
			all[i] = ref{c.ID, Distance(p[0], p[1], c.Lat, c.Lon)}
		}
		sortRefs(all)
		for _, f := range testFilters(w)[:5] {
			k := []int{1, 5, 40}[rng.IntN(3)]
			got, err := w.x.Nearest(p[0], p[1], k, f)
			if err != nil {
				t.Fatal(err)
			}
			var want []ref
			for _, rf := range all {
				if len(want) < k && bruteFilter(f, w.byID(rf.id), w.states[rf.id]) {
					want = append(want, rf)
				}
			}
			checkNear(t, got, want)
		}
	}
}

func TestWithinMatchesBruteForce(t *testing.T) {
	w := newWorld(t, 3, 20_000)
	rng := rand.New(rand.NewPCG(9, 9))
	boxes := []BBox{
		{-180, -90, 180, 90},
		{179.99, -0.01, -179.99, 0.01}, // across the antimeridian
		{179.9, 64.9, -179.9, 65.1},
		{-180, 89.995, 180, 90},
		{106.40, 10.30, 106.45, 10.35},
		{0, 0, 0, 0},
		{180, -1, 180, 1},
		{-180, -1, -180, 1},
	}
	for range 40 {
		r := testRegions[rng.IntN(len(testRegions))]
		lat1, lon1 := r.point(rng)
		lat2, lon2 := r.point(rng)
		boxes = append(boxes, BBox{lon1, min(lat1, lat2), lon2, max(lat1, lat2)})
	}
	inBox := func(b BBox, lat, lon float64) bool {
		if lat < b.MinLat || lat > b.MaxLat {
			return false
		}
		for _, l := range []float64{lon, lon + 360, lon - 360} {
			lo, hi := b.MinLon, b.MaxLon
			if lo > hi {
				hi += 360
			}
			if l >= lo && l <= hi {
				return true
			}
		}
		return false
	}
	for _, f := range testFilters(w) {
		for _, b := range boxes {
			got, err := w.x.Within(b, f, 0)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, c := range w.cams {
				if inBox(b, c.Lat, c.Lon) && bruteFilter(f, c, w.states[c.ID]) {
					want = append(want, c.ID)
				}
			}
			slices.Sort(want)
			if g := hitIDs(got); !slices.Equal(g, want) {
				t.Fatalf("box %v: got %d cameras, want %d\n%v\n%v", b, len(g), len(want), g, want)
			}
			// Paging with AfterID and a limit walks the same list.
			var paged []string
			pf := f
			for {
				page, err := w.x.Within(b, pf, 997)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) == 0 {
					break
				}
				paged = append(paged, hitIDs(page)...)
				pf.AfterID = page[len(page)-1].ID
			}
			if !slices.Equal(paged, want) {
				t.Fatalf("box %v: paging gave %d cameras, want %d", b, len(paged), len(want))
			}
		}
	}
}

// randomPolygon returns a star-shaped polygon with a hole around a
// point, of radius about sizeDeg.
func randomPolygon(rng *rand.Rand, lat, lon, sizeDeg float64) orb.Polygon {
	n := 5 + rng.IntN(20)
	outer := make(orb.Ring, 0, n+1)
	hole := make(orb.Ring, 0, n+1)
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		r := sizeDeg * (0.5 + rng.Float64())
		outer = append(outer, orb.Point{lon + r*math.Cos(a), lat + r*math.Sin(a)})
		hole = append(hole, orb.Point{lon + 0.2*sizeDeg*math.Cos(a), lat + 0.2*sizeDeg*math.Sin(a)})
	}
	outer = append(outer, outer[0])
	hole = append(hole, hole[0])
	return orb.Polygon{outer, hole}
}

func TestInPolygonMatchesBruteForce(t *testing.T) {
	w := newWorld(t, 4, 20_000)
	rng := rand.New(rand.NewPCG(10, 10))
	var geoms []orb.Geometry
	for _, r := range testRegions {
		if r.wholeLon || r.minLon > r.maxLon {
			continue // polygons in lon/lat do not wrap
		}
		for range 5 {
			lat, lon := r.point(rng)
			p := randomPolygon(rng, lat, lon, 0.02)
			geoms = append(geoms, p)
			lat2, lon2 := r.point(rng)
			geoms = append(geoms, orb.MultiPolygon{p, randomPolygon(rng, lat2, lon2, 0.01)})
		}
	}
	for _, f := range testFilters(w) {
		for _, g := range geoms {
			if err := ValidatePolygon(g); err != nil {
				t.Fatalf("test polygon invalid: %v", err)
			}
			got, err := w.x.InPolygon(g, f, 0)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, c := range w.cams {
				pt := orb.Point{c.Lon, c.Lat}
				var in bool
				switch t := g.(type) {
				case orb.Polygon:
					in = planar.PolygonContains(t, pt)
				case orb.MultiPolygon:
					in = planar.MultiPolygonContains(t, pt)
				}
				if in && bruteFilter(f, c, w.states[c.ID]) {
					want = append(want, c.ID)
				}
			}
			slices.Sort(want)
			if g := hitIDs(got); !slices.Equal(g, want) {
				t.Fatalf("got %d cameras, want %d", len(g), len(want))
			}
		}
	}
	if _, err := w.x.InPolygon(orb.LineString{{0, 0}, {1, 1}}, Filter{}, 0); errField(t, err) != "geometry" {
		t.Errorf("a line string: got field %q, want geometry", camera.ErrorField(err))
	}
}

func TestSeeingMatchesBruteForce(t *testing.T) {
	w := newWorld(t, 5, 20_000)
	rng := rand.New(rand.NewPCG(11, 11))
	pts := queryPoints(rng, 40)
	// And points right in front of cameras, where the answer is not empty.
	for _, c := range w.cams[:200] {
		lat, lon := Destination(c.Lat, c.Lon, c.DirectionDeg, c.RangeM*rng.Float64())
		pts = append(pts, [2]float64{lat, lon})
	}
	nonEmpty := 0
	for _, p := range pts {
		// The covering cameras, by brute force, once per point.
		var all []*camera.Camera
		for _, c := range w.cams {
			if Covers(c, p[0], p[1]) {
				all = append(all, c)
			}
		}
		if len(all) > 0 {
			nonEmpty++
		}
		for _, f := range testFilters(w)[:5] {
			got, err := w.x.Seeing(p[0], p[1], f)
			if err != nil {
				t.Fatal(err)
			}
			var want []ref
			for _, c := range all {
				if bruteFilter(f, c, w.states[c.ID]) {
					want = append(want, ref{c.ID, Distance(c.Lat, c.Lon, p[0], p[1])})
				}
			}
			sortRefs(want)
			checkNear(t, got, want)
		}
	}
	if nonEmpty < 200 {
		t.Errorf("only %d non-empty answers: the test data is too sparse", nonEmpty)
	}
}

func TestUpdatesKeepQueriesRight(t *testing.T) {
	w := newWorld(t, 6, 5_000)
	rng := rand.New(rand.NewPCG(12, 12))
	live := map[string]*camera.Camera{}
	for _, c := range w.cams {
		live[c.ID] = c
	}
	for i := range 3000 {
		switch op := rng.IntN(5); op {
		case 0: // a new camera
			c := randomCameras(rng, 1)[0]
			c.ID = "N-" + c.ID + "-" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676%26))
			if err := w.x.Upsert(c); err != nil {
				t.Fatal(err)
			}
			live[c.ID] = c
		case 1, 2: // a move, to anywhere
			c := w.cams[rng.IntN(len(w.cams))]
			if live[c.ID] == nil {
				continue
			}
			m := *randomCameras(rng, 1)[0]
			m.ID = c.ID
			if err := w.x.Upsert(&m); err != nil {
				t.Fatal(err)
			}
			live[c.ID] = &m
		case 3: // removed, or retired
			c := w.cams[rng.IntN(len(w.cams))]
			if rng.IntN(2) == 0 {
				w.x.Remove(c.ID)
			} else {
				r := *c
				r.Status = camera.StatusRetired
				if err := w.x.Upsert(&r); err != nil {
					t.Fatal(err)
				}
			}
			delete(live, c.ID)
		case 4:
			c := w.cams[rng.IntN(len(w.cams))]
			s := camera.HealthStates[rng.IntN(len(camera.HealthStates))]
			err := w.x.SetState(c.ID, s)
			if live[c.ID] == nil {
				if camera.ErrorCode(err) != camera.ENOTFOUND {
					t.Fatalf("SetState of a removed camera: got %v, want not found", err)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			w.states[c.ID] = s
		}
	}
	if got := w.x.Len(); got != len(live) {
		t.Fatalf("Len = %d, want %d", got, len(live))
	}
	for _, p := range queryPoints(rng, 10) {
		got, err := w.x.Near(p[0], p[1], 5000, Filter{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		var want []ref
		for _, c := range live {
			if d := Distance(p[0], p[1], c.Lat, c.Lon); d <= 5000 {
				want = append(want, ref{c.ID, d})
			}
		}
		sortRefs(want)
		checkNear(t, got, want)
	}
	for id, c := range live {
		h, ok := w.x.Get(id)
		if !ok || h.Lat != c.Lat || h.Lon != c.Lon || h.RangeM != c.RangeM {
			t.Fatalf("Get(%s) = %+v, %v; want the camera at %v,%v", id, h, ok, c.Lat, c.Lon)
		}
		if s := w.states[id]; s != "" && h.State != s {
			t.Fatalf("camera %s state %s, want %s (moves keep the state)", id, h.State, s)
		}
	}
}

func TestQueryValidation(t *testing.T) {
	x := NewIndex()
	for _, tc := range []struct {
		name  string
		err   error
		field string
	}{
		{"lat too big", second(x.Near(91, 0, 10, Filter{}, 0)), "lat"},
		{"lat NaN", second(x.Near(math.NaN(), 0, 10, Filter{}, 0)), "lat"},
		{"lon too small", second(x.Near(0, -180.5, 10, Filter{}, 0)), "lon"},
		{"lon infinite", second(x.Nearest(0, math.Inf(1), 1, Filter{})), "lon"},
		{"radius 0", second(x.Near(0, 0, 0, Filter{}, 0)), "radius_m"},
		{"radius too big", second(x.Near(0, 0, 50_001, Filter{}, 0)), "radius_m"},
		{"k 0", second(x.Nearest(0, 0, 0, Filter{})), "k"},
		{"bad road class", second(x.Near(0, 0, 10, Filter{AreaFilter: AreaFilter{RoadClasses: []camera.RoadClass{"highway"}}}, 0)), "road_class"},
		{"bad state", second(x.Near(0, 0, 10, Filter{States: []camera.HealthState{"sleepy"}}, 0)), "state"},
		{"upside-down box", second(x.Within(BBox{0, 10, 1, 9}, Filter{}, 0)), "bbox"},
		{"seeing lat", second(x.Seeing(-100, 0, Filter{})), "lat"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := errField(t, tc.err); got != tc.field {
				t.Errorf("field %q, want %q (%v)", got, tc.field, tc.err)
			}
		})
	}
}

func second[T any](_ T, err error) error { return err }

func TestUpsertValidation(t *testing.T) {
	x := NewIndex()
	base := camera.Camera{ID: "C", Lat: 10, Lon: 106, FOVDeg: 90, RangeM: 50, Status: camera.StatusActive}
	for _, tc := range []struct {
		name  string
		edit  func(c *camera.Camera)
		field string
	}{
		{"lat", func(c *camera.Camera) { c.Lat = 95 }, "lat"},
		{"lon", func(c *camera.Camera) { c.Lon = math.NaN() }, "lon"},
		{"range 0", func(c *camera.Camera) { c.RangeM = 0 }, "range_m"},
		{"range too long", func(c *camera.Camera) { c.RangeM = camera.MaxRangeM + 1 }, "range_m"},
		{"fov", func(c *camera.Camera) { c.FOVDeg = -1 }, "fov_deg"},
		{"road class", func(c *camera.Camera) { c.RoadClass = "motorway" }, "road_class"},
		{"no id", func(c *camera.Camera) { c.ID = "" }, "id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			tc.edit(&c)
			if got := errField(t, x.Upsert(&c)); got != tc.field {
				t.Errorf("field %q, want %q", got, tc.field)
			}
		})
	}
	if err := x.SetState("nope", camera.StateUp); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Errorf("SetState of an unknown camera: %v, want not found", err)
	}
	if err := x.Upsert(&base); err != nil {
		t.Fatal(err)
	}
	if err := x.SetState("C", "sleepy"); errField(t, err) != "state" {
		t.Errorf("SetState with a bad state: %v", err)
	}
	if _, err := Build(slices.Values([]*camera.Camera{{ID: "bad", Lat: 100, RangeM: 1, FOVDeg: 1, Status: camera.StatusActive}}), nil); errField(t, err) != "lat" {
		t.Errorf("Build with a bad camera: %v", err)
	}
}

// TestConcurrentReadersAndWriter runs queries while cameras move, for the
// race detector.
func TestConcurrentReadersAndWriter(t *testing.T) {
	w := newWorld(t, 13, 3_000)
	if err := w.x.SetIntersections(randomIntersections(rand.New(rand.NewPCG(1, 1)), 500)); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	errs := make(chan error, 4)
	for r := range 3 {
		go func() {
			rng := rand.New(rand.NewPCG(uint64(r), 3))
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				lat, lon := testRegions[4].point(rng)
				if _, err := w.x.Near(lat, lon, 1000, Filter{}, 10); err != nil {
					errs <- err
					return
				}
				if _, err := w.x.Coverage(AreaFilter{}, Live); err != nil {
					errs <- err
					return
				}
				if _, _, err := w.x.Gaps(AreaFilter{}, Installed, 5, nil); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for range 500 {
		c := *w.cams[rng.IntN(len(w.cams))]
		c.Lat, c.Lon = testRegions[4].point(rng)
		if err := w.x.Upsert(&c); err != nil {
			t.Fatal(err)
		}
		if err := w.x.SetState(c.ID, camera.HealthStates[rng.IntN(5)]); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func TestStats(t *testing.T) {
	x := coverageFixture(t)
	s := x.Stats()
	if s.Cameras != 4 || s.Intersections != 5 || s.MaxRangeM != 50 || s.Cells < 1 || s.Communes != 0 {
		t.Errorf("stats %+v", s)
	}
	x.Remove("cam-A")
	if got := x.Stats().Cameras; got != 3 {
		t.Errorf("%d cameras after a removal", got)
	}
}
