package sample

import (
	"fmt"
	"math"
	"sort"
)

// Camera groups of the programme.
const (
	groupRoad  = iota // along national and provincial roads
	groupMajor        // at junctions of national, provincial and district roads
	groupRest         // commune-road junctions, markets, schools, ferries...
)

// Sites of a camera (the values of camera.Site).
const (
	siteIntersection = "intersection"
	siteRoad         = "road"
	siteOther        = "other"
)

// cam is one camera while the generator builds the list.
type cam struct {
	ID, Name    string
	at          ll
	commune     int
	class, site string
	group       int
	kind        string // kind of place for site other ("market", "school"...)
	dir         int    // degrees, 0 = north, clockwise
	fov, rangeM int
	installed   string // YYYY-MM-DD
	costUnits   int    // cost in units of 100,000 VND
}

// costUnit is the step of camera prices: 100,000 VND.
const costUnit = 100_000

// placer puts cameras on the map, keeping each one 3 m inside its commune
// (so that point-in-polygon tests are not at the mercy of rounding) and
// 5 m from every other camera.
type placer struct {
	w    *world
	r    *rng
	cams []*cam
}

// add places c at p and reports whether p was acceptable.
func (pl *placer) add(c *cam, p vec) bool {
	c.at = toLL(p)
	ci := pl.w.d.communeAt(c.at)
	if ci < 0 || pl.w.d.margin(toVec(c.at), ci) < 3 {
		return false
	}
	for _, o := range pl.cams {
		if haversineM(o.at, c.at) < 5 {
			return false
		}
	}
	c.commune = ci
	pl.cams = append(pl.cams, c)
	return true
}

// dirTo returns the integer bearing from a to b.
func dirTo(a, b ll) int { return int(math.Round(bearingDeg(a, b))) % 360 }

// dirAlong returns the integer form of a heading in degrees.
func dirAlong(h float64) int { return int(math.Round(math.Mod(h+360, 360))) % 360 }

// atJunction places a camera on an arm of junction j, 8–15 m out from its
// centre, looking back across the junction along the road.
func (pl *placer) atJunction(c *cam, j *junction, a arm) bool {
	p, _ := pl.w.roads[a.road].at(a.s + a.sign*pl.r.between(8, 15))
	if !pl.add(c, p) {
		return false
	}
	c.dir = dirTo(c.at, j.at)
	return true
}

// majorJunctionCams places the 48 cameras at junctions of national,
// provincial and district roads: first where two main roads meet, then at
// a random choice of the places where commune roads join a main road. Six
// big junctions get two cameras. The rest stay uncovered: the gaps a
// planner should see.
func (pl *placer) majorJunctionCams() error {
	w, r := pl.w, pl.r
	type cand struct {
		j     *junction
		score float64
	}
	var cs []cand
	for _, j := range w.junctions {
		if !major(j.Class) {
			continue
		}
		mains := 0
		for _, h := range j.meets {
			if major(w.roads[h.road].Class) {
				mains++
			}
		}
		score := 2*float64(mains) + r.between(0, 2.5)
		if w.d.communes[j.commune].town {
			score++
		}
		cs = append(cs, cand{j, score})
	}
	sort.SliceStable(cs, func(a, b int) bool { return cs[a].score > cs[b].score })
	count := 0
	for rank, c := range cs {
		want := 1
		if rank < 6 {
			want = 2
		}
		arms := c.j.arms(w.roads, 20)
		shuffle(r, arms)
		sort.SliceStable(arms, func(a, b int) bool {
			return classRank(w.roads[arms[a].road].Class) < classRank(w.roads[arms[b].road].Class)
		})
		for _, a := range arms {
			if want == 0 || count == JunctionCameraCount {
				break
			}
			cm := &cam{Name: c.j.Name, class: c.j.Class, site: siteIntersection, group: groupMajor}
			if pl.atJunction(cm, c.j, a) {
				want--
				count++
			}
		}
	}
	if count != JunctionCameraCount {
		return fmt.Errorf("placed %d junction cameras, want %d", count, JunctionCameraCount)
	}
	return nil
}

// kmStart is the chainage (metres) of the first vertex of the roads whose
// kilometre posts camera names quote.
var kmStart = map[string]float64{"Quốc lộ 50": 62_400, "Đường tỉnh 877": 12_600, "Đường tỉnh 879": 3_200}

// roadCams places the 72 cameras along national and provincial roads,
// denser near the town, away from junctions, 300 m apart at least. They
// look along the road and are named by kilometre post.
func (pl *placer) roadCams() error {
	w, r := pl.w, pl.r
	var routes []int
	var weights []float64
	for ri, rd := range w.roads {
		if rd.Class == classNational || rd.Class == classProvincial {
			routes = append(routes, ri)
			k := 1.0
			if rd.Class == classNational {
				k = 1.6
			}
			weights = append(weights, k*rd.length())
		}
	}
	count := 0
	var placed []vec
	for tries := 0; count < RoadCameraCount && tries < 50000; tries++ {
		rd := w.roads[routes[r.weighted(weights)]]
		s := r.between(0, rd.length())
		p, h := rd.at(s)
		if !r.chance(0.2+0.8*math.Exp(-p.len()/3000)) || w.nearJunction(p, 80) {
			continue
		}
		crowded := false
		for _, q := range placed {
			if q.dist(p) < 300 {
				crowded = true
				break
			}
		}
		if crowded {
			continue
		}
		if r.chance(0.5) {
			h += 180
		}
		name := kmName(int(math.Round(kmStart[rd.Name]+s))) + " " + rd.Name
		c := &cam{Name: name, class: rd.Class, site: siteRoad, group: groupRoad}
		if pl.add(c, p) {
			c.dir = dirAlong(h)
			placed = append(placed, p)
			count++
		}
	}
	if count != RoadCameraCount {
		return fmt.Errorf("placed %d road cameras, want %d", count, RoadCameraCount)
	}
	return nil
}

// quotas shares the remaining cameras among the communes: the town gets
// more, every commune ends up with at least 9 cameras in all.
func (pl *placer) quotas(rest int) []int {
	w, r := pl.w, pl.r
	n := len(w.d.communes)
	have := make([]int, n)
	for _, c := range pl.cams {
		have[c.commune]++
	}
	weights := make([]float64, n)
	total := 0.0
	for i, c := range w.d.communes {
		weights[i] = r.between(0.7, 1.3)
		if c.town {
			weights[i] = 1.8
		}
		total += weights[i]
	}
	all := len(pl.cams) + rest
	q := make([]int, n)
	sum := 0
	floor := func(i int) int { return max(5, 9-have[i]) }
	for i := range q {
		q[i] = max(floor(i), int(math.Round(weights[i]/total*float64(all)))-have[i])
		sum += q[i]
	}
	for sum != rest {
		// Take from the commune with the most spare, or give to the one
		// with the fewest cameras.
		best := -1
		for i := range q {
			switch {
			case sum > rest && q[i] > floor(i) && (best < 0 || q[i] > q[best]):
				best = i
			case sum < rest && (best < 0 || q[i]+have[i] < q[best]+have[best]):
				best = i
			}
		}
		if sum > rest {
			q[best]--
			sum--
		} else {
			q[best]++
			sum++
		}
	}
	return q
}

// restCams places the other cameras, commune by commune: some at junctions
// of commune roads (named after the market when it is close), the others
// at markets, schools, offices, ferry landings, pagodas and bridges.
func (pl *placer) restCams(rest int) error {
	w, r := pl.w, pl.r
	quota := pl.quotas(rest)
	used := map[string]bool{}
	for ci, c := range w.d.communes {
		pois := w.communePOIs(ci, r, used)
		market := (*poi)(nil)
		for _, p := range pois {
			if p.kind == "market" {
				market = p
				break
			}
		}
		var js []*junction
		for _, j := range w.junctions {
			if j.commune == ci && !major(j.Class) {
				js = append(js, j)
			}
		}
		shuffle(r, js)
		if market != nil {
			sort.SliceStable(js, func(a, b int) bool {
				return js[a].v.dist(market.at) < 400 && js[b].v.dist(market.at) >= 400
			})
		}
		q := quota[ci]
		wantJ := min(len(js), int(math.Round(float64(q)*r.between(0.25, 0.45))))
		nextJ := 0
		junctionCam := func() bool {
			for nextJ < len(js) {
				j := js[nextJ]
				nextJ++
				name := j.Name
				if market != nil && j.v.dist(market.at) < 350 {
					name = legWords[j.legs] + " chợ " + c.short()
				}
				arms := j.arms(w.roads, 20)
				shuffle(r, arms)
				for _, a := range arms {
					if pl.atJunction(&cam{Name: name, class: j.Class, site: siteIntersection, group: groupRest}, j, a) {
						return true
					}
				}
			}
			return false
		}
		placed := 0
		for placed < wantJ && junctionCam() {
			placed++
		}
		for pass := 0; pass < 3 && placed < q; pass++ {
			for _, p := range pois {
				if placed == q || pass >= len(p.cams) {
					continue
				}
				rd := w.roads[p.road]
				pos, h := rd.at(p.s + float64(pass)*r.between(10, 18))
				if r.chance(0.5) {
					h += 180
				}
				cm := &cam{Name: p.cams[pass], class: rd.Class, site: siteOther, group: groupRest, kind: p.kind}
				if pl.add(cm, pos) {
					cm.dir = dirAlong(h)
					placed++
				}
			}
		}
		for placed < q && junctionCam() {
			placed++
		}
		if placed < q {
			return fmt.Errorf("commune %s: placed %d of %d cameras", c.Name, placed, q)
		}
	}
	return nil
}

// buildCameras places and describes the 350 cameras of the programme.
func buildCameras(w *world) ([]*cam, error) {
	pl := &placer{w: w, r: newRNG("cameras")}
	if err := pl.majorJunctionCams(); err != nil {
		return nil, err
	}
	if err := pl.roadCams(); err != nil {
		return nil, err
	}
	if err := pl.restCams(CameraCount - len(pl.cams)); err != nil {
		return nil, err
	}
	if err := pl.finishCams(); err != nil {
		return nil, err
	}
	return pl.cams, nil
}
