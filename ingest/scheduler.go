package ingest

import (
	"container/heap"
	"context"
	"math/rand/v2"
	"time"
)

// Scheduling.
//
// One goroutine and one timer run the whole schedule: every camera is an
// entry in a min-heap ordered by the time its next probe is due; the
// scheduler sleeps until the earliest, moves every due entry to its lane's
// queue, and starts as many probes as the lanes allow. A probe's end
// starts the next queued one directly. Costs are O(log n) per probe and
// at most one wake-up per tick (Config.Tick), whatever the number of
// cameras: 10,000 cameras at 60 s are 167 heap operations a second, not
// 10,000 tickers, and the probes due within a tick start together, in one
// wake-up of the process.
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

// entry is one scheduled camera: only what scheduling and confirmation
// need, packed into 80 bytes, because a district's poller holds a million
// of them. Its id and stream URL share one string; its commune and reason
// are interned; times are Unix nanoseconds; its interval is an index into
// the poller's few distinct intervals; its phase and deep-probe offset are
// hashes of its id, computed when needed. The last probe's details are not
// kept: the recorder writes them to the store (see Poller.Current). A
// probe's cancel function is kept only while it runs (Poller.cancels).
// Guarded by the poller's lock.
type entry struct {
	key     string // the id, then the stream URL (with credentials: for the prober only, never logged)
	commune istr
	due     int64 // when the next probe is due, Unix nanoseconds
	track   tracker

	index    int32  // position in the heap, -1 when not in it
	probes   uint32 // probes started, for the deep-probe rhythm
	gen      uint16 // bumped when the URL changes: older results are void
	idLen    uint16 // key[:idLen] is the id
	interval uint16 // index in Poller.intervals
	flags    uint8
}

// Entry flags.
const (
	fQueued  uint8 = 1 << iota // waiting in a lane queue
	fRunning                   // its probe runs
	fRemoved                   // deleted or retired; dropped when its probe returns
	fSlow                      // last probe took SlowAfter or more: slow lane
	fProbed                    // has a last probe (stored or made)
	fFresh                     // upserted while a load reads the store: newer than what it reads
	fSeen                      // in the store the load in progress reads
)

func (e *entry) has(f uint8) bool { return e.flags&f != 0 }

func (e *entry) set(f uint8, on bool) {
	if on {
		e.flags |= f
	} else {
		e.flags &^= f
	}
}

// id is the camera id.
func (e *entry) id() string { return e.key[:e.idLen] }

// url is the stream URL, with credentials.
func (e *entry) url() string { return e.key[e.idLen:] }

// setKey stores id and url in one allocation.
func (e *entry) setKey(id, url string) {
	e.key, e.idLen = id+url, uint16(len(id))
}

// hashID is a stable 64-bit hash of a camera id (FNV-1a).
func hashID(id string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= 1099511628211
	}
	return h
}

func phaseOf(id string, interval time.Duration) time.Duration {
	return time.Duration(hashID(id) % uint64(interval))
}

// nextSlot returns the first of the slots of camera id, probed every
// interval, strictly after now, plus jitter. Slots are the times t with
// t ≡ phase (mod interval), counted from the Unix epoch, so they do not
// depend on when the poller started. Times are Unix nanoseconds.
func nextSlot(id string, interval time.Duration, now int64, jitter time.Duration) int64 {
	iv := int64(interval)
	r := (now - int64(phaseOf(id, interval))) % iv
	if r < 0 {
		r += iv
	}
	return now - r + iv + int64(randDuration(jitter))
}

// intervalOf returns e's probe interval.
func (p *Poller) intervalOf(e *entry) time.Duration { return p.intervals[e.interval] }

// slotOf returns e's next slot after now (nextSlot).
func (p *Poller) slotOf(e *entry, now int64) int64 {
	iv := p.intervalOf(e)
	return nextSlot(e.id(), iv, now, p.cfg.jitterOf(iv))
}

// randDuration returns a random duration in [0, d).
func randDuration(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(d)))
}

// nextDue decides when e is probed next, after a result at now (Unix
// nanoseconds):
//
//   - a change being confirmed: after Retry, so that two agreeing results
//     confirm it within seconds, not minutes;
//   - a camera in a failed state (down, degraded, auth_failed): backoff,
//     Retry × 2^(failures-1), until that reaches the interval — frequent
//     looks while an outage is fresh, then the normal rhythm;
//   - otherwise its next slot.
func (p *Poller) nextDue(e *entry, now int64) int64 {
	iv := p.intervalOf(e)
	jitter := p.cfg.jitterOf(iv)
	if e.track.pending() {
		return now + int64(p.cfg.Retry+randDuration(jitter))
	}
	st := e.track.state
	if f := e.track.failures; f > 0 && st != sUp && st != sUnknown {
		if delay := p.cfg.Retry << min(f-1, 30); delay > 0 && delay < iv {
			return now + int64(delay+randDuration(jitter))
		}
	}
	return nextSlot(e.id(), iv, now, jitter)
}

// wantDeep decides whether e's next probe is deep; see package doc.
func (p *Poller) wantDeep(e *entry) bool {
	if e.track.state != sUp || e.track.pending() {
		return true
	}
	every := p.cfg.DeepEvery
	if every <= 0 {
		return false
	}
	// The offset spreads the deep probes of different cameras.
	offset := hashID(e.id()) % uint64(every)
	return (uint64(e.probes)+offset)%uint64(every) == 0
}

// schedHeap is a min-heap of entries by due time (container/heap).
type schedHeap []*entry

func (h schedHeap) Len() int           { return len(h) }
func (h schedHeap) Less(i, j int) bool { return h[i].due < h[j].due }
func (h schedHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = int32(i), int32(j)
}

func (h *schedHeap) Push(x any) {
	e := x.(*entry)
	e.index = int32(len(*h))
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
	e.set(fQueued, true)
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
	e.set(fQueued, false)
	return e
}

// push schedules e at its due time. Called under the lock.
func (p *Poller) push(e *entry) {
	heap.Push(&p.sched, e)
	if e.index == 0 {
		p.wakeScheduler()
	}
}

// reschedule moves e, if it waits in the heap, to a new due time (Unix
// nanoseconds).
func (p *Poller) reschedule(e *entry, due int64) {
	if e.index < 0 {
		return
	}
	e.due = due
	heap.Fix(&p.sched, int(e.index))
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
		now := p.clock.Now().UnixNano()
		// An entry starts at its due time's tick, even when the
		// scheduler wakes between ticks (the heap's head changed).
		for len(p.sched) > 0 && p.onTick(p.sched[0].due) <= now {
			e := heap.Pop(&p.sched).(*entry)
			p.lanes[p.laneOf(e)].push(e)
		}
		p.fillLanes()
		wait := time.Duration(-1)
		if len(p.sched) > 0 {
			wait = time.Duration(p.onTick(p.sched[0].due) - now)
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

// onTick returns the first tick at or after due (Unix nanoseconds): the
// multiples of Config.Tick since the epoch, so that the probes due within
// one tick start in one wake-up. It keeps the heap's order.
func (p *Poller) onTick(due int64) int64 {
	tick := int64(p.cfg.Tick)
	if r := due % tick; r > 0 {
		return due - r + tick
	}
	return due
}

func (p *Poller) laneOf(e *entry) int {
	if e.has(fSlow) {
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
			if e.has(fRemoved) {
				continue
			}
			p.launch(e, i)
		}
	}
}
