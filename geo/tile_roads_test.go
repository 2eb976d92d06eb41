package geo

import (
	"context"
	"errors"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"github.com/matthan/matthan/camera"
)

// denseRoad is a road from a to b (metres from the test point, see road)
// with a position every stepM metres, each moved side to side by wiggleM
// (alternately left and right of the line: a zigzag).
func denseRoad(name string, class camera.RoadClass, a, b [2]float64, stepM, wiggleM float64) Road {
	dx, dy := b[0]-a[0], b[1]-a[1]
	length := math.Hypot(dx, dy)
	n := int(math.Round(length / stepM))
	pts := make([][2]float64, 0, n+1)
	for i := 0; i <= n; i++ {
		f := float64(i) / float64(n)
		side := 0.0
		if i > 0 && i < n {
			side = wiggleM * float64(1-2*(i%2))
		}
		pts = append(pts, [2]float64{a[0] + f*dx - side*dy/length, a[1] + f*dy + side*dx/length})
	}
	return road(name, class, pts...)
}

// roadsTile returns the roads layer of tile z at the test point (jLat,
// jLon) plus dx, dy metres, in tile units: empty when the tile has none.
func roadsTile(t *testing.T, x *Index, z int, opt TileOptions, dx, dy float64) (*mvt.Layer, maptile.Tile) {
	t.Helper()
	lat, lon := offset(jLat, jLon, dx, dy)
	tile := maptile.At(orb.Point{lon, lat}, maptile.Zoom(z))
	data, err := x.Tile(z, int(tile.X), int(tile.Y), opt)
	if err != nil {
		t.Fatal(err)
	}
	ls, err := mvt.Unmarshal(data)
	if err != nil {
		t.Fatalf("z%d: the tile does not decode: %v", z, err)
	}
	return layerByName(t, ls, LayerRoads), tile
}

func roadNames(l *mvt.Layer) []string {
	var out []string
	for _, f := range l.Features {
		name, _ := f.Properties["name"].(string)
		out = append(out, name)
	}
	return out
}

// lines returns the lines of a road feature.
func lines(t *testing.T, f *geojson.Feature) orb.MultiLineString {
	t.Helper()
	switch g := f.Geometry.(type) {
	case orb.LineString:
		return orb.MultiLineString{g}
	case orb.MultiLineString:
		return g
	}
	t.Fatalf("a road is a %T", f.Geometry)
	return nil
}

func setRoads(t *testing.T, x *Index, roads ...Road) {
	t.Helper()
	if err := x.SetRoads(roads); err != nil {
		t.Fatal(err)
	}
}

// TestTileRoadsByZoom: the roads of a tile are those whose class its zoom
// shows — national and provincial from 9, district from 11, every road
// from 12 — with name and road_class, the highest class last (drawn on
// top); a tile with none leaves the layer out.
func TestTileRoadsByZoom(t *testing.T) {
	x := NewIndex()
	setRoads(t, x,
		denseRoad("Quốc lộ 50", camera.RoadNational, [2]float64{-2000, 0}, [2]float64{2000, 0}, 10, 0),
		denseRoad("Đường tỉnh 879", camera.RoadProvincial, [2]float64{-2000, 100}, [2]float64{2000, 100}, 10, 0),
		denseRoad("Đường huyện 27", camera.RoadDistrict, [2]float64{0, -2000}, [2]float64{0, 2000}, 10, 0),
		denseRoad("", camera.RoadCommune, [2]float64{-1500, -1500}, [2]float64{1500, 1500}, 10, 0),
		denseRoad("Đường Ấp Bắc", camera.RoadUrban, [2]float64{-1500, 1500}, [2]float64{1500, -1500}, 10, 0),
	)
	for _, tc := range []struct {
		z    int
		want []string
	}{
		{5, nil},
		{8, nil},
		{9, []string{"Đường tỉnh 879", "Quốc lộ 50"}},
		{10, []string{"Đường tỉnh 879", "Quốc lộ 50"}},
		{11, []string{"Đường huyện 27", "Đường tỉnh 879", "Quốc lộ 50"}},
		{12, []string{"Đường Ấp Bắc", "", "Đường huyện 27", "Đường tỉnh 879", "Quốc lộ 50"}},
		{16, []string{"Đường Ấp Bắc", "", "Đường huyện 27", "Đường tỉnh 879", "Quốc lộ 50"}},
	} {
		l, _ := roadsTile(t, x, tc.z, TileOptions{}, 0, 0)
		if got := roadNames(l); !slices.Equal(got, tc.want) {
			t.Errorf("z%d: roads %q, want %q", tc.z, got, tc.want)
		}
		for _, f := range l.Features {
			if name, named := f.Properties["name"]; (named && name == "") || f.Properties["road_class"] == nil {
				t.Errorf("z%d: road properties %v", tc.z, f.Properties)
			}
		}
	}
	// Classes are told apart in the tile.
	l, _ := roadsTile(t, x, 14, TileOptions{}, 0, 0)
	var classes []any
	for _, f := range l.Features {
		classes = append(classes, f.Properties["road_class"])
	}
	if want := []any{"urban", "commune", "district", "provincial", "national"}; !reflect.DeepEqual(classes, want) {
		t.Errorf("road classes %v, want %v", classes, want)
	}
	// A tile 10 km away has no roads, and no roads layer.
	if l, _ := roadsTile(t, x, 14, TileOptions{}, 10_000, 0); len(l.Features) != 0 {
		t.Errorf("a tile without roads has %d", len(l.Features))
	}
	for z, want := range map[camera.RoadClass]int{camera.RoadNational: 9, camera.RoadProvincial: 9, camera.RoadDistrict: 11, camera.RoadCommune: 12, camera.RoadUrban: 12, camera.RoadOther: 12} {
		if got := RoadClassMinZoom(z); got != want {
			t.Errorf("RoadClassMinZoom(%s) = %d, want %d", z, got, want)
		}
	}
}

// TestTileRoadsClipped: a road longer than the tile is cut at the tile's
// buffer; its pieces (a line is cut every 32 segments) are joined back
// into one line, which lies on the road.
func TestTileRoadsClipped(t *testing.T) {
	x := NewIndex()
	// East–west through the test point, 6 km, a position every 10 m.
	setRoads(t, x, denseRoad("Quốc lộ 50", camera.RoadNational, [2]float64{-3000, 0}, [2]float64{3000, 0}, 10, 0))
	pad := tileBuffer * mvt.DefaultExtent
	for _, z := range []int{12, 14, 16} {
		l, tile := roadsTile(t, x, z, TileOptions{}, 0, 0)
		if len(l.Features) != 1 {
			t.Fatalf("z%d: %d roads", z, len(l.Features))
		}
		ml := lines(t, l.Features[0])
		if len(ml) != 1 {
			t.Fatalf("z%d: the road is %d lines, want one", z, len(ml))
		}
		ln := ml[0]
		minX, maxX := math.Inf(1), math.Inf(-1)
		for _, p := range ln {
			if p[0] < -pad || p[0] > mvt.DefaultExtent+pad || p[1] < -pad || p[1] > mvt.DefaultExtent+pad {
				t.Fatalf("z%d: position %v outside the tile and its buffer", z, p)
			}
			minX, maxX = math.Min(minX, p[0]), math.Max(maxX, p[0])
		}
		// 3 km each way is wider than a tile from zoom 14 (2.4 km).
		if z >= 14 && (minX != -pad || maxX != mvt.DefaultExtent+pad) {
			t.Errorf("z%d: the road spans %v..%v, want it cut at ±%v", z, minX, maxX, pad)
		}
		// Back on the map, every position is on the road (lat jLat).
		ls := mvt.Layers{l}
		ls.ProjectToWGS84(tile)
		unit := 2 * math.Pi * EarthRadius * math.Cos(jLat*deg2rad) / math.Exp2(float64(z)) / mvt.DefaultExtent
		for _, p := range lines(t, l.Features[0])[0] {
			if d := math.Abs(p[1]-jLat) * EarthRadius * deg2rad; d > 1.5*unit {
				t.Errorf("z%d: a position is %.2f m off the road (a unit is %.2f m)", z, d, unit)
				break
			}
		}
	}
}

// TestTileRoadsSimplified: lines are simplified to a quarter of a pixel
// (4 tile units): collinear positions go, a zigzag smaller than that goes
// at low zoom and stays at high zoom, and no position of the road is
// farther than that from the line drawn.
func TestTileRoadsSimplified(t *testing.T) {
	for _, tc := range []struct {
		name    string
		wiggleM float64
		z       int
		most    int // positions of the line, at most
		least   int // at least
	}{
		{"straight, z12", 0, 12, 2, 2},
		{"straight, z16", 0, 16, 2, 2},
		// A unit is 2.35 m at z12, 0.15 m at z16.
		{"a 2 m zigzag at z12", 2, 12, 2, 2},
		{"a 2 m zigzag at z16", 2, 16, 1000, 60},
		{"a 50 m zigzag at z12", 50, 12, 1000, 300},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := NewIndex()
			r := denseRoad("Đường huyện 27", camera.RoadDistrict, [2]float64{-2000, 0}, [2]float64{2000, 0}, 10, tc.wiggleM)
			setRoads(t, x, r)
			l, tile := roadsTile(t, x, tc.z, TileOptions{}, 0, 0)
			if len(l.Features) != 1 {
				t.Fatalf("%d roads", len(l.Features))
			}
			ml := lines(t, l.Features[0])
			n := 0
			for _, ln := range ml {
				n += len(ln)
			}
			if n > tc.most || n < tc.least {
				t.Errorf("%d positions, want %d to %d", n, tc.least, tc.most)
			}
			// Every position of the road within the tile lies within the
			// tolerance (and a unit of rounding) of the line drawn.
			inTile := orb.Bound{Max: orb.Point{mvt.DefaultExtent, mvt.DefaultExtent}}
			src := mvt.Layers{mvt.NewLayer("src", geojson.NewFeatureCollection().Append(geojson.NewFeature(r.Lines[0].Clone())))}
			src.ProjectToTile(tile)
			worst := 0.0
			for _, p := range src[0].Features[0].Geometry.(orb.LineString) {
				if !inTile.Contains(p) {
					continue
				}
				d := math.Inf(1)
				for _, ln := range ml {
					for i := 1; i < len(ln); i++ {
						d = math.Min(d, segmentDistance(p, ln[i-1], ln[i]))
					}
				}
				worst = math.Max(worst, d)
			}
			if worst > roadTolerance+2 {
				t.Errorf("a position of the road is %.1f units from the line drawn, want ≤ %v", worst, roadTolerance+2)
			}
		})
	}
}

// TestTileRoadsMaxFeatures: over MaxFeatures roads, a tile keeps the
// highest classes.
func TestTileRoadsMaxFeatures(t *testing.T) {
	x := NewIndex()
	setRoads(t, x,
		denseRoad("c1", camera.RoadCommune, [2]float64{-500, 10}, [2]float64{500, 10}, 50, 0),
		denseRoad("n1", camera.RoadNational, [2]float64{-500, 20}, [2]float64{500, 20}, 50, 0),
		denseRoad("c2", camera.RoadCommune, [2]float64{-500, 30}, [2]float64{500, 30}, 50, 0),
		denseRoad("d1", camera.RoadDistrict, [2]float64{-500, 40}, [2]float64{500, 40}, 50, 0),
	)
	l, _ := roadsTile(t, x, 15, TileOptions{MaxFeatures: 2}, 0, 0)
	if got := roadNames(l); !slices.Equal(got, []string{"d1", "n1"}) {
		t.Errorf("roads %q, want the district and national ones", got)
	}
}

// TestTileRoadsLowZoom: below RoadMinZoom roads are read from a copy
// simplified for those zooms: far fewer positions than the road has, all
// of them on it, and the tile as the full roads would make it to within
// a fraction of a pixel.
func TestTileRoadsLowZoom(t *testing.T) {
	x := NewIndex()
	// 60 km of national road, a position every 20 m, bending gently.
	var pts [][2]float64
	for s := -30_000.0; s <= 30_000; s += 20 {
		pts = append(pts, [2]float64{s, 300 * math.Sin(s/3000)})
	}
	setRoads(t, x, road("Quốc lộ 1", camera.RoadNational, pts...))
	if n := len(x.roads.coarse.lines[0].pts); n*5 > len(pts) {
		t.Errorf("the copy for low zooms keeps %d of %d positions", n, len(pts))
	}
	for _, z := range []int{9, 10, 11} {
		l, _ := roadsTile(t, x, z, TileOptions{}, 0, 0)
		if len(l.Features) != 1 {
			t.Fatalf("z%d: %d roads", z, len(l.Features))
		}
		// Against the full road: each of its positions near the line.
		n := math.Exp2(float64(z))
		tile := maptile.At(orb.Point{jLon, jLat}, maptile.Zoom(z))
		b := orb.Bound{Min: orb.Point{float64(tile.X) / n, float64(tile.Y) / n}, Max: orb.Point{float64(tile.X+1) / n, float64(tile.Y+1) / n}}
		ref := x.roads.tileOf(&x.roads.full, tile, b, 10)
		ml := lines(t, l.Features[0])
		worst := 0.0
		for _, f := range ref.Features {
			for _, ln := range lines(t, f) {
				for _, p := range ln {
					if p[0] < 0 || p[1] < 0 || p[0] > mvt.DefaultExtent || p[1] > mvt.DefaultExtent {
						continue
					}
					d := math.Inf(1)
					for _, dl := range ml {
						for i := 1; i < len(dl); i++ {
							d = math.Min(d, segmentDistance(p, dl[i-1], dl[i]))
						}
					}
					worst = math.Max(worst, d)
				}
			}
		}
		// The tile's tolerance, the copy's (2 units at z11, fewer
		// below), and rounding.
		if worst > roadTolerance+2+1.5 {
			t.Errorf("z%d: the road drawn is %.1f units from the road", z, worst)
		}
	}
}

// TestRoadsGeoJSON: the road layer as stored reads back the same.
func TestRoadsGeoJSON(t *testing.T) {
	roads := []Road{
		denseRoad(`Quốc lộ "50"`, camera.RoadNational, [2]float64{-200, 0}, [2]float64{200, 0}, 10, 0.3),
		{Name: "", RoadClass: camera.RoadOther, Lines: []orb.LineString{{{106.1, 10.1}, {106.2, 10.2}}, {{-179.99999999, -85.1}, {179.123456789012, 85.1}}}},
	}
	raw := RoadsGeoJSON(roads)
	got, err := ReadRoads(context.Background(), raw, NoLimits())
	if err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	if !reflect.DeepEqual(got, roads) {
		t.Errorf("read back %v, want %v", got, roads)
	}
}

// TestReadIntersectionLayer: a layer of roads keeps its roads beside the
// junctions found on them; a layer of Points has none.
func TestReadIntersectionLayer(t *testing.T) {
	ctx := context.Background()
	roads := gridRoads(3, 100)
	l, err := ReadIntersectionLayer(ctx, roadsJSON(roads), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !l.FromRoads || len(l.Roads) != 6 || len(l.Intersections) != 9 || l.Roads[0].Name != "Ngang 0" {
		t.Errorf("roads layer: from roads %v, %d roads, %d intersections", l.FromRoads, len(l.Roads), len(l.Intersections))
	}
	l, err = ReadIntersectionLayer(ctx, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Point","coordinates":[106,10]}}]}`), Limits{})
	if err != nil || l.FromRoads || l.Roads != nil || len(l.Intersections) != 1 {
		t.Errorf("points layer: %+v, %v", l, err)
	}
}

// TestLayerUpdateRoads: roads are swapped in with the intersections found
// on them, in one Commit; an update of intersections alone leaves them;
// an update that is not committed, or whose build is cancelled, changes
// nothing; an update of no roads removes them.
func TestLayerUpdateRoads(t *testing.T) {
	ctx := context.Background()
	x := NewIndex()
	roads := gridRoads(4, 200)
	js := mustJunctions(t, roads)

	u, err := x.BeginLayerUpdate()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Intersections(ctx, js); err != nil {
		t.Fatal(err)
	}
	if err := u.Roads(ctx, roads); err != nil {
		t.Fatal(err)
	}
	if st := x.Stats(); st.Roads != 0 || st.Intersections != 0 {
		t.Errorf("before Commit the index holds %d roads, %d intersections", st.Roads, st.Intersections)
	}
	u.Commit()
	if st := x.Stats(); st.Roads != 8 || st.Intersections != 16 {
		t.Fatalf("after Commit the index holds %d roads, %d intersections", st.Roads, st.Intersections)
	}
	if b, ok := x.Extent(); !ok || b.MinLat > jLat || b.MaxLat < jLat {
		t.Errorf("extent %v, %v", b, ok)
	}

	// Intersections alone: the roads stay.
	if err := x.SetIntersections(js[:3]); err != nil {
		t.Fatal(err)
	}
	if st := x.Stats(); st.Roads != 8 || st.Intersections != 3 {
		t.Errorf("after an import of points the index holds %d roads, %d intersections", st.Roads, st.Intersections)
	}

	// Not committed, or cancelled: nothing changes.
	u, err = x.BeginLayerUpdate()
	if err != nil {
		t.Fatal(err)
	}
	if err := u.Roads(ctx, roads[:1]); err != nil {
		t.Fatal(err)
	}
	u.Close()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	u, err = x.BeginLayerUpdate()
	if err != nil {
		t.Fatal(err)
	}
	big := benchRoads(region{minLat: 10, maxLat: 10.1, minLon: 106, maxLon: 106.1}, 10, 10)
	if err := u.Roads(cctx, big); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled build: %v", err)
	}
	u.Commit()
	if st := x.Stats(); st.Roads != 8 {
		t.Errorf("after an update closed and one cancelled the index holds %d roads", st.Roads)
	}

	setRoads(t, x)
	if st := x.Stats(); st.Roads != 0 {
		t.Errorf("after an update of no roads the index holds %d", st.Roads)
	}
	if l, _ := roadsTile(t, x, 14, TileOptions{}, 100, 100); len(l.Features) != 0 {
		t.Errorf("the tile still has %d roads", len(l.Features))
	}
}
