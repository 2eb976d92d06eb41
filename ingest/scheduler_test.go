package ingest

import (
	"container/heap"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry/registrytest"
)

func TestNextSlotKeepsPhase(t *testing.T) {
	const iv = time.Minute
	const id = "CG-0001"
	phase := phaseOf(id, iv)
	now := t0.UnixNano()
	for range 5 {
		next := nextSlot(id, iv, now, 0)
		if next <= now || next-now > int64(iv) {
			t.Fatalf("slot %v is not within (now, now+interval] of %v", next, now)
		}
		if got := time.Duration(next % int64(iv)); got != phase {
			t.Fatalf("slot %v has phase %v, want %v", next, got, phase)
		}
		now = next + int64(137*time.Millisecond) // the probe took a while
	}
	if j := time.Duration(nextSlot(id, iv, t0.UnixNano(), 500*time.Millisecond) - nextSlot(id, iv, t0.UnixNano(), 0)); j < 0 || j >= 500*time.Millisecond {
		t.Errorf("jitter %v out of [0, 500ms)", j)
	}
}

func TestHashIDIsFNV1a(t *testing.T) {
	// Phases must not move when the poller is rebuilt: the hash is
	// FNV-1a, as it always was.
	for _, id := range []string{"", "C1", "CG-000123", "Ngã tư Song Bình"} {
		h := fnv.New64a()
		h.Write([]byte(id))
		if got, want := hashID(id), h.Sum64(); got != want {
			t.Errorf("hashID(%q) = %x, want %x", id, got, want)
		}
	}
}

func TestPhasesSpreadEvenly(t *testing.T) {
	// 10,000 cameras over 60 one-second buckets: each should get about
	// 167; a burst would show as a bucket far above.
	const n, buckets = 10_000, 60
	var count [buckets]int
	for i := range n {
		p := phaseOf(fmt.Sprintf("CG-%05d", i), time.Minute)
		count[p/time.Second]++
	}
	for b, c := range count {
		if c < 167*7/10 || c > 167*13/10 {
			t.Errorf("second %d of the minute has %d cameras, want about 167", b, c)
		}
	}
}

// testPoller is a poller with cfg for the scheduling functions alone.
func testPoller(tb testing.TB, cfg Config) *Poller {
	tb.Helper()
	var err error
	p := &Poller{}
	if p.cfg, err = cfg.withDefaults(); err != nil {
		tb.Fatal(err)
	}
	p.setIntervals()
	return p
}

// testEntry is an entry of camera id with p's default interval.
func testEntry(p *Poller, id string) *entry {
	e := &entry{index: -1, track: tracker{state: sUnknown}}
	e.setKey(id, urlOf(id))
	e.interval = p.intervalIndex(id)
	return e
}

func TestNextDue(t *testing.T) {
	p := testPoller(t, Config{Interval: time.Minute, Retry: 5 * time.Second})
	p.cfg.Jitter = 0
	tests := []struct {
		name     string
		state    camera.HealthState
		failures int
		pending  bool
		want     time.Duration // from now; 0 means "its next slot"
	}{
		{"confirming a change", camera.StateUp, 1, true, 5 * time.Second},
		{"first result of a new camera", camera.StateUnknown, 0, true, 5 * time.Second},
		{"up", camera.StateUp, 0, false, 0},
		{"down, 2 failures", camera.StateDown, 2, false, 10 * time.Second},
		{"down, 3 failures", camera.StateDown, 3, false, 20 * time.Second},
		{"down, 4 failures", camera.StateDown, 4, false, 40 * time.Second},
		{"down, 5 failures: back to the slot", camera.StateDown, 5, false, 0},
		{"down for days", camera.StateDown, 5000, false, 0},
		{"auth_failed backs off too", camera.StateAuthFailed, 2, false, 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := testEntry(p, "CG-0001")
			e.track = newTracker(&camera.Health{CameraID: e.id(), State: tt.state, ConsecutiveFailures: tt.failures})
			if tt.pending {
				e.track.cand, e.track.candStreak = sDown, 1
			}
			now := t0.UnixNano()
			got := p.nextDue(e, now)
			want := now + int64(tt.want)
			if tt.want == 0 {
				want = nextSlot("CG-0001", time.Minute, now, 0)
			}
			if got != want {
				t.Errorf("next due in %v, want %v", time.Duration(got-now), time.Duration(want-now))
			}
		})
	}
}

func TestWantDeep(t *testing.T) {
	p := testPoller(t, Config{DeepEvery: 3})
	e := testEntry(p, "C1")
	e.track.state = sUp
	// The deep probes of a working camera are every 3rd, from a turn
	// given by its id.
	offset := hashID("C1") % 3
	var pattern, want string
	for e.probes = 0; e.probes < 9; e.probes++ {
		if p.wantDeep(e) {
			pattern += "D"
		} else {
			pattern += "s"
		}
		if (uint64(e.probes)+offset)%3 == 0 {
			want += "D"
		} else {
			want += "s"
		}
	}
	if pattern != want || strings.Count(pattern, "D") != 3 {
		t.Errorf("up camera, every 3rd deep: got %s, want %s", pattern, want)
	}
	// Cameras take different turns.
	turns := map[uint32]bool{}
	for i := range 30 {
		e := testEntry(p, fmt.Sprintf("CG-%04d", i))
		e.track.state = sUp
		for e.probes = 0; e.probes < 3; e.probes++ {
			if p.wantDeep(e) {
				turns[e.probes] = true
			}
		}
	}
	if len(turns) != 3 {
		t.Errorf("30 cameras take %d of the 3 turns", len(turns))
	}
	for _, st := range []stateCode{sDown, sDegraded, sUnknown, sAuthFailed} {
		e.track.state, e.probes = st, 1
		if !p.wantDeep(e) {
			t.Errorf("a camera in state %s should get deep probes", st.state())
		}
	}
	e.track.state = sUp
	e.track.cand, e.track.candStreak = sDegraded, 1
	if !p.wantDeep(e) {
		t.Error("a probe confirming a change should be deep")
	}
	p.cfg.DeepEvery = -1
	e.track.resetPending()
	for e.probes = 0; e.probes < 5; e.probes++ {
		if p.wantDeep(e) {
			t.Error("DeepEvery < 0: a working camera got a deep probe")
		}
	}
}

// TestEntrySize guards the memory of a million cameras: an entry is 80
// bytes (one size class), its tracker 32.
func TestEntrySize(t *testing.T) {
	if n := unsafe.Sizeof(entry{}); n > 80 {
		t.Errorf("entry is %d bytes, want at most 80", n)
	}
	if n := unsafe.Sizeof(tracker{}); n > 32 {
		t.Errorf("tracker is %d bytes, want at most 32", n)
	}
	e := &entry{}
	e.setKey("CG-000123", "rtsp://admin:pw@10.0.0.1/live")
	if e.id() != "CG-000123" || e.url() != "rtsp://admin:pw@10.0.0.1/live" {
		t.Errorf("key: id %q, url %q", e.id(), e.url())
	}
}

func TestSchedHeap(t *testing.T) {
	var h schedHeap
	var all []*entry
	for range 200 {
		e := &entry{due: t0.Add(time.Duration(rand.IntN(1000)) * time.Millisecond).UnixNano()}
		heap.Push(&h, e)
		all = append(all, e)
	}
	// Move some, remove some: indexes must stay right.
	for i := 0; i < 200; i += 7 {
		all[i].due = t0.Add(time.Duration(rand.IntN(1000)) * time.Millisecond).UnixNano()
		heap.Fix(&h, int(all[i].index))
	}
	for i := 3; i < 200; i += 11 {
		heap.Remove(&h, int(all[i].index))
		if all[i].index != -1 {
			t.Fatalf("removed entry keeps index %d", all[i].index)
		}
	}
	for i, e := range h {
		if int(e.index) != i {
			t.Fatalf("entry at %d has index %d", i, e.index)
		}
	}
	prev := int64(0)
	for h.Len() > 0 {
		e := heap.Pop(&h).(*entry)
		if e.due < prev {
			t.Fatalf("popped %v after %v", e.due, prev)
		}
		prev = e.due
	}
}

func TestLaneFIFO(t *testing.T) {
	var l lane
	for i := range 3000 {
		l.push(&entry{})
		if i%3 == 2 {
			l.pop()
		}
	}
	n := 0
	for e := l.pop(); e != nil; e = l.pop() {
		if e.has(fQueued) {
			t.Fatal("a popped entry is still marked queued")
		}
		n++
	}
	if n != 2000 {
		t.Errorf("left in the lane: got %d, want 2000", n)
	}
}

func TestOnTick(t *testing.T) {
	p := testPoller(t, Config{Tick: 20 * time.Millisecond})
	tick := int64(20 * time.Millisecond)
	for _, c := range []struct{ due, want int64 }{
		{0, 0}, {1, tick}, {tick - 1, tick}, {tick, tick}, {tick + 1, 2 * tick},
		{1_765_000_000_123_456_789, 1_765_000_000_140_000_000},
	} {
		if got := p.onTick(c.due); got != c.want {
			t.Errorf("onTick(%d) = %d, want %d", c.due, got, c.want)
		}
	}
	// 1 ns ticks (tick: 0s in the file): every probe at its own time.
	p = testPoller(t, Config{Tick: time.Nanosecond})
	if got := p.onTick(1_765_000_000_123_456_789); got != 1_765_000_000_123_456_789 {
		t.Errorf("1 ns ticks moved a due time to %d", got)
	}
}

// TestProbesStartOnTicks: with 100 ms ticks, cameras due at their own
// times within a second start on the tick after their due time, never
// before it, and share wake-ups.
func TestProbesStartOnTicks(t *testing.T) {
	const n = 40
	cfg := fastConfig()
	cfg.Interval, cfg.Tick = time.Second, 100*time.Millisecond
	var cams []*camera.Camera
	for i := range n {
		cams = append(cams, registrytest.Camera(fmt.Sprintf("T%02d", i), "Song Bình"))
	}
	r := newRig(t, cfg, cams...)
	type start struct{ due, started time.Time }
	var (
		mu     sync.Mutex
		starts = map[string]start{}
	)
	r.p.onStart = func(id string, due, started time.Time) {
		mu.Lock()
		defer mu.Unlock()
		if _, ok := starts[id]; !ok {
			starts[id] = start{due, started}
		}
	}
	r.start(t)
	waitFor(t, 10*time.Second, "every camera probed", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(starts) == n
	})
	r.stop()

	ticks := map[int64]bool{}
	for id, s := range starts {
		tick := r.p.onTick(s.due.UnixNano())
		if s.started.UnixNano() < tick {
			t.Errorf("%s due at %v started at %v, before its tick %v", id, s.due, s.started, time.Unix(0, tick))
		}
		ticks[tick] = true
	}
	// 40 phases over 10 ticks of a second: some ticks start several.
	if len(ticks) >= n {
		t.Errorf("%d cameras started on %d ticks: no tick started two", n, len(ticks))
	}
}
