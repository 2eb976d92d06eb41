package main

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp"
	"github.com/matthan/matthan/ingest"
)

// newPoller builds the health poller of the daemon from its poller:
// section, or returns nil when the section disables it. The poller probes
// with the real RTSP prober (each probe's deadline comes from the
// poller's context, capped by poller.timeout), records into the store,
// registers its metrics in the daemon's registry and logs with the
// daemon's logger. Nothing runs before Start.
// Every confirmed change is also handed to onTransition (the spatial
// index's live coverage follows it). In cluster mode owns says which
// cameras this node polls (nil: all of them).
func newPoller(cfg *config, store ingest.Store, reg prometheus.Registerer, log *slog.Logger, onTransition func(camera.Transition), owns func(string) bool) (*ingest.Poller, error) {
	if !cfg.Poller.Enabled {
		return nil, nil
	}
	return ingest.New(ingest.Options{
		Config:     cfg.Poller.ingestConfig(),
		Prober:     newProber(cfg),
		Store:      store,
		Logger:     log,
		Registerer: reg,

		OnTransition: onTransition,
		Owns:         owns,
	})
}

// newProber is the RTSP prober of the daemon, for the poller and for clip
// capture alike: it connects to no address that the probe: section's
// network policy forbids.
func newProber(cfg *config) *rtsp.Prober {
	return &rtsp.Prober{Networks: cfg.netPolicy()}
}
