package registry

import (
	"bytes"
	"context"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// CameraCosts returns the cost_vnd of every active camera that has one
// (more than 0) and whose commune keep accepts (nil: every commune), in
// no particular order: what a new camera is estimated to cost from (the
// median, GET /coverage/suggest). It reads the camera facts
// (camera_facts.go), not the camera records; keep is called once per
// distinct commune spelling.
func (s *Store) CameraCosts(ctx context.Context, keep func(commune string) bool) ([]int64, error) {
	var costs []int64
	active := []byte(camera.StatusActive)
	decided := map[string]bool{}
	err := s.view(func(tx *bolt.Tx) error {
		return eachCameraFacts(ctx, tx, func(_ []byte, f *cameraFacts) error {
			if f.cost <= 0 || !bytes.Equal(f.status, active) {
				return nil
			}
			if keep != nil {
				ok, seen := decided[string(f.commune)]
				if !seen {
					ok = keep(string(f.commune))
					decided[string(f.commune)] = ok
				}
				if !ok {
					return nil
				}
			}
			costs = append(costs, f.cost)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return costs, nil
}
