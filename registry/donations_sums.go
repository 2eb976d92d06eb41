package registry

import (
	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry/record"
)

// The running totals of donations (donation_totals, one record per
// commune) are checked at write: a call whose donations would take a
// commune's total, or their own sum, past the int64 range is refused
// whole, EINVALID naming the amount_vnd of the donation that would, and
// nothing is stored. checkDonationSums checks the call against a
// snapshot before anything is written; addTotals checks again in each
// write transaction, for what other writers stored meanwhile.

// totalTooLarge is the error of a donation that would take its commune's
// total past the int64 range.
func totalTooLarge(commune string) error {
	return camera.Errorf(camera.EINVALID, "amount_vnd", "would take the donations in commune %q past %s, more than a total can hold", commune, maxVNDText)
}

// checkDonationSums checks that the donations ds (index, when not nil,
// their indexes in the caller's slice), given in communes, fit in their
// communes' totals and in one sum.
func checkDonationSums(tx *bolt.Tx, ds []*camera.Donation, communes []string, index []int, bulk bool) error {
	b := tx.Bucket(bucketDonTotals)
	f := folder{}
	totals := map[string]int64{}
	var all int64
	for i, d := range ds {
		at := i
		if index != nil {
			at = index[i]
		}
		fold := f.fold(communes[i])
		sum, seen := totals[fold]
		if !seen {
			if v := b.Get(totalsKey(fold)); v != nil {
				ct, err := record.DecodeCommuneTotal(v)
				if err != nil {
					return err
				}
				sum = ct.Total
			}
		}
		if !addVND(&sum, d.AmountVND) {
			return donationItemError(bulk, at, totalTooLarge(communes[i]))
		}
		totals[fold] = sum
		if !addVND(&all, d.AmountVND) {
			return donationItemError(bulk, at, camera.Errorf(camera.EINVALID, "amount_vnd", "would take the sum of the donations of this call past %s, more than a total can hold", maxVNDText))
		}
	}
	return nil
}

// addTotals adds the batch's sums to donation_totals, refusing a sum that
// would overflow with the donation that would take it over.
func (p *preparedBatch) addTotals(b *bolt.Bucket, bulk bool) error {
	for fold, t := range p.totals {
		sum := *t
		var old record.CommuneTotal
		if v := b.Get(totalsKey(fold)); v != nil {
			var err error
			if old, err = record.DecodeCommuneTotal(v); err != nil {
				return err
			}
		}
		ok := !p.over[fold] && addVND(&sum.Total, old.Total) && addVND(&sum.Pool, old.Pool)
		if !ok {
			return p.overflowAt(fold, old.Total, bulk)
		}
		sum.Count += old.Count
		if err := b.Put(totalsKey(fold), sum.Encode()); err != nil {
			return err
		}
	}
	return nil
}

// overflowAt returns the error of the first donation of the batch that
// takes the total of commune fold, from old, past the int64 range.
func (p *preparedBatch) overflowAt(fold string, old int64, bulk bool) error {
	sum := old
	for i, d := range p.batch {
		if p.fold.fold(p.communes[i]) != fold {
			continue
		}
		if !addVND(&sum, d.AmountVND) {
			return donationItemError(bulk, p.callIndex(i), totalTooLarge(p.communes[i]))
		}
	}
	return totalTooLarge(fold) // not reached: the sums said it overflows
}
