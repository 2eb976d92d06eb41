package geo

import (
	"context"

	"github.com/matthan/matthan/camera"
)

// LayerUpdate replaces a reference layer of the index — the intersections
// with their coverage (and the roads they were found on), or the commune
// boundaries — without making anyone wait for it: the new layer is built
// aside, under no lock, while queries and camera writes go on, and
// swapped in by Commit under a write lock held for a few milliseconds.
//
// The counts of a new intersection layer are computed from a copy of the
// cameras taken when the build starts (under the read lock, which camera
// writes wait for a moment, queries not at all). Every camera change after
// that copy — a move, a new mount, a camera added or retired, a health
// change — is journaled by the index and replayed on the new layer at
// Commit, so none is lost.
//
// One update at a time: BeginLayerUpdate fails with ECONFLICT while
// another is open, so that two imports never hold two layers' worth of
// memory and the commune layer an intersection layer was assigned from is
// still the one in place when it is swapped in. Close ends an update,
// discarding it unless it was committed; call it always (defer).
type LayerUpdate struct {
	x       *Index
	done    bool
	workers int // goroutines of the build

	// An intersection layer built aside: its communes are positions in
	// names until Commit interns them.
	cov   *coverage
	names []string
	j     *journal

	// A commune layer built aside, and the commune of each intersection
	// of base (the layer in place) that its input did not name: a
	// position in communes' list, or -1.
	communes    *Communes
	setCommunes bool
	base        *coverage
	at          []int32

	// A road layer built aside (with an intersection layer, or alone).
	roads    *roadLayer
	setRoads bool
}

// journal is the coverage changes of cameras made while an intersection
// layer is built aside, in order.
type journal struct {
	changes []coverChange
}

// coverChange is one call of Index.cover.
type coverChange struct {
	e        entry
	sign     int32
	liveOnly bool
}

// BeginLayerUpdate starts an update of a reference layer. It fails with
// ECONFLICT while another update is open.
func (x *Index) BeginLayerUpdate() (*LayerUpdate, error) {
	if !x.updating.CompareAndSwap(false, true) {
		return nil, camera.Errorf(camera.ECONFLICT, "", "another layer import is under way; send this one when it has ended")
	}
	return &LayerUpdate{x: x, workers: buildWorkers()}, nil
}

// Intersections builds the intersection layer items aside (see
// Index.SetIntersections for the checks): the communes of the
// intersections without one, from the commune layer in place, and the
// coverage of every intersection, on all cores but one. It returns the intersections as the
// index will hold them once committed (communes filled in); the slice is
// shared with the update: do not modify it. ctx is looked at as the work
// goes on; once ctx is done the build stops with its error. An update
// builds one layer, once.
func (u *LayerUpdate) Intersections(ctx context.Context, items []Intersection) ([]Intersection, error) {
	u.mustBuild()
	cv, err := newCoverage(ctx, items)
	if err != nil {
		return nil, err
	}
	x := u.x
	x.mu.RLock()
	cs := x.communes
	x.mu.RUnlock()
	at, err := cv.locate(ctx, cs, u.workers)
	if err != nil {
		return nil, err
	}
	// Commune names get a local number here (the index's interner is
	// written under the write lock only), mapped at Commit.
	local := map[string]uint32{}
	for i := range cv.items {
		it := &cv.items[i]
		if a := at[i]; a >= 0 {
			it.Commune = cs.list[a].Name
		}
		id, ok := local[it.Commune]
		if !ok {
			id = uint32(len(u.names))
			local[it.Commune] = id
			u.names = append(u.names, it.Commune)
		}
		cv.pts[i].commune = id
	}

	// The cameras as they are now, and from now on a journal of their
	// changes. Taken together under the read lock: a camera write before
	// is in the copy, one after is in the journal.
	j := &journal{}
	x.mu.RLock()
	ents := make([]entry, 0, len(x.byID))
	for slot, id := range x.ids {
		if id != "" {
			ents = append(ents, x.ents[slot])
		}
	}
	x.journal.Store(j)
	x.mu.RUnlock()
	u.j = j
	if err := cv.count(ctx, ents, u.workers); err != nil {
		return nil, err
	}
	u.cov = cv
	return cv.items, nil
}

// Communes builds the commune layer cs aside (nil removes the layer): the
// commune of every intersection in place whose input named none, found in
// cs on all cores but one. ctx is looked at as the work goes on; once ctx
// is done the build stops with its error. An update builds one layer, once.
func (u *LayerUpdate) Communes(ctx context.Context, cs *Communes) error {
	u.mustBuild()
	x := u.x
	x.mu.RLock()
	base := x.cov
	x.mu.RUnlock()
	if base != nil {
		// The layer in place is not changed until Commit, and only
		// Commit changes its communes: its positions and given flags
		// are read here without the lock.
		at, err := base.locate(ctx, cs, u.workers)
		if err != nil {
			return err
		}
		u.at = at
	}
	u.base, u.communes, u.setCommunes = base, cs, true
	return nil
}

// Roads builds the road layer of roads aside (nil or none removes the
// layer), from a copy of their lines projected for tiles. It goes with the
// intersection layer found on those roads, in the same update, so that
// the two are swapped in together; an update of intersections alone
// leaves the roads in place. ctx is looked at as the work goes on. An
// update builds one road layer, once.
func (u *LayerUpdate) Roads(ctx context.Context, roads []Road) error {
	if u.done || u.setRoads {
		panic("geo: a LayerUpdate builds one road layer, once")
	}
	var rl *roadLayer
	if len(roads) > 0 {
		var err error
		if rl, err = newRoadLayer(ctx, roads); err != nil {
			return err
		}
	}
	u.roads, u.setRoads = rl, true
	return nil
}

func (u *LayerUpdate) mustBuild() {
	if u.done || u.cov != nil || u.setCommunes || u.j != nil {
		panic("geo: a LayerUpdate builds one layer, once")
	}
}

// Commit swaps the layers built in, under the write lock, and ends the
// update. Camera changes made during the build are replayed on a new
// intersection layer's counts. Committing an update that built nothing
// (or whose build failed) only ends it.
func (u *LayerUpdate) Commit() {
	if u.done {
		return
	}
	x := u.x
	x.mu.Lock()
	switch {
	case u.cov != nil:
		ids := make([]uint32, len(u.names))
		for i, name := range u.names {
			ids[i] = x.names.id(name)
		}
		for i := range u.cov.pts {
			u.cov.pts[i].commune = ids[u.cov.pts[i].commune]
		}
		for _, c := range u.j.changes {
			u.cov.apply(&c.e, c.sign, c.liveOnly)
		}
		x.cov = u.cov
	case u.setCommunes:
		x.communes = u.communes
		if cv := x.cov; cv != nil && cv == u.base {
			var list []Commune
			if u.communes != nil {
				list = u.communes.list
			}
			ids := make([]uint32, len(list))
			for a := range list {
				ids[a] = x.names.id(list[a].Name)
			}
			none := x.names.id("")
			for i, a := range u.at {
				switch {
				case cv.given[i]:
				case a < 0:
					cv.items[i].Commune, cv.pts[i].commune = "", none
				default:
					cv.items[i].Commune, cv.pts[i].commune = list[a].Name, ids[a]
				}
			}
		}
	}
	if u.setRoads {
		x.roads = u.roads
	}
	x.journal.Store(nil)
	x.mu.Unlock()
	u.end()
}

// Close ends the update; unless it was committed, nothing changes.
func (u *LayerUpdate) Close() {
	if u.done {
		return
	}
	u.x.journal.Store(nil)
	u.end()
}

func (u *LayerUpdate) end() {
	u.done = true
	u.cov, u.j, u.communes, u.base, u.at, u.names, u.roads = nil, nil, nil, nil, nil, nil, nil
	u.x.updating.Store(false)
}
