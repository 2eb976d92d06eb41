package geo

import (
	"fmt"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/matthan/matthan/camera"
)

// Commune is one commune boundary of the commune layer.
type Commune struct {
	Name     string           `json:"name"`
	District string           `json:"district,omitempty"`
	Province string           `json:"province,omitempty"`
	Geometry orb.MultiPolygon `json:"-"` // lon/lat; a Polygon is a MultiPolygon of one
	bound    orb.Bound
}

// Communes is a commune layer: boundaries and a grid of their bounding
// boxes, for point-in-polygon lookups. It is immutable once built and safe
// for concurrent use.
type Communes struct {
	list  []Commune
	g     *grid
	cells map[uint64][]int32 // cell → communes whose box touches it
}

// communeCellDeg is the cell of the commune grid: 0.05° (5.5 km), about a
// commune, so a lookup tests one or two candidate polygons.
const communeCellDeg = 0.05

// ParseCommunes reads a commune layer: a FeatureCollection of Polygon or
// MultiPolygon features with properties name (required), and optionally
// district and province. Polygons are checked as ValidatePolygon says.
// Several communes may share a name (Vietnam has many a Thanh Bình);
// district and province tell them apart. Errors name the feature and the
// property or the ring at fault.
func ParseCommunes(raw []byte) (*Communes, error) {
	fs, err := readCollection(raw)
	if err != nil {
		return nil, err
	}
	list := make([]Commune, 0, len(fs))
	for i := range fs {
		f := &fs[i]
		g, err := decodePolygonal(f.Geometry, fmt.Sprintf("features[%d].geometry", i))
		if err != nil {
			return nil, err
		}
		c := Commune{}
		switch t := g.(type) {
		case orb.Polygon:
			c.Geometry = orb.MultiPolygon{t}
		case orb.MultiPolygon:
			c.Geometry = t
		}
		if c.Name, err = propString(f, i, "name"); err != nil {
			return nil, err
		}
		if strings.TrimSpace(c.Name) == "" {
			return nil, camera.Errorf(camera.EINVALID, fmt.Sprintf("features[%d].properties.name", i), "must not be empty")
		}
		if c.District, err = propString(f, i, "district"); err != nil {
			return nil, err
		}
		if c.Province, err = propString(f, i, "province"); err != nil {
			return nil, err
		}
		list = append(list, c)
	}
	return NewCommunes(list), nil
}

// NewCommunes builds a commune layer from boundaries already checked.
func NewCommunes(list []Commune) *Communes {
	cs := &Communes{list: list, g: newGrid(communeCellDeg), cells: map[uint64][]int32{}}
	for i := range cs.list {
		c := &cs.list[i]
		c.bound = c.Geometry.Bound()
		s := cs.g.boxSpan(c.bound.Min[1], c.bound.Max[1], c.bound.Min[0], c.bound.Max[0])
		cs.g.eachCell(&s, func(k uint64) { cs.cells[k] = append(cs.cells[k], int32(i)) })
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
// it.
func (cs *Communes) At(lat, lon float64) (Commune, bool) {
	if cs == nil {
		return Commune{}, false
	}
	pt := orb.Point{lon, lat}
	for _, i := range cs.cells[cs.g.key(lat, lon)] {
		c := &cs.list[i]
		if c.bound.Contains(pt) && planar.MultiPolygonContains(c.Geometry, pt) {
			return *c, true
		}
	}
	return Commune{}, false
}

// CommuneAt returns the name of the commune holding (lat, lon).
func (cs *Communes) CommuneAt(lat, lon float64) (string, bool) {
	c, ok := cs.At(lat, lon)
	return c.Name, ok
}
