package sample

import "math"

// poi is a place worth a camera that is not a road junction: a market, a
// school gate, the commune office, a ferry landing... It stands beside a
// road; its cameras look along that road.
type poi struct {
	kind    string
	cams    []string // camera names, one per camera the place may get
	commune int
	road    int
	s       float64 // chainage on the road
	at      vec
}

// communePOIs lists the places of a commune that may get cameras, most
// important first, and places them on the commune's roads. used holds the
// place names taken so far, so that hamlet and pagoda names stay unique
// across the district.
func (w *world) communePOIs(ci int, r *rng, used map[string]bool) []*poi {
	c := w.d.communes[ci]
	short, title := c.short(), c.title()
	type want struct {
		kind  string
		cams  []string
		where string // "centre", "river", "any"
	}
	var ws []want
	if c.town {
		ws = []want{
			{"market", []string{"Cổng chợ Chợ Gạo", "Bãi giữ xe chợ Chợ Gạo", "Dãy ki-ốt chợ Chợ Gạo"}, "centre"},
			{"office", []string{"Trụ sở UBND huyện Chợ Gạo", "Cổng UBND huyện Chợ Gạo"}, "centre"},
			{"bus", []string{"Bến xe Chợ Gạo", "Cổng bến xe Chợ Gạo"}, "centre"},
			{"hospital", []string{"Cổng Bệnh viện Đa khoa huyện Chợ Gạo", "Khoa cấp cứu Bệnh viện Đa khoa huyện Chợ Gạo"}, "centre"},
			{"school", []string{"Cổng trường THPT Chợ Gạo", "Cổng sau trường THPT Chợ Gạo"}, "any"},
			{"school", []string{"Cổng trường THCS thị trấn Chợ Gạo"}, "any"},
			{"school", []string{"Cổng trường Tiểu học thị trấn Chợ Gạo"}, "any"},
			{"office", []string{"Trụ sở UBND thị trấn Chợ Gạo"}, "centre"},
			{"park", []string{"Công viên thị trấn Chợ Gạo", "Quảng trường huyện Chợ Gạo"}, "centre"},
			{"post", []string{"Bưu điện huyện Chợ Gạo"}, "centre"},
			{"bridge", []string{"Đầu cầu Chợ Gạo", "Chân cầu Chợ Gạo"}, "any"},
			{"church", []string{"Trước nhà thờ Chợ Gạo"}, "any"},
			{"pagoda", []string{"Trước chùa " + uniquePick(r, pagodaNames, used)}, "any"},
		}
	} else {
		hs := hamlets(7, r, used)
		ws = []want{{"market", []string{"Cổng chợ " + short, "Bãi giữ xe chợ " + short}, "centre"}}
		if c.ferry {
			ws = append(ws, want{"ferry", []string{"Bến đò " + short, "Đường xuống bến đò " + short}, "river"})
		}
		ws = append(ws,
			want{"office", []string{"Trụ sở UBND " + title, "Cổng UBND " + title}, "centre"},
			want{"school", []string{"Cổng trường THCS " + short, "Cổng sau trường THCS " + short}, "centre"},
			want{"school", []string{"Cổng trường Tiểu học " + short}, "any"},
			want{"health", []string{"Trạm y tế " + title}, "centre"},
			want{"school", []string{"Cổng trường Mẫu giáo " + short}, "any"},
			want{"pagoda", []string{"Trước chùa " + uniquePick(r, pagodaNames, used)}, "any"},
			want{"culture", []string{"Nhà văn hóa ấp " + hs[0]}, "any"},
			want{"bridge", []string{"Đầu cầu " + hs[1]}, "any"},
			want{"gate", []string{"Cổng ấp văn hóa " + hs[2]}, "any"},
			want{"culture", []string{"Nhà văn hóa ấp " + hs[3]}, "any"},
			want{"bridge", []string{"Đầu cầu " + hs[4]}, "any"},
			want{"gate", []string{"Cổng ấp văn hóa " + hs[5]}, "any"},
			want{"culture", []string{"Nhà văn hóa ấp " + hs[6]}, "any"},
		)
	}
	var out []*poi
	for _, wt := range ws {
		var p *poi
		ok := false
		switch wt.where {
		case "centre":
			target := c.seed.add(fromHeading(r.between(0, 360)).scale(r.between(0, 900)))
			p, ok = w.roadPointNear(ci, target, out, r)
		case "river":
			p, ok = w.waterside(ci, out)
		default:
			p, ok = w.roadPointNear(ci, w.randomRoadPoint(ci, r), out, r)
		}
		if !ok {
			continue
		}
		p.kind, p.cams = wt.kind, wt.cams
		out = append(out, p)
	}
	return out
}

// waterside finds a place for a ferry landing: the point of the
// commune's roads nearest to the district edge (the Tiền or the Vàm Cỏ),
// if one comes within 300 m of it.
func (w *world) waterside(ci int, others []*poi) (*poi, bool) {
	var best *poi
	bestD := 300.0
	for _, s := range w.roadSegs(ci) {
		rd := w.roads[s.road]
		for _, t := range []float64{0, 0.5, 1} {
			p := rd.v[s.seg].lerp(rd.v[s.seg+1], t)
			d := distToRing(p, w.d.outline)
			if d >= bestD || !w.freeFor(ci, p, others) {
				continue
			}
			best = &poi{commune: ci, road: s.road, s: rd.cum[s.seg] + t*(rd.cum[s.seg+1]-rd.cum[s.seg]), at: p}
			bestD = d
		}
	}
	return best, best != nil
}

// roadSegs returns the final road segments whose midpoint lies in commune
// ci, computing them once.
func (w *world) roadSegs(ci int) []segRef {
	if w.segsByCommune == nil {
		w.segsByCommune = make([][]segRef, len(w.d.communes))
		for ri, rd := range w.roads {
			for i := 0; i+1 < len(rd.v); i++ {
				if k := w.d.communeAt(toLL(rd.v[i].lerp(rd.v[i+1], 0.5))); k >= 0 {
					w.segsByCommune[k] = append(w.segsByCommune[k], segRef{ri, i})
				}
			}
		}
	}
	return w.segsByCommune[ci]
}

// randomRoadPoint returns a random point on the roads of commune ci.
func (w *world) randomRoadPoint(ci int, r *rng) vec {
	segs := w.roadSegs(ci)
	s := pick(r, segs)
	rd := w.roads[s.road]
	return rd.v[s.seg].lerp(rd.v[s.seg+1], r.float())
}

// roadPointNear finds a place for a POI on a road of commune ci near
// target (see freeFor).
func (w *world) roadPointNear(ci int, target vec, others []*poi, r *rng) (*poi, bool) {
	var best *poi
	bestD := math.Inf(1)
	segs := w.roadSegs(ci)
	for try := 0; try < 60; try++ {
		s := pick(r, segs)
		rd := w.roads[s.road]
		t := r.float()
		p := rd.v[s.seg].lerp(rd.v[s.seg+1], t)
		d := p.dist(target)
		if d >= bestD || !w.freeFor(ci, p, others) {
			continue
		}
		best = &poi{commune: ci, road: s.road, s: rd.cum[s.seg] + t*(rd.cum[s.seg+1]-rd.cum[s.seg]), at: p}
		bestD = d
	}
	return best, best != nil
}

// freeFor reports whether p, in commune ci, may hold a place: 20 m inside
// the commune, 60 m from any junction, 80 m from the other places.
func (w *world) freeFor(ci int, p vec, others []*poi) bool {
	if w.d.communeAt(toLL(p)) != ci || w.d.margin(p, ci) < 20 || w.nearJunction(p, 60) {
		return false
	}
	for _, o := range others {
		if o.at.dist(p) < 80 {
			return false
		}
	}
	return true
}

// nearJunction reports whether a junction lies within m metres of p.
func (w *world) nearJunction(p vec, m float64) bool {
	for _, j := range w.junctions {
		if j.v.dist(p) < m {
			return true
		}
	}
	return false
}
