package registry

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry/record"
)

// Health history layout.
//
//   - bucket "health": camera id → JSON camera.Health, the current health
//     of each camera (confirmed state, since, last probe).
//   - bucket "health_transitions": camera id + 0x00 + 8-byte big-endian
//     time → JSON {from, to, reason}. Ids cannot contain 0x00 (they are
//     printable, see camera.ValidateID), so the prefix id+0x00 selects
//     exactly one camera's transitions, in time order: a time-range scan
//     is one Seek and a walk over the records it returns, whatever the
//     number of cameras or the length of the history.
//
// The time in a key is Unix nanoseconds with the sign bit flipped, so that
// byte order is time order for every time.Time a probe can produce (even
// before 1970, which only hand-built tests do).
//
// Durability: RecordHealth commits (and fsyncs) one transaction per call;
// it is meant to be called with batches (the poller flushes about once a
// second, and at once when a state change is confirmed). See package
// ingest for what a crash may lose.

// transitionValue is the stored part of a transition; the camera id and
// the time are in the key.
type transitionValue struct {
	From   camera.HealthState `json:"from"`
	To     camera.HealthState `json:"to"`
	Reason string             `json:"reason,omitempty"`
}

// transitionPrefix is the key prefix of every transition of one camera.
func transitionPrefix(id string) []byte {
	k := make([]byte, 0, len(id)+1+8)
	k = append(k, id...)
	return append(k, 0)
}

// transitionKey is the key of the transition of camera id at time at.
func transitionKey(id string, at time.Time) []byte {
	return binary.BigEndian.AppendUint64(transitionPrefix(id), uint64(at.UnixNano())^(1<<63))
}

// transitionTime decodes the time of a transition key (the last 8 bytes).
func transitionTime(k []byte) time.Time {
	n := binary.BigEndian.Uint64(k[len(k)-8:]) ^ (1 << 63)
	return time.Unix(0, int64(n)).UTC()
}

func decodeTransition(id string, k, v []byte) (camera.Transition, error) {
	var tv transitionValue
	if err := json.Unmarshal(v, &tv); err != nil {
		return camera.Transition{}, fmt.Errorf("decode transition of camera %q: %w", id, err)
	}
	return camera.Transition{CameraID: id, At: transitionTime(k), From: tv.From, To: tv.To, Reason: tv.Reason}, nil
}

func decodeHealth(v []byte) (camera.Health, error) {
	var h camera.Health
	if err := json.Unmarshal(v, &h); err != nil {
		return h, fmt.Errorf("decode health record: %w", err)
	}
	return h, nil
}

// RecordHealth stores, in one transaction, the current health of some
// cameras and some confirmed transitions. Records of cameras that are no
// longer in the registry are skipped, so that a probe result arriving
// after the camera was deleted does not bring back its health. Two
// transitions of one camera at the same nanosecond are both kept (the later
// one is stored a nanosecond later).
func (s *Store) RecordHealth(ctx context.Context, current []camera.Health, transitions []camera.Transition) error {
	if len(current) == 0 && len(transitions) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		cams := tx.Bucket(bucketCameras)
		hb := tx.Bucket(bucketHealth)
		tb := tx.Bucket(bucketTransitions)
		for _, t := range transitions {
			if cams.Get([]byte(t.CameraID)) == nil {
				continue
			}
			v, err := json.Marshal(transitionValue{From: t.From, To: t.To, Reason: t.Reason})
			if err != nil {
				return err
			}
			at := t.At
			k := transitionKey(t.CameraID, at)
			for tb.Get(k) != nil {
				at = at.Add(time.Nanosecond)
				k = transitionKey(t.CameraID, at)
			}
			if err := tb.Put(k, v); err != nil {
				return err
			}
		}
		for i := range current {
			h := &current[i]
			if cams.Get([]byte(h.CameraID)) == nil {
				continue
			}
			v, err := json.Marshal(h)
			if err != nil {
				return err
			}
			if err := hb.Put([]byte(h.CameraID), v); err != nil {
				return err
			}
		}
		return nil
	})
}

// CurrentHealth returns the current health of a camera: state unknown when
// it was never probed, ENOTFOUND when there is no such camera.
func (s *Store) CurrentHealth(ctx context.Context, id string) (camera.Health, error) {
	if err := ctx.Err(); err != nil {
		return camera.Health{}, err
	}
	var h camera.Health
	err := s.view(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketCameras).Get([]byte(id)) == nil {
			return notFound("camera", id)
		}
		var err error
		h, err = healthIn(tx, id)
		return err
	})
	return h, err
}

// healthIn reads one camera's health inside tx: unknown when absent.
func healthIn(tx *bolt.Tx, id string) (camera.Health, error) {
	b := tx.Bucket(bucketHealth)
	if b == nil { // a read-only open of a file written before health existed
		return camera.UnknownHealth(id), nil
	}
	v := b.Get([]byte(id))
	if v == nil {
		return camera.UnknownHealth(id), nil
	}
	return decodeHealth(v)
}

// ForEachHealth calls fn with every stored health record, in camera id
// order, from one snapshot (the poller's initial load). Cameras never
// probed have no record.
func (s *Store) ForEachHealth(ctx context.Context, fn func(camera.Health) error) error {
	return s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketHealth)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		i := 0
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if i++; i%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			h, err := decodeHealth(v)
			if err != nil {
				return fmt.Errorf("camera %q: %w", k, err)
			}
			if err := fn(h); err != nil {
				return err
			}
		}
		return nil
	})
}

// HealthItem is one row of ListHealth: a camera's current health with the
// camera fields a health list is filtered and shown by.
type HealthItem struct {
	camera.Health
	Name    string        `json:"name"`
	Commune string        `json:"commune"`
	Status  camera.Status `json:"status"`
}

// ListHealth returns up to limit cameras' health, in camera id order,
// after the id `after` ("" = from the start), that match keep (nil keeps
// all). Every camera is listed, probed or not (never probed = unknown).
// next is the id to pass as after for the following page, "" on the last
// page. It backs GET /api/v1/health?commune=&state=.
func (s *Store) ListHealth(ctx context.Context, after string, limit int, keep func(*HealthItem) bool) (items []HealthItem, next string, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		items, next, err = pageCameras(ctx, tx, after, limit, func(cam *camera.Camera) (HealthItem, error) {
			h, err := healthIn(tx, cam.ID)
			return HealthItem{Health: h, Name: cam.Name, Commune: cam.Commune, Status: cam.Status}, err
		}, keep)
		return err
	})
	return items, next, err
}

// DeleteHealth removes a camera's current health and its whole history
// (for a camera deleted from the registry; a retired one keeps both).
func (s *Store) DeleteHealth(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error { return deleteHealthTx(tx, id) })
}

// deleteHealthTx removes a camera's health inside the caller's write
// transaction, so that DeleteCamera can drop the camera and its history
// together.
func deleteHealthTx(tx *bolt.Tx, id string) error {
	if err := tx.Bucket(bucketHealth).Delete([]byte(id)); err != nil {
		return err
	}
	c := tx.Bucket(bucketTransitions).Cursor()
	prefix := transitionPrefix(id)
	// Deleting through the cursor moves it to the next key.
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}

// CommuneHealth counts the active cameras of one commune by current state.
type CommuneHealth struct {
	Commune string `json:"commune"`
	Cameras int    `json:"cameras"`
	// States has every health state as a key, zeros included.
	States map[camera.HealthState]int `json:"states"`
}

// HealthSummary counts the active cameras of each commune by current
// health state (never probed = unknown), sorted by commune. Retired
// cameras are left out. It reads the cameras and their health from one
// snapshot; it decodes every camera, so it is a report, not something to
// call per request on a large network (the poller's matthan_cameras gauge
// is the live view).
func (s *Store) HealthSummary(ctx context.Context) ([]CommuneHealth, error) {
	by := map[string]*CommuneHealth{}
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketCameras).Cursor()
		i := 0
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if i++; i%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			cam, err := record.DecodeCamera(v)
			if err != nil {
				return fmt.Errorf("camera %q: %w", k, err)
			}
			if !cam.Active() {
				continue
			}
			h, err := healthIn(tx, cam.ID)
			if err != nil {
				return fmt.Errorf("camera %q: %w", k, err)
			}
			ch := by[cam.Commune]
			if ch == nil {
				ch = &CommuneHealth{Commune: cam.Commune, States: map[camera.HealthState]int{}}
				for _, st := range camera.HealthStates {
					ch.States[st] = 0
				}
				by[cam.Commune] = ch
			}
			ch.Cameras++
			ch.States[h.State]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]CommuneHealth, 0, len(by))
	for _, ch := range by {
		out = append(out, *ch)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Commune < out[j].Commune })
	return out, nil
}
