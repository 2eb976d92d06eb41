package evidence

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/camera"
)

// IncidentMetrics are the Prometheus series of incidents and clips. The
// category label takes the known categories only (anything else counts
// as "other"), so it stays bounded whatever clients send.
type IncidentMetrics struct {
	incidents      *prometheus.CounterVec
	clipBytes      prometheus.Gauge
	verifyFailures prometheus.Counter
}

// NewIncidentMetrics creates the series and registers them with reg.
func NewIncidentMetrics(reg prometheus.Registerer) (*IncidentMetrics, error) {
	m := &IncidentMetrics{
		incidents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "matthan_incidents_total",
			Help: "Incidents created since the daemon started, by category.",
		}, []string{"category"}),
		clipBytes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "matthan_clip_bytes",
			Help: "Bytes of evidence clips stored, each file counted once however many incidents share it.",
		}),
		verifyFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "matthan_clip_verify_failures_total",
			Help: "Clip verifications that found a file altered (hash mismatch) or missing.",
		}),
	}
	for _, c := range []prometheus.Collector{m.incidents, m.clipBytes, m.verifyFailures} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register incident metrics: %w", err)
		}
	}
	for _, c := range camera.Categories {
		m.incidents.WithLabelValues(string(c))
	}
	return m, nil
}

// IncidentsCreated counts n new incidents of a category (the API calls it
// after CreateIncident, or once per category after a bulk import).
func (m *IncidentMetrics) IncidentsCreated(category camera.Category, n int) {
	if !category.Valid() {
		category = camera.CategoryOther
	}
	m.incidents.WithLabelValues(string(category)).Add(float64(n))
}

// verifyFailed counts a verification that found a file altered or
// missing. Nil metrics count nothing.
func (m *IncidentMetrics) verifyFailed() {
	if m != nil {
		m.verifyFailures.Inc()
	}
}

// ClipTotaler is the store's running total of clips.
type ClipTotaler interface {
	ClipTotals(ctx context.Context) (clips int64, bytes int64, err error)
}

// LoadTotals sets matthan_clip_bytes from the store's total, which the
// store keeps in the transactions that add and remove clips.
func (m *IncidentMetrics) LoadTotals(ctx context.Context, s ClipTotaler) error {
	_, n, err := s.ClipTotals(ctx)
	if err != nil {
		return err
	}
	m.clipBytes.Set(float64(n))
	return nil
}

// refreshBytes is LoadTotals for the pipeline's writers (an upload, a
// capture, a retention pass): a failure is logged and the gauge keeps
// its value. Nil metrics do nothing.
func (m *IncidentMetrics) refreshBytes(ctx context.Context, s ClipTotaler, log *slog.Logger) {
	if m == nil {
		return
	}
	if err := m.LoadTotals(ctx, s); err != nil {
		log.Warn("clip totals", "err", err)
	}
}
