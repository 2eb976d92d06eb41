package ingest

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
)

func TestNextSlotKeepsPhase(t *testing.T) {
	const iv = time.Minute
	e := &entry{id: "CG-0001", interval: iv, phase: phaseOf("CG-0001", iv)}
	now := t0
	for range 5 {
		next := nextSlot(e, now, 0)
		if !next.After(now) || next.Sub(now) > iv {
			t.Fatalf("slot %v is not within (now, now+interval] of %v", next, now)
		}
		if got := time.Duration(next.UnixNano() % int64(iv)); got != e.phase {
			t.Fatalf("slot %v has phase %v, want %v", next, got, e.phase)
		}
		now = next.Add(137 * time.Millisecond) // the probe took a while
	}
	if j := nextSlot(e, t0, 500*time.Millisecond).Sub(nextSlot(e, t0, 0)); j < 0 || j >= 500*time.Millisecond {
		t.Errorf("jitter %v out of [0, 500ms)", j)
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

func TestNextDue(t *testing.T) {
	p := &Poller{}
	var err error
	p.cfg, err = Config{Interval: time.Minute, Retry: 5 * time.Second}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
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
			e := &entry{id: "CG-0001", interval: time.Minute, phase: phaseOf("CG-0001", time.Minute)}
			e.track.health = camera.Health{CameraID: e.id, State: tt.state, ConsecutiveFailures: tt.failures}
			if tt.pending {
				e.track.cand, e.track.candStreak = camera.StateDown, 1
			}
			got := p.nextDue(e, t0)
			want := t0.Add(tt.want)
			if tt.want == 0 {
				want = nextSlot(e, t0, 0)
			}
			if !got.Equal(want) {
				t.Errorf("next due in %v, want %v", got.Sub(t0), want.Sub(t0))
			}
		})
	}
}

func TestWantDeep(t *testing.T) {
	p := &Poller{cfg: Config{DeepEvery: 3}}
	e := &entry{id: "C1"}
	e.track.health.State = camera.StateUp
	var pattern string
	for e.probes = 0; e.probes < 9; e.probes++ {
		if p.wantDeep(e) {
			pattern += "D"
		} else {
			pattern += "s"
		}
	}
	if pattern != "DssDssDss" {
		t.Errorf("up camera, every 3rd deep: got %s", pattern)
	}
	for _, st := range []camera.HealthState{camera.StateDown, camera.StateDegraded, camera.StateUnknown, camera.StateAuthFailed} {
		e.track.health.State, e.probes = st, 1
		if !p.wantDeep(e) {
			t.Errorf("a camera in state %s should get deep probes", st)
		}
	}
	e.track.health.State = camera.StateUp
	e.track.cand, e.track.candStreak = camera.StateDegraded, 1
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

func TestSchedHeap(t *testing.T) {
	var h schedHeap
	var all []*entry
	for i := range 200 {
		e := &entry{id: fmt.Sprint(i), due: t0.Add(time.Duration(rand.IntN(1000)) * time.Millisecond)}
		heap.Push(&h, e)
		all = append(all, e)
	}
	// Move some, remove some: indexes must stay right.
	for i := 0; i < 200; i += 7 {
		all[i].due = t0.Add(time.Duration(rand.IntN(1000)) * time.Millisecond)
		heap.Fix(&h, all[i].index)
	}
	for i := 3; i < 200; i += 11 {
		heap.Remove(&h, all[i].index)
		if all[i].index != -1 {
			t.Fatalf("removed entry keeps index %d", all[i].index)
		}
	}
	for i, e := range h {
		if e.index != i {
			t.Fatalf("entry at %d has index %d", i, e.index)
		}
	}
	prev := time.Time{}
	for h.Len() > 0 {
		e := heap.Pop(&h).(*entry)
		if e.due.Before(prev) {
			t.Fatalf("popped %v after %v", e.due, prev)
		}
		prev = e.due
	}
}

func TestLaneFIFO(t *testing.T) {
	var l lane
	for i := range 3000 {
		l.push(&entry{id: fmt.Sprint(i)})
		if i%3 == 2 {
			l.pop()
		}
	}
	n := 0
	for e := l.pop(); e != nil; e = l.pop() {
		if e.queued {
			t.Fatal("a popped entry is still marked queued")
		}
		n++
	}
	if n != 2000 {
		t.Errorf("left in the lane: got %d, want 2000", n)
	}
}
