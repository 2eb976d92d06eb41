package sample

import (
	"fmt"
	"sort"
	"strings"
)

// junction is a place where roads cross or meet, computed from the final
// (rounded) road geometry the way a reader of roads.geojson would: shared
// vertices, segment crossings, and road ends lying on another road, merged
// when closer than junctionMergeM.
type junction struct {
	ID      string
	Name    string
	Class   string // the highest class meeting there
	at      ll
	v       vec
	commune int
	legs    int   // number of road arms: 3 for a T, 4 for a crossing
	meets   []hit // the roads meeting, with the junction's chainage on each
}

// hit is a road passing a point, and the point's chainage along it.
type hit struct {
	road int
	s    float64
}

// junctionMergeM merges junction candidates closer than this.
const junctionMergeM = 5

// endM is how close to a road's end a junction counts as the road ending
// there (one arm) rather than passing through (two arms).
const endM = 5

// legWords names a junction by its number of arms.
var legWords = map[int]string{3: "Ngã ba", 4: "Ngã tư", 5: "Ngã năm", 6: "Ngã sáu", 7: "Ngã bảy"}

// findJunctions computes the junctions of the finished network.
func findJunctions(d *district, roads []*road) ([]*junction, error) {
	type event struct {
		v     vec
		at    ll
		exact bool // at a vertex of the files, not a computed crossing
		hits  []hit
	}
	var evs []event

	// Vertices shared by two or more roads (T-junctions made by the
	// generator share the vertex exactly).
	owners := map[[2]int64][]hit{}
	for ri, rd := range roads {
		for i, p := range rd.geo {
			owners[p.key()] = append(owners[p.key()], hit{ri, rd.cum[i]})
		}
	}
	done := map[[2]int64]bool{}
	for _, rd := range roads {
		for i, p := range rd.geo {
			k := p.key()
			hs := owners[k]
			if done[k] || hs[0].road == hs[len(hs)-1].road {
				continue
			}
			done[k] = true
			evs = append(evs, event{rd.v[i], p, true, hs})
		}
	}

	// Segment crossings and road ends lying on another road.
	grid := segGrid{}
	for ri, rd := range roads {
		for i := 0; i+1 < len(rd.v); i++ {
			grid.add(segRef{ri, i}, rd.v[i], rd.v[i+1])
		}
	}
	chain := func(ri, seg int, t float64) float64 {
		rd := roads[ri]
		return rd.cum[seg] + t*(rd.cum[seg+1]-rd.cum[seg])
	}
	for ri, rd := range roads {
		for i := 0; i+1 < len(rd.v); i++ {
			a, b := rd.v[i], rd.v[i+1]
			for _, c := range grid.query(a, b, 0) {
				if c.road <= ri {
					continue
				}
				o := roads[c.road]
				if t, u, ok := segIntersect(a, b, o.v[c.seg], o.v[c.seg+1], 1e-9); ok {
					x := a.lerp(b, t)
					evs = append(evs, event{x, toLL(x), false, []hit{{ri, chain(ri, i, t)}, {c.road, chain(c.road, c.seg, u)}}})
				}
			}
		}
		for _, e := range []int{0, len(rd.v) - 1} {
			p := rd.v[e]
			for _, c := range grid.query(p, p, 1) {
				if c.road == ri {
					continue
				}
				o := roads[c.road]
				if dist, u := distToSeg(p, o.v[c.seg], o.v[c.seg+1]); dist <= 1 {
					evs = append(evs, event{p, rd.geo[e], true, []hit{{ri, rd.cum[e]}, {c.road, chain(c.road, c.seg, u)}}})
				}
			}
		}
	}

	// Merge candidates closer than junctionMergeM (union–find).
	parent := make([]int, len(evs))
	for i := range parent {
		parent[i] = i
	}
	root := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i := range evs {
		for j := i + 1; j < len(evs); j++ {
			if evs[i].v.dist(evs[j].v) <= junctionMergeM {
				parent[root(j)] = root(i)
			}
		}
	}
	var groups [][]int
	slot := map[int]int{}
	for i := range evs {
		r := root(i)
		k, ok := slot[r]
		if !ok {
			k = len(groups)
			slot[r] = k
			groups = append(groups, nil)
		}
		groups[k] = append(groups[k], i)
	}

	var js []*junction
	for _, g := range groups {
		j := &junction{at: evs[g[0]].at}
		for _, i := range g {
			if evs[i].exact {
				j.at = evs[i].at
				break
			}
		}
		j.v = toVec(j.at)
		seen := map[int]bool{}
		for _, i := range g {
			for _, h := range evs[i].hits {
				if !seen[h.road] {
					seen[h.road] = true
					j.meets = append(j.meets, h)
				}
			}
		}
		sort.SliceStable(j.meets, func(a, b int) bool {
			ra, rb := roads[j.meets[a].road], roads[j.meets[b].road]
			if classRank(ra.Class) != classRank(rb.Class) {
				return classRank(ra.Class) < classRank(rb.Class)
			}
			return ra.Name < rb.Name
		})
		var names []string
		for _, h := range j.meets {
			rd := roads[h.road]
			if h.s < endM || h.s > rd.length()-endM {
				j.legs++
			} else {
				j.legs += 2
			}
			names = append(names, rd.Name)
		}
		word, ok := legWords[j.legs]
		if !ok {
			return nil, fmt.Errorf("junction of %s at %v has %d arms", strings.Join(names, ", "), j.at, j.legs)
		}
		j.Name = word + " " + strings.Join(names, " – ")
		j.Class = roads[j.meets[0].road].Class
		j.commune = d.communeAt(j.at)
		if j.commune < 0 {
			return nil, fmt.Errorf("junction %s at %v is in no commune", j.Name, j.at)
		}
		js = append(js, j)
	}
	sort.SliceStable(js, func(a, b int) bool {
		if ra, rb := classRank(js[a].Class), classRank(js[b].Class); ra != rb {
			return ra < rb
		}
		if js[a].at.Lat != js[b].at.Lat {
			return js[a].at.Lat > js[b].at.Lat
		}
		return js[a].at.Lon < js[b].at.Lon
	})
	for i, j := range js {
		j.ID = fmt.Sprintf("INT-%04d", i+1)
	}
	return js, nil
}

// arms returns the directions a camera at junction j can look along: for
// every road meeting there, the chainage and the sign (+1 towards the
// road's end, -1 towards its start) of each arm at least minLen long.
func (j *junction) arms(roads []*road, minLen float64) []arm {
	var out []arm
	for _, h := range j.meets {
		rd := roads[h.road]
		if h.s >= minLen {
			out = append(out, arm{h.road, h.s, -1})
		}
		if rd.length()-h.s >= minLen {
			out = append(out, arm{h.road, h.s, +1})
		}
	}
	return out
}

// arm is one road leaving a junction.
type arm struct {
	road int
	s    float64 // chainage of the junction on the road
	sign float64 // +1: the arm runs towards the road's end
}
