package replica

import (
	"context"
	"errors"
	"fmt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// staleAttempts bounds how often an update reads the camera again when
// another write changed it between the read and the apply.
const staleAttempts = 8

// CreateCamera stores a new camera through the log; ECONFLICT when the id
// is taken, decided at apply. c gets its times as stored.
func (s *Store) CreateCamera(ctx context.Context, c *camera.Camera, actor camera.Actor) error {
	v, err := s.write(ctx, registry.KindCameraCreate, registry.CameraCreate{Camera: registry.CameraRecord{Camera: c}, Actor: actor})
	if err != nil {
		return err
	}
	*c = *v.(*camera.Camera)
	return nil
}

// ReplaceCamera is registry.Store.ReplaceCamera through the log.
func (s *Store) ReplaceCamera(ctx context.Context, c *camera.Camera, keepCredentials bool, actor camera.Actor) (bool, error) {
	v, err := s.write(ctx, registry.KindCameraReplace, registry.CameraReplace{Camera: registry.CameraRecord{Camera: c}, KeepCredentials: keepCredentials, Actor: actor})
	if err != nil {
		return false, err
	}
	r := v.(registry.ReplaceResult)
	*c = *r.Camera
	return r.Created, nil
}

// UpdateCamera is registry.Store.UpdateCamera through the log. fn runs
// here, on the camera as this node has it; the command carries the
// camera as read and as fn left it, and applies only if the camera is
// still as read (registry.ErrStale otherwise, and fn runs again on the
// camera read anew).
func (s *Store) UpdateCamera(ctx context.Context, id, action string, actor camera.Actor, fn func(*camera.Camera) error) (*camera.Camera, error) {
	for range staleAttempts {
		prev, err := s.Store.GetCamera(ctx, id)
		if err != nil {
			return nil, err
		}
		c := prev.Clone()
		if err := fn(c); err != nil {
			return nil, err
		}
		if c.ID != id {
			return nil, camera.Errorf(camera.EINVALID, "id", "cannot be changed (is %q)", id)
		}
		if len(camera.Diff(prev, c)) == 0 {
			return prev, nil
		}
		v, err := s.write(ctx, registry.KindCameraUpdate, registry.CameraUpdate{ID: id, Action: action, Prev: registry.CameraRecord{Camera: prev}, Next: registry.CameraRecord{Camera: c}, Actor: actor})
		if errors.Is(err, registry.ErrStale) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return v.(*camera.Camera), nil
	}
	return nil, fmt.Errorf("update camera %s: changed by other writes %d times in a row: %w", id, staleAttempts, registry.ErrStale)
}

// DeleteCamera is registry.Store.DeleteCamera through the log.
func (s *Store) DeleteCamera(ctx context.Context, id string, actor camera.Actor) error {
	_, err := s.write(ctx, registry.KindCameraDelete, registry.CameraDelete{ID: id, Actor: actor})
	return err
}

// ImportCameras is Import with only the atomic option.
func (s *Store) ImportCameras(ctx context.Context, cams []*camera.Camera, atomic bool, actor camera.Actor) (registry.ImportResult, error) {
	return s.Import(ctx, cams, registry.ImportOptions{Atomic: atomic}, actor)
}

// Import is registry.Store.Import through the log: one command holding
// every row, or, when the rows do not fit one command, consecutive
// commands of as many rows as fit — only without Atomic, which commits
// in parts in single-node mode too. The cameras get their stored values
// (kept credentials, status and notes, times), as from the registry.
func (s *Store) Import(ctx context.Context, cams []*camera.Camera, opts registry.ImportOptions, actor camera.Actor) (registry.ImportResult, error) {
	var res registry.ImportResult
	for start := 0; start < len(cams); {
		end, err := s.importPart(cams, start, opts)
		if err != nil {
			return res, err
		}
		rows := make([]registry.CameraRecord, end-start)
		for i, c := range cams[start:end] {
			rows[i] = registry.CameraRecord{Camera: c}
		}
		v, err := s.write(ctx, registry.KindCameraImport, registry.CameraImport{Cameras: rows, Options: opts, Actor: actor})
		if err != nil {
			return res, err
		}
		out := v.(registry.ImportOutcome)
		for i, c := range out.Cameras {
			*cams[start+i] = *c
		}
		res.Created += out.Result.Created
		res.Updated += out.Result.Updated
		res.Unchanged += out.Result.Unchanged
		start = end
	}
	return res, nil
}

// importPart returns the end of the rows from start that fit one
// command: all the rest when they fit, else as many as fit (not with
// Atomic: ErrTooLarge).
func (s *Store) importPart(cams []*camera.Camera, start int, opts registry.ImportOptions) (int, error) {
	size, limit := 256, s.opts.MaxCommandBytes
	for i := start; i < len(cams); i++ {
		b, err := registry.CameraRecord{Camera: cams[i]}.MarshalJSON()
		if err != nil {
			return 0, err
		}
		size += len(b) + 1
		if size > limit {
			if opts.Atomic {
				return 0, camera.Errorf(camera.ETOOLARGE, "atomic", "an atomic import of %d cameras is too large for one command of the cluster's log (%d bytes at most): import without atomic, or in smaller files", len(cams), limit)
			}
			if i == start {
				return 0, camera.Errorf(camera.ETOOLARGE, "", "camera %q alone is larger than one command of the cluster's log (%d bytes)", cams[i].ID, limit)
			}
			return i, nil
		}
	}
	return len(cams), nil
}
