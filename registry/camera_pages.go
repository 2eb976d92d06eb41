package registry

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry/record"
)

// pageCameras walks the cameras in id order, starting after the id
// after, turns each into an item with conv and keeps those keep accepts
// (nil keeps all), until it holds limit items. next is the id of the last
// item when a further item would have been kept: the cursor of the next
// page. ListCameras and ListHealth are pages of it.
func pageCameras[T any](ctx context.Context, tx *bolt.Tx, after string, limit int, conv func(cam *camera.Camera) (T, error), keep func(*T) bool) (items []T, next string, err error) {
	cur := tx.Bucket(bucketCameras).Cursor()
	var k, v []byte
	if after == "" {
		k, v = cur.First()
	} else {
		k, v = cur.Seek([]byte(after))
		if k != nil && bytes.Equal(k, []byte(after)) {
			k, v = cur.Next()
		}
	}
	var last string
	for i := 0; k != nil; k, v = cur.Next() {
		if i++; i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, "", err
			}
		}
		cam, err := record.DecodeCamera(v)
		if err != nil {
			return nil, "", fmt.Errorf("camera %q: %w", k, err)
		}
		it, err := conv(cam)
		if err != nil {
			return nil, "", fmt.Errorf("camera %q: %w", k, err)
		}
		if keep != nil && !keep(&it) {
			continue
		}
		if len(items) == limit {
			return items, last, nil
		}
		items, last = append(items, it), cam.ID
	}
	return items, "", nil
}
