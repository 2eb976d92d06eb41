package registry

import (
	"bytes"
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// tipPurgeBatch is how many tips one PurgeTips transaction removes.
const tipPurgeBatch = 500

// PurgeTips deletes every tip received before cutoff that is not on legal
// hold — its record, its sealed informant and its index entries — in
// transactions of tipPurgeBatch, each audited (tip.purge, with the ids).
// It returns how many it removed.
func (s *Store) PurgeTips(ctx context.Context, cutoff time.Time, actor camera.Actor) (int, error) {
	purged := 0
	for {
		n := 0
		err := s.update(func(tx *bolt.Tx) error {
			tb := openTipBuckets(tx)
			stop := encTime(cutoff)
			var expired []*camera.Tip
			c := tb.byTime.Cursor()
			for k, v := c.First(); k != nil && len(expired) < tipPurgeBatch; k, v = c.Next() {
				if bytes.Compare(k[:8], stop[:]) >= 0 {
					break
				}
				sum, err := decodeTipSummary(v)
				if err != nil {
					return fmt.Errorf("tip %q: %w", k[8:], err)
				}
				if sum.hold {
					continue
				}
				rec := tb.tips.Get(k[8:])
				if rec == nil {
					continue
				}
				t, err := decodeTip(rec)
				if err != nil {
					return err
				}
				expired = append(expired, t)
			}
			if len(expired) == 0 {
				return nil
			}
			ids := make([]string, len(expired))
			for i, t := range expired {
				if err := tb.remove(t); err != nil {
					return err
				}
				if err := tb.tips.Delete([]byte(t.ID)); err != nil {
					return err
				}
				if err := tb.informants.Delete([]byte(t.ID)); err != nil {
					return err
				}
				ids[i] = t.ID
			}
			n = len(expired)
			return appendAudit(tx, s.now().UTC(), actor, ActionTipPurge, fmt.Sprintf("%d tips received before %s", n, cutoff.UTC().Format(time.RFC3339)), ids)
		})
		purged += n
		if err != nil || n < tipPurgeBatch {
			return purged, err
		}
		if err := ctx.Err(); err != nil {
			return purged, err
		}
	}
}

// RekeyTips replaces every sealed informant with reseal's answer for it,
// in one transaction: all of them or none. reseal opens the record with
// the old chief's key and seals it to the new recipients, in memory (see
// informant.Sealer.Reseal); the store sees only ciphertext, before and
// after. An error from reseal stops the call, naming the tip, and nothing
// is written. The audit entry (tip.rekey) says how many were resealed.
func (s *Store) RekeyTips(ctx context.Context, reseal func(sealed []byte) ([]byte, error), actor camera.Actor) (int, error) {
	n := 0
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTipInformants)
		type rec struct{ id, sealed []byte }
		var out []rec
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(out)%256 == 255 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			sealed, err := reseal(v)
			if err != nil {
				return fmt.Errorf("tip %s: %w", k, err)
			}
			out = append(out, rec{bytes.Clone(k), sealed})
		}
		// Written after the walk: a cursor's bucket is not changed under
		// it.
		for _, r := range out {
			if err := b.Put(r.id, r.sealed); err != nil {
				return err
			}
		}
		n = len(out)
		return appendAudit(tx, s.now().UTC(), actor, ActionTipRekey, fmt.Sprintf("%d informants", n), nil)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
