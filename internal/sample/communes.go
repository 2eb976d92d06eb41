package sample

import (
	"fmt"
	"math"
	"strings"
)

// District and Province name the sample district.
const (
	District = "Chợ Gạo"
	Province = "Tiền Giang"
)

// commune is one of the 19 communes and towns of the district, as the
// generator sees it.
type commune struct {
	Name  string // official name: "Song Bình", or "Thị trấn Chợ Gạo" for the town
	town  bool   // the district town (thị trấn)
	ferry bool   // on the Tiền river or the Vàm Cỏ: has ferry landings
	// u, v place the commune's seed in the district ellipse, both in
	// [-1, 1]: u west→east along the long axis, v south→north.
	u, v float64

	seed  vec   // seed of the commune's cell in the plane
	ring  []ll  // exterior ring, closed, counter-clockwise, 6 decimals
	ringV []vec // the same ring in the plane (open: no repeated last point)
}

// communeTable is the 19 communes in the order docs/design.md lists them, with a
// made-up but plausible layout: three rows of cells across the district,
// the town in the middle, the southern row along the Tiền river.
func communeTable() []*commune {
	return []*commune{
		{Name: "Thị trấn Chợ Gạo", town: true, u: 0.02, v: 0},
		{Name: "Long Bình Điền", ferry: true, u: -0.70, v: -0.58},
		{Name: "Song Bình", ferry: true, u: -0.42, v: -0.58},
		{Name: "Xuân Đông", ferry: true, u: 0.42, v: -0.58},
		{Name: "Hòa Định", ferry: true, u: 0.14, v: -0.58},
		{Name: "Bình Ninh", ferry: true, u: 0.70, v: -0.58},
		{Name: "Mỹ Tịnh An", u: -0.42, v: 0.58},
		{Name: "Lương Hòa Lạc", u: -0.90, v: 0},
		{Name: "Tân Bình Thạnh", u: -0.70, v: 0.58},
		{Name: "Phú Kiết", u: -0.60, v: 0},
		{Name: "Thanh Bình", u: -0.30, v: 0},
		{Name: "Quơn Long", ferry: true, u: 0.70, v: 0.58},
		{Name: "Tân Thuận Bình", u: 0.33, v: 0},
		{Name: "Bình Phục Nhứt", u: 0.14, v: 0.58},
		{Name: "Bình Phan", u: -0.14, v: 0.58},
		{Name: "Hòa Tịnh", u: 0.62, v: 0},
		{Name: "An Thạnh Thủy", ferry: true, u: 0.90, v: 0},
		{Name: "Đăng Hưng Phước", u: 0.42, v: 0.58},
		{Name: "Trung Hòa", ferry: true, u: -0.14, v: -0.58},
	}
}

// short is the name used after "chợ", "bến đò": "Song Bình", "Chợ Gạo".
func (c *commune) short() string { return strings.TrimPrefix(c.Name, "Thị trấn ") }

// title is the name with its kind: "xã Song Bình", "thị trấn Chợ Gạo".
func (c *commune) title() string {
	if c.town {
		return "thị trấn " + c.short()
	}
	return "xã " + c.Name
}

// The district outline is an ellipse tilted so that its long axis runs
// west-south-west to east-north-east, the way National Road 50 crosses it.
const (
	ellipseA    = 12200.0 // half length, metres
	ellipseB    = 7000.0  // half width, metres
	ellipseTilt = 12.0    // degrees counter-clockwise from east
)

// ellipsePoint maps normalised ellipse coordinates to the plane. The
// ellipse is placed so that the town's seed (u 0.02, v 0) is the origin.
func ellipsePoint(u, v float64) vec {
	t := ellipseTilt * math.Pi / 180
	x, y := (u-0.02)*ellipseA, v*ellipseB
	return vec{x*math.Cos(t) - y*math.Sin(t), x*math.Sin(t) + y*math.Cos(t)}
}

// buildCommunes lays out the commune cells. Each commune is the power
// (weighted Voronoi) cell of its seed clipped to the district outline; the
// town has a negative weight so that its cell is small. Shared corners are
// snapped together and every shared edge is given the same gentle wiggle
// on both sides, so the communes tile the district exactly: no gaps, no
// overlaps, every inner edge present in both neighbours.
func buildCommunes() ([]*commune, error) {
	r := newRNG("communes")
	cs := communeTable()

	// A convex 18-gon around the ellipse, its radius jittered a little.
	var outline []vec
	for i := 0; i < 18; i++ {
		a := 2 * math.Pi * float64(i) / 18
		k := r.between(0.985, 1.03)
		outline = append(outline, ellipsePoint(0.02+k*math.Cos(a), k*math.Sin(a)))
	}
	for _, c := range cs {
		if c.town {
			continue // the origin
		}
		c.seed = ellipsePoint(c.u+r.between(-0.035, 0.035), c.v+r.between(-0.06, 0.06))
	}

	// Power cells: |p-si|² - wi ≤ |p-sj|² - wj for every j.
	weight := func(c *commune) float64 {
		if c.town {
			return -2300 * 2300
		}
		return 0
	}
	cells := make([][]vec, len(cs))
	for i, ci := range cs {
		poly := append([]vec(nil), outline...)
		for j, cj := range cs {
			if i == j {
				continue
			}
			n := cj.seed.sub(ci.seed).scale(2)
			c := cj.seed.dot(cj.seed) - ci.seed.dot(ci.seed) + weight(ci) - weight(cj)
			poly = clipHalfPlane(poly, n, c)
		}
		if len(poly) < 3 {
			return nil, fmt.Errorf("commune %s has an empty cell", ci.Name)
		}
		cells[i] = poly
	}

	// Snap corners shared by neighbouring cells to one vertex each.
	var verts []vec
	vertex := func(p vec) int {
		for k, q := range verts {
			if p.dist(q) < 1 {
				return k
			}
		}
		verts = append(verts, p)
		return len(verts) - 1
	}
	rings := make([][]int, len(cs))
	for i, poly := range cells {
		var idx []int
		for _, p := range poly {
			k := vertex(p)
			if len(idx) > 0 && idx[len(idx)-1] == k {
				continue
			}
			idx = append(idx, k)
		}
		if len(idx) > 1 && idx[0] == idx[len(idx)-1] {
			idx = idx[:len(idx)-1]
		}
		if len(idx) < 3 {
			return nil, fmt.Errorf("commune %s collapsed while snapping", cs[i].Name)
		}
		rings[i] = idx
	}
	vertsLL := make([]ll, len(verts))
	for k, v := range verts {
		vertsLL[k] = toLL(v)
	}

	// Wiggle every edge once, shared by the two cells on either side.
	wiggles := map[[2]int][]ll{}
	edge := func(a, b int) []ll {
		lo, hi := min(a, b), max(a, b)
		w, ok := wiggles[[2]int{lo, hi}]
		if !ok {
			pa, pb := toVec(vertsLL[lo]), toVec(vertsLL[hi])
			depth := 0
			switch l := pa.dist(pb); {
			case l > 2500:
				depth = 3
			case l > 1000:
				depth = 2
			case l > 400:
				depth = 1
			}
			for _, p := range wiggle(pa, pb, depth, r) {
				w = append(w, toLL(p))
			}
			wiggles[[2]int{lo, hi}] = w
		}
		if a == lo {
			return w
		}
		rev := make([]ll, len(w))
		for i := range w {
			rev[i] = w[len(w)-1-i]
		}
		return rev
	}
	for i, c := range cs {
		idx := rings[i]
		var ring []ll
		for k := range idx {
			a, b := idx[k], idx[(k+1)%len(idx)]
			ring = append(ring, vertsLL[a])
			ring = append(ring, edge(a, b)...)
		}
		for _, p := range ring {
			c.ringV = append(c.ringV, toVec(p))
		}
		if signedArea(c.ringV) < 0 {
			return nil, fmt.Errorf("commune %s: ring is clockwise", c.Name)
		}
		if !ringSimple(c.ringV) {
			return nil, fmt.Errorf("commune %s: ring intersects itself", c.Name)
		}
		c.ring = append(ring, ring[0])
	}
	return cs, nil
}

// wiggle returns the inner points of a gently meandering line from a to b
// (midpoint displacement, depth levels, at most 7 % sideways per level).
func wiggle(a, b vec, depth int, r *rng) []vec {
	if depth == 0 {
		return nil
	}
	d := b.sub(a)
	m := a.lerp(b, 0.5).add(d.perp().scale(r.between(-0.07, 0.07)))
	out := wiggle(a, m, depth-1, r)
	out = append(out, m)
	return append(out, wiggle(m, b, depth-1, r)...)
}

// district is the union of the communes: its outline (open ring in the
// plane) and the communes themselves, with point look-ups.
type district struct {
	communes []*commune
	outline  []vec
}

// newDistrict assembles the outline from the edges of the commune rings
// that no other ring shares.
func newDistrict(cs []*commune) (*district, error) {
	type edgeKey [2][2]int64
	count := map[edgeKey]int{}
	for _, c := range cs {
		for i := 0; i+1 < len(c.ring); i++ {
			count[edgeKey{c.ring[i].key(), c.ring[i+1].key()}]++
		}
	}
	next := map[[2]int64]ll{}
	var start ll
	n := 0
	for _, c := range cs {
		for i := 0; i+1 < len(c.ring); i++ {
			a, b := c.ring[i], c.ring[i+1]
			if count[edgeKey{b.key(), a.key()}] > 0 {
				continue // inner edge
			}
			if _, dup := next[a.key()]; dup {
				return nil, fmt.Errorf("district outline branches at %v", a)
			}
			if n == 0 {
				start = a
			}
			next[a.key()] = b
			n++
		}
	}
	d := &district{communes: cs}
	p := start
	for i := 0; i < n; i++ {
		d.outline = append(d.outline, toVec(p))
		p = next[p.key()]
		if p.key() == start.key() {
			if i != n-1 {
				return nil, fmt.Errorf("district outline is not one ring")
			}
			break
		}
	}
	return d, nil
}

// communeAt returns the index of the commune containing p, or -1.
func (d *district) communeAt(p ll) int {
	for i, c := range d.communes {
		if inRingLL(p, c.ring) {
			return i
		}
	}
	return -1
}

// inside reports whether the plane point p is inside the district.
func (d *district) inside(p vec) bool { return inRing(p, d.outline) }

// margin returns the distance from p to the nearest commune boundary.
func (d *district) margin(p vec, commune int) float64 {
	return distToRing(p, d.communes[commune].ringV)
}
