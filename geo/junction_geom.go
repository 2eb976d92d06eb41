package geo

import (
	"context"
	"math"

	"github.com/paulmach/orb"
)

// Geometry helpers of the junction finder: a local flat frame for testing
// segment pairs, and the merging of nearby candidates.

// vec is a point in a local flat frame, metres east and north.
type vec struct{ x, y float64 }

func (a vec) sub(b vec) vec       { return vec{a.x - b.x, a.y - b.y} }
func (a vec) cross(b vec) float64 { return a.x*b.y - a.y*b.x }
func (a vec) dot(b vec) float64   { return a.x*b.x + a.y*b.y }
func (a vec) len() float64        { return math.Hypot(a.x, a.y) }

// frame projects lon/lat around an origin onto a plane (equirectangular):
// over a few kilometres the error is far below the tolerances.
type frame struct{ lat0, lon0, kx, ky float64 }

func newFrame(o orb.Point) frame {
	ky := EarthRadius * deg2rad
	return frame{o[1], o[0], ky * math.Cos(o[1]*deg2rad), ky}
}

func (f frame) xy(p orb.Point) vec {
	dl := p[0] - f.lon0
	if dl > 180 {
		dl -= 360
	} else if dl < -180 {
		dl += 360
	}
	return vec{dl * f.kx, (p[1] - f.lat0) * f.ky}
}

// clusterEvents groups events closer than mergeM metres (single linkage),
// with a hash grid of mergeM cells so that only neighbours are compared.
// Groups come in the order of their first event. ctx is looked at as it
// goes.
func clusterEvents(ctx context.Context, evs *eventList, mergeM float64) ([][]int, error) {
	parent := make([]int, evs.len())
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
	cellLat := metresToDegLat(mergeM)
	rowOf := func(lat float64) int64 { return int64(math.Floor(lat / cellLat)) }
	colOf := func(row int64, lon float64) int64 {
		// The row's edge farther from the equator is its narrowest.
		far := math.Max(math.Abs(float64(row)*cellLat), math.Abs(float64(row+1)*cellLat))
		c := math.Cos(math.Min(89.9, far) * deg2rad)
		return int64(math.Floor((lon + 180) / (cellLat / c)))
	}
	type key struct{ r, c int64 }
	cells := map[key][]int{}
	for i := range evs.len() {
		e := evs.at(i)
		if i%checkEvery == 0 {
			if err := canceled(ctx); err != nil {
				return nil, err
			}
		}
		r := rowOf(e.lat)
		for dr := int64(-1); dr <= 1; dr++ {
			c := colOf(r+dr, e.lon)
			for dc := int64(-1); dc <= 1; dc++ {
				for _, j := range cells[key{r + dr, c + dc}] {
					if root(i) != root(j) && Distance(e.lat, e.lon, evs.at(j).lat, evs.at(j).lon) <= mergeM {
						parent[root(j)] = root(i)
					}
				}
			}
		}
		k := key{r, colOf(r, e.lon)}
		cells[k] = append(cells[k], i)
	}
	slot := map[int]int{}
	var groups [][]int
	for i := range evs.len() {
		r := root(i)
		k, ok := slot[r]
		if !ok {
			k = len(groups)
			slot[r] = k
			groups = append(groups, nil)
		}
		groups[k] = append(groups[k], i)
	}
	return groups, nil
}

// eventList holds the junction candidates in blocks of a fixed size: a
// growing slice would copy itself at every growth and allocate five times
// what it finally holds: 121 MB instead of 26 for the 400,000 candidates
// of a refused street grid (TestPlannerGrid).
type eventList struct {
	blocks [][]jevent
	n      int
}

const eventBlock = 4096

func (l *eventList) add(e jevent) {
	if l.n%eventBlock == 0 {
		l.blocks = append(l.blocks, make([]jevent, 0, eventBlock))
	}
	b := &l.blocks[len(l.blocks)-1]
	*b = append(*b, e)
	l.n++
}

func (l *eventList) len() int { return l.n }

func (l *eventList) at(i int) *jevent { return &l.blocks[i/eventBlock][i%eventBlock] }
