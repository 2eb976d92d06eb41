package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
)

// tipRetentionActor is who the tips' retention purges as, in the audit
// log.
var tipRetentionActor = camera.Actor{Name: "retention", Role: camera.RoleAdmin}

// tipOptions sets the API's tips from the tips: section: the store and
// the sealer of informants, or neither when tips are disabled.
func tipOptions(cfg *config, store daemonStore, o *api.Options) error {
	sealer, err := cfg.tipSealer()
	if err != nil || sealer == nil {
		return err
	}
	o.Tips, o.TipSealer = store, sealer
	return nil
}

// tipRetention returns the job purging the tips received more than
// tips.retention ago (not on legal hold), every
// incidents.retention_interval; nil when tips are disabled or kept
// forever.
func tipRetention(cfg *config, store daemonStore, log *slog.Logger) func(ctx context.Context) {
	keep := time.Duration(cfg.Tips.Retention)
	if !cfg.Tips.Enabled || keep <= 0 {
		return nil
	}
	every := time.Duration(cfg.Incidents.RetentionInterval)
	return func(ctx context.Context) {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			cutoff := time.Now().Add(-keep)
			n, err := store.PurgeTips(ctx, cutoff, tipRetentionActor)
			switch {
			case err != nil && ctx.Err() == nil:
				log.Error("tip retention pass failed", slog.Any("err", err))
			case n > 0:
				log.Info("tips purged by retention", slog.Int("tips", n), slog.Time("cutoff", cutoff))
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}
}
