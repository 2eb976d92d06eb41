package geo

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/matthan/matthan/camera"
)

// coverage is the intersection layer and, for each intersection, how many
// active cameras cover it (installed) and how many of those are up (live).
// The counts are kept current by every camera update: the index finds the
// intersections within the camera's range in the intersection grid and
// adjusts only those, so that one update costs microseconds whatever the
// size of the network.
type coverage struct {
	items []Intersection // communes filled from the commune layer
	given []bool         // the input named the commune
	pts   []ipoint
	byID  map[string]int32
	g     *grid
	cells map[uint64][]int32
	inst  []int32 // active cameras covering each intersection
	live  []int32 // of which up
}

// ipoint is the compact part of an intersection the counting reads.
type ipoint struct {
	lat, lon float64
	commune  uint32
	class    uint8
}

// SetIntersections replaces the intersection layer (from
// ReadIntersections, or Junctions) and computes its coverage from scratch,
// as a LayerUpdate does but on every core (it is for the start, before
// queries come; it fails with ECONFLICT while an update is under way). Intersections without a commune take the one whose
// boundary holds them, when a commune layer is set. Ids must be unique,
// positions valid, road classes known (empty = other).
func (x *Index) SetIntersections(items []Intersection) error {
	u, err := x.BeginLayerUpdate()
	if err != nil {
		return err
	}
	defer u.Close()
	u.workers = runtime.GOMAXPROCS(0)
	if _, err := u.Intersections(context.Background(), items); err != nil {
		return err
	}
	u.Commit()
	return nil
}

// SetRoads sets the road layer (nil or none removes it), as a LayerUpdate
// does. It is for the start, with the roads stored by the last import of
// roads.
func (x *Index) SetRoads(roads []Road) error {
	u, err := x.BeginLayerUpdate()
	if err != nil {
		return err
	}
	defer u.Close()
	if err := u.Roads(context.Background(), roads); err != nil {
		return err
	}
	u.Commit()
	return nil
}

// SetCommunes sets the commune layer (nil removes it), as a LayerUpdate
// does but on every core. Intersections whose input named no commune take
// the one holding them.
func (x *Index) SetCommunes(cs *Communes) error {
	u, err := x.BeginLayerUpdate()
	if err != nil {
		return err
	}
	defer u.Close()
	u.workers = runtime.GOMAXPROCS(0)
	if err := u.Communes(context.Background(), cs); err != nil {
		return err
	}
	u.Commit()
	return nil
}

// newCoverage checks items and files them in a grid: an intersection
// layer without communes or counts yet.
func newCoverage(ctx context.Context, items []Intersection) (*coverage, error) {
	cv := &coverage{
		items: slices.Clone(items),
		given: make([]bool, len(items)),
		pts:   make([]ipoint, len(items)),
		byID:  make(map[string]int32, len(items)),
		g:     newGrid(defaultCellDeg),
		cells: map[uint64][]int32{},
	}
	for i := range cv.items {
		if i%checkEvery == 0 {
			if err := canceled(ctx); err != nil {
				return nil, err
			}
		}
		it := &cv.items[i]
		field := fmt.Sprintf("intersections[%d]", i)
		if it.ID == "" {
			return nil, camera.Errorf(camera.EINVALID, field+".id", "must not be empty")
		}
		if _, dup := cv.byID[it.ID]; dup {
			return nil, camera.Errorf(camera.EINVALID, field+".id", "id %q is used twice", it.ID)
		}
		if err := ValidateLatLon(it.Lat, it.Lon); err != nil {
			return nil, camera.Errorf(camera.EINVALID, field, "%s", camera.ErrorMessage(err))
		}
		if it.RoadClass == "" {
			it.RoadClass = camera.RoadOther
		}
		if !it.RoadClass.Valid() {
			return nil, camera.Errorf(camera.EINVALID, field+".road_class", "unknown road class %q", it.RoadClass)
		}
		it.Roads = slices.Clone(it.Roads)
		cv.byID[it.ID] = int32(i)
		cv.given[i] = it.Commune != ""
		cv.pts[i] = ipoint{lat: it.Lat, lon: it.Lon, class: uint8(it.RoadClass.Rank())}
		k := cv.g.key(it.Lat, it.Lon)
		cv.cells[k] = append(cv.cells[k], int32(i))
	}
	return cv, nil
}

// locate returns, for each intersection of cv whose input named no
// commune, the position in cs of the commune holding it (-1: none, or a
// named one), on at most workers goroutines.
func (cv *coverage) locate(ctx context.Context, cs *Communes, workers int) ([]int32, error) {
	at := make([]int32, len(cv.items))
	err := parallelCtx(ctx, len(cv.items), 20_000, workers, func(i int) {
		at[i] = -1
		if !cv.given[i] {
			at[i] = int32(cs.index(cv.pts[i].lat, cv.pts[i].lon))
		}
	})
	return at, err
}

// count computes every intersection's counts from scratch from cameras
// ents: the cameras are shared out among at most workers goroutines, each
// marking the intersections its cameras cover in counts of its own,
// summed at the end.
func (cv *coverage) count(ctx context.Context, ents []entry, workers int) error {
	n := len(cv.items)
	type counts struct{ inst, live []int32 }
	var mu sync.Mutex
	var parts []counts
	err := parallelChunks(ctx, len(ents), 50_000, workers, func(from, to int, stop func() bool) {
		c := counts{make([]int32, n), make([]int32, n)}
		for k := from; k < to; k++ {
			if k%checkEvery == 0 && stop() {
				return
			}
			e := &ents[k]
			up := e.up()
			cv.eachCovered(e, func(i int32) {
				c.inst[i]++
				if up {
					c.live[i]++
				}
			})
		}
		mu.Lock()
		parts = append(parts, c)
		mu.Unlock()
	})
	if err != nil {
		return err
	}
	if len(parts) == 0 {
		cv.inst, cv.live = make([]int32, n), make([]int32, n)
		return nil
	}
	cv.inst, cv.live = parts[0].inst, parts[0].live
	for _, p := range parts[1:] {
		for i := range n {
			cv.inst[i] += p.inst[i]
			cv.live[i] += p.live[i]
		}
	}
	return nil
}

// Communes returns the commune layer, nil when none is set.
func (x *Index) Communes() *Communes {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.communes
}

// CommuneAt returns the name of the commune whose boundary holds (lat,
// lon), from the commune layer.
func (x *Index) CommuneAt(lat, lon float64) (string, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.communes.CommuneAt(lat, lon)
}

// eachCovered calls fn with every intersection the camera covers.
func (cv *coverage) eachCovered(e *entry, fn func(i int32)) {
	s := cv.g.circleSpan(e.lat, e.lon, e.rng)
	visit := func(i int32) {
		p := &cv.pts[i]
		d := Distance(e.lat, e.lon, p.lat, p.lon)
		if sectorCoversAt(e.lat, e.lon, e.dir, e.fov, e.rng, p.lat, p.lon, d) {
			fn(i)
		}
	}
	if cv.g.cellCount(&s) > len(cv.cells) {
		for i := range cv.pts {
			visit(int32(i))
		}
		return
	}
	cv.g.eachCell(&s, func(k uint64) {
		for _, i := range cv.cells[k] {
			visit(i)
		}
	})
}

// cover adds sign (±1) to the counts of the intersections camera e
// covers: to both counts (live only if e is up), or with liveOnly to the
// live count alone (a change of state). While a layer update is built
// aside the change is also journaled, for the new layer. The caller holds
// the write lock.
func (x *Index) cover(e *entry, sign int32, liveOnly bool) {
	if j := x.journal.Load(); j != nil {
		j.changes = append(j.changes, coverChange{*e, sign, liveOnly})
	}
	if x.cov != nil {
		x.cov.apply(e, sign, liveOnly)
	}
}

// apply adds sign to the counts of the intersections e covers (see cover).
func (cv *coverage) apply(e *entry, sign int32, liveOnly bool) {
	up := e.up()
	cv.eachCovered(e, func(i int32) {
		if !liveOnly {
			cv.inst[i] += sign
			if up {
				cv.live[i] += sign
			}
			return
		}
		cv.live[i] += sign
	})
}

// IntersectionStatus is an intersection and its coverage.
type IntersectionStatus struct {
	Intersection
	Cameras     int  `json:"cameras"`      // active cameras covering it
	CamerasLive int  `json:"cameras_live"` // of which up
	Covered     bool `json:"covered"`      // installed coverage: Cameras > 0
	CoveredLive bool `json:"covered_live"` // live coverage: CamerasLive > 0
	// CameraIDs are the covering cameras, nearest first; only
	// IntersectionCoverage fills it.
	CameraIDs []string `json:"camera_ids,omitempty"`
}

func (cv *coverage) status(i int) IntersectionStatus {
	return IntersectionStatus{
		Intersection: cv.items[i],
		Cameras:      int(cv.inst[i]),
		CamerasLive:  int(cv.live[i]),
		Covered:      cv.inst[i] > 0,
		CoveredLive:  cv.live[i] > 0,
	}
}

// IntersectionCoverage returns one intersection, its counts, and the ids
// of the active cameras covering it.
func (x *Index) IntersectionCoverage(id string) (IntersectionStatus, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.cov == nil {
		return IntersectionStatus{}, false
	}
	i, ok := x.cov.byID[id]
	if !ok {
		return IntersectionStatus{}, false
	}
	st := x.cov.status(int(i))
	cs := smallest(x.seeing(st.Lat, st.Lon, nil), 0, x.byDistance)
	st.CameraIDs = make([]string, len(cs))
	for j, c := range cs {
		st.CameraIDs[j] = x.ids[c.slot]
	}
	return st, true
}

// Intersections returns the intersections passing f with their coverage
// counts, in the layer's order (CameraIDs left empty).
func (x *Index) Intersections(f AreaFilter) ([]IntersectionStatus, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	m, err := compileArea(f, &x.names)
	if err != nil || x.cov == nil {
		return nil, err
	}
	var out []IntersectionStatus
	for i, p := range x.cov.pts {
		if m.area(p.commune, p.class) {
			out = append(out, x.cov.status(i))
		}
	}
	return out, nil
}

// covered reports whether intersection i is covered in mode.
func (cv *coverage) covered(i int, mode Mode) bool {
	if mode == Live {
		return cv.live[i] > 0
	}
	return cv.inst[i] > 0
}
