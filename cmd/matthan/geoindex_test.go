package main

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/ingest"
	"github.com/matthan/matthan/internal/gendata"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

// indexStore is a store of n generated cameras, every tenth retired,
// and a stored health (down) for the first withHealth of them.
func indexStore(t *testing.T, n, withHealth int) (*registry.Store, []*camera.Camera) {
	t.Helper()
	ctx := context.Background()
	store := registrytest.Open(t)
	cams := gendata.Cameras(gendata.Rows(n, 7, "IX", gendata.ChoGao))
	for i, c := range cams {
		if i%10 == 9 {
			c.Status = camera.StatusRetired
		}
	}
	if _, err := store.ImportCameras(ctx, cams, false, camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	var hs []camera.Health
	since := time.Now().Add(-time.Hour).UTC()
	for _, c := range cams[:withHealth] {
		hs = append(hs, camera.Health{CameraID: c.ID, State: camera.StateDown, Reason: camera.ReasonRefused, Since: since})
	}
	if err := store.RecordHealth(ctx, hs, nil); err != nil {
		t.Fatal(err)
	}
	return store, cams
}

// idlePoller is a poller on store that is never started.
func idlePoller(t *testing.T, store ingest.Store) *ingest.Poller {
	t.Helper()
	p, err := ingest.New(ingest.Options{
		Config: ingest.Config{Interval: time.Hour},
		Prober: ingest.ProberFunc(func(context.Context, string, bool) camera.ProbeResult {
			return camera.ProbeResult{State: camera.StateUnknown}
		}),
		Store:      store,
		Registerer: prometheus.NewRegistry(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p
}

// TestLoadIndexAndPoller: one scan of the cameras builds the same index
// as a load without a poller, and loads the poller as its own load would:
// every active camera scheduled with its stored health, none retired.
func TestLoadIndexAndPoller(t *testing.T) {
	ctx := context.Background()
	const n = 3*feedBatch + 77 // a few batches and a part
	store, cams := indexStore(t, n, n/2)
	want, err := loadIndexAndPoller(ctx, store, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := idlePoller(t, store)
	got, err := loadIndexAndPoller(ctx, store, p)
	if err != nil {
		t.Fatal(err)
	}
	if got.Len() != want.Len() || got.Len() != n-n/10 {
		t.Fatalf("index of %d cameras, want %d (%d active)", got.Len(), want.Len(), n-n/10)
	}
	for i, c := range cams {
		gh, gok := got.Get(c.ID)
		wh, wok := want.Get(c.ID)
		if gok != wok || !reflect.DeepEqual(gh, wh) {
			t.Fatalf("%s in the index: %+v %v, want %+v %v", c.ID, gh, gok, wh, wok)
		}
		h, scheduled := p.Current(c.ID)
		wantState := camera.StateUnknown
		if i < n/2 {
			wantState = camera.StateDown
		}
		if scheduled != c.Active() || scheduled && h.State != wantState {
			t.Fatalf("%s in the poller: %+v scheduled %v, want %s scheduled %v", c.ID, h, scheduled, wantState, c.Active())
		}
	}
}

// failingHealth is a store whose health records cannot be read.
type failingHealth struct{ *registry.Store }

var errHealth = errors.New("health unreadable")

func (failingHealth) ForEachHealth(context.Context, func(camera.Health) error) error {
	return errHealth
}

// TestLoadIndexAndPollerFails: whichever side fails, and when, the load
// returns the error and leaves nothing running (the test would hang).
func TestLoadIndexAndPollerFails(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name       string
		ctx        context.Context
		withHealth int // stored health records: past 1024 a scan sees ctx
		failing    bool
		want       string
	}{
		{"the poller's health", context.Background(), 0, true, "health unreadable"},
		{"the index's health", cancelled, 2 * feedBatch, false, "load health"},
		{"half way through the cameras", cancelled, 0, false, "load cameras"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store, _ := indexStore(t, 2*feedBatch, tt.withHealth)
			var ps ingest.Store = store
			if tt.failing {
				ps = failingHealth{store}
			}
			index, err := loadIndexAndPoller(tt.ctx, store, idlePoller(t, ps))
			if err == nil || index != nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("load: %v (index %v), want an error about %q", err, index != nil, tt.want)
			}
		})
	}
}
