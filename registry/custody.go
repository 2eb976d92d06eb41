package registry

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// Custody layout: bucket "clip_custody", key clip id 0x00 seq(8) → JSON
// camera.CustodyEntry. seq comes from the bucket's sequence, so it grows
// across all clips and orders one clip's entries by the time they were
// written. Nothing rewrites or deletes an entry, except the purge of the
// whole clip by retention (deleteCustodyTx), which the audit log records.

func custodyPrefix(clipID string) []byte {
	return textPrefix(clipID)
}

// appendCustodyTx appends e to its clip's chain inside tx, stamping its
// sequence number and time. The caller has checked that the clip exists.
func appendCustodyTx(tx *bolt.Tx, e *camera.CustodyEntry) error {
	b := tx.Bucket(bucketCustody)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	e.Seq = seq
	v, err := json.Marshal(e)
	if err != nil {
		return err
	}
	k := binary.BigEndian.AppendUint64(custodyPrefix(e.ClipID), seq)
	return b.Put(k, v)
}

// AppendCustody records that someone did something with a clip (a
// download, an export, a verification). The store sets Seq and At; the
// clip must exist (ENOTFOUND).
func (s *Store) AppendCustody(ctx context.Context, e camera.CustodyEntry) (camera.CustodyEntry, error) {
	if err := ctx.Err(); err != nil {
		return e, err
	}
	if err := e.Validate(); err != nil {
		return e, err
	}
	err := s.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketClips).Get([]byte(e.ClipID)) == nil {
			return notFound("clip", e.ClipID)
		}
		e.At = s.now().UTC()
		return appendCustodyTx(tx, &e)
	})
	return e, err
}

// ListCustody returns up to limit entries of a clip's chain of custody,
// oldest first, after the sequence number after (0 = from the first).
// next is the sequence to pass as after for the following page, 0 on the
// last page. ENOTFOUND when the clip does not exist.
func (s *Store) ListCustody(ctx context.Context, clipID string, after uint64, limit int) (items []camera.CustodyEntry, next uint64, err error) {
	if limit <= 0 {
		limit = DefaultListLimit
	}
	limit = min(limit, MaxListLimit)
	err = s.view(func(tx *bolt.Tx) error {
		clips, b := tx.Bucket(bucketClips), tx.Bucket(bucketCustody)
		if clips == nil || clips.Get([]byte(clipID)) == nil {
			return notFound("clip", clipID)
		}
		prefix := custodyPrefix(clipID)
		c := b.Cursor()
		k, v := c.Seek(binary.BigEndian.AppendUint64(append([]byte{}, prefix...), after+1))
		for ; k != nil && len(k) == len(prefix)+8 && string(k[:len(prefix)]) == string(prefix); k, v = c.Next() {
			if len(items) == limit {
				next = items[len(items)-1].Seq
				return nil
			}
			var e camera.CustodyEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("custody entry of clip %s: %w", clipID, err)
			}
			items = append(items, e)
		}
		return ctx.Err()
	})
	return items, next, err
}

// deleteCustodyTx removes a clip's whole chain: for the retention purge of
// the clip only.
func deleteCustodyTx(tx *bolt.Tx, clipID string) (int, error) {
	b := tx.Bucket(bucketCustody)
	prefix := custodyPrefix(clipID)
	c := b.Cursor()
	n := 0
	for k, _ := c.Seek(prefix); k != nil && len(k) == len(prefix)+8 && string(k[:len(prefix)]) == string(prefix); k, _ = c.Seek(prefix) {
		if err := b.Delete(k); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
