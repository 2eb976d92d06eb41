package registry

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry/record"
)

// CreateCamera stores a new camera. It fails with ECONFLICT when the id is
// taken. CreatedAt and UpdatedAt are set by the store.
func (s *Store) CreateCamera(ctx context.Context, c *camera.Camera, actor camera.Actor) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCameras)
		if b.Get([]byte(c.ID)) != nil {
			return camera.Errorf(camera.ECONFLICT, "id", "a camera with id %q already exists", c.ID)
		}
		now := s.now().UTC()
		c.CreatedAt, c.UpdatedAt = now, now
		if err := putCamera(tx, c, nil); err != nil {
			return err
		}
		return appendAudit(tx, now, actor, "camera.create", c.ID, nil)
	})
}

// GetCamera returns the camera with the given id, or ENOTFOUND.
func (s *Store) GetCamera(ctx context.Context, id string) (*camera.Camera, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var c *camera.Camera
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketCameras).Get([]byte(id))
		if v == nil {
			return notFound("camera", id)
		}
		var err error
		c, err = record.DecodeCamera(v)
		return err
	})
	return c, err
}

// ReplaceCamera stores c under its id, creating it when absent (PUT). It
// returns whether the camera was created. A replaced camera keeps its
// CreatedAt; its credentials are kept when c carries none and keep is true,
// so that a client that never sees credentials can PUT what it read.
func (s *Store) ReplaceCamera(ctx context.Context, c *camera.Camera, keepCredentials bool, actor camera.Actor) (created bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	err = s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCameras)
		now := s.now().UTC()
		c.UpdatedAt = now
		old := b.Get([]byte(c.ID))
		if old == nil {
			created = true
			c.CreatedAt = now
			if err := putCamera(tx, c, nil); err != nil {
				return err
			}
			return appendAudit(tx, now, actor, "camera.create", c.ID, nil)
		}
		prev, err := record.DecodeCamera(old)
		if err != nil {
			return err
		}
		c.CreatedAt = prev.CreatedAt
		if keepCredentials && c.Credentials.Empty() {
			c.Credentials = prev.Credentials
		}
		if err := putCamera(tx, c, prev); err != nil {
			return err
		}
		return appendAudit(tx, now, actor, "camera.replace", c.ID, camera.Diff(prev, c))
	})
	return created, err
}

// UpdateCamera reads the camera, applies fn to it and stores the result in
// one transaction (PATCH, retire). fn must validate what it changes.
func (s *Store) UpdateCamera(ctx context.Context, id string, action string, actor camera.Actor, fn func(*camera.Camera) error) (*camera.Camera, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out *camera.Camera
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCameras)
		v := b.Get([]byte(id))
		if v == nil {
			return notFound("camera", id)
		}
		prev, err := record.DecodeCamera(v)
		if err != nil {
			return err
		}
		c := prev.Clone()
		if err := fn(c); err != nil {
			return err
		}
		if c.ID != id {
			return camera.Errorf(camera.EINVALID, "id", "cannot be changed (is %q)", id)
		}
		changes := camera.Diff(prev, c)
		if len(changes) == 0 {
			out = prev
			return nil
		}
		now := s.now().UTC()
		c.UpdatedAt = now
		if err := putCamera(tx, c, prev); err != nil {
			return err
		}
		out = c
		return appendAudit(tx, now, actor, action, id, changes)
	})
	return out, err
}

// DeleteCamera removes a camera for good. Retiring (status retired) keeps
// its history; delete is for cameras registered by mistake.
func (s *Store) DeleteCamera(ctx context.Context, id string, actor camera.Actor) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketCameras).Get([]byte(id)) == nil {
			return notFound("camera", id)
		}
		if err := deleteCamera(tx, id); err != nil {
			return err
		}
		if err := deleteHealthTx(tx, id); err != nil {
			return err
		}
		return appendAudit(tx, s.now().UTC(), actor, "camera.delete", id, nil)
	})
}

// CountCameras returns how many cameras are stored.
func (s *Store) CountCameras(ctx context.Context) (int, error) {
	var n int
	err := s.view(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketCameras).Stats().KeyN
		return nil
	})
	return n, err
}

// ForEachCamera calls fn for every camera in id order, from one consistent
// snapshot. It stops at the first error fn returns, or when ctx is done.
func (s *Store) ForEachCamera(ctx context.Context, fn func(*camera.Camera) error) error {
	return s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketCameras).Cursor()
		i := 0
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if i++; i%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			cam, err := record.DecodeCamera(v)
			if err != nil {
				return fmt.Errorf("camera %q: %w", k, err)
			}
			if err := fn(cam); err != nil {
				return err
			}
		}
		return nil
	})
}

// ListCameras returns up to limit cameras, in id order, after the id
// `after` ("" = from the start), that match keep. next is the id to pass as
// `after` for the following page, or "" on the last page.
func (s *Store) ListCameras(ctx context.Context, after string, limit int, keep func(*camera.Camera) bool) (items []*camera.Camera, next string, err error) {
	var keepPtr func(**camera.Camera) bool
	if keep != nil {
		keepPtr = func(c **camera.Camera) bool { return keep(*c) }
	}
	err = s.view(func(tx *bolt.Tx) error {
		items, next, err = pageCameras(ctx, tx, after, limit, func(c *camera.Camera) (*camera.Camera, error) { return c, nil }, keepPtr)
		return err
	})
	return items, next, err
}
