package geo

import (
	"cmp"
	"iter"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/matthan/matthan/camera"
)

// Index is the in-memory spatial index of the active cameras, and of the
// reference layers (intersections and their coverage, commune boundaries)
// that are measured against them, and the roads drawn under them.
//
// Concurrency: many readers, one writer. Every method is safe for
// concurrent use; queries take a read lock and run in parallel, camera
// updates (Upsert, Remove, SetState) take the write lock and wait for the
// queries in flight. A reference layer is replaced by a LayerUpdate
// (SetIntersections and SetCommunes are one): built aside without the
// lock, swapped in under it in milliseconds. Callback functions passed to
// a query (Filter.CommuneMatch, incident counters) run under the read
// lock: they must not call the Index's update methods.
//
// Memory: a camera costs a 48-byte entry, its id string (shared with the
// caller's string, not copied), a slot in the id map and in a grid cell —
// about 180 bytes with a million cameras spread over a country, 135 in
// one province (see BenchmarkBuild1M).
type Index struct {
	mu sync.RWMutex

	g     *grid
	ents  []entry  // by slot; a free slot has ids[slot] == ""
	ids   []string // camera id by slot
	free  []uint32 // free slots, reused by Upsert
	byID  map[string]uint32
	cells map[uint64][]uint32 // grid cell → slots

	names  interner  // commune names of cameras and intersections
	ranges rangeHist // to bound field-of-view searches

	cov      *coverage  // nil until SetIntersections
	communes *Communes  // nil until SetCommunes
	roads    *roadLayer // nil until SetRoads; never changed once set

	// Layer updates (LayerUpdate): one at a time, and while one builds an
	// intersection layer aside, the journal of camera changes for it.
	updating atomic.Bool
	journal  atomic.Pointer[journal]

	gzips sync.Pool // *gzip.Writer of tiles (tile_gzip.go)
}

// entry is one camera, compact: a million of them are 48 MB.
type entry struct {
	lat, lon float64
	dir      float64 // direction_deg, in [0, 360)
	fov      float64 // fov_deg, in (0, 360]
	rng      float64 // range_m, in (0, camera.MaxRangeM]
	commune  uint32  // interned name
	class    uint8   // camera.RoadClass rank
	state    uint8   // index in camera.HealthStates
}

func (e *entry) up() bool { return e.state == stateUp }

// sameMount reports whether a and b cover the same points.
func (e *entry) sameMount(o *entry) bool {
	return e.lat == o.lat && e.lon == o.lon && e.dir == o.dir && e.fov == o.fov && e.rng == o.rng
}

var (
	stateUp      = uint8(slices.Index(camera.HealthStates, camera.StateUp))
	stateUnknown = uint8(slices.Index(camera.HealthStates, camera.StateUnknown))
)

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{
		g:     newGrid(defaultCellDeg),
		byID:  map[string]uint32{},
		cells: map[uint64][]uint32{},
		names: newInterner(),
	}
}

// Build returns an index of the active cameras among cams (retired ones are
// skipped; a later duplicate id replaces an earlier one). state gives each
// camera's current health and may be nil: cameras are then unknown. It
// fails with an EINVALID *camera.Error on the first camera whose mount or
// position is unusable (see Upsert).
//
// Cameras are stored in grid-cell order, so that the cameras of a cell sit
// next to each other in memory and a query reads few cache lines.
func Build(cams iter.Seq[*camera.Camera], state func(id string) camera.HealthState) (*Index, error) {
	x := NewIndex()
	var (
		ents []entry
		ids  []string
		keys []keyed
	)
	for cam := range cams {
		if !cam.Active() {
			continue
		}
		e, err := x.entryOf(cam)
		if err != nil {
			return nil, err
		}
		if state != nil {
			e.state = stateIndex(state(cam.ID))
		}
		keys = append(keys, keyed{x.g.key(e.lat, e.lon), uint32(len(ents))})
		ents = append(ents, e)
		ids = append(ids, cam.ID)
	}
	// Sort small (key, input position) pairs rather than the entries; ties
	// keep the input order, so that of two cameras with the same id the
	// later one wins below.
	slices.SortFunc(keys, func(a, b keyed) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})

	n := len(keys)
	x.ents = make([]entry, n)
	x.ids = make([]string, n)
	x.byID = make(map[string]uint32, n)
	from := make([]uint32, n) // slot → input position
	for slot, k := range keys {
		id := ids[k.i]
		if old, dup := x.byID[id]; dup {
			if from[old] > k.i {
				x.free = append(x.free, uint32(slot)) // an earlier duplicate loses
				continue
			}
			x.ents[old], x.ids[old] = entry{}, ""
			x.free = append(x.free, old)
		}
		x.ents[slot], x.ids[slot] = ents[k.i], id
		x.byID[id] = uint32(slot)
		from[slot] = k.i
	}
	ents, ids = nil, nil

	// The cells share one backing array; each slice is capped at its own
	// end so that a later append reallocates instead of overwriting the
	// next cell.
	backing := make([]uint32, 0, n-len(x.free))
	for i := 0; i < n; {
		j := i
		start := len(backing)
		for ; j < n && keys[j].key == keys[i].key; j++ {
			if x.ids[j] != "" {
				backing = append(backing, uint32(j))
				x.ranges.add(x.ents[j].rng)
			}
		}
		if end := len(backing); end > start {
			x.cells[keys[i].key] = backing[start:end:end]
		}
		i = j
	}
	return x, nil
}

// keyed is a camera's grid cell and its position in Build's input.
type keyed struct {
	key uint64
	i   uint32
}

// entryOf checks the parts of cam the index uses and packs them. The
// registry validates cameras fully; this is the index defending itself
// against a position or mount it cannot search.
func (x *Index) entryOf(cam *camera.Camera) (entry, error) {
	bad := func(field, format string, args ...any) (entry, error) {
		return entry{}, camera.Errorf(camera.EINVALID, field, "camera %q: "+format, append([]any{cam.ID}, args...)...)
	}
	switch {
	case cam.ID == "":
		return entry{}, camera.Errorf(camera.EINVALID, "id", "must not be empty")
	case !finite(cam.Lat) || cam.Lat < -90 || cam.Lat > 90:
		return bad("lat", "must be a number from -90 to 90, got %v", cam.Lat)
	case !finite(cam.Lon) || cam.Lon < -180 || cam.Lon > 180:
		return bad("lon", "must be a number from -180 to 180, got %v", cam.Lon)
	case !finite(cam.DirectionDeg):
		return bad("direction_deg", "must be a number, got %v", cam.DirectionDeg)
	case !finite(cam.FOVDeg) || cam.FOVDeg <= 0:
		return bad("fov_deg", "must be more than 0, got %v", cam.FOVDeg)
	case !finite(cam.RangeM) || cam.RangeM <= 0 || cam.RangeM > camera.MaxRangeM:
		return bad("range_m", "must be more than 0 and at most %d metres, got %v", camera.MaxRangeM, cam.RangeM)
	}
	class := cam.RoadClass
	if class == "" {
		class = camera.RoadOther
	}
	if !class.Valid() {
		return bad("road_class", "unknown road class %q", cam.RoadClass)
	}
	return entry{
		lat:     cam.Lat,
		lon:     cam.Lon,
		dir:     normBearing(cam.DirectionDeg),
		fov:     math.Min(cam.FOVDeg, 360),
		rng:     cam.RangeM,
		commune: x.names.id(cam.Commune),
		class:   uint8(class.Rank()),
		state:   stateUnknown,
	}, nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// stateIndex returns the index of s in camera.HealthStates; an unknown or
// empty state is StateUnknown.
func stateIndex(s camera.HealthState) uint8 {
	if i := slices.Index(camera.HealthStates, s); i >= 0 {
		return uint8(i)
	}
	return stateUnknown
}

// Len returns the number of cameras in the index.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.byID)
}

// Upsert adds cam to the index, or updates it (a move, a new mount, a new
// commune or road class), keeping its health state; a camera added anew
// starts unknown (call SetState). A camera that is not active (retired,
// or a Status left empty: run camera.ApplyDefaults first) is removed. It fails with an EINVALID *camera.Error when the position or the
// mount is unusable: lat/lon out of range or not finite, fov_deg ≤ 0,
// range_m outside (0, camera.MaxRangeM], an unknown road class (empty means
// other). The coverage of the intersections around the old and the new
// position is updated.
func (x *Index) Upsert(cam *camera.Camera) error {
	if !cam.Active() {
		x.Remove(cam.ID)
		return nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	e, err := x.entryOf(cam)
	if err != nil {
		return err
	}
	slot, ok := x.byID[cam.ID]
	if !ok {
		x.insert(cam.ID, e)
		return nil
	}
	old := x.ents[slot]
	e.state = old.state
	if oldKey, newKey := x.g.key(old.lat, old.lon), x.g.key(e.lat, e.lon); oldKey != newKey {
		x.unfile(oldKey, slot)
		x.cells[newKey] = append(x.cells[newKey], slot)
	}
	x.ents[slot] = e
	x.ranges.remove(old.rng)
	x.ranges.add(e.rng)
	if !old.sameMount(&e) {
		x.cover(&old, -1, false)
		x.cover(&e, +1, false)
	}
	return nil
}

// insert files a new camera; the caller holds the write lock.
func (x *Index) insert(id string, e entry) {
	var slot uint32
	if n := len(x.free); n > 0 {
		slot = x.free[n-1]
		x.free = x.free[:n-1]
		x.ents[slot], x.ids[slot] = e, id
	} else {
		slot = uint32(len(x.ents))
		x.ents = append(x.ents, e)
		x.ids = append(x.ids, id)
	}
	x.byID[id] = slot
	k := x.g.key(e.lat, e.lon)
	x.cells[k] = append(x.cells[k], slot)
	x.ranges.add(e.rng)
	x.cover(&e, +1, false)
}

// unfile takes slot out of cell k, deleting the cell when it empties so
// that the map only holds occupied cells.
func (x *Index) unfile(k uint64, slot uint32) {
	c := x.cells[k]
	i := slices.Index(c, slot)
	if i < 0 {
		return
	}
	last := len(c) - 1
	c[i] = c[last]
	if last == 0 {
		delete(x.cells, k)
		return
	}
	x.cells[k] = c[:last]
}

// Remove takes the camera out of the index (retired or deleted) and
// reports whether it was there.
func (x *Index) Remove(id string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	slot, ok := x.byID[id]
	if !ok {
		return false
	}
	e := x.ents[slot]
	x.cover(&e, -1, false)
	x.unfile(x.g.key(e.lat, e.lon), slot)
	x.ranges.remove(e.rng)
	delete(x.byID, id)
	x.ents[slot], x.ids[slot] = entry{}, ""
	x.free = append(x.free, slot)
	return true
}

// SetState records the current health of a camera, which live coverage and
// state filters read. It fails with ENOTFOUND for a camera the index does
// not hold (retired, deleted, never added) and EINVALID for an unknown
// state.
func (x *Index) SetState(id string, s camera.HealthState) error {
	if !s.Valid() {
		return camera.Errorf(camera.EINVALID, "state", "unknown health state %q", s)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	slot, ok := x.byID[id]
	if !ok {
		return camera.Errorf(camera.ENOTFOUND, "id", "camera %q is not in the spatial index", id)
	}
	e := &x.ents[slot]
	ns := stateIndex(s)
	if e.state == ns {
		return nil
	}
	wasUp := e.up()
	e.state = ns
	if wasUp != e.up() {
		sign := int32(1)
		if wasUp {
			sign = -1
		}
		x.cover(e, sign, true)
	}
	return nil
}

// State returns the health state the index holds for a camera.
func (x *Index) State(id string) (camera.HealthState, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	slot, ok := x.byID[id]
	if !ok {
		return "", false
	}
	return camera.HealthStates[x.ents[slot].state], true
}

// Get returns what the index holds of one camera.
func (x *Index) Get(id string) (Hit, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	slot, ok := x.byID[id]
	if !ok {
		return Hit{}, false
	}
	return x.hit(slot), true
}

// Stats are the sizes of an index, for logs and gauges.
type Stats struct {
	Cameras       int     `json:"cameras"`
	Cells         int     `json:"cells"` // occupied grid cells
	Intersections int     `json:"intersections"`
	Communes      int     `json:"communes"`    // boundaries in the commune layer
	Roads         int     `json:"roads"`       // features of the road layer
	MaxRangeM     float64 `json:"max_range_m"` // the longest camera range, whole metres
}

// Stats returns the sizes of the index.
func (x *Index) Stats() Stats {
	x.mu.RLock()
	defer x.mu.RUnlock()
	s := Stats{Cameras: len(x.byID), Cells: len(x.cells), MaxRangeM: x.ranges.max()}
	if x.cov != nil {
		s.Intersections = len(x.cov.items)
	}
	if x.communes != nil {
		s.Communes = x.communes.Len()
	}
	s.Roads = x.roads.len()
	return s
}
