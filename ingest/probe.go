package ingest

import (
	"context"
	"log/slog"
	"time"

	"github.com/matthan/matthan/camera"
)

// confirmed records, counts and announces a confirmed transition. Called
// under the lock.
func (p *Poller) confirmed(commune string, h camera.Health, tr camera.Transition) {
	p.rec.add(h, &tr)
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
	ctx, cancel := context.WithTimeout(p.ctx, p.cfg.timeoutOf(e.interval))
	e.running, e.cancel = true, cancel
	e.probes++
	p.lanes[i].inflight++
	p.m.inFlight.WithLabelValues(laneNames[i]).Inc()
	p.wg.Add(1)
	go p.probe(ctx, e, i, e.url, e.gen, e.due, deep)
}

// probe runs one probe and hands the result back under the lock.
func (p *Poller) probe(ctx context.Context, e *entry, lane int, url string, gen uint64, due time.Time, deep bool) {
	defer p.wg.Done()
	started := p.clock.Now()
	p.m.lag.WithLabelValues(laneNames[lane]).Observe(max(started.Sub(due), 0).Seconds())
	if p.onStart != nil {
		p.onStart(e.id, due, started)
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
	p.finish(e, lane, gen, res, took)
}

// finish applies a probe's result and schedules the camera's next probe.
func (p *Poller) finish(e *entry, lane int, gen uint64, res camera.ProbeResult, took time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e.cancel()
	e.running, e.cancel = false, nil
	p.lanes[lane].inflight--
	p.m.inFlight.WithLabelValues(laneNames[lane]).Dec()
	if p.ctx.Err() != nil { // stopping: the result may be a cancellation
		return
	}
	defer p.fillLanes()
	if e.removed {
		if p.entries[e.id] == e {
			delete(p.entries, e.id)
		}
		return
	}

	now := p.clock.Now()
	e.slow = took >= p.cfg.slowAfterOf(e.interval)
	switch {
	case gen != e.gen:
		// The URL changed during the probe: probe the new one now.
		e.due = now.Add(randDuration(p.cfg.jitterOf(e.interval)))
	case res.State == camera.StateUnknown || !res.State.Valid():
		// Says nothing about the camera (cancelled): try again in its slot.
		e.due = nextSlot(e, now, p.cfg.jitterOf(e.interval))
	default:
		before := e.track.health.State
		tr, changed := e.track.observe(res, p.cfg.Confirm)
		if changed {
			p.m.addCamera(e.commune, before, -1)
			p.m.addCamera(e.commune, tr.To, +1)
			p.m.setUp(e.id, tr.To, true)
			p.confirmed(e.commune, e.track.health, tr)
		} else {
			p.rec.add(e.track.health, nil)
		}
		e.due = p.nextDue(e, now)
	}
	p.push(e)
}
