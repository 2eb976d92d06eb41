package registry

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// ExpiredIncidents returns the ids of up to limit incidents that ended
// before cutoff and are not on legal hold, oldest first: what retention
// purges. It reads the time index only (its entries carry the end time and
// the hold). Windows are at most a day, so no incident starting at or after
// cutoff can have ended before it, which bounds the scan.
func (s *Store) ExpiredIncidents(ctx context.Context, cutoff time.Time, limit int) ([]string, error) {
	var ids []string
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketIncByTime)
		if b == nil {
			return nil
		}
		stop := encTime(cutoff)
		c := b.Cursor()
		for k, v := c.First(); k != nil && len(ids) < limit; k, v = c.Next() {
			if bytes.Compare(k[:8], stop[:]) >= 0 {
				break
			}
			sum, err := decodeSummary(v)
			if err != nil {
				return fmt.Errorf("incident %q: %w", k[8:], err)
			}
			if !sum.hold && sum.end.Before(cutoff) {
				ids = append(ids, string(k[8:]))
			}
		}
		return ctx.Err()
	})
	return ids, err
}

// PurgeResult is what PurgeIncident removed.
type PurgeResult struct {
	// Purged is false when the incident was kept: it is on hold, or did
	// not end before the cutoff (it changed since it was listed).
	Purged bool
	// Clips are the clip ids the incident had.
	Clips []string
	// Orphans are the clips no other incident references: their
	// records and custody are gone, and their files may be deleted.
	Orphans []string
	// OrphanBytes is the size of the orphans' files.
	OrphanBytes int64
}

// PurgeIncident deletes an incident that ended before cutoff and is not on
// legal hold, with its index entries, in one transaction. Its clips lose
// this incident from their references; a clip left with none is deleted
// with its whole custody chain, and returned in Orphans so that the caller
// deletes its file. The purge of the incident and of each clip is audited
// ("incident.purge", "clip.purge"). An incident that no longer qualifies
// is left alone (Purged false); ENOTFOUND when it does not exist.
func (s *Store) PurgeIncident(ctx context.Context, id string, cutoff time.Time, actor camera.Actor) (PurgeResult, error) {
	var res PurgeResult
	if err := ctx.Err(); err != nil {
		return res, err
	}
	err := s.update(func(tx *bolt.Tx) error {
		ib := tx.Bucket(bucketIncidents)
		v := ib.Get([]byte(id))
		if v == nil {
			return notFound("incident", id)
		}
		in, err := decodeIncident(v)
		if err != nil {
			return err
		}
		if in.Hold || !in.End.Before(cutoff) {
			return nil
		}
		if err := openIndexes(tx).remove(in); err != nil {
			return err
		}
		if err := ib.Delete([]byte(id)); err != nil {
			return err
		}
		now := s.now().UTC()
		cb := tx.Bucket(bucketClips)
		for _, cid := range in.Clips {
			cv := cb.Get([]byte(cid))
			if cv == nil {
				continue
			}
			clip, err := decodeClip(cv)
			if err != nil {
				return err
			}
			clip.IncidentIDs = slices.DeleteFunc(clip.IncidentIDs, func(x string) bool { return x == id })
			if len(clip.IncidentIDs) > 0 {
				if clip.IncidentID == id {
					clip.IncidentID = clip.IncidentIDs[0]
				}
				if err := putClip(cb, clip); err != nil {
					return err
				}
				continue
			}
			if err := cb.Delete([]byte(cid)); err != nil {
				return err
			}
			n, err := deleteCustodyTx(tx, cid)
			if err != nil {
				return err
			}
			if err := addClipTotals(tx, -1, -clip.Bytes); err != nil {
				return err
			}
			res.Orphans = append(res.Orphans, cid)
			res.OrphanBytes += clip.Bytes
			if err := appendAudit(tx, now, actor, "clip.purge", cid, []string{fmt.Sprintf("%d custody entries", n)}); err != nil {
				return err
			}
		}
		res.Purged, res.Clips = true, in.Clips
		return appendAudit(tx, now, actor, "incident.purge", id, nil)
	})
	if err != nil {
		return PurgeResult{}, err
	}
	return res, nil
}
