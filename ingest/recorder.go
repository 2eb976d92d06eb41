package ingest

import (
	"context"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/matthan/matthan/camera"
)

// maxPendingTransitions bounds the transitions kept while the store
// refuses writes (disk full): past it the oldest are dropped, with a log
// line, rather than growing without bound.
const maxPendingTransitions = 100_000

// recorder batches what the poller learns into few store transactions.
//
// 10,000 cameras at 60 s are 167 results a second; one bbolt transaction
// (one fsync) each would keep a disk busy for nothing. Results are
// coalesced per camera (only the latest "last probe" matters) and written
// every FlushInterval, or as soon as FlushMax are pending. A confirmed
// transition triggers a write at once: a transaction started within
// milliseconds of the confirmation, which is the durability operators rely
// on ("down since 21:40" must survive a crash). On Stop whatever is
// pending is written.
//
// The poller keeps no last probe in memory: the recorder's pending records
// and the store have it (lastProbe). A record may say "keep the stored last
// probe" (a retirement): the recorder reads it from the store before the
// write, when the store can read one camera's health (healthReader).
type recorder struct {
	store Store
	log   *slog.Logger
	m     *metrics
	clock Clock
	every time.Duration
	max   int

	mu      sync.Mutex
	health  map[string]pendingHealth
	writing map[string]pendingHealth // the batch being written, for lastProbe
	trans   []camera.Transition
	kick    chan struct{} // cap 1: "write now"
	flushed chan struct{} // cap 1: signalled after each write, for tests
}

// pendingHealth is a camera's health waiting to be written. When keepProbe
// is set, h.LastProbe is nil and the stored one is to be kept.
type pendingHealth struct {
	h         camera.Health
	keepProbe bool
}

// healthReader is implemented by stores that read one camera's health
// (*registry.Store).
type healthReader interface {
	CurrentHealth(ctx context.Context, id string) (camera.Health, error)
}

func newRecorder(store Store, log *slog.Logger, m *metrics, clock Clock, every time.Duration, max int) *recorder {
	return &recorder{
		store: store, log: log, m: m, clock: clock, every: every, max: max,
		health:  map[string]pendingHealth{},
		kick:    make(chan struct{}, 1),
		flushed: make(chan struct{}, 1),
	}
}

// add queues a camera's current health and, when tr is not nil, a
// confirmed transition. It never blocks on the store.
func (r *recorder) add(h camera.Health, tr *camera.Transition) { r.put(h, tr, false) }

// put is add; keepProbe asks to keep the camera's last probe as it is (h
// has none).
func (r *recorder) put(h camera.Health, tr *camera.Transition, keepProbe bool) {
	r.mu.Lock()
	ph := pendingHealth{h: h, keepProbe: keepProbe}
	if old, ok := r.health[h.CameraID]; ok {
		ph = merge(old, ph)
	}
	r.health[h.CameraID] = ph
	now := tr != nil || len(r.health) >= r.max
	if tr != nil {
		r.trans = append(r.trans, *tr)
	}
	r.mu.Unlock()
	if now {
		select {
		case r.kick <- struct{}{}:
		default:
		}
	}
}

// writeSoon asks for what is pending to be written now.
func (r *recorder) writeSoon() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// merge returns the newer of two records of one camera, with the older's
// last probe when the newer keeps the last probe.
func merge(older, newer pendingHealth) pendingHealth {
	if newer.keepProbe {
		newer.h.LastProbe, newer.keepProbe = older.h.LastProbe, older.keepProbe
	}
	return newer
}

// lastProbe returns camera id's latest probe result: pending, being
// written, or stored; nil when there is none (or the store cannot say).
func (r *recorder) lastProbe(ctx context.Context, id string) *camera.ProbeResult {
	r.mu.Lock()
	for _, m := range []map[string]pendingHealth{r.health, r.writing} {
		if ph, ok := m[id]; ok && !ph.keepProbe {
			r.mu.Unlock()
			return ph.h.LastProbe
		}
	}
	r.mu.Unlock()
	if hr, ok := r.store.(healthReader); ok {
		if h, err := hr.CurrentHealth(ctx, id); err == nil {
			return h.LastProbe
		}
	}
	return nil
}

// forget drops what is pending for a camera that was deleted.
func (r *recorder) forget(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.health, id)
	kept := r.trans[:0]
	for _, t := range r.trans {
		if t.CameraID != id {
			kept = append(kept, t)
		}
	}
	clear(r.trans[len(kept):])
	r.trans = kept
}

// run writes batches until ctx is done, then writes what is left.
func (r *recorder) run(ctx context.Context) {
	t := r.clock.NewTimer(r.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			// The final write must not inherit the cancellation that
			// asked for it.
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			r.flush(fctx)
			cancel()
			return
		case <-t.C():
		case <-r.kick:
		}
		r.flush(ctx)
		t.Reset(r.every)
	}
}

// flush writes what is pending in one transaction. On failure the batch is
// put back (newer results for the same camera win) to be tried again.
func (r *recorder) flush(ctx context.Context) {
	r.mu.Lock()
	if len(r.health) == 0 && len(r.trans) == 0 {
		r.mu.Unlock()
		return
	}
	health, trans := r.health, r.trans
	r.health, r.trans = make(map[string]pendingHealth, len(health)), nil
	r.writing = health
	r.mu.Unlock()

	hs := make([]camera.Health, 0, len(health))
	hr, canRead := r.store.(healthReader)
	for _, ph := range health {
		h := ph.h
		if ph.keepProbe && canRead {
			if stored, err := hr.CurrentHealth(ctx, h.CameraID); err == nil {
				h.LastProbe = stored.LastProbe
			}
		}
		hs = append(hs, h)
	}
	// Sorted keys make bbolt's inserts sequential in the B+tree.
	sort.Slice(hs, func(i, j int) bool { return hs[i].CameraID < hs[j].CameraID })

	start := time.Now()
	err := r.store.RecordHealth(ctx, hs, trans)
	r.m.flushDuration.Observe(time.Since(start).Seconds())
	if err == nil {
		r.mu.Lock()
		r.writing = nil
		r.mu.Unlock()
		r.m.flushes.WithLabelValues("ok").Inc()
		select {
		case r.flushed <- struct{}{}:
		default:
		}
		return
	}
	r.m.flushes.WithLabelValues("error").Inc()
	r.log.Error("write probe results", slog.Int("cameras", len(hs)), slog.Int("transitions", len(trans)), slog.Any("err", err))

	r.mu.Lock()
	defer r.mu.Unlock()
	r.writing = nil
	for id, ph := range health {
		if newer, ok := r.health[id]; ok {
			r.health[id] = merge(ph, newer)
		} else {
			r.health[id] = ph
		}
	}
	r.trans = append(trans, r.trans...)
	if over := len(r.trans) - maxPendingTransitions; over > 0 {
		r.log.Error("dropped unwritten transitions", slog.Int("count", over))
		r.trans = append([]camera.Transition(nil), r.trans[over:]...)
	}
}
