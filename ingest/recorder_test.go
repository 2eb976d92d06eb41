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

// readingStore is a flakyStore that reads one camera's health.
type readingStore struct{ *flakyStore }

func (s readingStore) CurrentHealth(_ context.Context, id string) (camera.Health, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.health[id]
	if !ok {
		return camera.Health{}, errors.New("not found")
	}
	return h, nil
}

// TestRecorderKeepsLastProbe: a record that keeps the last probe (a
// retirement) takes it from the pending record it replaces, from a failed
// batch, or from the store; lastProbe finds the latest one wherever it is.
func TestRecorderKeepsLastProbe(t *testing.T) {
	ctx := context.Background()
	st := &flakyStore{health: map[string]camera.Health{}}
	m, err := newMetrics(prometheus.NewRegistry(), false)
	if err != nil {
		t.Fatal(err)
	}
	r := newRecorder(readingStore{st}, slog.New(slog.NewTextHandler(io.Discard, nil)), m, RealClock{}, time.Hour, 1000)
	probe := func(n int) *camera.ProbeResult {
		return &camera.ProbeResult{State: camera.StateUp, Reason: camera.ReasonOK, At: t0.Add(time.Duration(n) * time.Second)}
	}
	retired := camera.Health{State: camera.StateUnknown, Reason: camera.ReasonRetired}
	at := func(id string) *camera.ProbeResult { return r.lastProbe(ctx, id) }

	// C1: a result, then its retirement before the write.
	r.add(camera.Health{CameraID: "C1", State: camera.StateUp, LastProbe: probe(1)}, nil)
	// C2: a result written, then its retirement.
	r.add(camera.Health{CameraID: "C2", State: camera.StateUp, LastProbe: probe(2)}, nil)
	if p := at("C1"); p == nil || !p.At.Equal(t0.Add(time.Second)) {
		t.Errorf("pending last probe of C1: %+v", p)
	}
	r.flush(ctx)
	if p := at("C2"); p == nil || !p.At.Equal(t0.Add(2*time.Second)) {
		t.Errorf("stored last probe of C2: %+v", p)
	}
	c1, c2 := retired, retired
	c1.CameraID, c2.CameraID = "C1", "C2"
	r.add(camera.Health{CameraID: "C1", State: camera.StateUp, LastProbe: probe(3)}, nil)
	r.put(c1, nil, true)
	r.put(c2, nil, true)
	if p := at("C1"); p == nil || !p.At.Equal(t0.Add(3*time.Second)) {
		t.Errorf("last probe of C1 after its retirement: %+v", p)
	}
	if p := at("C2"); p == nil || !p.At.Equal(t0.Add(2*time.Second)) {
		t.Errorf("last probe of C2 after its retirement: %+v", p)
	}
	// The write fails; C3 is retired meanwhile, after a result.
	st.fail = 1
	r.flush(ctx)
	r.add(camera.Health{CameraID: "C3", State: camera.StateUp, LastProbe: probe(4)}, nil)
	c3 := retired
	c3.CameraID = "C3"
	r.put(c3, nil, true)
	r.flush(ctx)
	for id, want := range map[string]time.Duration{"C1": 3 * time.Second, "C2": 2 * time.Second, "C3": 4 * time.Second} {
		st.mu.Lock()
		h := st.health[id]
		st.mu.Unlock()
		if h.State != camera.StateUnknown || h.LastProbe == nil || !h.LastProbe.At.Equal(t0.Add(want)) {
			t.Errorf("%s written: %+v (last probe %+v)", id, h, h.LastProbe)
		}
	}
	if at("C9") != nil {
		t.Error("a last probe for a camera never probed")
	}
}
