package ingest

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry/registrytest"
)

// scanCounter counts the poller's reads of the store's cameras.
type scanCounter struct {
	Store
	scans atomic.Int32
}

func (s *scanCounter) ForEachCamera(ctx context.Context, fn func(*camera.Camera) error) error {
	s.scans.Add(1)
	return s.Store.ForEachCamera(ctx, fn)
}

// scanOf yields cams, then err.
func scanOf(err error, cams ...*camera.Camera) func(apply func(*camera.Camera) error) error {
	return func(apply func(*camera.Camera) error) error {
		for _, c := range cams {
			if err := apply(c); err != nil {
				return err
			}
		}
		return err
	}
}

// TestLoadFromCallersScan: Load applies the cameras of the caller's scan,
// in whatever order, with their stored health, and Start then does not
// read the store's cameras again.
func TestLoadFromCallersScan(t *testing.T) {
	ctx := context.Background()
	c1, c2, c3 := registrytest.Camera("C1", "Song Bình"), registrytest.Camera("C2", "Song Bình"), registrytest.Camera("C3", "Bình Phan")
	r := newRig(t, fastConfig(), c1, c2, c3)
	since := time.Now().Add(-time.Hour)
	if err := r.store.RecordHealth(ctx,
		[]camera.Health{{CameraID: "C2", State: down, Reason: camera.ReasonRefused, Since: since}},
		[]camera.Transition{{CameraID: "C2", At: since, From: unknown, To: down, Reason: camera.ReasonRefused}}); err != nil {
		t.Fatal(err)
	}
	store := &scanCounter{Store: r.store}
	p, err := New(Options{Config: fastConfig(), Prober: r.prober, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	if err := p.Load(ctx, scanOf(nil, c3, c1, c2)); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"C1", "C2", "C3"} {
		h, ok := p.Current(id)
		want := unknown
		if id == "C2" {
			want = down
		}
		if !ok || h.State != want {
			t.Errorf("%s after Load: %+v scheduled %v, want %s", id, h, ok, want)
		}
	}
	if err := p.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if n := store.scans.Load(); n != 0 {
		t.Errorf("Start after Load read the store's cameras %d times", n)
	}
}

// TestLoadScanFails: a scan that fails half way applies what it read,
// removes nothing and returns its error; Start then reads the store.
func TestLoadScanFails(t *testing.T) {
	ctx := context.Background()
	c1 := registrytest.Camera("C1", "Song Bình")
	r := newRig(t, fastConfig(), c1, registrytest.Camera("C2", "Song Bình"))
	store := &scanCounter{Store: r.store}
	p, err := New(Options{Config: fastConfig(), Prober: r.prober, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	p.Upsert(registrytest.Camera("C9", "Bình Phan")) // not in the store
	broken := errors.New("damaged record")
	if err := p.Load(ctx, scanOf(broken, c1)); !errors.Is(err, broken) {
		t.Fatalf("Load: %v, want %v", err, broken)
	}
	for id, want := range map[string]bool{"C1": true, "C2": false, "C9": true} {
		if _, ok := p.Current(id); ok != want {
			t.Errorf("%s scheduled after a failed Load: %v, want %v", id, ok, want)
		}
	}
	if err := p.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if n := store.scans.Load(); n != 1 {
		t.Errorf("Start after a failed Load read the store's cameras %d times, want 1", n)
	}
	for id, want := range map[string]bool{"C1": true, "C2": true, "C9": false} {
		if _, ok := p.Current(id); ok != want {
			t.Errorf("%s scheduled after Start: %v, want %v", id, ok, want)
		}
	}
}
