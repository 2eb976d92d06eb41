package registry

import (
	"context"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry/record"
)

// SetDonationPublic records a donor's consent to be named on the public
// statement of the commune (public true), or its withdrawal, and returns
// the donation as stored. Consent is often given after the gift — the
// fundraiser asks when the statement is about to be published — so it is
// the one thing about a stored gift that changes without deleting and
// entering it again. Only the record changes (no index holds the flag),
// in one transaction with an audit entry, "donation.public", whose
// change says from what to what; setting what is stored already writes
// nothing. An unknown id is ENOTFOUND.
func (s *Store) SetDonationPublic(ctx context.Context, id string, public bool, actor camera.Actor) (*camera.Donation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	seq, ok := camera.ParseDonationID(id)
	if !ok {
		return nil, notFound("donation", id)
	}
	var d *camera.Donation
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDonations)
		v := b.Get(itob(seq))
		if v == nil {
			return notFound("donation", id)
		}
		var err error
		if d, err = record.DecodeDonation(seq, v); err != nil {
			return err
		}
		if d.Public == public {
			return nil
		}
		was := d.Public
		d.Public = public
		if err := b.Put(itob(seq), record.AppendDonation(make([]byte, 0, record.DonationSize(d)), d)); err != nil {
			return err
		}
		change := "public: " + strconv.FormatBool(was) + " → " + strconv.FormatBool(public)
		return appendAudit(tx, s.now().UTC(), actor, "donation.public", d.ID, []string{change})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}
