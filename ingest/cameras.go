package ingest

import (
	"container/heap"
	"context"
	"fmt"
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
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cams {
		p.upsertLocked(c, nil, prompt, false, 0)
	}
}

// CameraRemoved implements the API's camera observer: Remove.
func (p *Poller) CameraRemoved(id string) { p.Remove(id) }

// Upsert schedules a camera that was added or changed. A retired camera
// is unscheduled and its state becomes unknown (reason retired). A new
// camera is first probed in its slot (within one interval); a camera
// whose URL or credentials changed is probed again at once, and results
// about the old URL (a probe in flight is cancelled) are ignored. The
// poller keeps its own copy of what it needs of cam.
func (p *Poller) Upsert(cam *camera.Camera) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.upsertLocked(cam, nil, true, false, 0)
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
	return p.load(ctx)
}

// load reads the store and applies it (Start and Sync).
func (p *Poller) load(ctx context.Context) error {
	p.syncMu.Lock()
	defer p.syncMu.Unlock()

	p.mu.Lock()
	since := p.seq
	p.mu.Unlock()

	stored := map[string]camera.Health{}
	if err := p.store.ForEachHealth(ctx, func(h camera.Health) error {
		stored[h.CameraID] = h
		return nil
	}); err != nil {
		return fmt.Errorf("load camera health: %w", err)
	}
	var cams []*camera.Camera
	if err := p.store.ForEachCamera(ctx, func(c *camera.Camera) error {
		cams = append(cams, c)
		return nil
	}); err != nil {
		return fmt.Errorf("load cameras: %w", err)
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	seen := make(map[string]bool, len(cams))
	for _, c := range cams {
		seen[c.ID] = true
		if p.tomb[c.ID] > since {
			continue // removed after the store was read
		}
		var seed *camera.Health
		if h, ok := stored[c.ID]; ok {
			seed = &h
		}
		p.upsertLocked(c, seed, false, true, since)
	}
	for id, e := range p.entries {
		if !seen[id] && !e.removed && e.touched <= since {
			p.removeLocked(id)
		}
	}
	for id, s := range p.tomb {
		if s <= since {
			delete(p.tomb, id)
		}
	}
	return nil
}

// upsertLocked applies one camera. A load (fromLoad) passes the stored
// health as seed, used for a camera the poller has not probed yet, and
// since, the sequence number when it read the store: entries upserted
// after that are newer than what it read and are left alone. Called under
// the lock.
func (p *Poller) upsertLocked(cam *camera.Camera, seed *camera.Health, prompt, fromLoad bool, since uint64) {
	e := p.entries[cam.ID]
	touched := since
	if fromLoad {
		if e != nil && seed != nil && !e.running && e.track.health.LastProbe == nil && e.track.health.State == camera.StateUnknown && !e.removed {
			// Upserted before Start: take the stored state over, so
			// that the first results do not record unknown → up again.
			p.m.addCamera(e.commune, e.track.health.State, -1)
			e.track = newTracker(cam.ID, seed)
			p.m.addCamera(e.commune, e.track.health.State, +1)
			p.m.setUp(e.id, e.track.health.State, true)
		}
		if e != nil && e.touched > since {
			return
		}
	} else {
		p.seq++
		touched = p.seq
		delete(p.tomb, cam.ID)
	}
	now := p.clock.Now()

	if !cam.Active() {
		p.retireLocked(cam, seed, now)
		return
	}
	delete(p.retired, cam.ID)
	url := cam.StreamURL()
	interval := p.cfg.intervalOf(cam.ID)
	if e == nil {
		e = &entry{
			id: cam.ID, url: url, commune: cam.Commune,
			interval: interval, phase: phaseOf(cam.ID, interval),
			index: -1, touched: touched,
			track: newTracker(cam.ID, seed),
		}
		if every := p.cfg.DeepEvery; every > 0 {
			e.deepOffset = hashID(cam.ID) % uint64(every)
		}
		p.entries[cam.ID] = e
		p.m.addCamera(e.commune, e.track.health.State, +1)
		p.m.setUp(e.id, e.track.health.State, true)
		e.due = nextSlot(e, now, p.cfg.jitterOf(interval))
		p.push(e)
		return
	}

	e.touched = touched
	if e.removed { // removed while its probe runs: back again
		e.removed = false
		e.gen++
		p.m.addCamera(e.commune, e.track.health.State, +1)
		p.m.setUp(e.id, e.track.health.State, true)
	}
	if cam.Commune != e.commune {
		p.m.addCamera(e.commune, e.track.health.State, -1)
		p.m.addCamera(cam.Commune, e.track.health.State, +1)
		e.commune = cam.Commune
	}
	if interval != e.interval {
		e.interval, e.phase = interval, phaseOf(cam.ID, interval)
		if !e.track.pending() {
			p.reschedule(e, nextSlot(e, now, p.cfg.jitterOf(interval)))
		}
	}
	if url != e.url {
		e.url = url
		e.gen++
		e.track.resetPending()
		if e.cancel != nil {
			e.cancel() // its result would be about the old URL
		}
		if prompt {
			p.reschedule(e, now.Add(randDuration(p.cfg.jitterOf(interval))))
		}
	}
}

// removeLocked unschedules id. An entry whose probe is running stays in
// the map, marked removed, until the probe returns. Called under the lock.
func (p *Poller) removeLocked(id string) *entry {
	e := p.entries[id]
	if e == nil || e.removed {
		return nil
	}
	e.removed = true
	p.m.addCamera(e.commune, e.track.health.State, -1)
	p.m.setUp(id, "", false)
	switch {
	case e.running:
		e.cancel()
	case e.index >= 0:
		heap.Remove(&p.sched, e.index)
		delete(p.entries, id)
	default: // queued: the lane skips it
		delete(p.entries, id)
	}
	return e
}

// retireLocked unschedules a retired camera and records that its state is
// now unknown: nobody looks at it any more, and its uptime must not keep
// counting the last state it was seen in.
func (p *Poller) retireLocked(cam *camera.Camera, seed *camera.Health, now time.Time) {
	var t tracker
	switch e := p.removeLocked(cam.ID); {
	case e != nil:
		t = e.track
	case seed != nil && !p.retired[cam.ID]:
		// Retired while the poller was not running (or its record is
		// not written yet, hence the retired set).
		t = newTracker(cam.ID, seed)
	default:
		return
	}
	p.retired[cam.ID] = true
	tr, changed := t.force(camera.StateUnknown, camera.ReasonRetired, now)
	if !changed {
		return
	}
	p.confirmed(cam.Commune, t.health, tr)
}
