package sample

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/paulmach/orb"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
)

// junction is a place where roads cross or meet, as geo's finder
// (geo.JunctionsAlong) finds it on the final (rounded) road geometry: what
// the daemon computes from roads.geojson is what the generator placed its
// cameras by.
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

// legWords names a junction by its number of arms.
var legWords = map[int]string{3: "Ngã ba", 4: "Ngã tư", 5: "Ngã năm", 6: "Ngã sáu", 7: "Ngã bảy"}

// findJunctions computes the junctions of the finished network with geo's
// finder, and keeps what the generator needs of each: its name, class and
// arms as geo gives them; the roads meeting there with the junction's
// chainage on each, in the plane; its position, which is a vertex of the
// files or, for two roads crossing between vertices, the crossing
// computed in the plane and rounded once to the files' 6 decimals (geo
// answers 7, and rounding those again to 6 would move a few crossings by
// 0.1 m); and its commune. They are numbered INT-0001... by class, then
// north to south, then west to east.
func findJunctions(d *district, roads []*road) ([]*junction, error) {
	in := make([]geo.Road, len(roads))
	along := make([][]float64, len(roads)) // chainage of each vertex as geo measures it
	for ri, rd := range roads {
		line := make(orb.LineString, len(rd.geo))
		along[ri] = make([]float64, len(rd.geo))
		for i, p := range rd.geo {
			line[i] = orb.Point{p.Lon, p.Lat}
			if i > 0 {
				q := rd.geo[i-1]
				along[ri][i] = along[ri][i-1] + geo.Distance(q.Lat, q.Lon, p.Lat, p.Lon)
			}
		}
		in[ri] = geo.Road{Name: rd.Name, RoadClass: camera.RoadClass(rd.Class), Lines: []orb.LineString{line}}
	}
	found, lines, err := geo.JunctionsAlong(context.Background(), in, -1)
	if err != nil {
		return nil, err
	}
	js := make([]*junction, 0, len(found))
	for k, it := range found {
		j := &junction{Name: it.Name, Class: string(it.RoadClass), legs: it.Legs}
		if _, ok := legWords[j.legs]; !ok {
			return nil, fmt.Errorf("junction %s at %v,%v has %d arms", it.Name, it.Lat, it.Lon, it.Legs)
		}
		vertex, lowest := false, -1
		var cross vec // the junction on the meeting road of the lowest number
		for _, l := range lines[k] {
			if slices.ContainsFunc(j.meets, func(h hit) bool { return h.road == l.Road }) {
				continue // a road meets a merged junction once, where it first does
			}
			rd := roads[l.Road]
			seg, t, s := rd.locate(along[l.Road], l.At)
			j.meets = append(j.meets, hit{l.Road, s})
			if p, ok := rd.vertexAt(along[l.Road], l.At, it.Lat, it.Lon); ok && !vertex {
				j.at, vertex = p, true
			}
			if lowest < 0 || l.Road < lowest {
				lowest, cross = l.Road, rd.v[seg].lerp(rd.v[seg+1], t)
			}
		}
		if !vertex {
			j.at = toLL(cross)
		}
		j.v = toVec(j.at)
		sort.SliceStable(j.meets, func(a, b int) bool {
			ra, rb := roads[j.meets[a].road], roads[j.meets[b].road]
			if classRank(ra.Class) != classRank(rb.Class) {
				return classRank(ra.Class) < classRank(rb.Class)
			}
			return ra.Name < rb.Name
		})
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

// locate turns a chainage as geo measures it (along: the chainage of
// each vertex so measured) into the segment of the road, the parameter
// along it and the chainage in the plane.
func (rd *road) locate(along []float64, at float64) (seg int, t, s float64) {
	i := sort.SearchFloat64s(along, at)
	last := len(along) - 1
	switch {
	case i > last:
		return last - 1, 1, rd.cum[last]
	case along[i] == at && i == last:
		return last - 1, 1, rd.cum[last]
	case along[i] == at || i == 0:
		return i, 0, rd.cum[i]
	}
	t = (at - along[i-1]) / (along[i] - along[i-1])
	return i - 1, t, rd.cum[i-1] + t*(rd.cum[i]-rd.cum[i-1])
}

// vertexAt returns the vertex of the road at chainage at (as geo
// measures it, within a millimetre) when geo placed the junction there,
// at lat, lon rounded to 7 decimals.
func (rd *road) vertexAt(along []float64, at, lat, lon float64) (ll, bool) {
	round7 := func(x float64) float64 { return math.Round(x*1e7) / 1e7 }
	for i := sort.SearchFloat64s(along, at-1e-3); i < len(along) && along[i] <= at+1e-3; i++ {
		if p := rd.geo[i]; round7(p.Lat) == lat && round7(p.Lon) == lon {
			return p, true
		}
	}
	return ll{}, false
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
