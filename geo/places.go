package geo

import (
	"cmp"
	"math"
	"slices"
)

// What the console's map needs to frame the network and to fly to a
// commune: the extent of everything mapped, and the communes with their
// boxes. Both scan the index under its read lock (a few milliseconds for
// a million cameras), which is cheap next to a person typing.

// Extent returns the box of the active cameras, the intersections, the
// commune boundaries and the roads; ok is false when the index holds none
// of them.
func (x *Index) Extent() (b BBox, ok bool) {
	b = BBox{MinLon: math.Inf(1), MinLat: math.Inf(1), MaxLon: math.Inf(-1), MaxLat: math.Inf(-1)}
	add := func(lat, lon float64) {
		b.MinLat, b.MaxLat = math.Min(b.MinLat, lat), math.Max(b.MaxLat, lat)
		b.MinLon, b.MaxLon = math.Min(b.MinLon, lon), math.Max(b.MaxLon, lon)
		ok = true
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	for slot := range x.ents {
		if x.ids[slot] != "" {
			add(x.ents[slot].lat, x.ents[slot].lon)
		}
	}
	if x.cov != nil {
		for i := range x.cov.items {
			add(x.cov.items[i].Lat, x.cov.items[i].Lon)
		}
	}
	if x.communes != nil {
		for i := range x.communes.list {
			bd := x.communes.bounds[i]
			add(bd.Min[1], bd.Min[0])
			add(bd.Max[1], bd.Max[0])
		}
	}
	if x.roads.len() > 0 {
		add(x.roads.box.MinLat, x.roads.box.MinLon)
		add(x.roads.box.MaxLat, x.roads.box.MaxLon)
	}
	return b, ok
}

// Place is a commune the map can show: its name, its box (its boundary's
// when the commune layer has it, else its cameras'), and how many active
// cameras it has.
type Place struct {
	Name     string     `json:"name"`
	District string     `json:"district,omitempty"`
	Province string     `json:"province,omitempty"`
	BBox     [4]float64 `json:"bbox"` // min_lon, min_lat, max_lon, max_lat
	Cameras  int        `json:"cameras"`
	Boundary bool       `json:"boundary"`
}

// Places returns the communes whose name match accepts, from the commune
// layer and from the cameras' communes, best-known first (those with a
// boundary, then by cameras), at most limit.
func (x *Index) Places(match func(name string) bool, limit int) []Place {
	byName := map[string]*Place{}
	var order []string
	x.mu.RLock()
	if x.communes != nil {
		for i := range x.communes.list {
			c := &x.communes.list[i]
			bd := x.communes.bounds[i]
			if !match(c.Name) {
				continue
			}
			if _, seen := byName[c.Name]; !seen {
				order = append(order, c.Name)
				byName[c.Name] = &Place{Name: c.Name, District: c.District, Province: c.Province, Boundary: true,
					BBox: [4]float64{bd.Min[0], bd.Min[1], bd.Max[0], bd.Max[1]}}
			}
		}
	}
	matched := make(map[uint32]*Place)
	for id, name := range x.names.names {
		if name == "" || !match(name) {
			continue
		}
		p := byName[name]
		if p == nil {
			p = &Place{Name: name, BBox: [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}}
			byName[name] = p
			order = append(order, name)
		}
		matched[uint32(id)] = p
	}
	if len(matched) > 0 {
		for slot := range x.ents {
			e := &x.ents[slot]
			p := matched[e.commune]
			if p == nil || x.ids[slot] == "" {
				continue
			}
			p.Cameras++
			if !p.Boundary {
				p.BBox[0], p.BBox[1] = math.Min(p.BBox[0], e.lon), math.Min(p.BBox[1], e.lat)
				p.BBox[2], p.BBox[3] = math.Max(p.BBox[2], e.lon), math.Max(p.BBox[3], e.lat)
			}
		}
	}
	x.mu.RUnlock()
	out := make([]Place, 0, len(order))
	for _, name := range order {
		p := byName[name]
		if !p.Boundary && p.Cameras == 0 {
			continue // a name only an intersection or a retired camera had
		}
		out = append(out, *p)
	}
	slices.SortStableFunc(out, func(a, b Place) int {
		if a.Boundary != b.Boundary {
			if a.Boundary {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(b.Cameras, a.Cameras), cmp.Compare(a.Name, b.Name))
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}
