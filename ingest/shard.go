package ingest

import (
	"context"

	"github.com/matthan/matthan/camera"
)

// Sharding: in cluster mode several nodes share the cameras, each polling
// those it owns (Options.Owns; the daemon asks the cluster's rendezvous
// hash). The poller treats a camera it does not own as one it does not
// have: it is not scheduled, not counted in the metrics, and its health
// is not written, so the probes and figures of the nodes are disjoint and
// together cover every camera. When the owners change (a node joined or
// left), Reshard moves the cameras: those lost stop, those gained start
// from the last confirmed state stored in the registry, which every node
// holds, so a camera that moves keeps its state, its "since" and its
// failure count, and makes no transition of its own.

// owned reports whether this poller probes camera id. Called under the
// lock.
func (p *Poller) owned(id string) bool { return p.owns == nil || p.owns(id) }

// Reshard re-evaluates which cameras this poller probes, after Owns may
// have changed its answers: it reads every camera and its stored health
// from the store, as Sync does, stops probing (and cancels the probe in
// flight of) every camera it no longer owns, and schedules every camera
// it now owns from that camera's stored health. Results of lost cameras
// not yet written are still written: they are what this node confirmed
// while it owned them. Call it after every change of owners; calls do
// not overlap (the second waits), and the last one sees the last owners.
func (p *Poller) Reshard(ctx context.Context) error { return p.Sync(ctx) }

// disownLocked unschedules camera id, which another node polls now. It
// records nothing: the camera's state is the new owner's to change. What
// is pending about it is written at once rather than within
// FlushInterval, so that this node's last record of the camera reaches
// the store before the new owner's first ones. Called under the lock.
func (p *Poller) disownLocked(id string) {
	if p.removeLocked(id) != nil {
		p.rec.writeSoon()
	}
}

// storedSeeds returns, when the poller is sharded, the stored health of
// the cameras among cams that are scheduled (urls[i] set) and owned here,
// nil for the others: a camera written through the API that this node
// has not polled until now (another node did) then starts from its last
// confirmed state rather than from unknown. Unsharded, or with a store
// that cannot read one camera's health, it returns nil. It reads the
// store, so it is called before the lock is taken.
func (p *Poller) storedSeeds(ctx context.Context, cams []*camera.Camera, urls []string) []*seedRec {
	if p.owns == nil {
		return nil
	}
	hr, ok := p.store.(healthReader)
	if !ok {
		return nil
	}
	var out []*seedRec
	for i, c := range cams {
		if urls[i] == "" || !p.owns(c.ID) { // asked again under the lock
			continue
		}
		h, err := hr.CurrentHealth(ctx, c.ID)
		if err != nil || !h.State.Valid() {
			continue // a new camera, or gone meanwhile: from unknown
		}
		if out == nil {
			out = make([]*seedRec, len(cams))
		}
		out[i] = &seedRec{id: c.ID, track: newTracker(&h), probed: h.LastProbe != nil}
	}
	return out
}
