package evidence

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// RetentionActor is who retention purges as, in the audit log.
var RetentionActor = camera.Actor{Name: "retention", Role: camera.RoleAdmin}

// DefaultRetentionInterval is how often Retention.Run purges when its
// Interval is zero.
const DefaultRetentionInterval = time.Hour

// retentionBatch is how many incidents one pass lists at a time.
const retentionBatch = 500

// RetentionStore is what retention needs of the registry.
type RetentionStore interface {
	ExpiredIncidents(ctx context.Context, cutoff time.Time, limit int) ([]string, error)
	PurgeIncident(ctx context.Context, id string, cutoff time.Time, actor camera.Actor) (registry.PurgeResult, error)
	ClipExists(ctx context.Context, id string) (bool, error)
	ClipTotals(ctx context.Context) (clips int64, bytes int64, err error)
}

var _ RetentionStore = (*registry.Store)(nil)

// Retention purges old evidence: every incident that ended more than
// Retention ago and is not on legal hold, with its index entries, and the
// clips no remaining incident references — their records, their custody
// chains and their files. A file shared with an incident that stays is
// kept. Every purge is logged (slog) and audited by the store
// (incident.purge, clip.purge).
type Retention struct {
	Store RetentionStore
	Files *ClipStore
	// Retention is how long an incident is kept after its end; it must
	// be positive.
	Retention time.Duration
	// Interval between passes; DefaultRetentionInterval when zero.
	Interval time.Duration
	// Logger discards when nil.
	Logger *slog.Logger
	// Now is time.Now when nil.
	Now func() time.Time
	// Metrics, when set, gets the clip bytes after each pass.
	Metrics *IncidentMetrics
}

// RetentionStats counts what one pass purged.
type RetentionStats struct {
	Incidents int
	Clips     int   // clip records removed
	Files     int   // files deleted
	ClipBytes int64 // bytes of the clips purged
}

// Run purges once at once, then every Interval, until ctx is done; it
// returns nil then. A failed pass is logged and retried at the next.
func (r *Retention) Run(ctx context.Context) error {
	if r.Retention <= 0 {
		return errors.New("retention: the retention period must be positive")
	}
	every := r.Interval
	if every <= 0 {
		every = DefaultRetentionInterval
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := r.PurgeOnce(ctx); err != nil && ctx.Err() == nil {
			r.log().Error("retention pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (r *Retention) log() *slog.Logger { return orDiscard(r.Logger) }

// PurgeOnce runs one pass and returns what it purged.
func (r *Retention) PurgeOnce(ctx context.Context) (RetentionStats, error) {
	var st RetentionStats
	if r.Retention <= 0 {
		return st, errors.New("retention: the retention period must be positive")
	}
	now := time.Now()
	if r.Now != nil {
		now = r.Now()
	}
	cutoff := now.Add(-r.Retention)
	for {
		ids, err := r.Store.ExpiredIncidents(ctx, cutoff, retentionBatch)
		if err != nil {
			return st, err
		}
		purged := 0
		for _, id := range ids {
			res, err := r.Store.PurgeIncident(ctx, id, cutoff, RetentionActor)
			if camera.ErrorCode(err) == camera.ENOTFOUND {
				continue
			}
			if err != nil {
				return st, err
			}
			if !res.Purged {
				continue
			}
			purged++
			st.Incidents++
			st.Clips += len(res.Orphans)
			r.log().Info("incident purged by retention", "incident", id, "cutoff", cutoff, "clips", len(res.Clips), "clips_purged", len(res.Orphans))
			for _, clip := range res.Orphans {
				removed, err := r.Files.removeUnreferenced(ctx, clip, r.Store.ClipExists)
				if err != nil {
					r.log().Error("retention could not delete a clip file", "clip", clip, "err", err)
					continue
				}
				if removed {
					st.Files++
					r.log().Info("clip file deleted by retention", "clip", clip, "incident", id)
				}
			}
			st.ClipBytes += res.OrphanBytes
		}
		if len(ids) < retentionBatch || purged == 0 {
			break
		}
	}
	if st.Incidents > 0 {
		r.Metrics.refreshBytes(ctx, r.Store, r.log())
	}
	return st, nil
}
