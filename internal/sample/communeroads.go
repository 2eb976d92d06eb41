package sample

import (
	"fmt"
	"math"
)

// townStreetNames names the extra streets of the town, after people and
// events of Tiền Giang and the usual national heroes.
var townStreetNames = []string{
	"Đường Lê Lợi", "Đường Thủ Khoa Huân", "Đường Âu Dương Lân",
	"Đường Nguyễn Trãi", "Đường Ấp Bắc", "Đường Trương Định",
	"Đường Nam Kỳ Khởi Nghĩa", "Đường Ngô Quyền",
}

// growCommuneRoads adds the small roads of every commune: 8 to 11 commune
// roads ("Đường xã ...") per rural commune and a few more streets in the
// town. Each one branches off a road already there (a T-junction), runs
// roughly across it with a meandering heading, crosses or ends on the roads
// it meets, and otherwise dies out in the fields or at the district edge,
// the way canal-side roads of the delta do.
func (n *network) growCommuneRoads(r *rng) {
	for ci, c := range n.d.communes {
		want, class := r.intBetween(8, 11), classCommune
		if c.town {
			want, class = 5, classUrban
		}
		made := 0
		for tries := 0; made < want && tries < 120; tries++ {
			name := fmt.Sprintf("Đường xã %s %d", c.Name, made+1)
			if c.town {
				name = townStreetNames[made]
			}
			if n.growRoad(ci, name, class, r) {
				made++
			}
		}
	}
}

// acuteAngle returns the angle in degrees (0–90) between the lines along a
// and b.
func acuteAngle(a, b vec) float64 {
	c := math.Abs(a.unit().dot(b.unit()))
	return math.Acos(math.Min(1, c)) * 180 / math.Pi
}

// growRoad tries to add one road starting in commune ci and reports whether
// it did.
func (n *network) growRoad(ci int, name, class string, r *rng) bool {
	cands := n.byCommune[ci]
	if len(cands) == 0 {
		return false
	}
	w := make([]float64, len(cands))
	for i, s := range cands {
		a, b := n.seg(s)
		w[i] = a.dist(b)
		switch n.roads[s.road].Class {
		case classNational, classProvincial:
			w[i] *= 0.5
		case classDistrict:
			w[i] *= 0.8
		}
	}
	host := cands[r.weighted(w)]
	a, b := n.seg(host)
	t0 := r.between(0.15, 0.85)
	start := a.lerp(b, t0)
	hr := n.roads[host.road]
	s := hr.acc[host.seg] + t0*a.dist(b)
	if s < 150 || hr.acc[len(hr.acc)-1]-s < 150 || n.nearJoint(start, 150) || n.d.margin(start, ci) < 30 {
		return false
	}

	h := heading(b.sub(a)) + r.sign()*90 + r.between(-20, 20)
	target := r.between(700, 3000)
	pts := []vec{start}
	length := 0.0
	var end *segRef // the road this one ends on, if any
	var endT float64
	tee := func(s segRef, u float64, p vec, l float64) {
		end, endT = &s, u
		pts = append(pts, p)
		length += l
	}
	for length < target && end == nil {
		step := r.between(170, 260)
		h += r.between(-9, 9)
		dir := fromHeading(h)
		cur := pts[len(pts)-1]
		nxt := cur.add(dir.scale(step))
		if !n.d.inside(nxt) {
			// The road runs into the district edge: end it just inside.
			if pieces := n.clip([]vec{cur, nxt}); len(pieces) > 0 && pieces[0][0] == cur {
				e := pieces[0][len(pieces[0])-1]
				pts = append(pts, e)
				length += cur.dist(e)
			}
			break
		}
		crossed := -1
		if x, t, u, ok := n.firstCrossing(cur, nxt, nil); ok {
			p := cur.lerp(nxt, t)
			c, d := n.seg(x)
			switch {
			case n.nearJoint(p, 60):
				// Too close to another junction: stop short of the road.
				if back := t*step - 40; back > 20 {
					pts = append(pts, cur.add(dir.scale(back)))
					length += back
				}
				target = 0
				continue
			case acuteAngle(dir, d.sub(c)) < 35 || (length+t*step >= 300 && r.chance(0.45)):
				tee(x, u, p, t*step)
				continue
			default:
				crossed = x.road // cross it: a four-way junction
			}
		}
		skip := func(x segRef) bool {
			return x.road == crossed || (x.road == host.road && length < 150)
		}
		if x, _, ok := n.nearest(nxt, 50, skip); ok {
			// Running alongside another road: meet it if it is just ahead,
			// else stop here.
			ext := nxt.add(dir.scale(150))
			if y, t, u, ok := n.firstCrossing(cur, ext, skip); ok && y.road == x.road {
				p := cur.lerp(ext, t)
				c, d := n.seg(y)
				if acuteAngle(dir, d.sub(c)) >= 35 && !n.nearJoint(p, 60) {
					tee(y, u, p, cur.dist(p))
				}
			}
			break
		}
		pts = append(pts, nxt)
		length += step
	}
	if length < 300 || len(pts) < 2 {
		return false
	}
	pts[0] = n.attach(host, t0)
	if end != nil {
		pts[len(pts)-1] = n.attach(*end, endT)
	}
	n.add(&road{Name: name, Class: class, pts: pts})
	return true
}
