package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/vntext"
	"github.com/matthan/matthan/registry/record"
)

// MaxCorrectionReasonLen bounds the reason given for deleting a donation,
// in characters: a sentence or two ("entered twice from the bank sheet of
// 2024-05"), not a document.
const MaxCorrectionReasonLen = 500

// DeleteDonation removes a donation recorded by mistake — a gift typed
// twice, a wrong amount to be entered again — and returns it as it was
// stored. reason is required (EINVALID naming reason): a ledger that
// fundraisers and donors trust says why money left it.
//
// The record, its entries in every index (by date, camera, commune,
// donor, gift and ref), the running totals of its commune and
// the count of distinct donors change in one transaction with an audit
// entry, "donation.delete", whose changes hold the reason and the whole
// record as JSON: nothing of the gift is lost, and it can be entered
// again from the audit log. An unknown id is ENOTFOUND.
func (s *Store) DeleteDonation(ctx context.Context, id, reason string, actor camera.Actor) (*camera.Donation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	reason, err := cleanReason(reason)
	if err != nil {
		return nil, err
	}
	seq, ok := camera.ParseDonationID(id)
	if !ok {
		return nil, notFound("donation", id)
	}
	var d *camera.Donation
	err = s.update(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketDonations).Get(itob(seq))
		if v == nil {
			return notFound("donation", id)
		}
		var err error
		if d, err = record.DecodeDonation(seq, v); err != nil {
			return err
		}
		if err := unindexDonation(tx, seq, d); err != nil {
			return err
		}
		if err := tx.Bucket(bucketDonations).Delete(itob(seq)); err != nil {
			return err
		}
		rec, err := json.Marshal(d)
		if err != nil {
			return err
		}
		// Unlike a camera's, a donation's audit entry carries values: a
		// donation holds no credentials, and the record is what must
		// survive its deletion.
		return appendAudit(tx, s.now().UTC(), actor, "donation.delete", d.ID, []string{"reason: " + reason, "record: " + string(rec)})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// cleanReason checks and normalises the reason of a correction.
func cleanReason(reason string) (string, error) {
	if !utf8.ValidString(reason) {
		return "", camera.Errorf(camera.EINVALID, "reason", "must be valid UTF-8")
	}
	reason = strings.TrimSpace(vntext.NFC(reason))
	switch {
	case reason == "":
		return "", camera.Errorf(camera.EINVALID, "reason", "is required: say why the donation is removed (it is kept in the audit log)")
	case utf8.RuneCountInString(reason) > MaxCorrectionReasonLen:
		return "", camera.Errorf(camera.EINVALID, "reason", "must be at most %d characters", MaxCorrectionReasonLen)
	case strings.ContainsFunc(reason, unicode.IsControl):
		return "", camera.Errorf(camera.EINVALID, "reason", "must be one line without control characters")
	}
	return reason, nil
}

// unindexDonation removes what the write of d (stored under seq) added
// beside its record: its index entries, its part of its commune's running
// totals and, when it was its donor's last, one from the count of donors.
// An entry that is not there means the indexes no longer match the
// records: the transaction fails rather than leave totals that do not
// add up.
func unindexDonation(tx *bolt.Tx, seq uint64, d *camera.Donation) error {
	date := record.DateNum(d.ReceivedOn)
	fold := vntext.Fold(d.Commune)
	keys := []indexKey{
		{bucketDonByDate, record.AppendTail(nil, date, seq)},
		{bucketDonByCommune, appendIndexKey(nil, fold, date, seq)},
		{bucketDonByDonor, appendIndexKey(nil, d.Donor, date, seq)},
	}
	if !d.Pool() {
		keys = append(keys, indexKey{bucketDonByCamera, appendIndexKey(nil, d.CameraID, date, seq)})
	}
	gift := giftKeyOf(folder{}, d)
	keys = append(keys, indexKey{bucketDonByGift, giftEntry(nil, &gift, seq)})
	if d.Ref != "" {
		keys = append(keys, indexKey{bucketDonByRef, refEntry(nil, foldRef(d.Ref), seq)})
	}
	for _, e := range keys {
		b := tx.Bucket(e.bucket)
		// Seek rather than Get: the duplicate index's values are empty,
		// and an empty value must not read as a missing key.
		if k, _ := b.Cursor().Seek(e.key); !bytes.Equal(k, e.key) {
			return fmt.Errorf("donation %s: %w: no entry in %s", d.ID, record.ErrDamagedDonation, e.bucket)
		}
		if err := b.Delete(e.key); err != nil {
			return err
		}
	}
	if err := forgetDonor(tx.Bucket(bucketDonByDonor), d.Donor); err != nil {
		return err
	}
	return subtractTotal(tx.Bucket(bucketDonTotals), fold, d)
}

// indexKey is one entry of an index bucket.
type indexKey struct{ bucket, key []byte }

// forgetDonor takes one from the count of distinct donors (the sequence
// of donations_by_donor, see putDonors) when donor has no donation left.
func forgetDonor(b *bolt.Bucket, donor string) error {
	prefix := append([]byte(donor), 0)
	if k, _ := b.Cursor().Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) {
		return nil
	}
	if b.Sequence() == 0 {
		return fmt.Errorf("donor %q: %w: the count of donors is already 0", donor, record.ErrDamagedDonation)
	}
	return b.SetSequence(b.Sequence() - 1)
}

// subtractTotal takes d out of its commune's running totals, and removes
// the commune's record with its last donation: the totals are then what
// they would be had d never been stored.
func subtractTotal(b *bolt.Bucket, fold string, d *camera.Donation) error {
	key := totalsKey(fold)
	v := b.Get(key)
	if v == nil {
		return fmt.Errorf("donation %s: %w: no totals for its commune", d.ID, record.ErrDamagedDonation)
	}
	t, err := record.DecodeCommuneTotal(v)
	if err != nil {
		return err
	}
	t.Total -= d.AmountVND
	t.Count--
	if d.Pool() {
		t.Pool -= d.AmountVND
	}
	if t.Count < 0 || t.Total < 0 || t.Pool < 0 || (t.Count == 0) != (t.Total == 0) {
		return fmt.Errorf("donation %s: %w: its commune's totals would become %+v", d.ID, record.ErrDamagedDonation, t)
	}
	if t.Count == 0 {
		return b.Delete(key)
	}
	return b.Put(key, t.Encode())
}
