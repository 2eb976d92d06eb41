package geo

import (
	"context"
	"fmt"
	"strings"

	"github.com/paulmach/orb"

	"github.com/matthan/matthan/camera"
)

// Commune is one commune boundary of the commune layer.
type Commune struct {
	Name     string           `json:"name"`
	District string           `json:"district,omitempty"`
	Province string           `json:"province,omitempty"`
	Geometry orb.MultiPolygon `json:"-"` // lon/lat; a Polygon is a MultiPolygon of one
}

// Communes is a commune layer: boundaries, indexed for point-in-polygon
// lookups. It is immutable once built and safe for concurrent use.
//
// Each polygon of each commune is filed in grid cells by its bounding box
// — a scattered island commune by each island, not by one box over the
// sea — in the finest of a few grids where its box spans few cells, so
// that neither a tiny commune nor one the size of the world costs more
// than a few map entries. A lookup reads one cell of each grid and tests
// the polygons filed there, in input order, through their edge index
// (see ringIndex).
type Communes struct {
	list   []Commune
	bounds []orb.Bound      // of each commune, for the map's tiles and search
	polys  []communePolygon // every polygon of every commune, in input order
	levels []communeLevel   // finest first
}

type communePolygon struct {
	commune int32
	polygonIndex
}

// communeLevel is one grid of polygons.
type communeLevel struct {
	g     *grid
	cells map[uint64][]int32 // cell → polygons whose box touches it, in input order
}

// The commune grids: cells of communeCellDeg (0.05°, 5.5 km, about a
// commune, so that a lookup tests one or two candidate polygons), then 16
// and 256 times that. A polygon goes in the finest grid where its box
// spans at most maxPolygonCells cells, or else in the coarsest, which has
// 15 rows round the whole globe.
const (
	communeCellDeg   = 0.05
	communeLevelStep = 16
	communeLevels    = 3
	maxPolygonCells  = 64
)

// ParseCommunes reads a commune layer: a FeatureCollection of Polygon or
// MultiPolygon features with properties name (required), and optionally
// district and province. Polygons are checked as ValidatePolygon says.
// Several communes may share a name (Vietnam has many a Thanh Bình);
// district and province tell them apart. Errors name the feature and the
// property or the ring at fault. The layer is read within lim (see
// Limits; lim.PolygonPositions bounds each boundary) and ctx is looked at
// between features.
func ParseCommunes(ctx context.Context, raw []byte, lim Limits) (*Communes, error) {
	return parseCommunes(ctx, raw, lim, nil)
}

// parseCommunes is ParseCommunes; with check it reads past invalid
// features (see CheckCommunes).
func parseCommunes(ctx context.Context, raw []byte, lim Limits, check *LayerCheck) (*Communes, error) {
	lim = lim.resolve()
	var list []Commune
	err := eachFeatureChecked(ctx, raw, lim, check, func(i int, f *rawFeature) error {
		g, err := decodePolygonal(f.Geometry, fmt.Sprintf("features[%d].geometry", i), lim.PolygonPositions)
		if err != nil {
			return err
		}
		c := Commune{}
		switch t := g.(type) {
		case orb.Polygon:
			c.Geometry = orb.MultiPolygon{t}
		case orb.MultiPolygon:
			c.Geometry = t
		}
		if c.Name, err = propString(f, i, "name"); err != nil {
			return err
		}
		if strings.TrimSpace(c.Name) == "" {
			return camera.Errorf(camera.EINVALID, fmt.Sprintf("features[%d].properties.name", i), "must not be empty")
		}
		if c.District, err = propString(f, i, "district"); err != nil {
			return err
		}
		if c.Province, err = propString(f, i, "province"); err != nil {
			return err
		}
		list = append(list, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return NewCommunes(list), nil
}

// NewCommunes builds a commune layer from boundaries already checked.
func NewCommunes(list []Commune) *Communes {
	cs := &Communes{list: list, levels: make([]communeLevel, communeLevels)}
	deg := communeCellDeg
	for l := range cs.levels {
		cs.levels[l] = communeLevel{g: newGrid(deg), cells: map[uint64][]int32{}}
		deg *= communeLevelStep
	}
	cs.bounds = make([]orb.Bound, len(list))
	for i := range cs.list {
		for j, p := range cs.list[i].Geometry {
			pi := newPolygonIndex(p)
			cs.polys = append(cs.polys, communePolygon{commune: int32(i), polygonIndex: pi})
			if j == 0 {
				cs.bounds[i] = pi.bound
			} else {
				cs.bounds[i] = cs.bounds[i].Union(pi.bound)
			}
		}
	}
	for pi := range cs.polys {
		b := cs.polys[pi].bound
		for l := range cs.levels {
			lv := &cs.levels[l]
			s := lv.g.boxSpan(b.Min[1], b.Max[1], b.Min[0], b.Max[0])
			if l < len(cs.levels)-1 && lv.g.cellCount(&s) > maxPolygonCells {
				continue
			}
			lv.g.eachCell(&s, func(k uint64) { lv.cells[k] = append(lv.cells[k], int32(pi)) })
			break
		}
	}
	return cs
}

// Len returns the number of communes.
func (cs *Communes) Len() int { return len(cs.list) }

// List returns the communes, in input order. The slice is shared: do not
// modify it.
func (cs *Communes) List() []Commune { return cs.list }

// At returns the commune whose boundary holds (lat, lon) (the first in
// input order, should boundaries overlap). Points on a boundary belong to
// it, as with planar.MultiPolygonContains, whose answers these are.
func (cs *Communes) At(lat, lon float64) (Commune, bool) {
	if i := cs.index(lat, lon); i >= 0 {
		return cs.list[i], true
	}
	return Commune{}, false
}

// index returns the input position of the commune holding (lat, lon), or
// -1.
func (cs *Communes) index(lat, lon float64) int {
	if cs == nil {
		return -1
	}
	pt := orb.Point{lon, lat}
	// The candidates of each grid are in input order; take them in input
	// order across the grids, so that the first polygon holding the point
	// is the first commune's.
	var cands [communeLevels][]int32
	for l := range cs.levels {
		if lv := &cs.levels[l]; len(lv.cells) > 0 {
			cands[l] = lv.cells[lv.g.key(lat, lon)]
		}
	}
	for {
		best := -1
		for l := range cands {
			if len(cands[l]) > 0 && (best < 0 || cands[l][0] < cands[best][0]) {
				best = l
			}
		}
		if best < 0 {
			return -1
		}
		p := &cs.polys[cands[best][0]]
		cands[best] = cands[best][1:]
		if p.bound.Contains(pt) && p.contains(pt) {
			return int(p.commune)
		}
	}
}

// CommuneAt returns the name of the commune holding (lat, lon).
func (cs *Communes) CommuneAt(lat, lon float64) (string, bool) {
	c, ok := cs.At(lat, lon)
	return c.Name, ok
}
