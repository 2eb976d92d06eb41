package geo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/matthan/matthan/camera"
)

// suggestIndex is an index holding cams and the intersections items.
func suggestIndex(t *testing.T, cams []*camera.Camera, items []Intersection) *Index {
	t.Helper()
	x, err := Build(slices.Values(cams), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.SetIntersections(items); err != nil {
		t.Fatal(err)
	}
	return x
}

// east returns the point m metres east of (lat, lon).
func east(lat, lon, m float64) (float64, float64) { return Destination(lat, lon, 90, m) }

// A row of junctions 20 m apart is covered by one camera at its end
// looking along it; far-off junctions of a higher class come first.
func TestSuggestHandMade(t *testing.T) {
	const lat0, lon0 = 10.35, 106.46
	row := func(prefix string, lat, lon float64, n int, class camera.RoadClass) []Intersection {
		var out []Intersection
		for i := range n {
			la, lo := east(lat, lon, float64(i)*20)
			out = append(out, Intersection{ID: fmt.Sprintf("%s%d", prefix, i), Lat: la, Lon: lo, RoadClass: class, Commune: "Song Bình"})
		}
		return out
	}
	var items []Intersection
	items = append(items, row("A", lat0, lon0, 3, camera.RoadCommune)...)       // weight 3 × 2
	items = append(items, row("N", lat0+0.01, lon0, 1, camera.RoadNational)...) // weight 16
	items = append(items, row("D", lat0+0.02, lon0, 1, camera.RoadDistrict)...) // weight 4
	items = append(items, row("O", lat0+0.03, lon0, 2, camera.RoadOther)...)    // weight 2 × 1
	cam := &camera.Camera{ID: "CAM-1", Lat: lat0 + 0.03, Lon: lon0, DirectionDeg: 90, FOVDeg: 90, RangeM: 50, Status: camera.StatusActive, Commune: "Song Bình"}
	x := suggestIndex(t, []*camera.Camera{cam}, items) // the camera covers O0 and O1

	tests := []struct {
		name      string
		o         SuggestOptions
		want      []string // junction of each suggestion
		wantCover [][]string
		wantDir   []float64
	}{
		{"classes first", SuggestOptions{N: 10, FOVDeg: 90, RangeM: 50}, []string{"N0", "A0", "D0"},
			[][]string{{"N0"}, {"A0", "A1", "A2"}, {"D0"}}, []float64{0, 90, 0}},
		{"district favoured", SuggestOptions{N: 1, FOVDeg: 90, RangeM: 50, Favour: []camera.RoadClass{camera.RoadDistrict}}, []string{"D0"},
			[][]string{{"D0"}}, []float64{0}},
		{"incidents", SuggestOptions{N: 1, FOVDeg: 90, RangeM: 50, Incidents: func(lat, lon float64) int {
			if lat < lat0+0.005 {
				return 2 // near the row: 3 × 2 × (1 + 2) = 18 > 16
			}
			return 0
		}}, []string{"A0"}, [][]string{{"A0", "A1", "A2"}}, []float64{90}},
		{"a short range needs two cameras for the row", SuggestOptions{N: 3, FOVDeg: 90, RangeM: 25}, []string{"N0", "A0", "D0"},
			[][]string{{"N0"}, {"A0", "A1"}, {"D0"}}, []float64{0, 90, 0}},
		{"domes", SuggestOptions{N: 2, FOVDeg: 360, RangeM: 25}, []string{"N0", "A1"},
			[][]string{{"N0"}, {"A1", "A0", "A2"}}, []float64{0, 0}},
		{"commune filter", SuggestOptions{N: 5, FOVDeg: 90, RangeM: 50, Area: AreaFilter{Communes: []string{"Xuân Đông"}}}, nil, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := x.Suggest(context.Background(), tc.o)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			var covers [][]string
			var dirs []float64
			for _, s := range res.Suggestions {
				got, covers, dirs = append(got, s.JunctionID), append(covers, s.Covers), append(dirs, s.DirectionDeg)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("suggested %v, want %v", got, tc.want)
			}
			for i := range covers {
				if !slices.Equal(covers[i], tc.wantCover[i]) {
					t.Errorf("suggestion %d covers %v, want %v", i+1, covers[i], tc.wantCover[i])
				}
				if tc.o.FOVDeg < 360 && dirs[i] != tc.wantDir[i] && len(covers[i]) > 1 {
					t.Errorf("suggestion %d looks %v°, want %v°", i+1, dirs[i], tc.wantDir[i])
				}
			}
		})
	}

	res, err := x.Suggest(context.Background(), SuggestOptions{N: 10, FOVDeg: 90, RangeM: 50})
	if err != nil {
		t.Fatal(err)
	}
	if res.Junctions != 7 || res.CoveredBefore != 2 || res.CoveredAfter != 7 || res.CoverageAfter != 1 || res.Gain != 16+6+4 {
		t.Errorf("totals: %+v", res)
	}
	if last := res.Suggestions[len(res.Suggestions)-1]; last.CoveredAfter != 7 || last.CoverageRatio != 1 {
		t.Errorf("last suggestion: covered after %d, ratio %v", last.CoveredAfter, last.CoverageRatio)
	}
	if s := res.Suggestions[1]; s.Gain != 6 || s.JunctionsAdded != 3 || s.CoveredAfter != 6 || s.Commune != "Song Bình" || s.RoadClass != camera.RoadCommune {
		t.Errorf("second suggestion: %+v", s)
	}
}

// The mount comes from the question, else from the median of the
// area's cameras, else of every camera, else the defaults.
func TestSuggestMount(t *testing.T) {
	items := []Intersection{{ID: "J1", Lat: 10.35, Lon: 106.46, Commune: "Song Bình"}}
	mk := func(id, commune string, fov, rng float64) *camera.Camera {
		return &camera.Camera{ID: id, Lat: 10.5, Lon: 106.6, FOVDeg: fov, RangeM: rng, Commune: commune, Status: camera.StatusActive}
	}
	cams := []*camera.Camera{mk("a", "Song Bình", 60, 30), mk("b", "Song Bình", 90, 80), mk("c", "Song Bình", 90, 50.4), mk("d", "Hòa Định", 360, 20)}
	for _, tc := range []struct {
		name     string
		cams     []*camera.Camera
		o        SuggestOptions
		fov, rng float64
		from     string
		n        int
	}{
		{"every camera (the lower median of an even count)", cams, SuggestOptions{N: 1}, 90, 30, "cameras", 4},
		{"the commune's", cams, SuggestOptions{N: 1, Area: AreaFilter{Communes: []string{"Hòa Định"}}}, 360, 20, "cameras", 1},
		{"a commune without cameras takes every camera's", cams, SuggestOptions{N: 1, Area: AreaFilter{Communes: []string{"Xuân Đông"}}}, 90, 30, "cameras", 4},
		{"asked", cams, SuggestOptions{N: 1, FOVDeg: 120, RangeM: 35}, 120, 35, "asked", 0},
		{"range asked", cams, SuggestOptions{N: 1, RangeM: 35}, 90, 35, "cameras", 4},
		{"no camera", nil, SuggestOptions{N: 1}, camera.DefaultFOVDeg, camera.DefaultRangeM, "default", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := suggestIndex(t, tc.cams, items)
			res, err := x.Suggest(context.Background(), tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if res.FOVDeg != tc.fov || res.RangeM != tc.rng || res.MountFrom != tc.from || res.MountCameras != tc.n {
				t.Errorf("mount %v° %v m from %s (%d), want %v° %v m from %s (%d)", res.FOVDeg, res.RangeM, res.MountFrom, res.MountCameras, tc.fov, tc.rng, tc.from, tc.n)
			}
		})
	}
}

func TestSuggestBadInput(t *testing.T) {
	x := suggestIndex(t, nil, nil)
	for _, tc := range []struct {
		o     SuggestOptions
		field string
	}{
		{SuggestOptions{N: 0}, "n"},
		{SuggestOptions{N: MaxSuggestions + 1}, "n"},
		{SuggestOptions{N: 1, Mode: "working"}, "mode"},
		{SuggestOptions{N: 1, Favour: []camera.RoadClass{"highway"}}, "road_class"},
		{SuggestOptions{N: 1, FOVDeg: 0.5}, "fov_deg"},
		{SuggestOptions{N: 1, FOVDeg: 361}, "fov_deg"},
		{SuggestOptions{N: 1, RangeM: -3}, "range_m"},
		{SuggestOptions{N: 1, RangeM: camera.MaxRangeM + 1}, "range_m"},
	} {
		_, err := x.Suggest(context.Background(), tc.o)
		if camera.ErrorCode(err) != camera.EINVALID || camera.ErrorField(err) != tc.field {
			t.Errorf("%+v: %v, want EINVALID naming %s", tc.o, err, tc.field)
		}
	}
	// No intersection layer: nothing to suggest, and no error.
	res, err := x.Suggest(context.Background(), SuggestOptions{N: 5})
	if err != nil || len(res.Suggestions) != 0 || res.Junctions != 0 {
		t.Errorf("without a layer: %+v, %v", res, err)
	}
}

// On random networks every suggestion covers, by the one definition,
// exactly the junctions it lists that were uncovered before it; its gain
// is their weight; and the first one is at least as good as any sector of
// the swept width and no better than any whole-degree sector of the full
// field of view (brute force over every junction and direction).
func TestSuggestMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	for round := range 8 {
		reg := testRegions[round%len(testRegions)]
		if reg.wholeLon {
			reg = testRegions[4]
		}
		// A few hundred metres square, so that junctions share sectors.
		small := region{minLat: reg.minLat, maxLat: reg.minLat + 0.004, minLon: reg.minLon, maxLon: normLon(reg.minLon + 0.004), communes: reg.communes}
		var items []Intersection
		for i := range 40 {
			lat, lon := small.point(rng)
			items = append(items, Intersection{ID: fmt.Sprintf("J%03d", i), Lat: lat, Lon: lon,
				RoadClass: camera.RoadClasses[rng.IntN(len(camera.RoadClasses))], Commune: small.communes[rng.IntN(len(small.communes))]})
		}
		var cams []*camera.Camera
		for i := range 8 {
			lat, lon := small.point(rng)
			cams = append(cams, &camera.Camera{ID: fmt.Sprintf("C%d", i), Lat: lat, Lon: lon, DirectionDeg: float64(rng.IntN(360)),
				FOVDeg: 90, RangeM: 60, Status: camera.StatusActive})
		}
		x := suggestIndex(t, cams, items)
		fov := []float64{45, 90, 120, 360}[round%4]
		rangeM := 40 + rng.Float64()*100
		res, err := x.Suggest(context.Background(), SuggestOptions{N: 8, FOVDeg: fov, RangeM: rangeM})
		if err != nil {
			t.Fatal(err)
		}
		covered := map[string]bool{}
		weight := map[string]int64{}
		for _, it := range items {
			weight[it.ID] = classWeights[it.RoadClass.Rank()]
			for _, c := range cams {
				if Covers(c, it.Lat, it.Lon) {
					covered[it.ID] = true
				}
			}
		}
		// The first suggestion against brute force.
		if len(res.Suggestions) > 0 {
			lo, hi := bruteBest(items, covered, weight, fov, rangeM)
			if g := res.Suggestions[0].Gain; g < lo || g > hi {
				t.Errorf("round %d (fov %v, range %.0f): first gain %d, brute force %d to %d", round, fov, rangeM, g, lo, hi)
			}
		}
		for _, s := range res.Suggestions {
			var want []string
			var gain int64
			for _, it := range items {
				if !covered[it.ID] && SectorCovers(s.Lat, s.Lon, s.DirectionDeg, s.FOVDeg, s.RangeM, it.Lat, it.Lon) {
					want = append(want, it.ID)
					gain += weight[it.ID]
				}
			}
			got := slices.Sorted(slices.Values(s.Covers))
			if !slices.Equal(got, want) || gain != s.Gain || len(got) != s.JunctionsAdded {
				t.Fatalf("round %d, suggestion %d at %s %v°: covers %v (gain %d), the definition says %v (gain %d)", round, s.Rank, s.JunctionID, s.DirectionDeg, got, s.Gain, want, gain)
			}
			if s.DirectionDeg != float64(int(s.DirectionDeg)) {
				t.Errorf("direction %v is not a whole degree", s.DirectionDeg)
			}
			for _, id := range s.Covers {
				covered[id] = true
			}
		}
		// Fewer than N only when nothing is left to cover.
		if len(res.Suggestions) < 8 && res.CoveredAfter != res.Junctions {
			t.Errorf("round %d: %d suggestions with %d of %d covered", round, len(res.Suggestions), res.CoveredAfter, res.Junctions)
		}
	}
}

// bruteBest returns the best weight one camera at a junction can add:
// with a sector one degree narrower than fov turned every whole degree
// (lo: what the sweep must reach, as it finds the best of every such
// sector), and with the full fov turned
// every whole degree (hi: what a whole-degree answer can reach).
func bruteBest(items []Intersection, covered map[string]bool, weight map[string]int64, fov, rangeM float64) (lo, hi int64) {
	for _, p := range items {
		sweep := func(width, step float64) int64 {
			var best int64
			for d := 0.0; d < 360; d += step {
				var w int64
				for _, it := range items {
					if !covered[it.ID] && SectorCovers(p.Lat, p.Lon, d, width, rangeM, it.Lat, it.Lon) {
						w += weight[it.ID]
					}
				}
				best = max(best, w)
				if width >= 360 {
					break
				}
			}
			return best
		}
		if fov >= 360 {
			w := sweep(360, 1)
			lo, hi = max(lo, w), max(hi, w)
			continue
		}
		lo = max(lo, sweep(fov-1-1e-6, 1))
		hi = max(hi, sweep(fov, 1))
	}
	return lo, hi
}

// Suggest copies what it needs and searches without the lock: camera
// writes and layer swaps during a search are safe (run with -race).
func TestSuggestWhileCamerasMove(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	cams := denseCameras(rng, 200)
	x := buildIndex(t, cams, randomStates(rng, cams))
	items := randomIntersections(rng, 400)
	if err := x.SetIntersections(items); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 300 {
			c := *cams[i%len(cams)]
			c.DirectionDeg = float64(i % 360)
			if err := x.Upsert(&c); err != nil {
				t.Error(err)
				return
			}
			_ = x.SetState(c.ID, camera.HealthStates[i%len(camera.HealthStates)])
		}
	})
	for range 10 {
		if _, err := x.Suggest(context.Background(), SuggestOptions{N: 20, Mode: Live}); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
}

// The mounts of more cameras than one chunk of the count, some slots
// freed: the median is of the cameras there are.
func TestSuggestMountManyCameras(t *testing.T) {
	var cams []*camera.Camera
	for i := range 100_000 {
		fov, id := 60.0, fmt.Sprintf("A%06d", i)
		if i%5 >= 3 {
			fov, id = 120, fmt.Sprintf("B%06d", i)
		}
		lat, lon := Destination(10.35, 106.46, float64(i%360), float64(i%997))
		cams = append(cams, &camera.Camera{ID: id, Lat: lat, Lon: lon, FOVDeg: fov, RangeM: 40, Status: camera.StatusActive})
	}
	x := suggestIndex(t, cams, []Intersection{{ID: "J", Lat: 10.5, Lon: 106.6}})
	res, err := x.Suggest(context.Background(), SuggestOptions{N: 1})
	if err != nil || res.FOVDeg != 60 || res.MountCameras != 100_000 {
		t.Fatalf("60,000 at 60° and 40,000 at 120°: %v° of %d (%v)", res.FOVDeg, res.MountCameras, err)
	}
	removed := 0
	for _, c := range cams {
		if c.FOVDeg == 60 && removed < 30_000 {
			x.Remove(c.ID)
			removed++
		}
	}
	if res, err = x.Suggest(context.Background(), SuggestOptions{N: 1}); err != nil || res.FOVDeg != 120 || res.MountCameras != 70_000 {
		t.Fatalf("30,000 at 60° and 40,000 at 120°: %v° of %d (%v)", res.FOVDeg, res.MountCameras, err)
	}
}
