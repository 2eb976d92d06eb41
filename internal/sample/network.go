package sample

import (
	"math"
	"sort"
)

// Road classes, highest first (the values of camera.RoadClass).
const (
	classNational   = "national"
	classProvincial = "provincial"
	classDistrict   = "district"
	classCommune    = "commune"
	classUrban      = "urban"
	classOther      = "other"
)

// classRank orders road classes, national first.
func classRank(c string) int {
	for i, x := range []string{classNational, classProvincial, classDistrict, classCommune, classUrban, classOther} {
		if x == c {
			return i
		}
	}
	return 99
}

// major reports whether c is a national, provincial or district road: the
// roads whose junctions the programme's 48 junction cameras watch.
func major(c string) bool { return classRank(c) <= classRank(classDistrict) }

// road is one road of the network. While the network grows, pts are its
// plane vertices; finish turns them into the rounded geo vertices the files
// hold, and v and cum are computed from those.
type road struct {
	Name  string
	Class string

	pts []vec     // plane vertices while generating
	acc []float64 // chainage of pts

	geo []ll      // final vertices, 6 decimals
	v   []vec     // geo in the plane
	cum []float64 // chainage of v
}

// length returns the final length of the road in metres.
func (rd *road) length() float64 { return rd.cum[len(rd.cum)-1] }

// at returns the point and the heading (degrees) of the final road at
// chainage s, clamped to the road.
func (rd *road) at(s float64) (vec, float64) {
	s = math.Max(0, math.Min(s, rd.length()))
	i := sort.SearchFloat64s(rd.cum, s)
	if i == 0 {
		i = 1
	}
	if i >= len(rd.cum) {
		i = len(rd.cum) - 1
	}
	a, b := rd.v[i-1], rd.v[i]
	seg := rd.cum[i] - rd.cum[i-1]
	t := 0.0
	if seg > 0 {
		t = (s - rd.cum[i-1]) / seg
	}
	return a.lerp(b, t), heading(b.sub(a))
}

// chainage fills acc from pts.
func (rd *road) chainage() {
	rd.acc = make([]float64, len(rd.pts))
	for i := 1; i < len(rd.pts); i++ {
		rd.acc[i] = rd.acc[i-1] + rd.pts[i].dist(rd.pts[i-1])
	}
}

// segRef names segment seg (pts[seg]–pts[seg+1]) of road number road.
type segRef struct{ road, seg int }

// insert is a vertex to add to a road when the network is finished: the
// point where another road ends on it (a T-junction), so that both roads
// share the vertex exactly.
type insert struct {
	seg int
	t   float64
	p   vec
}

// gridCell is the size of the cells of the segment index, in metres.
const gridCell = 500

// network is the road network while it grows: the roads, an index of
// their segments, the vertices still to insert, and the junction points
// made so far (to keep new junctions apart from old ones).
type network struct {
	d       *district
	roads   []*road
	grid    segGrid
	inserts [][]insert
	joints  []vec
	// byCommune lists, per commune, the segments whose midpoint lies in it:
	// the places where a new commune road may start.
	byCommune [][]segRef
}

func newNetwork(d *district) *network {
	return &network{d: d, grid: segGrid{}, byCommune: make([][]segRef, len(d.communes))}
}

// cells returns the grid cells the box around a–b (grown by margin) meets.
func cells(a, b vec, margin float64) [][2]int {
	x0 := int(math.Floor((math.Min(a.X, b.X) - margin) / gridCell))
	x1 := int(math.Floor((math.Max(a.X, b.X) + margin) / gridCell))
	y0 := int(math.Floor((math.Min(a.Y, b.Y) - margin) / gridCell))
	y1 := int(math.Floor((math.Max(a.Y, b.Y) + margin) / gridCell))
	var out [][2]int
	for x := x0; x <= x1; x++ {
		for y := y0; y <= y1; y++ {
			out = append(out, [2]int{x, y})
		}
	}
	return out
}

// segGrid indexes segments by the grid cells their bounding boxes meet.
type segGrid map[[2]int][]segRef

// add indexes segment s from a to b.
func (g segGrid) add(s segRef, a, b vec) {
	for _, c := range cells(a, b, 0) {
		g[c] = append(g[c], s)
	}
}

// query returns the indexed segments near a–b, each once, in a
// deterministic order.
func (g segGrid) query(a, b vec, margin float64) []segRef {
	seen := map[segRef]bool{}
	var out []segRef
	for _, c := range cells(a, b, margin) {
		for _, s := range g[c] {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// query returns the indexed segments near a–b.
func (n *network) query(a, b vec, margin float64) []segRef { return n.grid.query(a, b, margin) }

// seg returns the end points of a generation-time segment.
func (n *network) seg(s segRef) (vec, vec) {
	p := n.roads[s.road].pts
	return p[s.seg], p[s.seg+1]
}

// add puts a finished road into the network: its crossings with the roads
// already there become junction points, and its segments are indexed.
func (n *network) add(rd *road) int {
	ri := len(n.roads)
	for i := 0; i+1 < len(rd.pts); i++ {
		a, b := rd.pts[i], rd.pts[i+1]
		for _, s := range n.query(a, b, 0) {
			c, d := n.seg(s)
			if t, _, ok := segIntersect(a, b, c, d, 0); ok {
				n.joint(a.lerp(b, t))
			}
		}
	}
	rd.chainage()
	n.roads = append(n.roads, rd)
	n.inserts = append(n.inserts, nil)
	for i := 0; i+1 < len(rd.pts); i++ {
		a, b := rd.pts[i], rd.pts[i+1]
		s := segRef{ri, i}
		n.grid.add(s, a, b)
		if ci := n.d.communeAt(toLL(a.lerp(b, 0.5))); ci >= 0 && a.dist(b) > 60 {
			n.byCommune[ci] = append(n.byCommune[ci], s)
		}
	}
	return ri
}

// joint records a junction point, unless one is already within 1 m.
func (n *network) joint(p vec) {
	if !n.nearJoint(p, 1) {
		n.joints = append(n.joints, p)
	}
}

// nearJoint reports whether a junction point lies within r of p.
func (n *network) nearJoint(p vec, r float64) bool {
	for _, q := range n.joints {
		if p.dist(q) < r {
			return true
		}
	}
	return false
}

// attach makes the point at parameter t of segment s a vertex of its road
// (when the network is finished) and a junction point, and returns it.
func (n *network) attach(s segRef, t float64) vec {
	a, b := n.seg(s)
	p := a.lerp(b, t)
	n.inserts[s.road] = append(n.inserts[s.road], insert{s.seg, t, p})
	n.joint(p)
	return p
}

// nearestOn returns the segment of the named road nearest to p and the
// parameter of the nearest point.
func (n *network) nearestOn(name string, p vec) (segRef, float64, bool) {
	best, bestT, bestD, found := segRef{}, 0.0, math.Inf(1), false
	for ri, rd := range n.roads {
		if rd.Name != name {
			continue
		}
		for i := 0; i+1 < len(rd.pts); i++ {
			d, t := distToSeg(p, rd.pts[i], rd.pts[i+1])
			if d < bestD {
				best, bestT, bestD, found = segRef{ri, i}, t, d, true
			}
		}
	}
	return best, bestT, found
}

// firstCrossing returns the first indexed segment that a–b crosses
// (smallest t > 0), skipping those skip rejects.
func (n *network) firstCrossing(a, b vec, skip func(segRef) bool) (s segRef, t, u float64, ok bool) {
	t = math.Inf(1)
	for _, c := range n.query(a, b, 0) {
		if skip != nil && skip(c) {
			continue
		}
		p, q := n.seg(c)
		if tt, uu, hit := segIntersect(a, b, p, q, 0); hit && tt > 1e-6 && tt < t {
			s, t, u, ok = c, tt, uu, true
		}
	}
	return s, t, u, ok
}

// nearest returns the indexed segment nearest to p within r, skipping those
// skip rejects.
func (n *network) nearest(p vec, r float64, skip func(segRef) bool) (segRef, float64, bool) {
	best, bestD, found := segRef{}, r, false
	for _, c := range n.query(p, p, r) {
		if skip != nil && skip(c) {
			continue
		}
		a, b := n.seg(c)
		if d, _ := distToSeg(p, a, b); d < bestD {
			best, bestD, found = c, d, true
		}
	}
	return best, bestD, found
}

// clip cuts a polyline to the district and returns the pieces inside. Ends
// made at the outline are pulled 15 m inside it.
func (n *network) clip(pts []vec) [][]vec {
	out := n.d.outline
	var pieces [][]vec
	var cur []vec
	in := n.d.inside(pts[0])
	if in {
		cur = []vec{pts[0]}
	}
	for i := 0; i+1 < len(pts); i++ {
		a, b := pts[i], pts[i+1]
		l := a.dist(b)
		dir := b.sub(a).unit()
		var ts []float64
		for k := range out {
			if t, _, ok := segIntersect(a, b, out[k], out[(k+1)%len(out)], 0); ok {
				ts = append(ts, t)
			}
		}
		sort.Float64s(ts)
		for _, t := range ts {
			x := a.lerp(b, t)
			if in {
				if t*l > 20 {
					cur = append(cur, x.sub(dir.scale(15)))
				}
				if len(cur) > 1 {
					pieces = append(pieces, cur)
				}
				cur = nil
			} else if (1-t)*l > 20 {
				cur = []vec{x.add(dir.scale(15))}
			}
			in = !in
		}
		if in {
			cur = append(cur, b)
		}
	}
	if in && len(cur) > 1 {
		pieces = append(pieces, cur)
	}
	return pieces
}

// finish inserts the pending T-junction vertices, rounds every road to 6
// decimals and computes the final plane vertices and chainages.
func (n *network) finish() {
	for ri, rd := range n.roads {
		ins := n.inserts[ri]
		sort.SliceStable(ins, func(i, j int) bool {
			if ins[i].seg != ins[j].seg {
				return ins[i].seg < ins[j].seg
			}
			return ins[i].t < ins[j].t
		})
		var pts []vec
		k := 0
		for i, p := range rd.pts {
			pts = append(pts, p)
			for k < len(ins) && ins[k].seg == i {
				pts = append(pts, ins[k].p)
				k++
			}
		}
		rd.geo = rd.geo[:0]
		for _, p := range pts {
			q := toLL(p)
			if len(rd.geo) > 0 && rd.geo[len(rd.geo)-1].key() == q.key() {
				continue
			}
			rd.geo = append(rd.geo, q)
		}
		rd.v = make([]vec, len(rd.geo))
		rd.cum = make([]float64, len(rd.geo))
		for i, q := range rd.geo {
			rd.v[i] = toVec(q)
			if i > 0 {
				rd.cum[i] = rd.cum[i-1] + rd.v[i].dist(rd.v[i-1])
			}
		}
	}
}
