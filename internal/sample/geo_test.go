package sample_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/matthan/matthan/internal/sample"
)

func TestCommunesTileTheDistrict(t *testing.T) {
	cs := communes(t)
	want := sample.CommuneNames()
	if len(cs) != sample.CommuneCount || len(want) != sample.CommuneCount {
		t.Fatalf("got %d communes (%d names), want %d", len(cs), len(want), sample.CommuneCount)
	}
	fc := readGeoJSON(t, sample.CommunesFile, sample.Communes())
	for i, f := range fc.Features {
		if got := str(f.Properties, "name"); got != want[i] {
			t.Errorf("commune %d: name %q, want %q", i, got, want[i])
		}
		if got := str(f.Properties, "district"); got != "Chợ Gạo" {
			t.Errorf("commune %s: district %q", want[i], got)
		}
		if got := str(f.Properties, "province"); got != "Tiền Giang" {
			t.Errorf("commune %s: province %q", want[i], got)
		}
		if f.Geometry.Type != "Polygon" {
			t.Errorf("commune %s: geometry %s, want Polygon", want[i], f.Geometry.Type)
		}
	}

	type edge [2][2]float64
	edges := map[edge]int{}
	total := 0.0
	for _, c := range cs {
		r := c.ring
		if len(r) < 4 || r[0] != r[len(r)-1] {
			t.Fatalf("commune %s: ring not closed or too short", c.name)
		}
		if a := ringArea(r); a <= 0 {
			t.Errorf("commune %s: ring is clockwise (area %g)", c.name, a)
		} else {
			total += a
		}
		for _, p := range r {
			if !is6(p[0]) || !is6(p[1]) {
				t.Errorf("commune %s: coordinate %v has more than 6 decimals", c.name, p)
			}
			if p[1] < 10.25 || p[1] > 10.45 || p[0] < 106.33 || p[0] > 106.60 {
				t.Errorf("commune %s: %v outside the district's area", c.name, p)
			}
		}
		n := len(r) - 1
		for i := 0; i < n; i++ {
			if r[i] == r[i+1] {
				t.Errorf("commune %s: repeated vertex %v", c.name, r[i])
			}
			for j := i + 2; j < n; j++ {
				if i == 0 && j == n-1 {
					continue
				}
				if segmentsCross(r[i], r[i+1], r[j], r[j+1]) {
					t.Errorf("commune %s: ring crosses itself at %v", c.name, r[i])
				}
			}
			e := edge{r[i], r[i+1]}
			if edges[e]++; edges[e] > 1 {
				t.Errorf("commune %s: edge %v used twice", c.name, e)
			}
		}
	}

	// Every inner edge must be shared, reversed, by a neighbour; the edges
	// nobody shares must form one counter-clockwise ring, the district
	// outline, whose area the communes' areas add up to. With simple,
	// counter-clockwise rings this proves that the communes tile the
	// district without gaps or overlaps.
	next := map[[2]float64][2]float64{}
	for e := range edges {
		if edges[edge{e[1], e[0]}] > 0 {
			continue
		}
		if _, dup := next[e[0]]; dup {
			t.Fatalf("district outline branches at %v", e[0])
		}
		next[e[0]] = e[1]
	}
	var outline [][2]float64
	var start [2]float64
	for p := range next {
		if outline == nil || p[0] < start[0] || (p[0] == start[0] && p[1] < start[1]) {
			start = p
			outline = [][2]float64{}
		}
	}
	for p, k := start, 0; k <= len(next); k++ {
		outline = append(outline, p)
		p = next[p]
		if p == start {
			break
		}
	}
	if len(outline) != len(next) {
		t.Fatalf("outline walks %d of %d edges: the communes leave a hole or an island", len(outline), len(next))
	}
	outline = append(outline, start)
	if a := ringArea(outline); math.Abs(a-total) > 1e-9*a {
		t.Errorf("communes' area %g, outline's %g", total, a)
	}

	// And, directly: points of a grid lie in exactly one commune inside the
	// outline, in none outside.
	for i := 0; i < 80; i++ {
		for j := 0; j < 50; j++ {
			p := pos{10.26 + 0.18*(float64(j)+0.37)/50, 106.34 + 0.25*(float64(i)+0.41)/80}
			n := 0
			for _, c := range cs {
				if inRing(p, c.ring) {
					n++
				}
			}
			if want := map[bool]int{true: 1, false: 0}[inRing(p, outline)]; n != want {
				t.Errorf("point %v is in %d communes, want %d", p, n, want)
			}
		}
	}

	if got := communeOf(cs, pos{10.35, 106.46}); got != "Thị trấn Chợ Gạo" {
		t.Errorf("10.35, 106.46 is in %q, want the town", got)
	}
}

func TestRoads(t *testing.T) {
	ls := roads(t)
	cs := communes(t)
	byName := map[string]line{}
	count := map[string]int{}
	for _, l := range ls {
		if _, dup := byName[l.name]; dup {
			t.Errorf("road %q twice", l.name)
		}
		byName[l.name] = l
		count[l.class]++
		if classRank(l.class) < 0 || l.class == "other" {
			t.Errorf("road %s: class %q", l.name, l.class)
		}
		if len(l.pts) < 2 {
			t.Errorf("road %s: %d points", l.name, len(l.pts))
		}
		for _, p := range l.pts {
			if !is6(p.lat) || !is6(p.lon) {
				t.Errorf("road %s: %v has more than 6 decimals", l.name, p)
			}
			if communeOf(cs, p) == "" {
				t.Errorf("road %s: %v outside the district", l.name, p)
			}
		}
		prefix := map[string]string{"national": "Quốc lộ ", "provincial": "Đường tỉnh ", "district": "Đường huyện ", "commune": "Đường xã ", "urban": "Đường "}[l.class]
		if !strings.HasPrefix(l.name, prefix) {
			t.Errorf("road %q of class %s should start with %q", l.name, l.class, prefix)
		}
	}
	for name, class := range map[string]string{
		"Quốc lộ 50": "national", "Đường tỉnh 877": "provincial", "Đường tỉnh 879": "provincial",
		"Đường tỉnh 879B": "provincial", "Đường tỉnh 879C": "provincial", "Đường huyện 20": "district",
	} {
		if got := byName[name].class; got != class {
			t.Errorf("road %s: class %q, want %q", name, got, class)
		}
	}
	for class, atLeast := range map[string]int{"national": 1, "provincial": 4, "district": 5, "commune": 100, "urban": 4} {
		if count[class] < atLeast {
			t.Errorf("%d %s roads, want at least %d", count[class], class, atLeast)
		}
	}

	// QL50 crosses the district from north-east to south-west through
	// the town.
	ql := byName["Quốc lộ 50"]
	first, last := ql.pts[0], ql.pts[len(ql.pts)-1]
	if !(first.lat > 10.37 && first.lon > 106.52 && last.lat < 10.33 && last.lon < 106.38) {
		t.Errorf("Quốc lộ 50 runs from %v to %v, want north-east to south-west", first, last)
	}
	if d, _ := ql.distTo(pos{10.35, 106.46}); d > 300 {
		t.Errorf("Quốc lộ 50 passes %.0f m from the town centre", d)
	}
}

func TestIntersections(t *testing.T) {
	js := intersections(t)
	cs := communes(t)
	byName := map[string]line{}
	for _, l := range roads(t) {
		byName[l.name] = l
	}
	if len(js) < 200 || len(js) > 600 {
		t.Errorf("%d intersections, want a few hundred", len(js))
	}
	count := map[string]int{}
	for i, j := range js {
		if want := fmt.Sprintf("INT-%04d", i+1); j.id != want {
			t.Errorf("intersection %d: id %q, want %q", i, j.id, want)
		}
		count[j.class]++
		word := map[int]string{3: "Ngã ba ", 4: "Ngã tư ", 5: "Ngã năm ", 6: "Ngã sáu "}[j.legs]
		if word == "" || !strings.HasPrefix(j.name, word) {
			t.Errorf("%s: %q with %d legs", j.id, j.name, j.legs)
		}
		if len(j.roads) < 2 || len(j.roads) > j.legs {
			t.Errorf("%s: roads %v with %d legs", j.id, j.roads, j.legs)
		}
		best := "other"
		for _, name := range j.roads {
			l, ok := byName[name]
			if !ok {
				t.Errorf("%s: unknown road %q", j.id, name)
				continue
			}
			if classRank(l.class) < classRank(best) {
				best = l.class
			}
			if d, _ := l.distTo(j.at); d > 5 {
				t.Errorf("%s: %.1f m from %s", j.id, d, name)
			}
			if !strings.Contains(j.name, name) {
				t.Errorf("%s: name %q does not name %s", j.id, j.name, name)
			}
		}
		if j.class != best {
			t.Errorf("%s: road_class %s, want the highest meeting there, %s", j.id, j.class, best)
		}
		if got := communeOf(cs, j.at); got != j.commune {
			t.Errorf("%s: commune %q, but the point is in %q", j.id, j.commune, got)
		}
		for _, k := range js[:i] {
			if haversineM(j.at, k.at) < 5 {
				t.Errorf("%s and %s are less than 5 m apart", j.id, k.id)
			}
		}
	}
	for _, class := range []string{"national", "provincial", "district", "commune", "urban"} {
		if count[class] == 0 {
			t.Errorf("no %s intersections", class)
		}
	}
	t.Logf("intersections by class: %v", count)
}
