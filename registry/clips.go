package registry

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// Clip layout: bucket "clips", clip id (SHA-256 hex) → JSON camera.Clip.
// The incident record lists its clip ids and the clip lists its
// incidents (IncidentIDs): that list is the reference count that keeps a
// file shared by two incidents until both are purged. The meta bucket
// holds the number of clips and their total bytes (keyClipTotals), kept in
// the transactions that add or remove a clip, for the clip bytes gauge.

var keyClipTotals = []byte("clip_totals")

func decodeClip(v []byte) (*camera.Clip, error) {
	c := &camera.Clip{}
	if err := json.Unmarshal(v, c); err != nil {
		return nil, fmt.Errorf("decode clip record: %w", err)
	}
	return c, nil
}

func putClip(b *bolt.Bucket, c *camera.Clip) error {
	v, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return b.Put([]byte(c.ID), v)
}

// addClipTotals adds to the stored clip count and bytes.
func addClipTotals(tx *bolt.Tx, clips int64, bytes int64) error {
	meta := tx.Bucket(bucketMeta)
	n, sum := readClipTotals(meta.Get(keyClipTotals))
	v := binary.BigEndian.AppendUint64(nil, uint64(n+clips))
	v = binary.BigEndian.AppendUint64(v, uint64(sum+bytes))
	return meta.Put(keyClipTotals, v)
}

func readClipTotals(v []byte) (clips, bytes int64) {
	if len(v) != 16 {
		return 0, 0
	}
	return int64(binary.BigEndian.Uint64(v)), int64(binary.BigEndian.Uint64(v[8:]))
}

// AttachClip records a stored file as evidence of an incident, in one
// transaction with the incident's clip list, a custody "create" entry and
// an audit entry. clip carries what the ingestion learnt (id = SHA-256,
// bytes, inspection, source, file name); the store sets IncidentID,
// IncidentIDs, CreatedBy and CreatedAt of a new clip.
//
// A clip already stored (the same bytes, uploaded again or attached to a
// second incident) is not duplicated: the incident is added to its
// IncidentIDs, and its custody records the new attachment. Attaching a
// clip to an incident that already has it changes nothing and returns
// attached false. The incident must exist (ENOTFOUND).
func (s *Store) AttachClip(ctx context.Context, incidentID string, clip *camera.Clip, actor camera.Actor) (stored *camera.Clip, attached bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	if err := clip.Validate(); err != nil {
		return nil, false, err
	}
	err = s.update(func(tx *bolt.Tx) error {
		ib := tx.Bucket(bucketIncidents)
		v := ib.Get([]byte(incidentID))
		if v == nil {
			return notFound("incident", incidentID)
		}
		in, err := decodeIncident(v)
		if err != nil {
			return err
		}
		cb := tx.Bucket(bucketClips)
		now := s.now().UTC()
		reason := "stored as evidence of incident " + incidentID
		if old := cb.Get([]byte(clip.ID)); old != nil {
			stored, err = decodeClip(old)
			if err != nil {
				return err
			}
			if slices.Contains(stored.IncidentIDs, incidentID) {
				return nil
			}
			stored.IncidentIDs = append(stored.IncidentIDs, incidentID)
			reason = "attached to incident " + incidentID + " as well"
		} else {
			stored = clip.Clone()
			stored.IncidentID = incidentID
			stored.IncidentIDs = []string{incidentID}
			stored.CreatedBy, stored.CreatedAt = actor, now
			if err := addClipTotals(tx, 1, stored.Bytes); err != nil {
				return err
			}
		}
		if !slices.Contains(in.Clips, clip.ID) {
			if len(in.Clips) >= camera.MaxClipsPerIncident {
				return camera.Errorf(camera.EINVALID, "clips", "incident %q has %d clips, the most it may have", incidentID, len(in.Clips))
			}
			in.Clips = append(in.Clips, clip.ID)
			in.UpdatedAt = now
			if err := putIncident(ib, in); err != nil {
				return err
			}
		}
		if err := putClip(cb, stored); err != nil {
			return err
		}
		attached = true
		if err := appendCustodyTx(tx, &camera.CustodyEntry{ClipID: clip.ID, At: now, Actor: actor, Action: camera.CustodyCreate, Reason: reason}); err != nil {
			return err
		}
		return appendAudit(tx, now, actor, "clip.attach", clip.ID, []string{"incident " + incidentID})
	})
	if err != nil {
		return nil, false, err
	}
	return stored, attached, nil
}

// GetClip returns the clip with the given id, or ENOTFOUND.
func (s *Store) GetClip(ctx context.Context, id string) (*camera.Clip, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var c *camera.Clip
	err := s.view(func(tx *bolt.Tx) error {
		var v []byte
		if b := tx.Bucket(bucketClips); b != nil {
			v = b.Get([]byte(id))
		}
		if v == nil {
			return notFound("clip", id)
		}
		var err error
		c, err = decodeClip(v)
		return err
	})
	return c, err
}

// IncidentClips returns the clips of an incident, in the order they were
// attached, or ENOTFOUND for an unknown incident.
func (s *Store) IncidentClips(ctx context.Context, incidentID string) ([]*camera.Clip, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*camera.Clip
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketIncidents).Get([]byte(incidentID))
		if v == nil {
			return notFound("incident", incidentID)
		}
		in, err := decodeIncident(v)
		if err != nil {
			return err
		}
		cb := tx.Bucket(bucketClips)
		for _, id := range in.Clips {
			cv := cb.Get([]byte(id))
			if cv == nil {
				continue
			}
			c, err := decodeClip(cv)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// ListClips returns up to limit clips in id order after the id after (""
// = from the first), and the id to pass as after for the next page (""
// on the last). It holds no transaction between pages, so a long walk
// over every clip (verification) never keeps a read transaction open
// while it hashes files.
func (s *Store) ListClips(ctx context.Context, after string, limit int) (items []*camera.Clip, next string, err error) {
	if limit <= 0 {
		limit = DefaultListLimit
	}
	err = s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketClips)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		k, v := c.Seek([]byte(after))
		if k != nil && after != "" && bytes.Equal(k, []byte(after)) {
			k, v = c.Next()
		}
		for ; k != nil; k, v = c.Next() {
			if len(items) == limit {
				next = items[len(items)-1].ID
				return nil
			}
			cl, err := decodeClip(v)
			if err != nil {
				return fmt.Errorf("clip %s: %w", k, err)
			}
			items = append(items, cl)
		}
		return ctx.Err()
	})
	return items, next, err
}

// ClipTotals returns the number of stored clips and their total bytes.
func (s *Store) ClipTotals(ctx context.Context) (clips int64, bytes int64, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		clips, bytes = readClipTotals(tx.Bucket(bucketMeta).Get(keyClipTotals))
		return ctx.Err()
	})
	return clips, bytes, err
}

// ClipExists reports whether a clip record with this id exists: the
// check made before a file is deleted.
func (s *Store) ClipExists(ctx context.Context, id string) (bool, error) {
	_, err := s.GetClip(ctx, id)
	if camera.ErrorCode(err) == camera.ENOTFOUND {
		return false, nil
	}
	return err == nil, err
}
