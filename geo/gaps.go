package geo

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/paulmach/orb"

	"github.com/matthan/matthan/camera"
)

// Gap is an intersection no camera covers (in the mode asked), ranked.
type Gap struct {
	Rank int `json:"rank"` // 1 = the worst gap
	IntersectionStatus
	// Incidents is the count the incident function gave (0 without one).
	Incidents int `json:"incidents"`
	// NearestCamera is the nearest active camera, in any state (in live
	// mode a down camera next to the gap says "repair" rather than
	// "install"); nil when the index holds no camera.
	NearestCamera *NearestCamera `json:"nearest_camera,omitempty"`
}

// NearestCamera is the camera nearest to a gap.
type NearestCamera struct {
	ID        string             `json:"id"`
	DistanceM float64            `json:"distance_m"`
	State     camera.HealthState `json:"state"`
}

// Gaps returns the intersections passing f that no camera covers in mode,
// worst first, at most limit of them (limit ≤ 0: all), and how many there
// are in all. The ranking:
//
//  1. road class, national first;
//  2. incidents nearby, most first, when incidents is not nil: it is called
//     once per uncovered intersection with its position and returns a
//     count (NewPointCounter builds one from incident locations);
//  3. distance to the nearest active camera, farthest first — a gap far
//     from any camera is worse than one a new camera next door could
//     close — and an intersection with no camera anywhere before all;
//  4. id, for a stable order.
//
// Distances to the nearest camera are only computed for the gaps the
// limit reaches.
func (x *Index) Gaps(f AreaFilter, mode Mode, limit int, incidents func(lat, lon float64) int) ([]Gap, int, error) {
	if _, err := ParseMode(string(mode)); err != nil {
		return nil, 0, err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	m, err := compileArea(f, &x.names)
	if err != nil || x.cov == nil {
		return []Gap{}, 0, err
	}
	cv := x.cov
	// Rank compact records; build Gap values only for those returned.
	type gapRec struct {
		i         int32
		class     uint8
		incidents int
		far       float64 // distance to the nearest camera, +Inf for none
		near      cand
	}
	var recs []gapRec
	for i, p := range cv.pts {
		if cv.covered(i, mode) || !m.area(p.commune, p.class) {
			continue
		}
		r := gapRec{i: int32(i), class: p.class}
		if incidents != nil {
			r.incidents = incidents(p.lat, p.lon)
		}
		recs = append(recs, r)
	}
	total := len(recs)
	head := func(a, b gapRec) int {
		if c := cmp.Compare(a.class, b.class); c != 0 {
			return c
		}
		return cmp.Compare(b.incidents, a.incidents)
	}
	slices.SortFunc(recs, func(a, b gapRec) int {
		if c := head(a, b); c != 0 {
			return c
		}
		return strings.Compare(cv.items[a.i].ID, cv.items[b.i].ID)
	})
	// Within each run of equal class and incidents, order by distance to
	// the nearest camera; stop after the run that reaches the limit.
	for lo := 0; lo < len(recs) && (limit <= 0 || lo < limit); {
		hi := lo + 1
		for hi < len(recs) && head(recs[lo], recs[hi]) == 0 {
			hi++
		}
		run := recs[lo:hi]
		// Nearest-camera searches only read the index: share a long run
		// out among the cores.
		parallel(len(run), 512, func(from, to int) {
			for i := from; i < to; i++ {
				p := &cv.pts[run[i].i]
				run[i].far = math.Inf(1)
				if cs := x.nearest(p.lat, p.lon, 1, nil); len(cs) > 0 {
					run[i].far, run[i].near = cs[0].d, cs[0]
				}
			}
		})
		slices.SortStableFunc(run, func(a, b gapRec) int { return cmp.Compare(b.far, a.far) })
		lo = hi
	}
	if limit > 0 && len(recs) > limit {
		recs = recs[:limit]
	}
	gaps := make([]Gap, len(recs))
	for k, r := range recs {
		g := Gap{Rank: k + 1, IntersectionStatus: cv.status(int(r.i)), Incidents: r.incidents}
		if !math.IsInf(r.far, 1) {
			g.NearestCamera = &NearestCamera{ID: x.ids[r.near.slot], DistanceM: r.near.d, State: camera.HealthStates[x.ents[r.near.slot].state]}
		}
		gaps[k] = g
	}
	return gaps, total, nil
}

// parallel calls fn over [0, n) cut into one range per core, or in one
// call when n is below minPer per core.
func parallel(n, minPer int, fn func(from, to int)) {
	workers := max(1, min(runtime.GOMAXPROCS(0), n/minPer))
	if workers == 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for w := range workers {
		from, to := w*chunk, min((w+1)*chunk, n)
		wg.Go(func() { fn(from, to) })
	}
	wg.Wait()
}

// NewPointCounter returns a function counting the points within radiusM
// metres (great-circle) of a position: the incident counter of Gaps, built
// from incident locations (orb.Point is lon, lat). It is safe for
// concurrent use.
func NewPointCounter(points []orb.Point, radiusM float64) func(lat, lon float64) int {
	g := newGrid(defaultCellDeg)
	cells := map[uint64][]orb.Point{}
	for _, p := range points {
		k := g.key(p[1], p[0])
		cells[k] = append(cells[k], p)
	}
	return func(lat, lon float64) int {
		s := g.circleSpan(lat, lon, radiusM)
		n := 0
		count := func(ps []orb.Point) {
			for _, p := range ps {
				if Distance(lat, lon, p[1], p[0]) <= radiusM {
					n++
				}
			}
		}
		if g.cellCount(&s) > len(cells) {
			for _, ps := range cells {
				count(ps)
			}
			return n
		}
		g.eachCell(&s, func(k uint64) { count(cells[k]) })
		return n
	}
}
