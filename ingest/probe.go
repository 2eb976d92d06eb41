package ingest

import (
	"context"
	"log/slog"
	"time"

	"github.com/matthan/matthan/camera"
)

// confirmed records, counts and announces a confirmed transition. Called
// under the lock. keepProbe says that h carries no last probe and the
// stored one is to be kept (a retirement).
func (p *Poller) confirmed(commune string, h camera.Health, tr camera.Transition, keepProbe bool) {
	p.rec.put(h, &tr, keepProbe)
	p.log.Info("camera health changed", slog.String("camera_id", tr.CameraID),
		slog.String("from", string(tr.From)), slog.String("to", string(tr.To)), slog.String("reason", tr.Reason))
	p.hooks.enqueue(Event{CameraID: tr.CameraID, Commune: commune, From: tr.From, To: tr.To, Reason: tr.Reason, At: tr.At.UTC()})
	if p.onTransition != nil {
		p.onTransition(tr)
	}
}

// launch starts a probe of e in lane i. Called under the lock.
func (p *Poller) launch(e *entry, i int) {
	deep := p.wantDeep(e)
	ctx, cancel := context.WithTimeout(p.ctx, p.cfg.timeoutOf(p.intervalOf(e)))
	e.set(fRunning, true)
	p.cancels[e] = cancel
	e.probes++
	p.lanes[i].inflight++
	p.m.inFlight.WithLabelValues(laneNames[i]).Inc()
	p.wg.Add(1)
	go p.probe(ctx, cancel, e, i, e.id(), e.url(), e.gen, e.due, deep)
}

// probe runs one probe and hands the result back under the lock. id and
// url are e's when it started (e's fields are read under the lock only).
func (p *Poller) probe(ctx context.Context, cancel context.CancelFunc, e *entry, lane int, id, url string, gen uint16, due int64, deep bool) {
	defer p.wg.Done()
	started := p.clock.Now()
	dueAt := time.Unix(0, due)
	p.m.lag.WithLabelValues(laneNames[lane]).Observe(max(started.Sub(dueAt), 0).Seconds())
	if p.onStart != nil {
		p.onStart(id, dueAt, started)
	}
	res := p.prober.Probe(ctx, url, deep)
	took := p.clock.Now().Sub(started)
	if res.At.IsZero() {
		res.At = started
	}
	res.Deep = deep
	if res.State != camera.StateUnknown {
		p.m.observeProbe(res, took.Seconds())
	}
	p.finish(e, cancel, lane, gen, res, took)
}

// finish applies a probe's result and schedules the camera's next probe.
func (p *Poller) finish(e *entry, cancel context.CancelFunc, lane int, gen uint16, res camera.ProbeResult, took time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cancel()
	e.set(fRunning, false)
	delete(p.cancels, e)
	p.lanes[lane].inflight--
	p.m.inFlight.WithLabelValues(laneNames[lane]).Dec()
	if p.ctx.Err() != nil { // stopping: the result may be a cancellation
		return
	}
	defer p.fillLanes()
	id := e.id()
	if e.has(fRemoved) {
		if p.entries.get(id) == e {
			p.entries.del(id)
		}
		return
	}

	now := p.clock.Now().UnixNano()
	iv := p.intervalOf(e)
	e.set(fSlow, took >= p.cfg.slowAfterOf(iv))
	switch {
	case gen != e.gen:
		// The URL changed during the probe: probe the new one now.
		e.due = now + int64(randDuration(p.cfg.jitterOf(iv)))
	case res.State == camera.StateUnknown || !res.State.Valid():
		// Says nothing about the camera (cancelled): try again in its slot.
		e.due = p.slotOf(e, now)
	default:
		before := e.track.state
		tr, changed := e.track.observe(id, res, p.cfg.Confirm)
		e.set(fProbed, true)
		h := e.track.health(id)
		h.LastProbe = &res
		if changed {
			commune := e.commune.String()
			p.m.addCamera(commune, before, -1)
			p.m.addCamera(commune, e.track.state, +1)
			p.m.setUp(id, e.track.state, true)
			p.confirmed(commune, h, tr, false)
		} else {
			p.rec.add(h, nil)
		}
		e.due = p.nextDue(e, now)
	}
	p.push(e)
}
