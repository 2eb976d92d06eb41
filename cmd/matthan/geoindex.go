package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/registry"
)

// errStopIter ends a store scan when the consumer of an iterator stops.
var errStopIter = errors.New("iteration stopped")

// loadGeoIndex builds the spatial index from the store: every active
// camera with its current health, then the stored commune boundaries and
// intersections (whose coverage is computed once here, then kept current
// by camera writes and health changes).
func loadGeoIndex(ctx context.Context, store *registry.Store) (*geo.Index, error) {
	states := map[string]camera.HealthState{}
	if err := store.ForEachHealth(ctx, func(h camera.Health) error {
		states[h.CameraID] = h.State
		return nil
	}); err != nil {
		return nil, fmt.Errorf("load health: %w", err)
	}
	var scanErr error
	cams := iter.Seq[*camera.Camera](func(yield func(*camera.Camera) bool) {
		err := store.ForEachCamera(ctx, func(c *camera.Camera) error {
			if !yield(c) {
				return errStopIter
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStopIter) {
			scanErr = err
		}
	})
	index, err := geo.Build(cams, func(id string) camera.HealthState {
		if st, found := states[id]; found {
			return st
		}
		return camera.StateUnknown
	})
	if scanErr != nil {
		return nil, fmt.Errorf("load cameras: %w", scanErr)
	}
	if err != nil {
		return nil, fmt.Errorf("build spatial index: %w", err)
	}
	if raw, err := store.GetLayer(ctx, registry.LayerCommunes); err != nil {
		return nil, err
	} else if raw != nil {
		cs, err := geo.ParseCommunes(raw)
		if err != nil {
			return nil, fmt.Errorf("stored commune boundaries: %w", err)
		}
		index.SetCommunes(cs)
	}
	if raw, err := store.GetLayer(ctx, registry.LayerIntersections); err != nil {
		return nil, err
	} else if raw != nil {
		var items []geo.Intersection
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, fmt.Errorf("stored intersections: %w", err)
		}
		if err := index.SetIntersections(items); err != nil {
			return nil, fmt.Errorf("stored intersections: %w", err)
		}
	}
	return index, nil
}
