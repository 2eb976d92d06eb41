package ingest

import (
	"container/heap"
	"context"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/matthan/matthan/camera"
)

// Scheduling.
//
// One goroutine and one timer run the whole schedule: every camera is an
// entry in a min-heap ordered by the time its next probe is due; the
// scheduler sleeps until the earliest, moves every due entry to its lane's
// queue, and starts as many probes as the lanes allow. A probe's end
// starts the next queued one directly. Costs are O(log n) per probe and
// one wake-up per due time, whatever the number of cameras: 10,000
// cameras at 60 s are 167 heap operations a second, not 10,000 tickers.
//
// Each camera has a fixed phase within its interval, a hash of its id, so
// the network's probes are spread evenly and stay spread across restarts
// and after mass outages (a camera returning to its normal interval goes
// back to its own slot). A little random jitter on top keeps cameras whose
// phases collide from probing in lock step.
//
// An entry is at any time in exactly one place: the heap, a lane queue, or
// running. That is what guarantees that one camera is never probed twice
// at once.

// entry is one scheduled camera. Guarded by the poller's lock.
type entry struct {
	id      string
	url     string // with credentials: for the prober only, never logged
	commune string

	interval time.Duration
	phase    time.Duration // offset of the camera's slots within interval
	due      time.Time

	index   int  // position in the heap, -1 when not in it
	queued  bool // waiting in a lane queue
	running bool
	removed bool // deleted or retired; dropped when its probe returns
	cancel  context.CancelFunc
	gen     uint64 // bumped when the URL changes: older results are void
	touched uint64 // poller sequence of the last Upsert, for Sync
	slow    bool   // last probe took SlowAfter or more: slow lane

	probes     uint64 // probes started, for the deep-probe rhythm
	deepOffset uint64 // spreads deep probes of different cameras
	track      tracker
}

// hashID is a stable 64-bit hash of a camera id.
func hashID(id string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(id))
	return h.Sum64()
}

func phaseOf(id string, interval time.Duration) time.Duration {
	return time.Duration(hashID(id) % uint64(interval))
}

// nextSlot returns the first of e's slots strictly after now, plus
// jitter. Slots are the times t with t ≡ phase (mod interval), counted
// from the Unix epoch, so they do not depend on when the poller started.
func nextSlot(e *entry, now time.Time, jitter time.Duration) time.Time {
	iv := int64(e.interval)
	n := now.UnixNano()
	r := (n - int64(e.phase)) % iv
	if r < 0 {
		r += iv
	}
	return time.Unix(0, n-r+iv).Add(randDuration(jitter))
}

// randDuration returns a random duration in [0, d).
func randDuration(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(d)))
}

// nextDue decides when e is probed next, after a result at now:
//
//   - a change being confirmed: after Retry, so that two agreeing results
//     confirm it within seconds, not minutes;
//   - a camera in a failed state (down, degraded, auth_failed): backoff,
//     Retry × 2^(failures-1), until that reaches the interval — frequent
//     looks while an outage is fresh, then the normal rhythm;
//   - otherwise its next slot.
func (p *Poller) nextDue(e *entry, now time.Time) time.Time {
	jitter := p.cfg.jitterOf(e.interval)
	if e.track.pending() {
		return now.Add(p.cfg.Retry + randDuration(jitter))
	}
	st := e.track.health.State
	if f := e.track.health.ConsecutiveFailures; f > 0 && st != camera.StateUp && st != camera.StateUnknown {
		if delay := p.cfg.Retry << min(f-1, 30); delay > 0 && delay < e.interval {
			return now.Add(delay + randDuration(jitter))
		}
	}
	return nextSlot(e, now, jitter)
}

// wantDeep decides whether e's next probe is deep; see package doc.
func (p *Poller) wantDeep(e *entry) bool {
	if e.track.health.State != camera.StateUp || e.track.pending() {
		return true
	}
	every := p.cfg.DeepEvery
	if every <= 0 {
		return false
	}
	return (e.probes+e.deepOffset)%uint64(every) == 0
}

// schedHeap is a min-heap of entries by due time (container/heap).
type schedHeap []*entry

func (h schedHeap) Len() int           { return len(h) }
func (h schedHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h schedHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}

func (h *schedHeap) Push(x any) {
	e := x.(*entry)
	e.index = len(*h)
	*h = append(*h, e)
}

func (h *schedHeap) Pop() any {
	old := *h
	n := len(old)
	e := old[n-1]
	old[n-1] = nil
	e.index = -1
	*h = old[:n-1]
	return e
}

// lane is a bounded queue of due probes and a count of those running.
type lane struct {
	limit    int
	inflight int
	queue    []*entry
	head     int
}

func (l *lane) push(e *entry) {
	e.queued = true
	l.queue = append(l.queue, e)
}

// pop returns the oldest queued entry, or nil.
func (l *lane) pop() *entry {
	if l.head == len(l.queue) {
		return nil
	}
	e := l.queue[l.head]
	l.queue[l.head] = nil
	l.head++
	if l.head == len(l.queue) {
		l.queue, l.head = l.queue[:0], 0
	} else if l.head > 1024 && l.head*2 > len(l.queue) {
		n := copy(l.queue, l.queue[l.head:])
		clear(l.queue[n:])
		l.queue, l.head = l.queue[:n], 0
	}
	e.queued = false
	return e
}

// push schedules e at its due time. Called under the lock.
func (p *Poller) push(e *entry) {
	heap.Push(&p.sched, e)
	if e.index == 0 {
		p.wakeScheduler()
	}
}

// reschedule moves e, if it waits in the heap, to a new due time.
func (p *Poller) reschedule(e *entry, due time.Time) {
	if e.index < 0 {
		return
	}
	e.due = due
	heap.Fix(&p.sched, e.index)
	if e.index == 0 {
		p.wakeScheduler()
	}
}

func (p *Poller) wakeScheduler() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// schedule is the scheduler goroutine.
func (p *Poller) schedule(ctx context.Context) {
	defer p.wg.Done()
	t := p.clock.NewTimer(time.Hour)
	defer t.Stop()
	for {
		p.mu.Lock()
		now := p.clock.Now()
		for len(p.sched) > 0 && !p.sched[0].due.After(now) {
			e := heap.Pop(&p.sched).(*entry)
			p.lanes[p.laneOf(e)].push(e)
		}
		p.fillLanes()
		wait := time.Duration(-1)
		if len(p.sched) > 0 {
			wait = p.sched[0].due.Sub(now)
		}
		p.mu.Unlock()

		if wait >= 0 {
			t.Reset(wait)
		} else {
			t.Stop()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C():
		case <-p.wake:
		}
	}
}

func (p *Poller) laneOf(e *entry) int {
	if e.slow {
		return 1
	}
	return 0
}

// fillLanes starts queued probes while their lanes have room. Called
// under the lock.
func (p *Poller) fillLanes() {
	if p.ctx == nil || p.ctx.Err() != nil {
		return
	}
	for i := range p.lanes {
		l := &p.lanes[i]
		for l.inflight < l.limit {
			e := l.pop()
			if e == nil {
				break
			}
			if e.removed {
				continue
			}
			p.launch(e, i)
		}
	}
}
