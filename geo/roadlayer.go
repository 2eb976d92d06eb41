package geo

import (
	"context"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/simplify"

	"github.com/matthan/matthan/camera"
)

// The road layer: the lines of the roads an intersection import was made
// of, kept to be drawn. With the commune boundaries and the junctions it
// is the base map of a site with no internet, so it is held in the index
// like them and served in the tiles (the roads layer, see Tile).
//
// The lines are held projected to Web Mercator (world coordinates, the
// world a unit square), as tiles draw them: a tile scales and shifts them
// instead of projecting every position again. Each line is cut into
// pieces of at most roadPieceSegments segments, each with its box, filed
// by the zoom its class is drawn from (a tier) in grids of tiles: a tile
// reads the pieces of its box in the tiers its zoom shows and joins the
// pieces that follow each other back into lines. A piece is filed in the
// finest grid where its box spans at most roadPieceCells cells, so that a
// street is in a cell or two of the finest grid and a straight line across
// a province (one segment) in a cell of a coarse one, rather than in
// thousands of fine ones.
//
// Below RoadMinZoom only the national, provincial and district roads are
// drawn, over tiles of tens of kilometres: they are read from a copy of
// their lines simplified to what those zooms can show (coarseTolerance),
// several times fewer positions than roads digitised every 10–30 m.

// First zooms of the roads in the tiles, by class: the roads a map at
// that scale is read by, as printed maps show them.
const (
	// RoadMajorMinZoom is the first zoom of national and provincial
	// roads: at zoom 9 a province fits the screen.
	RoadMajorMinZoom = 9
	// RoadDistrictMinZoom is the first zoom of district roads: a
	// district fits the screen.
	RoadDistrictMinZoom = 11
	// RoadMinZoom is the first zoom of every road (commune, urban,
	// other): a few communes fit the screen, and their roads are a few
	// hundred lines.
	RoadMinZoom = 12
)

// RoadClassMinZoom returns the first zoom whose tiles carry roads of
// class c.
func RoadClassMinZoom(c camera.RoadClass) int {
	return roadTierZoom[roadTier(c)]
}

// roadTierZoom is the first zoom of each tier.
var roadTierZoom = [...]int{RoadMajorMinZoom, RoadDistrictMinZoom, RoadMinZoom}

// roadTier returns the tier of class c.
func roadTier(c camera.RoadClass) int {
	switch c {
	case camera.RoadNational, camera.RoadProvincial:
		return 0
	case camera.RoadDistrict:
		return 1
	}
	return 2
}

// Pieces and grids of the road layer.
const (
	// roadPieceSegments: a street digitised every 10–30 m is cut every
	// 300–1,000 m, about the side of a tile at zoom 16 (600 m), so a
	// tile reads little more of a line than it shows.
	roadPieceSegments = 32
	// The grids are the tiles of zooms 14 (2.4 km a side at the
	// equator), 11, 8 and 5; a piece spanning more than roadPieceCells
	// cells of the coarsest (a segment of 2,500 km) is wide: every tile
	// tests it.
	roadFinestZoom = 14
	roadLevels     = 4
	roadLevelZooms = 3
	roadPieceCells = 4
	// coarseTolerance is the simplification of the copy read below
	// RoadMinZoom, in world units: two tile units at zoom 11 (an eighth
	// of a pixel there, less below), before the tile's own roadTolerance.
	coarseTolerance = 2.0 / (1 << (11 + 12))
)

// maxMercatorLat is the latitude where Web Mercator ends (its map is
// square); beyond, a position would project to infinity.
const maxMercatorLat = 85.05112877980659

// roadLayer is a road layer ready for tiles. It is never changed once
// built: a new import builds another, swapped in whole.
type roadLayer struct {
	meta   []roadMeta
	box    BBox // of every position, in lon/lat
	full   roadSet
	coarse roadSet // tiers below RoadMinZoom, simplified
}

// roadMeta is what a road's features carry.
type roadMeta struct {
	name  string
	class camera.RoadClass
}

// roadSet is lines and their pieces by tier.
type roadSet struct {
	lines []roadLine
	tiers [len(roadTierZoom)]roadPieces
}

// roadLine is one line of a road, in world coordinates.
type roadLine struct {
	road int32
	pts  orb.LineString
}

// roadPieces is the pieces of one tier, in the order of their lines and
// positions, and where each is filed.
type roadPieces struct {
	pieces []roadPiece
	cells  [roadLevels]map[uint64][]int32
	wide   []int32
}

// roadPiece is positions from..to (inclusive) of a line, and their box.
type roadPiece struct {
	line, from, to int32
	box            orb.Bound
}

// newRoadLayer builds the road layer of roads. ctx is looked at as the
// work goes on.
func newRoadLayer(ctx context.Context, roads []Road) (*roadLayer, error) {
	rl := &roadLayer{
		meta: make([]roadMeta, len(roads)),
		box:  BBox{MinLon: math.Inf(1), MinLat: math.Inf(1), MaxLon: math.Inf(-1), MaxLat: math.Inf(-1)},
	}
	rl.full.init()
	rl.coarse.init()
	dp := simplify.DouglasPeucker(coarseTolerance)
	n := 0
	for ri := range roads {
		r := &roads[ri]
		rl.meta[ri] = roadMeta{r.Name, r.RoadClass}
		tier := roadTier(r.RoadClass)
		for _, ln := range r.Lines {
			if n += len(ln); n >= checkEvery {
				n = 0
				if err := canceled(ctx); err != nil {
					return nil, err
				}
			}
			w := make(orb.LineString, len(ln))
			for i, p := range ln {
				rl.box.MinLat, rl.box.MaxLat = math.Min(rl.box.MinLat, p[1]), math.Max(rl.box.MaxLat, p[1])
				rl.box.MinLon, rl.box.MaxLon = math.Min(rl.box.MinLon, p[0]), math.Max(rl.box.MaxLon, p[0])
				w[i] = worldPoint(p)
			}
			rl.full.add(int32(ri), tier, w)
			if roadTierZoom[tier] < RoadMinZoom {
				rl.coarse.add(int32(ri), tier, slices.Clone(dp.LineString(slices.Clone(w))))
			}
		}
	}
	return rl, nil
}

// worldPoint projects a lon/lat position to Web Mercator world
// coordinates: x east from −180°, y south from the top of the map, both
// from 0 to 1.
func worldPoint(p orb.Point) orb.Point {
	lat := math.Max(-maxMercatorLat, math.Min(maxMercatorLat, p[1]))
	f := maptile.Fraction(orb.Point{p[0], lat}, 0)
	return orb.Point{f[0], math.Max(0, math.Min(1, f[1]))}
}

func (s *roadSet) init() {
	for t := range s.tiers {
		for l := range s.tiers[t].cells {
			s.tiers[t].cells[l] = map[uint64][]int32{}
		}
	}
}

// add cuts line w of road into pieces filed in tier.
func (s *roadSet) add(road int32, tier int, w orb.LineString) {
	li := int32(len(s.lines))
	s.lines = append(s.lines, roadLine{road, w})
	ps := &s.tiers[tier]
	for from := 0; from < len(w)-1; from += roadPieceSegments {
		to := min(from+roadPieceSegments, len(w)-1)
		p := roadPiece{line: li, from: int32(from), to: int32(to), box: orb.MultiPoint(w[from : to+1]).Bound()}
		id := int32(len(ps.pieces))
		ps.pieces = append(ps.pieces, p)
		ps.file(id, p.box)
	}
}

// file files piece id of box b in the finest grid where it spans at most
// roadPieceCells cells, or among the wide ones.
func (ps *roadPieces) file(id int32, b orb.Bound) {
	for l := range roadLevels {
		x0, y0, x1, y1 := levelCells(l, b)
		if (x1-x0+1)*(y1-y0+1) > roadPieceCells {
			continue
		}
		for x := x0; x <= x1; x++ {
			for y := y0; y <= y1; y++ {
				k := uint64(x)<<32 | uint64(y)
				ps.cells[l][k] = append(ps.cells[l][k], id)
			}
		}
		return
	}
	ps.wide = append(ps.wide, id)
}

// levelCells returns the cells (tiles) of grid l that box b spans.
func levelCells(l int, b orb.Bound) (x0, y0, x1, y1 int64) {
	n := math.Exp2(float64(roadFinestZoom - l*roadLevelZooms))
	last := int64(n) - 1
	cell := func(v float64) int64 { return max(0, min(last, int64(math.Floor(v*n)))) }
	return cell(b.Min[0]), cell(b.Min[1]), cell(b.Max[0]), cell(b.Max[1])
}

// len returns the number of roads (features) of the layer.
func (rl *roadLayer) len() int {
	if rl == nil {
		return 0
	}
	return len(rl.meta)
}

// tile returns the roads of tile t within b (world coordinates): a
// feature per road with road_class and name (when it has one), whose
// geometry is its lines within b, pieces that follow each other joined, in
// tile units (mvt.DefaultExtent a side). At most maxN features, the higher
// classes kept first; they come lowest class first, so that a map drawing
// them in order draws the national roads on top.
func (rl *roadLayer) tile(t maptile.Tile, b orb.Bound, maxN int) *geojson.FeatureCollection {
	if rl == nil {
		return geojson.NewFeatureCollection()
	}
	if int(t.Z) < RoadMinZoom {
		return rl.tileOf(&rl.coarse, t, b, maxN)
	}
	return rl.tileOf(&rl.full, t, b, maxN)
}

// tileOf is tile, from the lines of set.
func (rl *roadLayer) tileOf(set *roadSet, t maptile.Tile, b orb.Bound, maxN int) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	var ids []int32
	for tier := range set.tiers {
		if int(t.Z) < roadTierZoom[tier] || len(fc.Features) >= maxN {
			continue
		}
		ps := &set.tiers[tier]
		ids = ps.inBox(b, ids[:0])
		rl.features(t, set, ps, ids, maxN, fc)
	}
	slices.Reverse(fc.Features)
	return fc
}

// inBox appends to ids the pieces whose box meets b, each once, in order.
func (ps *roadPieces) inBox(b orb.Bound, ids []int32) []int32 {
	take := func(id int32) {
		if ps.pieces[id].box.Intersects(b) {
			ids = append(ids, id)
		}
	}
	for l := range roadLevels {
		cells := ps.cells[l]
		if len(cells) == 0 {
			continue
		}
		x0, y0, x1, y1 := levelCells(l, b)
		if (x1-x0+1)*(y1-y0+1) > int64(len(cells)) {
			for _, list := range cells {
				for _, id := range list {
					take(id)
				}
			}
			continue
		}
		for x := x0; x <= x1; x++ {
			for y := y0; y <= y1; y++ {
				for _, id := range cells[uint64(x)<<32|uint64(y)] {
					take(id)
				}
			}
		}
	}
	for _, id := range ps.wide {
		take(id)
	}
	// A piece spanning several cells was taken from each.
	slices.Sort(ids)
	return slices.Compact(ids)
}

// features appends to fc a feature per road of the pieces ids (in order),
// up to maxN features in all, in the units of tile t.
func (rl *roadLayer) features(t maptile.Tile, set *roadSet, ps *roadPieces, ids []int32, maxN int, fc *geojson.FeatureCollection) {
	scale := math.Exp2(float64(t.Z)) * mvt.DefaultExtent
	minX, minY := float64(t.X)*mvt.DefaultExtent, float64(t.Y)*mvt.DefaultExtent
	var lines orb.MultiLineString
	for i := 0; i < len(ids) && len(fc.Features) < maxN; {
		first := &ps.pieces[ids[i]]
		last := first
		j := i + 1
		for ; j < len(ids); j++ {
			p := &ps.pieces[ids[j]]
			if p.line != last.line || p.from != last.to {
				break
			}
			last = p
		}
		// Floored, as mvt's own projection does.
		src := set.lines[first.line].pts[first.from : last.to+1]
		out := make(orb.LineString, len(src))
		for k, w := range src {
			out[k] = orb.Point{math.Floor(w[0]*scale - minX), math.Floor(w[1]*scale - minY)}
		}
		lines = append(lines, out)
		road := set.lines[first.line].road
		if j == len(ids) || set.lines[ps.pieces[ids[j]].line].road != road {
			var g orb.Geometry = lines
			if len(lines) == 1 {
				g = lines[0]
			}
			f := geojson.NewFeature(g)
			m := &rl.meta[road]
			f.Properties = geojson.Properties{"road_class": string(m.class)}
			if m.name != "" {
				f.Properties["name"] = m.name
			}
			fc.Append(f)
			lines = nil
		}
		i = j
	}
}
