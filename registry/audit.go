package registry

import (
	"context"
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// AuditEntry records one write, or a read that copies everything (a
// backup, backup.download): who (the token's or user's name and role),
// when, what action on which target, and which fields changed. Camera values are not
// recorded, so credentials cannot leak through the audit log. The one
// exception is a donation's deletion (donation.delete): a donation holds
// no secret, and a ledger must keep what it removed, so Changes carries
// "reason: …" and the whole deleted record as JSON.
type AuditEntry struct {
	Seq     uint64       `json:"seq"`
	At      time.Time    `json:"at"`
	Actor   camera.Actor `json:"actor"`
	Action  string       `json:"action"`
	Target  string       `json:"target,omitempty"`
	Changes []string     `json:"changes,omitempty"`
}

// appendAudit adds an entry inside the caller's write transaction, so that
// the change and its audit record commit together or not at all.
func appendAudit(tx *bolt.Tx, at time.Time, actor camera.Actor, action, target string, changes []string) error {
	b := tx.Bucket(bucketAudit)
	// Audit keys only ever grow: full pages, not bbolt's default half-full
	// splits, keep the log half the size on disk and in the page cache.
	b.FillPercent = 0.95
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	v, err := json.Marshal(AuditEntry{Seq: seq, At: at, Actor: actor, Action: action, Target: target, Changes: changes})
	if err != nil {
		return err
	}
	return b.Put(itob(seq), v)
}

// ListAudit returns up to limit audit entries, newest first, older than the
// sequence number before (0 = from the newest). next is the sequence to
// pass as before for the following page, 0 on the last page.
func (s *Store) ListAudit(ctx context.Context, before uint64, limit int) (items []AuditEntry, next uint64, err error) {
	return s.QueryAudit(ctx, AuditQuery{Before: before, Limit: limit})
}
