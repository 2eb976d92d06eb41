package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// TestIncidentCounter: coverage gaps count the last year's incidents
// within 200 m, from a counter rebuilt at most once a minute.
func TestIncidentCounter(t *testing.T) {
	ctx := context.Background()
	store, err := registry.Open(filepath.Join(t.TempDir(), "m.db"), registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for _, c := range []*camera.Camera{
		{ID: "CG-0001", Name: "a", Lat: 10.3541, Lon: 106.4612},
		{ID: "CG-0002", Name: "b", Lat: 10.3550, Lon: 106.4612}, // 100 m north
		{ID: "CG-0003", Name: "c", Lat: 10.3600, Lon: 106.4612}, // 656 m north
	} {
		c.ApplyDefaults()
		if err := store.CreateCamera(ctx, c, camera.SystemActor); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	add := func(cam string, ago time.Duration) {
		t.Helper()
		start := now.Add(-ago)
		in := &camera.Incident{CameraIDs: []string{cam}, Start: start, End: start.Add(time.Hour), Category: camera.CategoryTheft}
		if err := store.CreateIncident(ctx, in, camera.SystemActor); err != nil {
			t.Fatal(err)
		}
	}
	add("CG-0001", 24*time.Hour)
	add("CG-0002", 30*24*time.Hour)
	add("CG-0003", 24*time.Hour)     // too far
	add("CG-0001", 400*24*time.Hour) // too old

	ic := &incidentCounter{store: store, log: slog.New(slog.DiscardHandler), now: func() time.Time { return now }}
	if got := ic.counter()(10.3541, 106.4612); got != 2 {
		t.Errorf("incidents near CG-0001 = %d, want 2", got)
	}
	add("CG-0002", 2*time.Hour)
	if got := ic.counter()(10.3541, 106.4612); got != 2 {
		t.Errorf("within the minute the count changed to %d: it should be cached", got)
	}
	now = now.Add(gapIncidentTTL)
	if got := ic.counter()(10.3541, 106.4612); got != 3 {
		t.Errorf("a minute later the count is %d, want 3", got)
	}
}
