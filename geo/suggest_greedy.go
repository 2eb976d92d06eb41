package geo

import (
	"cmp"
	"container/heap"
	"context"
	"math"
	"runtime"
	"slices"
)

// greedy is the search of Suggest over the junctions js of the area: the
// uncovered ones are targets with a weight, every one is a place a camera
// may go.
type greedy struct {
	js        []sjunc
	w         []int64 // weight of each junction still to cover; 0: covered, or not a target
	incidents []int
	g         *grid
	cells     map[uint64][]int32 // targets by grid cell
	fov, rng  float64
	// span is the widest spread of bearings one sector takes: the field of
	// view less a degree, so that turning the sector to a whole degree
	// keeps every junction of the spread inside it.
	span  float64
	round bool
	h     float64 // hOf(rng): the haversine past which a target is out of range
}

func newGreedy(js []sjunc, fov, rng float64) *greedy {
	g := &greedy{js: js, w: make([]int64, len(js)), incidents: make([]int, len(js)), g: newGrid(defaultCellDeg), cells: map[uint64][]int32{}, fov: fov, rng: rng, span: fov}
	if fov < 360 && fov >= 2 {
		g.span, g.round = fov-1, true
	}
	g.h = hOf(rng)
	return g
}

// target makes junction i a target of weight w.
func (g *greedy) target(i int32, w int64) {
	g.w[i] = w
	j := &g.js[i]
	k := g.g.key(j.lat, j.lon)
	g.cells[k] = append(g.cells[k], i)
}

// pick is one chosen placement.
type pick struct {
	pos    int32
	dir    float64
	gain   int64
	covers []int32
}

// seen is a target in range of a place: its bearing from there (-1 at the
// place itself, which every mount covers), distance and weight.
type seen struct {
	t       int32
	bearing float64
	d       float64
	w       int64
}

// best returns the gain of the best placement at junction p against the
// targets not yet covered. With full it also returns the placement: its
// direction and every target the camera so mounted covers (by the one
// definition of coverage), nearest first, and the gain of those — at
// least the gain measured, as the sector turned to a whole degree may
// take in a target on its edge besides. buf is scratch space, returned
// for the next call.
func (g *greedy) best(p int32, buf []seen, full bool) (gain int64, dir float64, covers []int32, _ []seen) {
	j := &g.js[p]
	buf = buf[:0]
	phi, cosPhi := j.lat*deg2rad, math.Cos(j.lat*deg2rad)
	visit := func(t int32) {
		if g.w[t] == 0 {
			return
		}
		o := &g.js[t]
		h := haversineH(phi, cosPhi, j.lon, o.lat, o.lon)
		if h > g.h {
			return // out of range for sure: no asin
		}
		d := hDist(h)
		if d > g.rng {
			return
		}
		b := -1.0
		if d > 0 {
			b = Bearing(j.lat, j.lon, o.lat, o.lon)
		}
		buf = append(buf, seen{t, b, d, g.w[t]})
	}
	s := g.g.circleSpan(j.lat, j.lon, g.rng)
	if g.g.cellCount(&s) > len(g.cells) {
		for _, ts := range g.cells {
			for _, t := range ts {
				visit(t)
			}
		}
	} else {
		g.g.eachCell(&s, func(k uint64) {
			for _, t := range g.cells[k] {
				visit(t)
			}
		})
	}
	if len(buf) == 0 {
		return 0, 0, nil, buf
	}
	// Targets at the place itself, then the others by bearing.
	slices.SortFunc(buf, func(a, b seen) int {
		if c := cmp.Compare(a.bearing, b.bearing); c != 0 {
			return c
		}
		return cmp.Compare(a.t, b.t)
	})
	at := 0
	var base int64
	for at < len(buf) && buf[at].bearing < 0 {
		base += buf[at].w
		at++
	}
	ring := buf[at:]
	if g.fov >= 360 || len(ring) == 0 {
		for _, s := range ring {
			base += s.w
		}
		if full {
			covers = nearestFirst(slices.Clone(buf))
		}
		return base, 0, covers, buf
	}
	// Sweep a window of span degrees round the circle: start at each
	// target's bearing, take every target up to span degrees clockwise.
	n := len(ring)
	bearing := func(k int) float64 {
		if k >= n {
			return ring[k-n].bearing + 360
		}
		return ring[k].bearing
	}
	var sum, bestSum int64
	bestI, bestJ := 0, 0
	jj := 0 // first target past the window
	for i := range n {
		for jj < i+n && bearing(jj)-bearing(i) <= g.span {
			sum += ring[jj%n].w
			jj++
		}
		if sum > bestSum {
			bestSum, bestI, bestJ = sum, i, jj
		}
		sum -= ring[i].w
	}
	if !full {
		return base + bestSum, 0, nil, buf
	}
	dir = normBearing((bearing(bestI) + bearing(bestJ-1)) / 2)
	if g.round {
		dir = normBearing(math.Round(dir))
	}
	// What the camera so mounted covers: the window, and whatever else
	// the definition puts inside the sector.
	var out []seen
	gain = 0
	for k, s := range buf {
		inWindow := k < at || (k-at >= bestI && k-at < bestJ) || (k-at+n < bestJ)
		if inWindow || sectorCoversAt(j.lat, j.lon, dir, g.fov, g.rng, g.js[s.t].lat, g.js[s.t].lon, s.d) {
			out = append(out, s)
			gain += s.w
		}
	}
	return gain, dir, nearestFirst(out), buf
}

// nearestFirst returns the targets of ss, nearest first. It sorts ss.
func nearestFirst(ss []seen) []int32 {
	slices.SortFunc(ss, func(a, b seen) int {
		if c := cmp.Compare(a.d, b.d); c != 0 {
			return c
		}
		return cmp.Compare(a.t, b.t)
	})
	out := make([]int32, len(ss))
	for i, s := range ss {
		out[i] = s.t
	}
	return out
}

// run picks up to n placements, lazily: the queue holds each place with
// its gain as last measured, an upper bound of its gain now; the top is
// measured again unless it was measured since the last pick, in which
// case it is the best.
func (g *greedy) run(ctx context.Context, n int) ([]pick, error) {
	// Every place measured once, on every core.
	gains := make([]int64, len(g.js))
	err := parallelChunks(ctx, len(g.js), 2048, runtime.GOMAXPROCS(0), func(from, to int, stop func() bool) {
		var buf []seen
		for p := from; p < to; p++ {
			if (p-from)%checkEvery == 0 && stop() {
				return
			}
			gains[p], _, _, buf = g.best(int32(p), buf, false)
		}
	})
	if err != nil {
		return nil, err
	}
	q := &placeQueue{}
	for p, gain := range gains {
		if gain > 0 {
			q.items = append(q.items, place{gain: gain, pos: int32(p), round: 0})
		}
	}
	heap.Init(q)
	var (
		picks []pick
		buf   []seen
		round int32
	)
	for len(picks) < n && q.Len() > 0 {
		if err := canceled(ctx); err != nil {
			return nil, err
		}
		top := &q.items[0]
		if top.round != round {
			gain, _, _, b := g.best(top.pos, buf, false)
			buf = b
			if gain == 0 {
				heap.Pop(q)
				continue
			}
			top.gain, top.round = gain, round
			heap.Fix(q, 0)
			continue
		}
		gain, dir, covers, b := g.best(top.pos, buf, true)
		buf = b
		picks = append(picks, pick{pos: top.pos, dir: dir, gain: gain, covers: covers})
		for _, t := range covers {
			g.w[t] = 0
		}
		round++
		// The place stays a candidate: a second camera there may look
		// the other way.
		top.round = -1
		heap.Fix(q, 0)
	}
	return picks, nil
}

// place is a junction in the queue, with its gain as measured in round.
type place struct {
	gain  int64
	pos   int32
	round int32
}

// placeQueue is a max-heap of places by gain, the first junction of the
// layer first among equals, so that the answer does not depend on timing.
type placeQueue struct{ items []place }

func (q *placeQueue) Len() int { return len(q.items) }
func (q *placeQueue) Less(i, j int) bool {
	a, b := &q.items[i], &q.items[j]
	if a.gain != b.gain {
		return a.gain > b.gain
	}
	return a.pos < b.pos
}
func (q *placeQueue) Swap(i, j int) { q.items[i], q.items[j] = q.items[j], q.items[i] }
func (q *placeQueue) Push(v any)    { q.items = append(q.items, v.(place)) }
func (q *placeQueue) Pop() any {
	v := q.items[len(q.items)-1]
	q.items = q.items[:len(q.items)-1]
	return v
}
