package ingest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp"
	"github.com/matthan/matthan/camera/rtsp/rtsptest"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

// owners is a fake of the cluster's rendezvous owners: camera id → node,
// changed by the test.
type owners struct {
	mu sync.Mutex
	of map[string]string
}

func (o *owners) set(id, node string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.of[id] = node
}

// owns is the Options.Owns of node.
func (o *owners) owns(node string) func(string) bool {
	return func(id string) bool {
		o.mu.Lock()
		defer o.mu.Unlock()
		return o.of[id] == node
	}
}

// countingProber is the real RTSP prober, counting the probes of each
// URL: one per node, so the test knows which node probed what.
type countingProber struct {
	inner  Prober
	mu     sync.Mutex
	counts map[string]int
}

func (c *countingProber) Probe(ctx context.Context, url string, deep bool) camera.ProbeResult {
	c.mu.Lock()
	c.counts[url]++
	c.mu.Unlock()
	return c.inner.Probe(ctx, url, deep)
}

func (c *countingProber) count(url string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[url]
}

// shardNode is one node's poller on the shared store.
type shardNode struct {
	name   string
	p      *Poller
	prober *countingProber
}

// startShardNode starts a poller that owns what o gives node.
func startShardNode(t *testing.T, store *registry.Store, o *owners, node string) *shardNode {
	t.Helper()
	n := &shardNode{name: node, prober: &countingProber{inner: &rtsp.Prober{}, counts: map[string]int{}}}
	p, err := New(Options{
		Config: Config{
			Interval:      time.Second,
			Timeout:       500 * time.Millisecond,
			Retry:         20 * time.Millisecond,
			Jitter:        time.Millisecond,
			FlushInterval: time.Hour, // only transitions and moves write at once
		},
		Prober: n.prober,
		Store:  store,
		Owns:   o.owns(node),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	n.p = p
	return n
}

// probeSoon makes camera id due now on n, when n schedules it.
func (n *shardNode) probeSoon(id string) {
	n.p.mu.Lock()
	defer n.p.mu.Unlock()
	if e := n.p.entries.get(id); e != nil {
		n.p.reschedule(e, n.p.clock.Now().UnixNano())
	}
}

func (n *shardNode) scheduled() float64 { return scheduledOf(n.p) }

// scheduledOf reads p's matthan_poller_cameras.
func scheduledOf(p *Poller) float64 {
	var m dto.Metric
	if err := p.m.scheduled.Write(&m); err != nil {
		return -1
	}
	return m.GetGauge().GetValue()
}

// TestShardMoveKeepsState runs two nodes' pollers, each with the real
// RTSP prober, on one store (what replication gives every node) with
// fake cameras: each camera is probed by its owner only; a camera that
// moves keeps its confirmed state on the new owner (no transition, no
// unknown in between), is probed by the new owner only, and is seen
// down by the new owner when it goes down.
func TestShardMoveKeepsState(t *testing.T) {
	ctx := context.Background()
	store := registrytest.Open(t)
	o := &owners{of: map[string]string{}}
	ids := []string{"CG-0001", "CG-0002", "CG-0003", "CG-0004"}
	fakes := map[string]*rtsptest.Camera{}
	urls := map[string]string{}
	var cams []*camera.Camera
	for i, id := range ids {
		fake, err := rtsptest.Start(rtsptest.Options{Username: "admin", Password: "s3cret"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(fake.Close)
		fakes[id] = fake
		c := registrytest.Camera(id, "Song Bình")
		c.RTSPURL = fake.URL()
		urls[id] = c.StreamURL()
		cams = append(cams, c)
		o.set(id, []string{"a", "b"}[i/2]) // a: 1, 2; b: 3, 4
	}
	registrytest.AddCameras(t, store, cams...)
	a := startShardNode(t, store, o, "a")
	b := startShardNode(t, store, o, "b")
	nodes := []*shardNode{a, b}

	transitions := func(id string) []camera.Transition {
		t.Helper()
		ts, err := store.Transitions(ctx, id, time.Time{}, time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		slices.Reverse(ts)
		return ts
	}
	for _, id := range ids {
		waitFor(t, 10*time.Second, id+" up", func() bool {
			for _, n := range nodes {
				n.probeSoon(id)
			}
			return len(transitions(id)) == 1
		})
	}
	for _, id := range ids {
		owner := o.owns("a")(id)
		if got := a.prober.count(urls[id]) > 0; got != owner {
			t.Errorf("%s probed by a: %v, owned by a: %v", id, got, owner)
		}
		if got := b.prober.count(urls[id]) > 0; got != !owner {
			t.Errorf("%s probed by b: %v, owned by b: %v", id, got, !owner)
		}
	}
	if a.scheduled() != 2 || b.scheduled() != 2 {
		t.Errorf("scheduled: a %v, b %v, want 2 and 2", a.scheduled(), b.scheduled())
	}

	// CG-0002 moves from a to b.
	moved := "CG-0002"
	before, err := store.CurrentHealth(ctx, moved)
	if err != nil {
		t.Fatal(err)
	}
	o.set(moved, "b")
	for _, n := range nodes {
		if err := n.p.Reshard(ctx); err != nil {
			t.Fatalf("reshard %s: %v", n.name, err)
		}
	}
	probedByA := a.prober.count(urls[moved])
	if _, ok := a.p.Current(moved); ok {
		t.Errorf("a still schedules %s after it moved", moved)
	}
	h, ok := b.p.Current(moved)
	if !ok || h.State != camera.StateUp || !h.Since.Equal(before.Since) {
		t.Errorf("b starts %s as %s since %v (scheduled %v), want up since %v", moved, h.State, h.Since, ok, before.Since)
	}
	if a.scheduled() != 1 || b.scheduled() != 3 {
		t.Errorf("scheduled after the move: a %v, b %v, want 1 and 3", a.scheduled(), b.scheduled())
	}
	probedByB := b.prober.count(urls[moved])
	waitFor(t, 10*time.Second, "b probes "+moved, func() bool {
		b.probeSoon(moved)
		return b.prober.count(urls[moved]) >= probedByB+3
	})
	if got := transitions(moved); len(got) != 1 {
		t.Errorf("%s after the move: %s, want only unknown→up", moved, changes(got))
	}

	// Taken down now, it is seen down by its new owner.
	fakes[moved].SetBehavior(rtsptest.NotFound)
	waitFor(t, 10*time.Second, moved+" down", func() bool {
		b.probeSoon(moved)
		return len(transitions(moved)) == 2
	})
	if got := transitions(moved); got[1].From != camera.StateUp || got[1].To != camera.StateDown {
		t.Errorf("%s: %s, want unknown→up up→down", moved, changes(got))
	}
	if h, _ := b.p.Current(moved); h.State != camera.StateDown {
		t.Errorf("b sees %s %s, want down", moved, h.State)
	}
	if got := a.prober.count(urls[moved]); got != probedByA {
		t.Errorf("a probed %s %d times after it moved", moved, got-probedByA)
	}
	for _, id := range ids {
		if id != moved && len(transitions(id)) != 1 {
			t.Errorf("%s: %s, want only unknown→up", id, changes(transitions(id)))
		}
	}
}

// TestShardWriteOfMovedCamera writes a camera that another node polled
// until now through the API's observer before Reshard ran: the new owner
// starts it from its stored state, not from unknown.
func TestShardWriteOfMovedCamera(t *testing.T) {
	ctx := context.Background()
	store := registrytest.Open(t)
	c := registrytest.Camera("CG-0001", "Song Bình")
	registrytest.AddCameras(t, store, c)
	down := camera.Health{CameraID: c.ID, State: camera.StateDown, Reason: camera.ReasonRefused, Since: time.Date(2026, 12, 1, 21, 40, 0, 0, time.UTC), ConsecutiveFailures: 7}
	if err := store.RecordHealth(ctx, []camera.Health{down}, []camera.Transition{{CameraID: c.ID, At: down.Since, From: camera.StateUnknown, To: camera.StateDown, Reason: down.Reason}}); err != nil {
		t.Fatal(err)
	}
	o := &owners{of: map[string]string{c.ID: "a"}}
	p, err := New(Options{Config: fastConfig(), Prober: newFakeProber(), Store: store, Owns: o.owns("b")})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Current(c.ID); ok {
		t.Fatalf("b schedules %s, which a owns", c.ID)
	}
	o.set(c.ID, "b")
	c.Name = "Ngã tư chợ"
	p.CameraChanged(c)
	h, ok := p.Current(c.ID)
	if !ok || h.State != down.State || !h.Since.Equal(down.Since) || h.ConsecutiveFailures != 7 {
		t.Errorf("b starts %s as %+v (scheduled %v), want its stored %+v", c.ID, h, ok, down)
	}
}

// TestShardNilOwnsAll checks that a poller without Owns schedules every
// camera, as before sharding.
func TestShardNilOwnsAll(t *testing.T) {
	var cams []*camera.Camera
	for i := range 5 {
		cams = append(cams, registrytest.Camera(fmt.Sprintf("CG-%04d", i), "Bình Ninh"))
	}
	r := newRig(t, fastConfig(), cams...)
	if err := r.p.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := scheduledOf(r.p); got != 5 {
		t.Errorf("scheduled %v cameras, want 5", got)
	}
}
