package ingest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/camera"
)

// flakyStore fails its first `fail` writes and records the rest.
type flakyStore struct {
	nopStore
	mu     sync.Mutex
	fail   int
	writes int
	health map[string]camera.Health
	trans  []camera.Transition
}

func (s *flakyStore) RecordHealth(_ context.Context, hs []camera.Health, ts []camera.Transition) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	if s.fail > 0 {
		s.fail--
		return errors.New("disk full")
	}
	for _, h := range hs {
		s.health[h.CameraID] = h
	}
	s.trans = append(s.trans, ts...)
	return nil
}

func TestRecorderBatchesAndRetries(t *testing.T) {
	st := &flakyStore{fail: 1, health: map[string]camera.Health{}}
	m, err := newMetrics(prometheus.NewRegistry(), false)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := newRecorder(st, log, m, RealClock{}, time.Hour, 1000) // only kicks flush
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.run(ctx)
	}()

	// Many results for few cameras coalesce: only the latest counts.
	for i := range 100 {
		r.add(camera.Health{CameraID: "C1", State: camera.StateUp, ConsecutiveFailures: i}, nil)
		r.add(camera.Health{CameraID: "C2", State: camera.StateUp}, nil)
	}
	r.add(camera.Health{CameraID: "C3", State: camera.StateDown}, nil)
	r.forget("C3")
	tr := camera.Transition{CameraID: "C1", At: t0, From: camera.StateUnknown, To: camera.StateUp}
	r.add(camera.Health{CameraID: "C1", State: camera.StateUp, ConsecutiveFailures: 100}, &tr) // kicks a write, which fails
	waitFor(t, 5*time.Second, "the failed write", func() bool {
		st.mu.Lock()
		defer st.mu.Unlock()
		return st.writes == 1
	})
	cancel() // the final write on stop succeeds
	<-done

	st.mu.Lock()
	defer st.mu.Unlock()
	if st.writes != 2 {
		t.Errorf("writes: got %d, want 2 (a failed one, then one on stop)", st.writes)
	}
	if len(st.health) != 2 || st.health["C1"].ConsecutiveFailures != 100 {
		t.Errorf("health written: %+v", st.health)
	}
	if len(st.trans) != 1 || st.trans[0] != tr {
		t.Errorf("transitions written: %+v", st.trans)
	}
}
