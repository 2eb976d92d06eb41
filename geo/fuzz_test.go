package geo

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"

	"github.com/matthan/matthan/camera"
)

// The layer importers read what any planner (or anyone holding a planner
// token) sends. Fuzzing them checks that no input panics, that every
// refusal is a clear EINVALID or ETOOLARGE naming its field, that the
// limits hold, and that what is accepted is a layer the index takes: run
// with `go test -fuzz FuzzReadIntersections ./geo` (or FuzzParseCommunes);
// `go test` runs the seeds.

// fuzzLimits are small, so that the fuzzer reaches them.
var fuzzLimits = Limits{Features: 300, Positions: 3000, PolygonPositions: 500, Junctions: 200}

// checkLayerError checks a refusal of the importers.
func checkLayerError(t *testing.T, err error) {
	t.Helper()
	switch code := camera.ErrorCode(err); code {
	case camera.EINVALID, camera.ETOOLARGE:
	default:
		t.Fatalf("error %v has code %q, want invalid or too_large", err, code)
	}
	if camera.ErrorField(err) == "" {
		t.Fatalf("error %v names no field", err)
	}
}

// seedFile adds a file of testdata to the seed corpus.
func seedFile(f *testing.F, name string) {
	f.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
}

func FuzzReadIntersections(f *testing.F) {
	for _, s := range []string{
		`{"type":"FeatureCollection","features":[
			{"type":"Feature","properties":{"name":"Quốc lộ 50","road_class":"national"},"geometry":{"type":"LineString","coordinates":[[106.45,10.35],[106.47,10.35]]}},
			{"type":"Feature","properties":{"name":"Đường tỉnh 879","road_class":"provincial"},"geometry":{"type":"MultiLineString","coordinates":[[[106.46,10.34],[106.46,10.36]]]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","id":"node/1","properties":{"name":"Ngã ba","legs":3,"roads":["a","b"]},"geometry":{"type":"Point","coordinates":[106.46,10.35]}}]}`,
		`{"features":[{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Point","coordinates":[1,2]}}],"type":"FeatureCollection","bbox":[0,0,1,1]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Point","coordinates":[1,2]}},{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]}}]}`,
		`{"type":"FeatureCollection","features":[]}`,
		`{"type":"FeatureCollection","features":null}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[1,2],[3,4,5]]}}]} x`,
		`[1,2`,
	} {
		f.Add([]byte(s))
	}
	f.Add(roadsJSON(gridRoads(12, 30)))
	seedFile(f, "chogao-roads.geojson")
	f.Fuzz(func(t *testing.T, raw []byte) {
		items, err := ReadIntersections(context.Background(), raw, fuzzLimits)
		if err != nil {
			checkLayerError(t, err)
			return
		}
		if len(items) > fuzzLimits.Junctions {
			t.Fatalf("%d intersections, past the limit of %d", len(items), fuzzLimits.Junctions)
		}
		x := NewIndex()
		if err := x.SetIntersections(items); err != nil {
			t.Fatalf("the index refuses what was read: %v", err)
		}
	})
}

func FuzzParseCommunes(f *testing.F) {
	for _, s := range []string{
		`{"type":"FeatureCollection","features":[
			{"type":"Feature","properties":{"name":"Song Bình","district":"Chợ Gạo","province":"Tiền Giang"},"geometry":{"type":"Polygon","coordinates":[
				[[106.40,10.30],[106.50,10.30],[106.50,10.40],[106.40,10.40],[106.40,10.30]],
				[[106.44,10.34],[106.46,10.34],[106.46,10.36],[106.44,10.36],[106.44,10.34]]]}},
			{"type":"Feature","properties":{"name":"Đảo"},"geometry":{"type":"MultiPolygon","coordinates":[
				[[[106.445,10.345],[106.455,10.345],[106.455,10.355],[106.445,10.355],[106.445,10.345]]],
				[[[107,11],[107.1,11],[107.1,11.1],[107,11]]]]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"thế giới"},"geometry":{"type":"Polygon","coordinates":[[[-180,-90],[180,-90],[180,90],[-180,90],[-180,-90]]]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`,
		`{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}`,
	} {
		f.Add([]byte(s))
	}
	seedFile(f, "chogao-communes.geojson")
	f.Fuzz(func(t *testing.T, raw []byte) {
		cs, err := ParseCommunes(context.Background(), raw, fuzzLimits)
		if err != nil {
			checkLayerError(t, err)
			return
		}
		// The index answers as orb's linear test, on corners of the
		// boundaries and points inside their edges (a few hundred: the
		// fuzzer minimises inputs by running them thousands of times).
		checks := 0
		for i, c := range cs.List() {
			if err := ValidatePolygon(c.Geometry); err != nil {
				t.Fatalf("commune %d was accepted but is not valid: %v", i, err)
			}
			for _, p := range c.Geometry {
				for _, r := range p {
					step := 1 + len(r)/50
					for k := 0; k+1 < len(r) && checks < 400; k += step {
						mid := orb.Point{(r[k][0] + r[k+1][0]) / 2, (r[k][1] + r[k+1][1]) / 2}
						for _, pt := range []orb.Point{r[k], mid} {
							checks++
							if got, want := cs.index(pt[1], pt[0]), linearAt(cs.List(), pt[1], pt[0]); got != want {
								t.Fatalf("At(%v) = commune %d, orb's linear test says %d", pt, got, want)
							}
						}
					}
				}
			}
		}
	})
}
