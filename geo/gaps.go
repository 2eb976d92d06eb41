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

// GapKey is where a gap stands in the ranking of Gaps: road class,
// incidents, distance to the nearest camera (+Inf when there is none) and
// id. It is what a page cursor holds, so that the next page starts right
// after the last gap given, even when coverage has changed in between: a
// gap closed meanwhile is simply not there, one opened shows up where it
// ranks (on a later page, or not at all if it ranks before the cursor).
type GapKey struct {
	RoadClass camera.RoadClass
	Incidents int
	FarM      float64
	ID        string
}

// Key returns the place of g in the ranking, for the cursor of the page
// that follows it.
func (g *Gap) Key() GapKey {
	k := GapKey{RoadClass: g.RoadClass, Incidents: g.Incidents, FarM: math.Inf(1), ID: g.ID}
	if g.NearestCamera != nil {
		k.FarM = g.NearestCamera.DistanceM
	}
	return k
}

// Gaps returns the intersections passing f that no camera covers in mode,
// worst first, at most limit of them (limit ≤ 0: all), and how many there
// are in all. It is GapsAfter from the first gap on.
func (x *Index) Gaps(f AreaFilter, mode Mode, limit int, incidents func(lat, lon float64) int) ([]Gap, int, error) {
	return x.GapsAfter(f, mode, nil, limit, incidents)
}

// GapsAfter returns the gaps ranked after the key after (nil: from the
// first), at most limit of them (limit ≤ 0: all the rest), and how many
// gaps pass f in all. A gap's Rank is its place in the whole ranking, so
// the pages of one snapshot number 1, 2, ... total without a gap. The
// ranking:
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
// Distances to the nearest camera are only computed for the gaps of the
// runs (equal road class and incidents) the page reaches.
func (x *Index) GapsAfter(f AreaFilter, mode Mode, after *GapKey, limit int, incidents func(lat, lon float64) int) ([]Gap, int, error) {
	if _, err := ParseMode(string(mode)); err != nil {
		return nil, 0, err
	}
	if after != nil && !after.RoadClass.Valid() {
		return nil, 0, camera.Errorf(camera.EINVALID, "cursor", "names an unknown road class %q", after.RoadClass)
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	m, err := compileArea(f, &x.names)
	if err != nil || x.cov == nil {
		return []Gap{}, 0, err
	}
	cv := x.cov
	// Rank compact records; build Gap values only for those returned.
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
	slices.SortFunc(recs, func(a, b gapRec) int {
		if c := a.head(b); c != 0 {
			return c
		}
		return strings.Compare(cv.items[a.i].ID, cv.items[b.i].ID)
	})
	// Within each run of equal class and incidents, order by distance to
	// the nearest camera. The page starts after the cursor: past the runs
	// ranked before its own, then past the part of its run at or before
	// it; it stops after the run that reaches the limit.
	start, ranked := 0, 0
	if after != nil {
		k := gapRec{class: uint8(after.RoadClass.Rank()), incidents: after.Incidents}
		var inRun bool
		start, inRun = slices.BinarySearchFunc(recs, k, gapRec.head)
		ranked = start
		if inRun {
			ranked = x.rankRun(recs, start)
			for start < ranked && !after.before(recs[start].far, cv.items[recs[start].i].ID) {
				start++
			}
		}
	}
	end := len(recs)
	if limit > 0 {
		end = min(end, start+limit)
	}
	for lo := ranked; lo < end; {
		lo = x.rankRun(recs, lo)
	}
	recs = recs[start:end]
	gaps := make([]Gap, len(recs))
	for k, r := range recs {
		g := Gap{Rank: start + k + 1, IntersectionStatus: cv.status(int(r.i)), Incidents: r.incidents}
		if !math.IsInf(r.far, 1) {
			g.NearestCamera = &NearestCamera{ID: x.ids[r.near.slot], DistanceM: r.near.d, State: camera.HealthStates[x.ents[r.near.slot].state]}
		}
		gaps[k] = g
	}
	return gaps, total, nil
}

// gapRec is a gap while it is ranked: the intersection's index, the first
// two keys, and the distance to the nearest camera once computed.
type gapRec struct {
	i         int32
	class     uint8
	incidents int
	far       float64 // distance to the nearest camera, +Inf for none
	near      cand
}

// head compares the first two keys of the ranking: road class, then
// incidents, most first.
func (a gapRec) head(b gapRec) int {
	if c := cmp.Compare(a.class, b.class); c != 0 {
		return c
	}
	return cmp.Compare(b.incidents, a.incidents)
}

// before reports whether k ranks before a gap of its run at distance far
// with id: the gap is nearer a camera, or as near with a later id.
func (k *GapKey) before(far float64, id string) bool {
	return far < k.FarM || (far == k.FarM && id > k.ID)
}

// rankRun computes the distance to the nearest camera of each gap of the
// run that starts at recs[lo], orders the run by it, farthest first, and
// returns where the run ends. The caller holds the read lock.
func (x *Index) rankRun(recs []gapRec, lo int) int {
	if lo >= len(recs) {
		return lo
	}
	hi := lo + 1
	for hi < len(recs) && recs[lo].head(recs[hi]) == 0 {
		hi++
	}
	run := recs[lo:hi]
	cv := x.cov
	// Nearest-camera searches only read the index: share a long run out
	// among the cores.
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
	return hi
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
