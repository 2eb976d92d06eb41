package geo

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"github.com/matthan/matthan/camera"
)

func layerNames(ls mvt.Layers) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Name)
	}
	return out
}

// layerByName returns the layer called name; a tile leaves empty layers
// out, so a missing one is empty.
func layerByName(t *testing.T, ls mvt.Layers, name string) *mvt.Layer {
	t.Helper()
	for _, l := range ls {
		if l.Name == name {
			return l
		}
	}
	return &mvt.Layer{Name: name}
}

func TestTile(t *testing.T) {
	x := coverageFixture(t)
	a, _ := x.Get("cam-A")
	const z = 16
	tile := maptile.At(orb.Point{a.Lon, a.Lat}, z)

	data, err := x.Tile(z, int(tile.X), int(tile.Y), TileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ls, err := mvt.Unmarshal(data)
	if err != nil {
		t.Fatalf("the tile does not decode: %v", err)
	}
	if got := layerNames(ls); !slices.Equal(got, []string{LayerFOV, LayerIntersections, LayerCameras}) {
		t.Fatalf("layers %v", got)
	}
	ls.ProjectToWGS84(tile)

	cams := layerByName(t, ls, LayerCameras)
	i := slices.IndexFunc(cams.Features, func(f *geojson.Feature) bool { return f.Properties["id"] == "cam-A" })
	if i < 0 {
		t.Fatalf("cam-A not in the cameras layer (%d features)", len(cams.Features))
	}
	f := cams.Features[i]
	p := f.Geometry.(orb.Point)
	// Tile coordinates are whole units of 1/4096 of a 600 m tile.
	if d := Distance(a.Lat, a.Lon, p[1], p[0]); d > 0.5 {
		t.Errorf("cam-A decoded %v m away", d)
	}
	if f.Properties["state"] != "up" || f.Properties["road_class"] != "national" || f.Properties["fov_deg"] != 60.0 {
		t.Errorf("cam-A properties %v", f.Properties)
	}

	isects := layerByName(t, ls, LayerIntersections)
	j := slices.IndexFunc(isects.Features, func(f *geojson.Feature) bool { return f.Properties["id"] == "A" })
	if j < 0 {
		t.Fatal("intersection A not in the tile")
	}
	if p := isects.Features[j].Properties; p["covered"] != true || p["covered_live"] != true || p["commune"] != "Song Bình" {
		t.Errorf("intersection A properties %v", p)
	}

	fov := layerByName(t, ls, LayerFOV)
	k := slices.IndexFunc(fov.Features, func(f *geojson.Feature) bool { return f.Properties["id"] == "cam-A" })
	if k < 0 {
		t.Fatal("cam-A's field of view not in the tile")
	}
	if _, ok := fov.Features[k].Geometry.(orb.Polygon); !ok {
		t.Errorf("fov geometry %T", fov.Features[k].Geometry)
	}

	// Gzipped, the same tile.
	gz, err := x.Tile(z, int(tile.X), int(tile.Y), TileOptions{Gzip: true})
	if err != nil {
		t.Fatal(err)
	}
	if gz[0] != 0x1f || gz[1] != 0x8b {
		t.Fatal("not gzipped")
	}
	if ls2, err := mvt.UnmarshalGzipped(gz); err != nil || len(ls2) != 3 {
		t.Fatalf("gzipped tile: %v, %d layers", err, len(ls2))
	}

	// Zoomed out: no fields of view.
	t12 := maptile.At(orb.Point{a.Lon, a.Lat}, 12)
	data, err = x.Tile(12, int(t12.X), int(t12.Y), TileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ls, _ = mvt.Unmarshal(data)
	if n := len(layerByName(t, ls, LayerFOV).Features); n != 0 {
		t.Errorf("%d fields of view at z 12", n)
	}
	if n := len(layerByName(t, ls, LayerCameras).Features); n != 3 { // cam-far is 20 km off
		t.Errorf("%d cameras at z 12, want 3", n)
	}

	// A filter applies to cameras.
	data, _ = x.Tile(12, int(t12.X), int(t12.Y), TileOptions{Filter: Filter{States: []camera.HealthState{camera.StateUp}}})
	ls, _ = mvt.Unmarshal(data)
	if n := len(layerByName(t, ls, LayerCameras).Features); n != 1 {
		t.Errorf("%d up cameras, want 1", n)
	}

	for _, tc := range []struct {
		z, x, y int
		field   string
	}{{23, 0, 0, "z"}, {3, 8, 0, "x"}, {3, 0, -1, "y"}} {
		if _, err := x.Tile(tc.z, tc.x, tc.y, TileOptions{}); errField(t, err) != tc.field {
			t.Errorf("%d/%d/%d: %v", tc.z, tc.x, tc.y, err)
		}
	}
}

// TestTileThinning checks that a zoomed-out tile over many cameras stays
// within MaxFeatures and keeps the national roads.
// TestTileClusters: a tile over ClusterAbove cameras counts them by cell,
// every camera in exactly one cluster, with the counts per state; under
// it, one point per camera; HideState leaves the states out.
func TestTileClusters(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 31))
	cams := denseCameras(rng, 5000)
	states := map[string]camera.HealthState{}
	for i, c := range cams {
		c.Lat, c.Lon = dense.point(rng)
		states[c.ID] = camera.StateUp
		if i%10 == 0 {
			states[c.ID] = camera.StateDown
		}
	}
	x := buildIndex(t, cams, states)
	tile := maptile.At(orb.Point{106.465, 10.355}, 10)
	read := func(opt TileOptions) mvt.Layers {
		t.Helper()
		data, err := x.Tile(10, int(tile.X), int(tile.Y), opt)
		if err != nil {
			t.Fatal(err)
		}
		ls, err := mvt.Unmarshal(data)
		if err != nil {
			t.Fatal(err)
		}
		return ls
	}
	ls := read(TileOptions{ClusterAbove: 1000})
	if names := layerNames(ls); slices.Contains(names, LayerCameras) || slices.Contains(names, LayerFOV) {
		t.Errorf("a clustered tile has layers %v, want no camera points or fields of view", names)
	}
	cl := layerByName(t, ls, LayerClusters).Features
	if len(cl) == 0 || len(cl) > clusterGrid*clusterGrid {
		t.Fatalf("%d clusters, want 1..%d", len(cl), clusterGrid*clusterGrid)
	}
	sum, down := 0, 0
	for _, f := range cl {
		sum += int(f.Properties.MustFloat64("cameras"))
		down += int(f.Properties.MustFloat64("down", 0))
	}
	if sum != 5000 || down != 500 {
		t.Errorf("clusters hold %d cameras, %d down; want 5000, 500", sum, down)
	}
	hidden := layerByName(t, read(TileOptions{ClusterAbove: 1000, HideState: true}), LayerClusters).Features
	for _, f := range hidden {
		if _, has := f.Properties["down"]; has {
			t.Fatalf("a cluster without state says %v", f.Properties)
		}
	}
	points := layerByName(t, read(TileOptions{ClusterAbove: 10000}), LayerCameras).Features
	if len(points) != 5000 {
		t.Errorf("under ClusterAbove: %d camera points, want 5000", len(points))
	}
}

// TestTileHideState: a role without per-camera health gets tiles without
// the state of cameras and fields of view or the live coverage of
// junctions.
func TestTileHideState(t *testing.T) {
	x := coverageFixture(t)
	tile := maptile.At(orb.Point{106.46, 10.35}, 16)
	data, err := x.Tile(16, int(tile.X), int(tile.Y), TileOptions{HideState: true})
	if err != nil {
		t.Fatal(err)
	}
	ls, err := mvt.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		for _, f := range l.Features {
			for _, k := range []string{"state", "cameras_live", "covered_live"} {
				if _, has := f.Properties[k]; has {
					t.Errorf("layer %s carries %s: %v", l.Name, k, f.Properties)
				}
			}
		}
	}
}

func TestGeoJSONBuilders(t *testing.T) {
	x := coverageFixture(t)
	near, err := x.Near(10.35, 106.46, 2000, Filter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var hits []Hit
	for _, h := range near {
		hits = append(hits, h.Hit)
	}
	items, _ := x.Intersections(AreaFilter{})
	gaps, _, _ := x.Gaps(AreaFilter{}, Live, 0, nil)
	for _, tc := range []struct {
		name  string
		fc    *geojson.FeatureCollection
		n     int
		gtype string
		prop  string
	}{
		{"cameras", CamerasGeoJSON(hits), len(hits), "Point", "state"},
		{"near", NearGeoJSON(near), len(near), "Point", "distance_m"},
		{"fov", FOVGeoJSON(hits, 16), len(hits), "Polygon", "fov_deg"},
		{"intersections", IntersectionsGeoJSON(items), 5, "Point", "covered_live"},
		{"gaps", GapsGeoJSON(gaps), 4, "Point", "nearest_camera_m"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.fc)
			if err != nil {
				t.Fatal(err)
			}
			fc, err := geojson.UnmarshalFeatureCollection(b)
			if err != nil {
				t.Fatal(err)
			}
			if len(fc.Features) != tc.n || tc.n == 0 {
				t.Fatalf("%d features, want %d", len(fc.Features), tc.n)
			}
			for _, f := range fc.Features {
				if f.Geometry.GeoJSONType() != tc.gtype {
					t.Fatalf("geometry %s, want %s", f.Geometry.GeoJSONType(), tc.gtype)
				}
				if _, ok := f.Properties[tc.prop]; !ok {
					t.Fatalf("no %s in %v", tc.prop, f.Properties)
				}
				if f.ID == nil {
					t.Fatal("no feature id")
				}
			}
		})
	}
}

// TestResultJSON pins the JSON names of the result types: the API's
// contract.
func TestResultJSON(t *testing.T) {
	x := coverageFixture(t)
	near, _ := x.Near(10.35, 106.46, 100, Filter{}, 1)
	gaps, _, _ := x.Gaps(AreaFilter{}, Installed, 1, nil)
	rep, _ := x.Coverage(AreaFilter{}, Live)
	for _, tc := range []struct {
		name string
		v    any
		want []string
	}{
		{"near", near[0], []string{"id", "lat", "lon", "commune", "road_class", "direction_deg", "fov_deg", "range_m", "state", "distance_m"}},
		{"gap", gaps[0], []string{"rank", "id", "name", "lat", "lon", "road_class", "commune", "cameras", "cameras_live", "covered", "covered_live", "incidents", "nearest_camera"}},
		{"report", rep, []string{"mode", "intersections", "covered", "ratio", "groups", "communes", "road_classes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := json.Marshal(tc.v)
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			for _, k := range tc.want {
				if _, ok := m[k]; !ok {
					t.Errorf("no %q in %s", k, b)
				}
			}
		})
	}
}

// The fov layer starts at DefaultFOVMinZoom (13); its features carry the
// camera id from FOVIDMinZoom (15), state and road_class at every zoom.
func TestTileFOVZooms(t *testing.T) {
	x := coverageFixture(t)
	a, _ := x.Get("cam-A")
	for z := 12; z <= 17; z++ {
		tile := maptile.At(orb.Point{a.Lon, a.Lat}, maptile.Zoom(z))
		data, err := x.Tile(z, int(tile.X), int(tile.Y), TileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ls, err := mvt.Unmarshal(data)
		if err != nil {
			t.Fatal(err)
		}
		fov := layerByName(t, ls, LayerFOV).Features
		if got, want := len(fov) > 0, z >= DefaultFOVMinZoom; got != want {
			t.Errorf("z%d: %d fields of view, want some: %v", z, len(fov), want)
		}
		for _, f := range fov {
			_, hasID := f.Properties["id"]
			if hasID != (z >= FOVIDMinZoom) || f.Properties["state"] == nil || f.Properties["road_class"] == nil {
				t.Errorf("z%d: fov properties %v", z, f.Properties)
			}
		}
	}
}

// A sector drawn in a tile with tileSectorSegments pieces strays from the
// true arc (drawn with 1,024) by at most the tolerance asked, in tile
// units, whatever its size, latitude and zoom — or uses the most pieces.
func TestTileSectorSegments(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for range 300 {
		lat, lon := -70+rng.Float64()*140, rng.Float64()*360-180
		fov := []float64{1, 30, 60, 90, 110, 200, 360}[rng.IntN(7)]
		rangeM := 5 + rng.Float64()*500
		dir := float64(rng.IntN(360))
		z := 10 + rng.IntN(10)
		tol := []float64{0.5, 1, 2}[rng.IntN(3)]
		n := tileSectorSegments(lat, fov, rangeM, z, tol)
		tile := maptile.At(orb.Point{lon, lat}, maptile.Zoom(z))
		// Into tile units, unrounded (ProjectToTile rounds to whole ones).
		project := func(p orb.Polygon) orb.Ring {
			out := make(orb.Ring, len(p[0]))
			for i, q := range p[0] {
				f := maptile.Fraction(q, tile.Z)
				out[i] = orb.Point{(f[0] - float64(tile.X)) * mvt.DefaultExtent, (f[1] - float64(tile.Y)) * mvt.DefaultExtent}
			}
			return out
		}
		coarse := project(Sector(lat, lon, dir, fov, rangeM, n))
		fine := project(Sector(lat, lon, dir, fov, rangeM, 1024))
		worst := 0.0
		for _, p := range fine {
			d := math.Inf(1)
			for i := 1; i < len(coarse); i++ {
				d = math.Min(d, segmentDistance(p, coarse[i-1], coarse[i]))
			}
			worst = math.Max(worst, d)
		}
		// Mercator stretches a sector a little from north to south; allow
		// a tenth of a unit.
		if worst > tol+0.1 && n < DefaultSectorSegments {
			t.Errorf("lat %.2f z%d fov %v range %.0f m: %d pieces stray %.2f units, tolerance %v", lat, z, fov, rangeM, n, worst, tol)
		}
	}
}

// segmentDistance is the planar distance from p to the segment ab.
func segmentDistance(p, a, b orb.Point) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	u := 0.0
	if l2 > 0 {
		u = math.Max(0, math.Min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l2))
	}
	return math.Hypot(p[0]-a[0]-u*dx, p[1]-a[1]-u*dy)
}
