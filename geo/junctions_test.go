package geo

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/matthan/matthan/camera"
)

// junction test roads are drawn in metres east and north of a point of
// Chợ Gạo.
const jLat, jLon = 10.35, 106.46

// mustJunctions is Junctions without a limit.
func mustJunctions(t testing.TB, roads []Road) []Intersection {
	t.Helper()
	js, err := Junctions(context.Background(), roads, -1)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func road(name string, class camera.RoadClass, pts ...[2]float64) Road {
	l := make(orb.LineString, len(pts))
	for i, p := range pts {
		lat, lon := offset(jLat, jLon, p[0], p[1])
		l[i] = orb.Point{lon, lat}
	}
	return Road{Name: name, RoadClass: class, Lines: []orb.LineString{l}}
}

// want is an expected junction: where (metres), its name and legs.
type wantJ struct {
	x, y  float64
	name  string
	legs  int
	class camera.RoadClass
}

const (
	ql50  = "Quốc lộ 50"
	dt879 = "Đường tỉnh 879"
	dh23  = "Đường huyện 23"
	dx5   = "Đường xã 5"
)

func TestJunctions(t *testing.T) {
	nat, prov, dist, com := camera.RoadNational, camera.RoadProvincial, camera.RoadDistrict, camera.RoadCommune
	for _, tc := range []struct {
		name  string
		roads []Road
		want  []wantJ
	}{
		{"a cross", []Road{
			road(dt879, prov, [2]float64{0, -100}, [2]float64{0, 100}),
			road(ql50, nat, [2]float64{-100, 0}, [2]float64{100, 0}),
		}, []wantJ{{0, 0, "Ngã tư Quốc lộ 50 – Đường tỉnh 879", 4, nat}}},
		{"a cross between vertices of bent roads", []Road{
			road(ql50, nat, [2]float64{-100, -10}, [2]float64{-30, 10}, [2]float64{70, -20}, [2]float64{150, 0}),
			road(dh23, dist, [2]float64{10, -100}, [2]float64{-10, 100}),
		}, []wantJ{{-0.10309, 1.03093, "Ngã tư Quốc lộ 50 – Đường huyện 23", 4, nat}}},
		{"a T on the middle of a segment", []Road{
			road(ql50, nat, [2]float64{-100, 0}, [2]float64{100, 0}),
			road(dx5, com, [2]float64{20, 100}, [2]float64{20, 0}),
		}, []wantJ{{20, 0, "Ngã ba Quốc lộ 50 – Đường xã 5", 3, nat}}},
		{"a T stopping half a metre short", []Road{
			road(ql50, nat, [2]float64{-100, 0}, [2]float64{100, 0}),
			road(dx5, com, [2]float64{20, 100}, [2]float64{20, 0.5}),
		}, []wantJ{{20, 0.5, "Ngã ba Quốc lộ 50 – Đường xã 5", 3, nat}}},
		{"a T overshooting by half a metre", []Road{
			road(ql50, nat, [2]float64{-100, 0}, [2]float64{100, 0}),
			road(dx5, com, [2]float64{20, 100}, [2]float64{20, -0.5}),
		}, []wantJ{{20, 0, "Ngã ba Quốc lộ 50 – Đường xã 5", 3, nat}}},
		{"a road stopping 3 m short meets nothing", []Road{
			road(ql50, nat, [2]float64{-100, 0}, [2]float64{100, 0}),
			road(dx5, com, [2]float64{20, 100}, [2]float64{20, 3}),
		}, nil},
		{"three roads sharing an end point", []Road{
			road(dx5, com, [2]float64{0, 0}, [2]float64{0, 100}),
			road(ql50, nat, [2]float64{-100, 0}, [2]float64{0, 0}),
			road(dt879, prov, [2]float64{0, 0}, [2]float64{100, 0}),
		}, []wantJ{{0, 0, "Ngã ba Quốc lộ 50 – Đường tỉnh 879 – Đường xã 5", 3, nat}}},
		{"two roads sharing an end point are one road renamed", []Road{
			road(ql50, nat, [2]float64{-100, 0}, [2]float64{0, 0}),
			road(dt879, prov, [2]float64{0, 0}, [2]float64{100, 0}),
		}, nil},
		{"one road in two features and a road ending there", []Road{
			road(ql50, nat, [2]float64{-100, 0}, [2]float64{0, 0}),
			road(ql50, nat, [2]float64{0, 0}, [2]float64{100, 0}),
			road(dh23, dist, [2]float64{0, 0}, [2]float64{0, -80}),
		}, []wantJ{{0, 0, "Ngã ba Quốc lộ 50 – Đường huyện 23", 3, nat}}},
		{"one road in two features alone", []Road{
			road(ql50, nat, [2]float64{-100, 0}, [2]float64{0, 0}),
			road(ql50, nat, [2]float64{0, 0}, [2]float64{100, 0}),
		}, nil},
		{"two crossings 3 m apart are one junction", []Road{
			road(ql50, nat, [2]float64{-100, 0}, [2]float64{100, 0}),
			road(dh23, dist, [2]float64{0, -100}, [2]float64{0, 100}),
			road(dx5, com, [2]float64{3, -100}, [2]float64{3, 100}),
		}, []wantJ{{0, 0, "Ngã tư Quốc lộ 50 – Đường huyện 23 – Đường xã 5", 4, nat}}},
		{"two crossings 8 m apart are two", []Road{
			road(ql50, nat, [2]float64{-100, 0}, [2]float64{100, 0}),
			road(dh23, dist, [2]float64{0, -100}, [2]float64{0, 100}),
			road(dx5, com, [2]float64{8, -100}, [2]float64{8, 100}),
		}, []wantJ{{0, 0, "Ngã tư Quốc lộ 50 – Đường huyện 23", 4, nat}, {8, 0, "Ngã tư Quốc lộ 50 – Đường xã 5", 4, nat}}},
		{"two routes sharing a stretch", []Road{
			road(ql50, nat, [2]float64{-100, 0}, [2]float64{0, 0}, [2]float64{50, 0}, [2]float64{100, 0}, [2]float64{200, 0}),
			road(dt879, prov, [2]float64{0, 100}, [2]float64{0, 0}, [2]float64{50, 0}, [2]float64{100, 0}, [2]float64{100, -100}),
		}, []wantJ{{0, 0, "Ngã ba Quốc lộ 50 – Đường tỉnh 879", 3, nat}, {100, 0, "Ngã ba Quốc lộ 50 – Đường tỉnh 879", 3, nat}}},
		{"five roads", []Road{
			road("A", com, [2]float64{0, 0}, [2]float64{0, 100}),
			road("B", com, [2]float64{0, 0}, [2]float64{95, 31}),
			road("C", com, [2]float64{0, 0}, [2]float64{59, -81}),
			road("D", com, [2]float64{0, 0}, [2]float64{-59, -81}),
			road("E", com, [2]float64{0, 0}, [2]float64{-95, 31}),
		}, []wantJ{{0, 0, "Ngã năm A – B – C – D – E", 5, com}}},
		{"three roads crossing", []Road{
			road("A", com, [2]float64{-100, 0}, [2]float64{100, 0}),
			road("B", com, [2]float64{0, -100}, [2]float64{0, 100}),
			road("C", dist, [2]float64{-100, -100}, [2]float64{100, 100}),
		}, []wantJ{{0, 0, "Ngã sáu C – A – B", 6, dist}}},
		{"unnamed roads", []Road{
			road("", com, [2]float64{-100, 0}, [2]float64{100, 0}),
			road("", com, [2]float64{0, -100}, [2]float64{0, 100}),
		}, []wantJ{{0, 0, "Ngã tư", 4, com}}},
		{"a road crossing itself is no junction", []Road{
			road(ql50, nat, [2]float64{-100, 0}, [2]float64{100, 0}, [2]float64{0, 100}, [2]float64{0, -100}),
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mustJunctions(t, tc.roads)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d junctions, want %d: %+v", len(got), len(tc.want), got)
			}
			slices.SortFunc(got, func(a, b Intersection) int {
				if a.Lon < b.Lon {
					return -1
				}
				return 1
			})
			for i, w := range tc.want {
				g := got[i]
				lat, lon := offset(jLat, jLon, w.x, w.y)
				if d := Distance(g.Lat, g.Lon, lat, lon); d > 0.05 {
					t.Errorf("[%d] at %v m from (%v, %v)", i, d, w.x, w.y)
				}
				if g.Name != w.name || g.Legs != w.legs || g.RoadClass != w.class {
					t.Errorf("[%d] got %q, %d legs, %s; want %q, %d legs, %s", i, g.Name, g.Legs, g.RoadClass, w.name, w.legs, w.class)
				}
				if !regexp.MustCompile(`^J-[0-9a-f]{12}$`).MatchString(g.ID) {
					t.Errorf("[%d] id %q", i, g.ID)
				}
			}
			// Stable: the same roads give the same ids.
			again := mustJunctions(t, tc.roads)
			for i := range again {
				if !slices.ContainsFunc(got, func(g Intersection) bool { return g.ID == again[i].ID }) {
					t.Errorf("id %s not stable", again[i].ID)
				}
			}
		})
	}
}

// TestJunctionsGrid checks the grid against an exhaustive pass on a random
// street grid: every crossing of a 20 × 20 grid of streets is found once.
func TestJunctionsGrid(t *testing.T) {
	var roads []Road
	for i := range 20 {
		y := float64(i) * 137
		roads = append(roads, road("Ngang "+string(rune('A'+i)), camera.RoadUrban, [2]float64{-50, y}, [2]float64{700, y + 40}, [2]float64{1400, y}, [2]float64{2800, y + 10}))
		x := float64(i) * 131
		roads = append(roads, road("Dọc "+string(rune('A'+i)), camera.RoadCommune, [2]float64{x, -60}, [2]float64{x + 30, 3000}))
	}
	got := mustJunctions(t, roads)
	if len(got) != 400 {
		t.Fatalf("got %d junctions, want 400", len(got))
	}
	for _, j := range got {
		if j.Legs != 4 || j.RoadClass != camera.RoadCommune {
			t.Fatalf("junction %+v", j)
		}
	}
	ids := map[string]bool{}
	for _, j := range got {
		if ids[j.ID] {
			t.Fatalf("id %s twice", j.ID)
		}
		ids[j.ID] = true
	}
}

func TestCountDirections(t *testing.T) {
	for _, tc := range []struct {
		dirs []float64
		want int
	}{
		{nil, 0},
		{[]float64{10}, 1},
		{[]float64{0, 5, 180}, 2},
		{[]float64{359, 3, 90, 180, 270}, 4},
		{[]float64{0, 90, 180, 270}, 4},
		{[]float64{0, 0.5, 1, 1.5}, 1},
	} {
		if got := countDirections(slices.Clone(tc.dirs), armSameDeg); got != tc.want {
			t.Errorf("%v: %d, want %d", tc.dirs, got, tc.want)
		}
	}
}

// TestJunctionsSampleDistrict computes the junctions of the sample
// district's roads (testdata/chogao-*.geojson, a snapshot of
// internal/sample's output) and finds every intersection of the sample's
// own list: same name, arms and class, within the merge distance, each in
// the commune the commune layer gives.
func TestJunctionsSampleDistrict(t *testing.T) {
	roads, err := ParseRoads(readTestdata(t, "chogao-roads.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := ParseIntersections(readTestdata(t, "chogao-intersections.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	cs, err := ParseCommunes(context.Background(), readTestdata(t, "chogao-communes.geojson"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got := mustJunctions(t, roads)
	if len(got) != len(want) {
		t.Errorf("got %d junctions, want %d", len(got), len(want))
	}
	for _, w := range want {
		i := slices.IndexFunc(got, func(g Intersection) bool { return Distance(w.Lat, w.Lon, g.Lat, g.Lon) <= JunctionMergeM })
		if i < 0 {
			t.Errorf("%s %q: no junction within %d m", w.ID, w.Name, JunctionMergeM)
			continue
		}
		g := got[i]
		if g.Name != w.Name || g.Legs != w.Legs || g.RoadClass != w.RoadClass || !slices.Equal(g.Roads, w.Roads) {
			t.Errorf("%s: got %q (%d legs, %s, %v), want %q (%d legs, %s, %v)", w.ID, g.Name, g.Legs, g.RoadClass, g.Roads, w.Name, w.Legs, w.RoadClass, w.Roads)
		}
		if c, _ := cs.CommuneAt(g.Lat, g.Lon); c != w.Commune {
			t.Errorf("%s: in commune %q, want %q", w.ID, c, w.Commune)
		}
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
