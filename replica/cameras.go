package replica

import (
	"cmp"
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
// in parts in single-node mode too. The parts are appended one after the
// other while the node applies them, and their outcomes collected in
// order; a part that fails is reported with the counts of the others
// (in single-node mode the parts after a failed one are not tried; here
// they may be in the log already, and take effect). The cameras get their
// stored values (kept credentials, status and notes, times), as from the
// registry.
func (s *Store) Import(ctx context.Context, cams []*camera.Camera, opts registry.ImportOptions, actor camera.Actor) (registry.ImportResult, error) {
	var res registry.ImportResult
	rows := make([][]byte, len(cams))
	for i, c := range cams {
		var err error
		if rows[i], err = registry.EncodeCameraRecord(c); err != nil {
			return res, err
		}
	}
	type part struct {
		start int
		p     appended
	}
	var parts []part
	var first error
	for start := 0; start < len(cams); {
		end, payload, err := s.importPart(rows, start, opts, actor)
		if err != nil {
			first = err
			break
		}
		p, err := s.appendPayload(ctx, registry.KindCameraImport, payload)
		if err != nil {
			first = err
			break
		}
		parts = append(parts, part{start, p})
		start = end
	}
	for _, pt := range parts {
		out, err := s.outcome(ctx, pt.p)
		if err == nil {
			err = out.Err
		}
		if err != nil {
			first = cmp.Or(first, err)
			continue
		}
		v := out.Value.(registry.ImportOutcome)
		for i, c := range v.Cameras {
			*cams[pt.start+i] = *c
		}
		res.Created += v.Result.Created
		res.Updated += v.Result.Updated
		res.Unchanged += v.Result.Unchanged
	}
	return res, first
}

// partFactor is how many times MaxCommandBytes of rows, uncompressed, a
// part of an import starts with: camera records shrink four to six times
// gzipped. A part whose payload is still too large is halved.
const partFactor = 4

// importPart returns the end of the rows from start that make the next
// command and its payload: all the rest when they fit one, else as many
// as fit (with Atomic, ETOOLARGE).
func (s *Store) importPart(rows [][]byte, start int, opts registry.ImportOptions, actor camera.Actor) (int, []byte, error) {
	limit := s.opts.MaxCommandBytes
	end, size := start, 0
	for end < len(rows) && (opts.Atomic || end == start || size+len(rows[end]) <= partFactor*limit) {
		size += len(rows[end]) + 1
		end++
	}
	for {
		payload, err := registry.CameraImportPayload(rows[start:end], opts, actor)
		if err != nil {
			return 0, nil, err
		}
		if len(payload) <= limit {
			return end, payload, nil
		}
		if opts.Atomic {
			return 0, nil, camera.Errorf(camera.ETOOLARGE, "atomic", "an atomic import of %d cameras is too large for one command of the cluster's log (%d bytes, %d at most): import without atomic, or in smaller files", len(rows), len(payload), limit)
		}
		if end-start == 1 {
			return 0, nil, camera.Errorf(camera.ETOOLARGE, "", "camera row %d alone is larger than one command of the cluster's log (%d bytes)", start+1, limit)
		}
		end = start + (end-start)/2
	}
}
