package ingest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/metricstest"
	"github.com/matthan/matthan/registry/registrytest"
)

func TestMetrics(t *testing.T) {
	cfg := fastConfig()
	cfg.PerCameraMetric = true
	r := newRig(t, cfg, registrytest.Camera("C1", "Song Bình"), registrytest.Camera("C2", "Song Bình"), registrytest.Camera("C3", "Bình Phan"))
	r.prober.set("C3", answer(down, camera.ReasonRefused))
	r.start(t)
	for _, id := range []string{"C1", "C2", "C3"} {
		r.probeNow(id)
	}
	waitFor(t, 5*time.Second, "three cameras confirmed", func() bool {
		return len(r.transitions(t, "C1")) == 1 && len(r.transitions(t, "C2")) == 1 && len(r.transitions(t, "C3")) == 1
	})

	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"matthan_cameras", map[string]string{"commune": "Song Bình", "state": "up"}, 2},
		{"matthan_cameras", map[string]string{"commune": "Song Bình", "state": "unknown"}, 0},
		{"matthan_cameras", map[string]string{"commune": "Bình Phan", "state": "down"}, 1},
		{"matthan_camera_up", map[string]string{"camera_id": "C1"}, 1},
		{"matthan_camera_up", map[string]string{"camera_id": "C3"}, 0},
		{"matthan_poller_cameras", nil, 3},
	}
	for _, c := range checks {
		if got := metricstest.Value(t, r.reg, c.name, c.labels); got != c.want {
			t.Errorf("%s%v: got %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if got := metricstest.Value(t, r.reg, "matthan_probes_total", map[string]string{"result": "down", "reason": "refused"}); got < 2 {
		t.Errorf("matthan_probes_total{down,refused}: got %v, want at least 2", got)
	}

	// Removing the last camera of a commune removes its series.
	r.p.Remove("C3")
	if got := metricstest.Value(t, r.reg, "matthan_cameras", map[string]string{"commune": "Bình Phan"}); got != -1 {
		t.Errorf("matthan_cameras of an empty commune: got %v, want no series", got)
	}
	if got := metricstest.Value(t, r.reg, "matthan_camera_up", map[string]string{"camera_id": "C3"}); got != -1 {
		t.Errorf("matthan_camera_up of a removed camera: got %v, want no series", got)
	}

	mfs, err := r.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	for _, mf := range mfs {
		if !strings.HasPrefix(mf.GetName(), "matthan_") {
			t.Errorf("metric %s lacks the matthan_ prefix", mf.GetName())
		}
	}
	r.stop()
}

func TestReasonLabelBounded(t *testing.T) {
	for in, want := range map[string]string{
		"ok": "ok", "timeout": "timeout", "status_404": "status_404",
		"status_4040": "other", "status_abc": "other", "rtsp://admin:pw@x": "other", "": "other",
	} {
		if got := reasonLabel(in); got != want {
			t.Errorf("reasonLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewRejectsDuplicateRegistration(t *testing.T) {
	reg := prometheus.NewRegistry()
	opts := Options{Prober: newFakeProber(), Store: nopStore{}, Registerer: reg}
	if _, err := New(opts); err != nil {
		t.Fatal(err)
	}
	if _, err := New(opts); err == nil {
		t.Error("a second poller on the same registry: no error")
	}
}

// nopStore is an empty store.
type nopStore struct{}

func (nopStore) ForEachCamera(context.Context, func(*camera.Camera) error) error { return nil }
func (nopStore) ForEachHealth(context.Context, func(camera.Health) error) error  { return nil }
func (nopStore) RecordHealth(context.Context, []camera.Health, []camera.Transition) error {
	return nil
}
