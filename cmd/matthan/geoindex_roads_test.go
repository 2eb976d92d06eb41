package main

import (
	"context"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/internal/sample"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

// TestIndexLoadsStoredRoads: the daemon's index starts with the roads
// stored by the last import of roads; a store without them (from before
// they were kept) starts with none; a damaged road layer stops the start
// with an error naming it.
func TestIndexLoadsStoredRoads(t *testing.T) {
	ctx := context.Background()
	store := registrytest.Open(t)
	x, err := loadIndexAndPoller(ctx, store, nil)
	if err != nil || x.Stats().Roads != 0 {
		t.Fatalf("a store without roads: %v, %d roads", err, x.Stats().Roads)
	}

	roads, err := geo.ParseRoads(sample.Roads())
	if err != nil {
		t.Fatal(err)
	}
	if err := store.PutLayer(ctx, registry.LayerRoads, geo.RoadsGeoJSON(roads), "roads", camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	x, err = loadIndexAndPoller(ctx, store, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := x.Stats().Roads; got != len(roads) {
		t.Errorf("the index started with %d roads, want the %d stored", got, len(roads))
	}

	if err := store.PutLayer(ctx, registry.LayerRoads, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature"}]}`), "roads", camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	if _, err := loadIndexAndPoller(ctx, store, nil); err == nil || !strings.Contains(err.Error(), "stored roads") {
		t.Errorf("a damaged road layer: %v, want an error naming the stored roads", err)
	}
}
