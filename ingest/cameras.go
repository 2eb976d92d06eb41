package ingest

import (
	"container/heap"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/matthan/matthan/camera"
)

// The set of scheduled cameras follows the registry: the API reports each
// write (Upsert, Remove), and Sync or Start read the whole store. A
// sequence number orders the two, so that a Sync reading an older snapshot
// never undoes a newer Upsert or Remove.

// CameraChanged implements the API's camera observer: Upsert for each.
// A single camera changed gets a prompt probe when its URL changed; a bulk
// change (an import) is spread over the interval instead.
func (p *Poller) CameraChanged(cams ...*camera.Camera) {
	prompt := len(cams) == 1
	urls := streamURLs(cams)
	seeds := p.storedSeeds(context.Background(), cams, urls)
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, c := range cams {
		var seed *seedRec
		if seeds != nil {
			seed = seeds[i]
		}
		p.upsertLocked(c, urls[i], seed, prompt, false)
	}
}

// streamURLs returns the stream URLs of the active cameras among cams
// ("" for the others), computed before taking the lock.
func streamURLs(cams []*camera.Camera) []string {
	urls := make([]string, len(cams))
	for i, c := range cams {
		if c.Active() {
			urls[i] = c.StreamURL()
		}
	}
	return urls
}

// CameraRemoved implements the API's camera observer: Remove.
func (p *Poller) CameraRemoved(id string) { p.Remove(id) }

// Upsert schedules a camera that was added or changed. A retired camera,
// or one without a stream URL, is unscheduled and its state becomes
// unknown (reason retired or no_url). A new
// camera is first probed in its slot (within one interval); a camera
// whose URL or credentials changed is probed again at once, and results
// about the old URL (a probe in flight is cancelled) are ignored. The
// poller keeps its own copy of what it needs of cam.
func (p *Poller) Upsert(cam *camera.Camera) {
	cams := []*camera.Camera{cam}
	urls := streamURLs(cams)
	var seed *seedRec
	if seeds := p.storedSeeds(context.Background(), cams, urls); seeds != nil {
		seed = seeds[0]
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.upsertLocked(cam, urls[0], seed, true, false)
}

// Remove unschedules a camera that was deleted, cancelling its probe in
// flight. Its health in the store is the store's business (DeleteHealth).
func (p *Poller) Remove(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq++
	p.tomb[id] = p.seq
	delete(p.retired, id)
	p.removeLocked(id)
	p.rec.forget(id)
}

// Sync reloads every camera from the store: new and changed ones are
// upserted, those gone are removed. Changes made through Upsert and
// Remove while Sync reads the store win over what it read.
func (p *Poller) Sync(ctx context.Context) error {
	return p.load(ctx, func(apply func(*camera.Camera) error) error {
		return p.store.ForEachCamera(ctx, apply)
	})
}

// Load is Sync with the cameras read by the caller: scan calls apply with
// every camera of one snapshot of the store, in any order, and returns
// what reading returned (apply returns nil, or an error to stop on). The
// stored health is read from the Store as usual. It lets a caller that
// reads every camera anyway load the poller from the same pass: the
// daemon, whose spatial index reads them at start, where decoding a
// million cameras twice would cost seconds. A poller loaded before Start
// (by Load or Sync) does not read the store again in Start.
func (p *Poller) Load(ctx context.Context, scan func(apply func(*camera.Camera) error) error) error {
	return p.load(ctx, scan)
}

// load applies the cameras scan yields (Start, Sync and Load).
//
// It streams: the stored health is read first into a compact sorted list,
// then each camera is applied as the store yields it, under the lock for
// that camera only, so that a million cameras are never all in memory as
// camera.Camera values and the API is not blocked meanwhile. Cameras
// upserted while it reads (flag fFresh) and removed while it reads (a tomb
// newer than since) are newer than what it reads and left alone; at the
// end, the scheduled cameras it did not see (flag fSeen) are removed. When
// reading fails half way, the cameras read are applied and none removed.
func (p *Poller) load(ctx context.Context, scan func(apply func(*camera.Camera) error) error) error {
	p.syncMu.Lock()
	defer p.syncMu.Unlock()

	p.mu.Lock()
	since := p.seq
	p.loading = true
	p.mu.Unlock()
	done := false
	defer func() {
		if done {
			return
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		p.endLoad()
	}()

	seeds, err := p.readSeeds(ctx)
	if err != nil {
		return fmt.Errorf("load camera health: %w", err)
	}
	p.mu.Lock()
	p.entries.reserve(len(seeds.list)) // about as many cameras as records
	p.mu.Unlock()
	if err := scan(func(c *camera.Camera) error {
		seed := seeds.find(c.ID)
		var url string
		if c.Active() {
			url = c.StreamURL()
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		e := p.entries.get(c.ID)
		if e != nil {
			e.set(fSeen, true)
		}
		if p.tomb[c.ID] > since {
			return nil // removed after the store was read
		}
		p.upsertEntry(e, c, url, seed, false, true)
		return nil
	}); err != nil {
		return fmt.Errorf("load cameras: %w", err)
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	done = true
	p.loaded = true
	for _, id := range p.endLoad() {
		p.removeLocked(id)
	}
	for id, s := range p.tomb {
		if s <= since {
			delete(p.tomb, id)
		}
	}
	return nil
}

// endLoad clears the flags of the load that ends, and returns the ids of
// the scheduled cameras it did not see and that were not upserted
// meanwhile: gone from the store. Called under the lock.
func (p *Poller) endLoad() (gone []string) {
	p.loading = false
	for e := range p.entries.all() {
		if !e.has(fSeen) && !e.has(fRemoved) && !e.has(fFresh) {
			gone = append(gone, e.id()) // removed after: the index moves entries
		}
		e.flags &^= fSeen | fFresh
	}
	return gone
}

// seeds are the stored health records a load reads, sorted by camera id:
// a list rather than a map, a third of the memory for a million cameras.
type seeds struct {
	list []seedRec
	next int    // cursor of lookups in id order
	last string // the last id looked up in order
}

// seedRec is one camera's stored health, as a tracker.
type seedRec struct {
	id     string
	track  tracker
	probed bool // the record has a last probe
}

// readSeeds reads every stored health record.
func (p *Poller) readSeeds(ctx context.Context) (*seeds, error) {
	s := &seeds{}
	sorted := true
	if err := p.store.ForEachHealth(ctx, func(h camera.Health) error {
		if n := len(s.list); n > 0 && s.list[n-1].id >= h.CameraID {
			sorted = false
		}
		s.list = append(s.list, seedRec{id: h.CameraID, track: newTracker(&h), probed: h.State.Valid() && h.LastProbe != nil})
		return nil
	}); err != nil {
		return nil, err
	}
	if !sorted { // the registry's are; a record repeated counts once, the last one
		slices.SortStableFunc(s.list, func(a, b seedRec) int { return strings.Compare(a.id, b.id) })
		out := s.list[:0]
		for i, r := range s.list {
			if i+1 < len(s.list) && s.list[i+1].id == r.id {
				continue
			}
			out = append(out, r)
		}
		clear(s.list[len(out):])
		s.list = out
	}
	return s, nil
}

// find returns the stored health of camera id, or nil. Lookups in id
// order (the registry's ForEachCamera) walk the list once; others search.
func (s *seeds) find(id string) *seedRec {
	if id > s.last {
		// Every record before the cursor is before s.last, so before id.
		s.last = id
		for s.next < len(s.list) && s.list[s.next].id < id {
			s.next++
		}
		if s.next < len(s.list) && s.list[s.next].id == id {
			return &s.list[s.next]
		}
		return nil
	}
	if i, ok := slices.BinarySearchFunc(s.list, id, func(r seedRec, id string) int { return strings.Compare(r.id, id) }); ok {
		return &s.list[i]
	}
	return nil
}

// upsertLocked applies one camera, whose stream URL is url ("" when it is
// not active). A load (fromLoad) passes the stored health as seed, used
// for a camera the poller has not probed yet; entries upserted while it
// reads (fFresh) are newer than what it read and are left alone. A
// sharded poller's write passes one too (storedSeeds), used only for a
// camera it starts scheduling. A camera that another node owns is
// unscheduled (shard.go). Called under the lock.
func (p *Poller) upsertLocked(cam *camera.Camera, url string, seed *seedRec, prompt, fromLoad bool) {
	p.upsertEntry(p.entries.get(cam.ID), cam, url, seed, prompt, fromLoad)
}

// upsertEntry is upsertLocked, given cam's entry (nil when it has none).
func (p *Poller) upsertEntry(e *entry, cam *camera.Camera, url string, seed *seedRec, prompt, fromLoad bool) {
	if !p.owned(cam.ID) {
		if !fromLoad {
			p.seq++
			delete(p.tomb, cam.ID)
		}
		p.disownLocked(cam.ID)
		return
	}
	if fromLoad {
		if e != nil && seed != nil && !e.has(fRunning) && !e.has(fProbed) && e.track.state == sUnknown && !e.has(fRemoved) {
			// Upserted before Start: take the stored state over, so
			// that the first results do not record unknown → up again.
			commune := e.commune.String()
			p.m.addCamera(commune, e.track.state, -1)
			e.track = seed.track
			e.set(fProbed, seed.probed)
			p.m.addCamera(commune, e.track.state, +1)
			p.m.setUp(cam.ID, e.track.state, true)
		}
		if e != nil && e.has(fFresh) {
			return
		}
	} else {
		p.seq++
		delete(p.tomb, cam.ID)
	}
	now := p.clock.Now()

	switch {
	case !cam.Active():
		p.retireLocked(cam, seed, now, camera.ReasonRetired)
		return
	case url == "":
		// Nothing to probe (a position from OpenStreetMap, a camera
		// registered before its stream is set up): not monitored, so
		// unknown rather than down — a "down" would page the police for
		// a camera that never had a stream. A URL set later schedules it.
		p.retireLocked(cam, seed, now, camera.ReasonNoURL)
		return
	}
	delete(p.retired, cam.ID)
	iv := p.intervalIndex(cam.ID)
	if e == nil {
		e = &entry{commune: intern(cam.Commune), interval: iv, index: -1, track: tracker{state: sUnknown}}
		e.setKey(cam.ID, url)
		if seed != nil {
			e.track = seed.track
			e.set(fProbed, seed.probed)
		}
		if fromLoad {
			e.set(fSeen, true)
		} else {
			e.set(fFresh, p.loading)
		}
		p.entries.add(e)
		p.m.addCamera(cam.Commune, e.track.state, +1)
		p.m.setUp(cam.ID, e.track.state, true)
		e.due = p.slotOf(e, now.UnixNano())
		p.push(e)
		return
	}

	if !fromLoad && p.loading {
		e.set(fFresh, true)
	}
	if e.has(fRemoved) { // removed while its probe runs: back again
		e.set(fRemoved, false)
		e.gen++
		p.m.addCamera(e.commune.String(), e.track.state, +1)
		p.m.setUp(cam.ID, e.track.state, true)
	}
	if commune := e.commune.String(); cam.Commune != commune {
		p.m.addCamera(commune, e.track.state, -1)
		p.m.addCamera(cam.Commune, e.track.state, +1)
		e.commune = intern(cam.Commune)
	}
	if iv != e.interval {
		e.interval = iv
		if !e.track.pending() {
			p.reschedule(e, p.slotOf(e, now.UnixNano()))
		}
	}
	if url != e.url() {
		e.setKey(cam.ID, url)
		e.gen++
		e.track.resetPending()
		if cancel := p.cancels[e]; cancel != nil {
			cancel() // its result would be about the old URL
		}
		if prompt {
			p.reschedule(e, now.UnixNano()+int64(randDuration(p.cfg.jitterOf(p.intervalOf(e)))))
		}
	}
}

// removeLocked unschedules id. An entry whose probe is running stays in
// the map, marked removed, until the probe returns. Called under the lock.
func (p *Poller) removeLocked(id string) *entry {
	e := p.entries.get(id)
	if e == nil || e.has(fRemoved) {
		return nil
	}
	e.set(fRemoved, true)
	p.m.addCamera(e.commune.String(), e.track.state, -1)
	p.m.setUp(id, sNone, false)
	switch {
	case e.has(fRunning):
		p.cancels[e]()
	case e.index >= 0:
		heap.Remove(&p.sched, int(e.index))
		p.entries.del(id)
	default: // queued: the lane skips it
		p.entries.del(id)
	}
	return e
}

// retireLocked unschedules a camera that is not to be probed (retired, or
// without a stream URL; reason says which) and records that its state is
// now unknown: nobody looks at it any more, and its uptime must not keep
// counting the last state it was seen in. The record keeps the stored last
// probe.
func (p *Poller) retireLocked(cam *camera.Camera, seed *seedRec, now time.Time, reason string) {
	var t tracker
	switch e := p.removeLocked(cam.ID); {
	case e != nil:
		t = e.track
	case seed != nil && !p.retired[cam.ID]:
		// Retired while the poller was not running (or its record is
		// not written yet, hence the retired set).
		t = seed.track
	default:
		return
	}
	p.retired[cam.ID] = true
	tr, changed := t.force(cam.ID, camera.StateUnknown, reason, now)
	if !changed {
		return
	}
	p.confirmed(cam.Commune, t.health(cam.ID), tr, true)
}
