package geo

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
)

// limitError checks that err is a limit passed: ETOOLARGE, naming field
// and the setting.
func limitError(t *testing.T, err error, field, setting string) {
	t.Helper()
	if code := camera.ErrorCode(err); code != camera.ETOOLARGE {
		t.Fatalf("error %v has code %q, want %q", err, code, camera.ETOOLARGE)
	}
	if got := camera.ErrorField(err); got != field {
		t.Errorf("field %q, want %q (%v)", got, field, err)
	}
	if msg := camera.ErrorMessage(err); !strings.Contains(msg, setting) {
		t.Errorf("message %q does not name the setting %s", msg, setting)
	}
}

func pointsJSON(n int) []byte {
	fs := make([]string, n)
	for i := range fs {
		fs[i] = fmt.Sprintf(`{"type":"Feature","properties":{"id":"P%d"},"geometry":{"type":"Point","coordinates":[106.4%d,10.3]}}`, i, i)
	}
	return []byte(`{"type":"FeatureCollection","features":[` + strings.Join(fs, ",") + `]}`)
}

func communeJSON(rings ...string) []byte {
	return []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Xã"},"geometry":{"type":"Polygon","coordinates":[` +
		strings.Join(rings, ",") + `]}}]}`)
}

// TestLayerLimits: every limit refuses the layer past it, with an
// ETOOLARGE error naming the field and the setting, and lets a layer
// at it through.
func TestLayerLimits(t *testing.T) {
	ring := `[[106,10],[106.1,10],[106.1,10.1],[106,10.1],[106,10]]` // 5 positions
	grid := roadsJSON(gridRoads(10, 50))                             // 100 junctions from 20 features of 2 positions
	readRoads := func(lim Limits) error {
		_, err := ReadIntersections(context.Background(), grid, lim)
		return err
	}
	readPoints := func(lim Limits) error {
		_, err := ReadIntersections(context.Background(), pointsJSON(5), lim)
		return err
	}
	readCommune := func(lim Limits) error {
		_, err := ParseCommunes(context.Background(), communeJSON(ring, ring), lim)
		return err
	}
	for _, tc := range []struct {
		name           string
		read           func(Limits) error
		at, past       Limits
		field, setting string
	}{
		{"features", readRoads, Limits{Features: 20}, Limits{Features: 19}, "features", "max_features"},
		{"positions", readRoads, Limits{Positions: 40}, Limits{Positions: 39}, "features[19].geometry.coordinates", "max_positions"},
		{"junctions found", readRoads, Limits{Junctions: 100}, Limits{Junctions: 99}, "features", "max_junctions"},
		{"junction candidates", readRoads, Limits{Junctions: 100}, Limits{Junctions: 40}, "features", "max_junctions"},
		{"intersections given", readPoints, Limits{Junctions: 5}, Limits{Junctions: 4}, "features", "max_junctions"},
		{"polygon positions", readCommune, Limits{PolygonPositions: 10}, Limits{PolygonPositions: 9}, "features[0].geometry.coordinates", "max_polygon_positions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.read(tc.at); err != nil {
				t.Fatalf("at the limit: %v", err)
			}
			limitError(t, tc.read(tc.past), tc.field, tc.setting)
		})
	}
}

// TestPlannerGrid is the red team's import: a 1,000 × 1,000 street grid
// of 2,000 straight lines (379 KB of GeoJSON here, 294 KB theirs) crosses
// itself a million times. It became 999,999 junctions in 23 s and took
// the daemon from 272 MB to 1.08 GB; with the default limits it is
// refused while the junctions are searched, having allocated a bounded
// amount of memory.
func TestPlannerGrid(t *testing.T) {
	body := roadsJSON(gridRoads(1000, 20))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadIntersections(context.Background(), body, Limits{})
	runtime.ReadMemStats(&after)
	limitError(t, err, "features", "max_junctions")
	t.Logf("%d KB → %d MB allocated", len(body)>>10, (after.TotalAlloc-before.TotalAlloc)>>20)
	const most = 48 << 20
	if got := after.TotalAlloc - before.TotalAlloc; got > most {
		t.Errorf("refusing a %d KB grid allocated %d MB, want at most %d MB", len(body)>>10, got>>20, most>>20)
	}
}

// TestLongLines: a line drawn across a continent is one segment of two
// positions. Filed in the finest grid it took millions of cells (the
// fuzzer found a line of 96° that took 20 s and a gigabyte); now it costs
// little, and still meets the roads it crosses. (Segments are measured
// in the frame of one of them, the short way round in longitude: these
// stay within 180° of each other.)
func TestLongLines(t *testing.T) {
	body := []byte(`{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"name":"Xuyên lục địa"},"geometry":{"type":"LineString","coordinates":[[-20,-60],[80,60]]}},
		{"type":"Feature","properties":{"name":"Xuyên Việt"},"geometry":{"type":"LineString","coordinates":[[10.4,0.35],[106.46,10.35]]}},
		{"type":"Feature","properties":{"name":"Bắc Nam"},"geometry":{"type":"LineString","coordinates":[[50,-60],[60,60]]}},
		{"type":"Feature","properties":{"name":"Ngắn"},"geometry":{"type":"LineString","coordinates":[[106.45,10.34],[106.45,10.36]]}},
		{"type":"Feature","properties":{"name":"Kinh tuyến"},"geometry":{"type":"LineString","coordinates":[[0,-60],[0,60]]}}]}`)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	items, err := ReadIntersections(context.Background(), body, Limits{})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, it := range items {
		names = append(names, it.Name)
	}
	slices.Sort(names)
	want := []string{"Ngã tư Bắc Nam – Xuyên Việt", "Ngã tư Bắc Nam – Xuyên lục địa", "Ngã tư Kinh tuyến – Xuyên lục địa", "Ngã tư Ngắn – Xuyên Việt", "Ngã tư Xuyên Việt – Xuyên lục địa"}
	if !slices.Equal(names, want) {
		t.Errorf("junctions %q, want %q", names, want)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
		t.Errorf("five lines allocated %d KB", got>>10)
	}
}

// TestConvolutedRing: checking that a ring does not cross itself tests
// each segment against those overlapping it east to west, a few along a
// real boundary. A comb whose teeth all span it needs a number of tests
// growing with the square of its size (6 s at 20,000 positions; at
// 250,000, a quarter of an hour): it is refused once the tests pass a
// budget linear in its size. This one has 2,000 teeth.
func TestConvolutedRing(t *testing.T) {
	var b strings.Builder
	for i, p := range comb(106, 10, 2000) {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "[%v,%v]", p[0], p[1])
	}
	_, err := ParseCommunes(context.Background(), communeJSON("["+b.String()+"]"), Limits{})
	limitError(t, err, "features[0].geometry.coordinates[0]", "too convoluted")
	// A real boundary of as many positions passes.
	var w strings.Builder
	for i, p := range wavySquare(106, 10, 0.05, 2000) {
		if i > 0 {
			w.WriteByte(',')
		}
		fmt.Fprintf(&w, "[%v,%v]", p[0], p[1])
	}
	if _, err := ParseCommunes(context.Background(), communeJSON("["+w.String()+"]"), Limits{}); err != nil {
		t.Fatal(err)
	}
}
