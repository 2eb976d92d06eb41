package sample

import (
	"fmt"
	"math"
)

// roadSpec describes a main road: its control points, and the roads its
// ends join (a T-junction) if any. The generator densifies the control
// points into a gently bowed polyline and clips it to the district.
type roadSpec struct {
	name, class string
	ctrl        []vec
	from, to    string  // road the first / last point joins, "" for none
	bow         float64 // how far (metres) a stretch may bow sideways
}

// ep is ellipsePoint, short for the tables below: u runs west→east along
// the district, v south→north across it.
func ep(u, v float64) vec { return ellipsePoint(u, v) }

// mainRoads is the national, provincial and district road network: QL50
// from the north-east through the town to the south-west (towards Mỹ Tho),
// ĐT 879 north–south through the town, ĐT 877 along the south of the
// district, their branches, and the district roads between them. Order
// matters: a road can only join roads listed before it.
func mainRoads() []roadSpec {
	return []roadSpec{
		{name: "Quốc lộ 50", class: classNational, bow: 60, ctrl: []vec{
			ep(1.12, 0.46), ep(0.62, 0.24), ep(0.26, 0.08), {}, ep(-0.28, -0.08), ep(-0.65, -0.15), ep(-1.15, -0.2)}},
		{name: "Đường tỉnh 879", class: classProvincial, bow: 120, ctrl: []vec{
			km(0.9, 9), km(0.5, 4.5), km(0.12, 1.1), km(-0.1, -1.0), km(-0.55, -4.6), km(-0.3, -9)}},
		{name: "Đường tỉnh 877", class: classProvincial, bow: 120, ctrl: []vec{
			ep(-1.1, -0.55), ep(-0.6, -0.4), ep(-0.2, -0.3), ep(0.2, -0.34), ep(0.6, -0.3), ep(1.1, -0.2)}},
		{name: "Đường tỉnh 879B", class: classProvincial, bow: 120, from: "Quốc lộ 50", ctrl: []vec{
			ep(-0.45, -0.15), ep(-0.55, 0.35), ep(-0.75, 1.1)}},
		{name: "Đường tỉnh 879C", class: classProvincial, bow: 120, from: "Đường tỉnh 879", ctrl: []vec{
			ep(0.13, 0.55), ep(0.45, 0.5), ep(0.8, 0.52), ep(1.2, 0.6)}},
		{name: "Đường tỉnh 877B", class: classProvincial, bow: 100, from: "Đường tỉnh 877", to: "Quốc lộ 50", ctrl: []vec{
			ep(0.35, -0.33), ep(0.4, -0.05), ep(0.42, 0.16)}},
		{name: "Đường tỉnh 879D", class: classProvincial, bow: 100, from: "Đường tỉnh 877", ctrl: []vec{
			ep(-0.3, -0.33), ep(-0.35, -1.1)}},
		{name: "Đường huyện 20", class: classDistrict, bow: 150, from: "Quốc lộ 50", ctrl: []vec{
			ep(-0.85, -0.3), ep(-0.88, 0.3), ep(-0.9, 1.1)}},
		{name: "Đường huyện 21", class: classDistrict, bow: 150, from: "Đường tỉnh 879", to: "Đường tỉnh 879B", ctrl: []vec{
			km(0.3, 2.5), ep(-0.1, 0.3), ep(-0.3, 0.32), ep(-0.52, 0.3)}},
		{name: "Đường huyện 22", class: classDistrict, bow: 150, from: "Quốc lộ 50", ctrl: []vec{
			ep(-0.15, -0.06), ep(-0.15, -0.3), ep(-0.12, -1.1)}},
		{name: "Đường huyện 23", class: classDistrict, bow: 150, from: "Đường tỉnh 877", to: "Đường tỉnh 879C", ctrl: []vec{
			ep(0.75, -0.27), ep(0.78, 0.1), ep(0.8, 0.52)}},
		{name: "Đường huyện 24", class: classDistrict, bow: 150, from: "Đường tỉnh 877", ctrl: []vec{
			ep(-0.7, -0.34), ep(-0.72, -1.1)}},
		{name: "Đường huyện 25", class: classDistrict, bow: 150, from: "Đường tỉnh 879C", ctrl: []vec{
			ep(0.55, 0.5), ep(0.55, 1.1)}},
		{name: "Đường huyện 26", class: classDistrict, bow: 150, from: "Đường tỉnh 877", ctrl: []vec{
			ep(0.5, -0.32), ep(0.48, -1.1)}},
		{name: "Đường huyện 27", class: classDistrict, bow: 150, from: "Quốc lộ 50", ctrl: []vec{
			ep(0.86, 0.35), ep(0.92, -0.3), ep(0.94, -1.1)}},
	}
}

// townStreets is the street grid of the town, aligned with QL50: two
// streets parallel to it and two across it.
func townStreets() []roadSpec {
	along := ep(0.26, 0.08).sub(ep(-0.28, -0.1)).unit()
	across := along.perp()
	at := func(a, c float64) vec { return along.scale(a).add(across.scale(c)) }
	return []roadSpec{
		{name: "Đường Trần Hưng Đạo", class: classUrban, ctrl: []vec{at(-800, 350), at(800, 350)}},
		{name: "Đường Lý Thường Kiệt", class: classUrban, ctrl: []vec{at(-700, -350), at(850, -350)}},
		{name: "Đường Nguyễn Huệ", class: classUrban, ctrl: []vec{at(-450, -700), at(-450, 650)}},
		{name: "Đường Hùng Vương", class: classUrban, ctrl: []vec{at(500, -650), at(500, 700)}},
	}
}

// densify turns control points into a polyline with a vertex every step
// metres or so: each stretch bows sideways by up to bow metres, and every
// vertex is jittered a few metres.
func densify(ctrl []vec, step, bow float64, r *rng) []vec {
	out := []vec{ctrl[0]}
	for i := 0; i+1 < len(ctrl); i++ {
		a, b := ctrl[i], ctrl[i+1]
		d := b.sub(a)
		n := max(1, int(math.Ceil(d.len()/step)))
		side := d.perp().unit()
		c := r.between(-bow, bow)
		for k := 1; k <= n; k++ {
			f := float64(k) / float64(n)
			p := a.lerp(b, f)
			if k < n && bow > 0 {
				p = p.add(side.scale(c*math.Sin(math.Pi*f) + r.between(-6, 6)))
			}
			out = append(out, p)
		}
	}
	return out
}

// buildMain adds the main roads and the town streets to the network.
func (n *network) buildMain(r *rng) error {
	specs := append(mainRoads(), townStreets()...)
	for _, sp := range specs {
		ctrl := append([]vec(nil), sp.ctrl...)
		var joins []func() vec
		if sp.from != "" {
			s, t, ok := n.nearestOn(sp.from, ctrl[0])
			if !ok {
				return fmt.Errorf("road %s: no road %s to start from", sp.name, sp.from)
			}
			joins = append(joins, func() vec { return n.attach(s, t) })
			a, b := n.seg(s)
			ctrl[0] = a.lerp(b, t)
		}
		if sp.to != "" {
			s, t, ok := n.nearestOn(sp.to, ctrl[len(ctrl)-1])
			if !ok {
				return fmt.Errorf("road %s: no road %s to end on", sp.name, sp.to)
			}
			joins = append(joins, func() vec { return n.attach(s, t) })
			a, b := n.seg(s)
			ctrl[len(ctrl)-1] = a.lerp(b, t)
		}
		step := 250.0
		if sp.class == classUrban {
			step = 120
		}
		pieces := n.clip(densify(ctrl, step, sp.bow, r))
		if len(pieces) == 0 {
			return fmt.Errorf("road %s lies outside the district", sp.name)
		}
		pts := pieces[0]
		switch {
		case sp.from != "" && sp.to != "" && len(pieces) != 1:
			return fmt.Errorf("road %s leaves the district between its joins", sp.name)
		case sp.to != "":
			pts = pieces[len(pieces)-1]
		case sp.from == "":
			for _, p := range pieces {
				if polyLen(p) > polyLen(pts) {
					pts = p
				}
			}
		}
		for _, join := range joins {
			join()
		}
		n.add(&road{Name: sp.name, Class: sp.class, pts: pts})
	}
	return nil
}

// polyLen returns the length of a polyline.
func polyLen(pts []vec) float64 {
	l := 0.0
	for i := 1; i < len(pts); i++ {
		l += pts[i].dist(pts[i-1])
	}
	return l
}
