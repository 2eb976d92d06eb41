package registry

import (
	"bytes"
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/vntext"
	"github.com/matthan/matthan/registry/record"
)

// StatementWindow is the window of the cameras' up time on a public
// statement: the last 30 days.
const StatementWindow = 30 * 24 * time.Hour

// MaxStatementGifts bounds the gifts listed on a public statement: the
// latest this many (a commune's years of gifts are a few thousand); the
// totals always count every gift.
const MaxStatementGifts = 10_000

// Statement is the public statement of a commune: what its donors gave,
// what its cameras cost, what is left, and how the cameras their money
// bought have worked. It names a donor only where the donor consented
// (camera.Donation.Public). It holds nothing else: no note, no bank
// reference, no one who recorded a gift, nothing of a camera but its id,
// name, cost, gifts and up time over the window (no address, position,
// stream or current state).
type Statement struct {
	Publication
	// From and To are the window of the cameras' up time.
	From, To time.Time
	// Cameras are the cameras in the commune, in id order, and a row for
	// gifts it received for a camera deleted or moved since.
	Cameras []StatementCamera
	// Totals are the commune's: cameras, cost, donated, pool, balance,
	// donors, donations, up time (FundingIn's totals row).
	Totals FundingRow
	// Gifts are the latest MaxStatementGifts gifts given in the commune,
	// oldest first.
	Gifts []StatementGift
}

// StatementCamera is one camera of a statement.
type StatementCamera struct {
	ID, Name   string
	Retired    bool
	CostVND    int64
	DonatedVND int64
	// UpMillis is how long it was up in the window.
	UpMillis int64
}

// StatementGift is one gift of a statement.
type StatementGift struct {
	ReceivedOn string
	AmountVND  int64
	// Donor is the donor's name when they consented, "" otherwise.
	Donor string
	// CameraID is the camera given to, "" for the commune's pool.
	CameraID string
}

// PublicStatement returns the statement published at slug, or ENOTFOUND
// when no commune's statement is on there. It covers exactly the commune
// published (its folded name), never another of a like name.
func (s *Store) PublicStatement(ctx context.Context, slug string) (*Statement, error) {
	pub, err := s.PublicationBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	fold := vntext.Fold(pub.Commune)
	match := func(name string) bool { return vntext.Fold(name) == fold }
	now := s.now()
	rep, err := s.fundingWhere(ctx, GroupByCamera, Window{From: now.Add(-StatementWindow), To: now}, match)
	if err != nil {
		return nil, err
	}
	st := &Statement{Publication: pub, From: rep.From, To: rep.To, Totals: rep.Totals}
	for _, r := range rep.Rows {
		st.Cameras = append(st.Cameras, StatementCamera{ID: r.Key, Name: r.Name, Retired: r.Status == camera.StatusRetired,
			CostVND: r.CostVND, DonatedVND: r.DonatedVND, UpMillis: r.UpMillis})
	}
	err = s.view(func(tx *bolt.Tx) error {
		var seqs []uint64
		prefix := append([]byte(fold), 0)
		c := tx.Bucket(bucketDonByCommune).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+record.TailLen; k, _ = c.Next() {
			_, _, seq, _ := record.SplitTail(k, true)
			seqs = append(seqs, seq)
		}
		if len(seqs) > MaxStatementGifts {
			seqs = seqs[len(seqs)-MaxStatementGifts:]
		}
		recs := tx.Bucket(bucketDonations)
		st.Gifts = make([]StatementGift, 0, len(seqs))
		for i, seq := range seqs {
			if i%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			v := recs.Get(itob(seq))
			if v == nil {
				return fmt.Errorf("donation %d: %w: indexed but not stored", seq, record.ErrDamagedDonation)
			}
			d, err := record.DecodeDonation(seq, v)
			if err != nil {
				return err
			}
			g := StatementGift{ReceivedOn: d.ReceivedOn, AmountVND: d.AmountVND, CameraID: d.CameraID}
			if d.Public {
				g.Donor = d.Donor
			}
			st.Gifts = append(st.Gifts, g)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}
