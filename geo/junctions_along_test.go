package geo

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/matthan/matthan/camera"
)

// TestJunctionsAlong: the junctions are Junctions', and each names the
// lines meeting there (road, line of the road) with how far along each
// line it is.
func TestJunctionsAlong(t *testing.T) {
	// Quốc lộ 50 runs east from x=0 to x=400; Đường tỉnh 879 crosses it
	// at x=100 (from y=-100 to y=100), and Đường xã 5 is two lines: the
	// second ends on the national road at x=300, 50 m north of it.
	xa := road(dx5, camera.RoadCommune, [2]float64{500, 500}, [2]float64{500, 600})
	xa.Lines = append(xa.Lines, road(dx5, camera.RoadCommune, [2]float64{300, 50}, [2]float64{300, 0}).Lines[0])
	roads := []Road{
		road(ql50, camera.RoadNational, [2]float64{0, 0}, [2]float64{400, 0}),
		road(dt879, camera.RoadProvincial, [2]float64{100, -100}, [2]float64{100, 100}),
		xa,
	}
	js, lines, err := JunctionsAlong(context.Background(), roads, -1)
	if err != nil {
		t.Fatal(err)
	}
	if plain := mustJunctions(t, roads); !slices.EqualFunc(js, plain, func(a, b Intersection) bool {
		return a.ID == b.ID && a.Name == b.Name && a.Lat == b.Lat && a.Lon == b.Lon && a.Legs == b.Legs
	}) {
		t.Errorf("JunctionsAlong %+v, Junctions %+v", js, plain)
	}
	if len(js) != 2 || len(lines) != 2 {
		t.Fatalf("%d junctions, %d line lists, want 2 of each: %+v", len(js), len(lines), js)
	}
	want := [][]JunctionLine{
		{{Road: 0, Line: 0, At: 100}, {Road: 1, Line: 0, At: 100}}, // the crossing, x=100
		{{Road: 0, Line: 0, At: 300}, {Road: 2, Line: 1, At: 50}},  // the T, x=300
	}
	for i, w := range want {
		got := slices.Clone(lines[i])
		slices.SortFunc(got, func(a, b JunctionLine) int { return a.Road - b.Road })
		if len(got) != len(w) {
			t.Errorf("junction %s: lines %+v, want %+v", js[i].Name, got, w)
			continue
		}
		for k := range w {
			if got[k].Road != w[k].Road || got[k].Line != w[k].Line || math.Abs(got[k].At-w[k].At) > 0.5 {
				t.Errorf("junction %s: line %+v, want %+v (±0.5 m)", js[i].Name, got[k], w[k])
			}
		}
	}
}
