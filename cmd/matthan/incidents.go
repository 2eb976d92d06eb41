package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/evidence"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/registry"
)

// evidenceParts is the daemon's incident clip ingestion: the clip store under
// clips.dir, the service the API uploads, captures, serves and verifies
// through, and the incident metrics.
type evidenceParts struct {
	files   *evidence.ClipStore
	clips   *evidence.Clips
	metrics *evidence.IncidentMetrics
}

// openEvidence opens (creating it if needed) the clips directory and
// builds the clip service, capturing with the real RTSP client, and sets
// matthan_clip_bytes from the store.
func openEvidence(ctx context.Context, cfg *config, store daemonStore, reg prometheus.Registerer, log *slog.Logger) (*evidenceParts, error) {
	files, err := evidence.NewClipStore(cfg.Clips.Dir)
	if err != nil {
		return nil, err
	}
	m, err := evidence.NewIncidentMetrics(reg)
	if err != nil {
		return nil, err
	}
	clips := &evidence.Clips{Store: store, Files: files, Source: newProber(cfg), Metrics: m, Logger: log}
	clips.RefreshMetrics(ctx)
	return &evidenceParts{files: files, clips: clips, metrics: m}, nil
}

// retention returns the retention job, nil when incidents.retention is 0
// (keep forever).
func (ev *evidenceParts) retention(cfg *config, store daemonStore, log *slog.Logger) *evidence.Retention {
	if cfg.Incidents.Retention <= 0 {
		return nil
	}
	return &evidence.Retention{
		Store:     store,
		Files:     ev.files,
		Retention: time.Duration(cfg.Incidents.Retention),
		Interval:  time.Duration(cfg.Incidents.RetentionInterval),
		Logger:    log,
		Metrics:   ev.metrics,
	}
}

// Incident counts near coverage gaps: the incidents of the last year
// within gapIncidentRadius of an uncovered intersection rank it higher.
const (
	gapIncidentWindow = 365 * 24 * time.Hour
	gapIncidentRadius = 200 // metres
	gapIncidentTTL    = time.Minute
	gapIncidentLoad   = 30 * time.Second
)

// incidentCounter is api.Options.IncidentCounter: the places of the last
// year's incidents in a geo.NewPointCounter, rebuilt at most once a
// minute (gaps are a planning question; a minute-old count is current
// enough, and a rebuild reads every incident of the year).
type incidentCounter struct {
	store daemonStore
	log   *slog.Logger
	now   func() time.Time

	mu    sync.Mutex
	built time.Time
	count func(lat, lon float64) int
}

// counter returns the current counter, rebuilding it when it is older than
// gapIncidentTTL. When a rebuild fails the previous counter is kept (nil
// at first: the gaps are then ranked without incidents).
func (ic *incidentCounter) counter() func(lat, lon float64) int {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	now := ic.now()
	if ic.count != nil && now.Sub(ic.built) < gapIncidentTTL {
		return ic.count
	}
	ctx, cancel := context.WithTimeout(context.Background(), gapIncidentLoad)
	defer cancel()
	points, err := incidentPoints(ctx, ic.store, now.Add(-gapIncidentWindow))
	if err != nil {
		ic.log.Warn("incidents near coverage gaps", slog.Any("err", err))
		return ic.count
	}
	ic.count, ic.built = geo.NewPointCounter(points, gapIncidentRadius), now
	return ic.count
}

// incidentPoints returns the places (lon, lat) of the incidents that
// started since from.
func incidentPoints(ctx context.Context, store daemonStore, from time.Time) ([]orb.Point, error) {
	var points []orb.Point
	q := registry.IncidentQuery{From: from, Limit: registry.MaxListLimit}
	for {
		items, next, err := store.ListIncidents(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("list incidents: %w", err)
		}
		for _, in := range items {
			if in.HasPlace() {
				points = append(points, orb.Point{*in.Lon, *in.Lat})
			}
		}
		if next == "" {
			return points, nil
		}
		q.After = next
	}
}
