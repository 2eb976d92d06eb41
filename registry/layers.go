package registry

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// Reference layer names: the map data coverage is computed against.
const (
	LayerIntersections = "intersections" // JSON array of geo.Intersection
	LayerCommunes      = "communes"      // commune boundaries GeoJSON, as imported
)

// PutLayer stores a reference layer (replacing the previous one) with an
// audit entry naming what was imported. The value is opaque here: the
// geo package parses it.
func (s *Store) PutLayer(ctx context.Context, name string, raw []byte, summary string, actor camera.Actor) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketLayers).Put([]byte(name), raw); err != nil {
			return fmt.Errorf("store layer %s: %w", name, err)
		}
		return appendAudit(tx, s.now().UTC(), actor, "layer.import", name, []string{summary})
	})
}

// GetLayer returns a copy of a stored layer, or nil when none was
// imported.
func (s *Store) GetLayer(ctx context.Context, name string) ([]byte, error) {
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketLayers).Get([]byte(name)); v != nil {
			out = append([]byte(nil), v...)
		}
		return nil
	})
	return out, err
}
