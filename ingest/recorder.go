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
type recorder struct {
	store Store
	log   *slog.Logger
	m     *metrics
	clock Clock
	every time.Duration
	max   int

	mu      sync.Mutex
	health  map[string]camera.Health
	trans   []camera.Transition
	kick    chan struct{} // cap 1: "write now"
	flushed chan struct{} // cap 1: signalled after each write, for tests
}

func newRecorder(store Store, log *slog.Logger, m *metrics, clock Clock, every time.Duration, max int) *recorder {
	return &recorder{
		store: store, log: log, m: m, clock: clock, every: every, max: max,
		health:  map[string]camera.Health{},
		kick:    make(chan struct{}, 1),
		flushed: make(chan struct{}, 1),
	}
}

// add queues a camera's current health and, when tr is not nil, a
// confirmed transition. It never blocks on the store.
func (r *recorder) add(h camera.Health, tr *camera.Transition) {
	r.mu.Lock()
	r.health[h.CameraID] = h
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
	r.health, r.trans = make(map[string]camera.Health, len(health)), nil
	r.mu.Unlock()

	hs := make([]camera.Health, 0, len(health))
	for _, h := range health {
		hs = append(hs, h)
	}
	// Sorted keys make bbolt's inserts sequential in the B+tree.
	sort.Slice(hs, func(i, j int) bool { return hs[i].CameraID < hs[j].CameraID })

	start := time.Now()
	err := r.store.RecordHealth(ctx, hs, trans)
	r.m.flushDuration.Observe(time.Since(start).Seconds())
	if err == nil {
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
	for _, h := range hs {
		if _, newer := r.health[h.CameraID]; !newer {
			r.health[h.CameraID] = h
		}
	}
	r.trans = append(trans, r.trans...)
	if over := len(r.trans) - maxPendingTransitions; over > 0 {
		r.log.Error("dropped unwritten transitions", slog.Int("count", over))
		r.trans = append([]camera.Transition(nil), r.trans[over:]...)
	}
}
