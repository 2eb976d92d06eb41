package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// Tip layout.
//
//   - "tips": id → JSON camera.Tip. It never holds an informant's details,
//     sealed or not.
//   - "tip_informants": id → the sealed informant (a binary age file,
//     encrypted by the caller to the police chiefs' public keys before
//     the store sees it). The store cannot open it; it hands it out only
//     through TipInformant, which audits the access first.
//   - "tips_by_time": received(8) id → summary (see tipSummary): what the
//     lists filter on and the counts count, so that neither decodes a
//     record.
//   - "tips_by_incident": incident id 0x00 tip id → empty: the tips that
//     led to an incident.
//
// Every entry is written and removed in the transaction that writes or
// removes the tip. Every read of a tip (GetTip, ListTips, TipInformant)
// writes an audit entry in a write transaction of its own, before the
// tip is returned: who read which tips is kept as a change is.
var (
	bucketTips, bucketTipInformants, bucketTipsByTime, bucketTipsByIncident = []byte("tips"), []byte("tip_informants"), []byte("tips_by_time"), []byte("tips_by_incident")
)

// Audit actions of tips. None of their entries carries an informant's
// details: the informant's action records the reason given, and the tip.
const (
	ActionTipCreate    = "tip.create"
	ActionTipUpdate    = "tip.update"
	ActionTipRead      = "tip.read"
	ActionTipList      = "tip.list"
	ActionTipInformant = "tip.informant"
	ActionTipPurge     = "tip.purge"
	ActionTipRekey     = "tip.rekey"
	ActionTipImport    = "tip.import"
)

func decodeTip(v []byte) (*camera.Tip, error) {
	t := &camera.Tip{}
	if err := json.Unmarshal(v, t); err != nil {
		return nil, fmt.Errorf("decode tip record: %w", err)
	}
	if t.IncidentIDs == nil {
		t.IncidentIDs = []string{}
	}
	return t, nil
}

// tipBuckets are the tip buckets of one transaction.
type tipBuckets struct {
	tips, informants, byTime, byIncident *bolt.Bucket
}

func openTipBuckets(tx *bolt.Tx) tipBuckets {
	return tipBuckets{
		tips:       tx.Bucket(bucketTips),
		informants: tx.Bucket(bucketTipInformants),
		byTime:     tx.Bucket(bucketTipsByTime),
		byIncident: tx.Bucket(bucketTipsByIncident),
	}
}

// put writes the tip's record and index entries.
func (tb tipBuckets) put(t *camera.Tip) error {
	v, err := json.Marshal(t)
	if err != nil {
		return err
	}
	if err := tb.tips.Put([]byte(t.ID), v); err != nil {
		return err
	}
	if err := tb.byTime.Put(entryKey(nil, t.ReceivedAt, t.ID), tipSummaryOf(t).encode()); err != nil {
		return err
	}
	for _, inc := range t.IncidentIDs {
		if err := tb.byIncident.Put(tipIncidentKey(inc, t.ID), nil); err != nil {
			return err
		}
	}
	return nil
}

// remove deletes the tip's index entries, as stored (not its record).
func (tb tipBuckets) remove(t *camera.Tip) error {
	if err := tb.byTime.Delete(entryKey(nil, t.ReceivedAt, t.ID)); err != nil {
		return err
	}
	for _, inc := range t.IncidentIDs {
		if err := tb.byIncident.Delete(tipIncidentKey(inc, t.ID)); err != nil {
			return err
		}
	}
	return nil
}

func tipIncidentKey(incident, tip string) []byte {
	return append(textPrefix(incident), tip...)
}

// checkIncidents returns EINVALID naming incident_ids when a linked
// incident does not exist. Links kept from before (known) are not
// checked again: an incident purged by retention since does not stop a
// tip from being edited.
func checkTipIncidents(tx *bolt.Tx, ids []string, known []string) error {
	b := tx.Bucket(bucketIncidents)
	for _, id := range ids {
		if containsString(known, id) {
			continue
		}
		if b.Get([]byte(id)) == nil {
			return camera.Errorf(camera.EINVALID, "incident_ids", "no incident with id %q", id)
		}
	}
	return nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// CreateTip stores a new tip and, when sealed is not nil, its sealed
// informant: an age file the caller encrypted before calling, which the
// store keeps as given and never reads. An empty ID is generated
// ("TIP-20261207-000042"); a given one must be free (ECONFLICT). Linked
// incidents must exist. CreatedBy, CreatedAt, UpdatedAt and Informant are
// set by the store. The audit entry names the tip, never the informant.
func (s *Store) CreateTip(ctx context.Context, t *camera.Tip, sealed []byte, actor camera.Actor) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t.Normalize()
	if err := t.Validate(); err != nil {
		return err
	}
	if sealed != nil && len(sealed) == 0 {
		return camera.Errorf(camera.EINVALID, "informant", "the sealed informant is empty")
	}
	saved := *t
	err := s.update(func(tx *bolt.Tx) error {
		tb := openTipBuckets(tx)
		if err := checkTipIncidents(tx, t.IncidentIDs, nil); err != nil {
			return err
		}
		now := s.now().UTC()
		if t.ID == "" {
			for {
				seq, err := tb.tips.NextSequence()
				if err != nil {
					return err
				}
				t.ID = camera.FormatTipID(now, seq)
				if tb.tips.Get([]byte(t.ID)) == nil {
					break
				}
			}
		} else if tb.tips.Get([]byte(t.ID)) != nil {
			return camera.Errorf(camera.ECONFLICT, "id", "a tip with id %q already exists", t.ID)
		}
		t.CreatedBy, t.CreatedAt, t.UpdatedAt = actor, now, now
		t.Informant = sealed != nil
		if err := tb.put(t); err != nil {
			return err
		}
		if sealed != nil {
			if err := tb.informants.Put([]byte(t.ID), sealed); err != nil {
				return err
			}
		}
		return appendAudit(tx, now, actor, ActionTipCreate, t.ID, nil)
	})
	if err != nil {
		*t = saved
	}
	return err
}

// GetTip returns the tip with the given id, or ENOTFOUND, after auditing
// the read (tip.read) as actor.
func (s *Store) GetTip(ctx context.Context, id string, actor camera.Actor) (*camera.Tip, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var t *camera.Tip
	err := s.update(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketTips).Get([]byte(id))
		if v == nil {
			return notFound("tip", id)
		}
		var err error
		if t, err = decodeTip(v); err != nil {
			return err
		}
		return appendAudit(tx, s.now().UTC(), actor, ActionTipRead, id, nil)
	})
	return t, err
}

// TipInformant returns the sealed informant of a tip, to be opened where a
// police chief's private key is. reason (required, at most
// camera.MaxTipAccessReason characters) is written to the audit log with
// actor and the tip in the same transaction that reads the record, which
// commits before the record is returned: there is no way to the
// ciphertext that leaves no trace. ENOTFOUND when the tip does not exist
// or has no informant.
func (s *Store) TipInformant(ctx context.Context, id string, actor camera.Actor, reason string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := camera.ValidateAccessReason(reason); err != nil {
		return nil, err
	}
	var sealed []byte
	err := s.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketTips).Get([]byte(id)) == nil {
			return notFound("tip", id)
		}
		v := tx.Bucket(bucketTipInformants).Get([]byte(id))
		if v == nil {
			return camera.Errorf(camera.ENOTFOUND, "id", "tip %q has no informant (it was anonymous)", id)
		}
		sealed = bytes.Clone(v)
		return appendAudit(tx, s.now().UTC(), actor, ActionTipInformant, id, []string{"reason: " + reason})
	})
	if err != nil {
		return nil, err
	}
	return sealed, nil
}

// UpdateTip reads the tip, applies fn to a copy and stores the result
// with its index entries in one transaction: the outcome decided, the
// people counted, incidents linked, a legal hold set or lifted. The id,
// the creator, the creation time and the informant are kept whatever fn
// does. New incident links must exist. The audit entry lists the fields
// that changed.
func (s *Store) UpdateTip(ctx context.Context, id string, actor camera.Actor, fn func(*camera.Tip) error) (*camera.Tip, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out *camera.Tip
	err := s.update(func(tx *bolt.Tx) error {
		tb := openTipBuckets(tx)
		v := tb.tips.Get([]byte(id))
		if v == nil {
			return notFound("tip", id)
		}
		prev, err := decodeTip(v)
		if err != nil {
			return err
		}
		t := prev.Clone()
		if err := fn(t); err != nil {
			return err
		}
		if t.ID != id {
			return camera.Errorf(camera.EINVALID, "id", "cannot be changed (is %q)", id)
		}
		t.CreatedBy, t.CreatedAt, t.Informant = prev.CreatedBy, prev.CreatedAt, prev.Informant
		t.Normalize()
		if err := t.Validate(); err != nil {
			return err
		}
		if err := checkTipIncidents(tx, t.IncidentIDs, prev.IncidentIDs); err != nil {
			return err
		}
		changes := diffTip(prev, t)
		if len(changes) == 0 {
			out = prev
			return nil
		}
		if err := tb.remove(prev); err != nil {
			return err
		}
		now := s.now().UTC()
		t.UpdatedAt = now
		if err := tb.put(t); err != nil {
			return err
		}
		out = t
		return appendAudit(tx, now, actor, ActionTipUpdate, id, changes)
	})
	return out, err
}

// diffTip returns the JSON names of the user fields that differ.
func diffTip(a, b *camera.Tip) []string {
	var out []string
	add := func(name string, differ bool) {
		if differ {
			out = append(out, name)
		}
	}
	add("received_at", !a.ReceivedAt.Equal(b.ReceivedAt))
	add("channel", a.Channel != b.Channel)
	add("lat", !sameCoord(a.Lat, b.Lat))
	add("lon", !sameCoord(a.Lon, b.Lon))
	add("commune", a.Commune != b.Commune)
	add("place", a.Place != b.Place)
	add("category", a.Category != b.Category)
	add("summary", a.Summary != b.Summary)
	add("outcome", a.Outcome != b.Outcome)
	add("people", a.People != b.People)
	add("incident_ids", strings.Join(a.IncidentIDs, "\x00") != strings.Join(b.IncidentIDs, "\x00"))
	add("hold", a.Hold != b.Hold)
	return out
}

// CountTips returns how many tips are stored.
func (s *Store) CountTips(ctx context.Context) (int, error) {
	var n int
	err := s.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketTips); b != nil { // nil in a read-only file of schema 5
			n = b.Stats().KeyN
		}
		return ctx.Err()
	})
	return n, err
}

// CreateTips stores many tips (an import of a hotline's old register, a
// benchmark's hundred thousand) in transactions of BulkChunk, with
// sealed[i] the sealed informant of tips[i] (nil for none; sealed may be
// nil for all anonymous). All are validated first; an invalid one fails
// the call with its index in the field ("tips[12].channel"), nothing
// written. A conflict or a missing incident found while writing stops the
// call: the chunks before it are stored, and created says how many tips
// that is. One audit entry (tip.import) is written per chunk.
func (s *Store) CreateTips(ctx context.Context, tips []*camera.Tip, sealed [][]byte, actor camera.Actor) (created int, err error) {
	if sealed != nil && len(sealed) != len(tips) {
		return 0, fmt.Errorf("create tips: %d sealed informants for %d tips", len(sealed), len(tips))
	}
	for i, t := range tips {
		t.Normalize()
		if err := t.Validate(); err != nil {
			return 0, tipItemError(i, err)
		}
	}
	for off := 0; off < len(tips); off += BulkChunk {
		if err := ctx.Err(); err != nil {
			return created, err
		}
		end := min(len(tips), off+BulkChunk)
		err := s.update(func(tx *bolt.Tx) error {
			tb := openTipBuckets(tx)
			tb.byTime.FillPercent = 0.9
			now := s.now().UTC()
			for i := off; i < end; i++ {
				t := tips[i]
				if err := checkTipIncidents(tx, t.IncidentIDs, nil); err != nil {
					return tipItemError(i, err)
				}
				if t.ID == "" {
					for {
						seq, err := tb.tips.NextSequence()
						if err != nil {
							return err
						}
						t.ID = camera.FormatTipID(now, seq)
						if tb.tips.Get([]byte(t.ID)) == nil {
							break
						}
					}
				} else if tb.tips.Get([]byte(t.ID)) != nil {
					return tipItemError(i, camera.Errorf(camera.ECONFLICT, "id", "a tip with id %q already exists", t.ID))
				}
				t.CreatedBy, t.CreatedAt, t.UpdatedAt = actor, now, now
				t.Informant = sealed != nil && sealed[i] != nil
				if err := tb.put(t); err != nil {
					return err
				}
				if t.Informant {
					if err := tb.informants.Put([]byte(t.ID), sealed[i]); err != nil {
						return err
					}
				}
			}
			return appendAudit(tx, now, actor, ActionTipImport, fmt.Sprintf("%d tips, %s to %s", end-off, tips[off].ID, tips[end-1].ID), nil)
		})
		if err != nil {
			return created, err
		}
		created = end
	}
	return created, nil
}

// tipItemError prefixes the field of a bulk item's error with its index.
func tipItemError(i int, err error) error {
	var e *camera.Error
	if errors.As(err, &e) {
		return &camera.Error{Code: e.Code, Field: fmt.Sprintf("tips[%d].%s", i, e.Field), Message: e.Message}
	}
	return fmt.Errorf("tip %d: %w", i, err)
}
