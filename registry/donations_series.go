package registry

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/internal/vntext"
	"github.com/matthan/matthan/registry/record"
)

// MonthSum is the money given in one calendar month.
type MonthSum struct {
	// Month is YYYY-MM.
	Month      string
	DonatedVND int64
	Donations  int
}

// CommuneMonths is the money given in one commune, month by month.
type CommuneMonths struct {
	// Commune is the spelling stored with the commune's gifts.
	Commune string
	// Months are the months with gifts, in order.
	Months []MonthSum
}

// DonationMonths sums the gifts given in each commune by the month of
// their received_on: of every commune, or of those commune names (read
// as the commune filter of the donation list reads it), from and to
// bounding received_on (YYYY-MM-DD, both included, either empty). The
// communes come in the order of their folded names, each with the months
// it has gifts in; a commune without gifts in the range is left out.
//
// It reads donations_by_commune only — each commune's range of dates —
// never a record: the chart of a district's money over time costs one
// pass over the index entries in range.
func (s *Store) DonationMonths(ctx context.Context, commune, from, to string) ([]CommuneMonths, error) {
	if err := (DonationFilter{From: from, To: to}).Validate(); err != nil {
		return nil, err
	}
	var lo, hi uint32 = 0, ^uint32(0)
	if from != "" {
		lo = record.DateNum(from)
	}
	if to != "" {
		hi = record.DateNum(to)
	}
	filter := vntext.NewCommuneFilter(commune)
	var out []CommuneMonths
	err := s.view(func(tx *bolt.Tx) error {
		type named struct{ fold, spelling string }
		var communes []named
		err := tx.Bucket(bucketDonTotals).ForEach(func(k, v []byte) error {
			t, err := record.DecodeCommuneTotal(v)
			if err != nil {
				return fmt.Errorf("commune %q: %w", k, err)
			}
			fold := string(k)
			if len(k) == 1 && k[0] == 0 {
				fold = "" // gifts to cameras without a commune
			}
			if !filter.Empty() && !filter.Match(t.Spelling) {
				return nil
			}
			communes = append(communes, named{fold, t.Spelling})
			return nil
		})
		if err != nil {
			return err
		}
		slices.SortFunc(communes, func(a, b named) int { return strings.Compare(a.fold, b.fold) })
		c := tx.Bucket(bucketDonByCommune).Cursor()
		t := ticker{ctx: ctx}
		for _, cm := range communes {
			prefix := append([]byte(cm.fold), 0)
			series := CommuneMonths{Commune: cm.spelling}
			var cur *MonthSum
			curMonth := uint32(0)
			for k, v := c.Seek(record.AppendTail(bytes.Clone(prefix), lo, 0)); k != nil; k, v = c.Next() {
				if err := t.tick(); err != nil {
					return err
				}
				p, date, _, ok := record.SplitTail(k, true)
				if !ok || !bytes.Equal(p, prefix[:len(prefix)-1]) || date > hi {
					break
				}
				_, amount, _, ok := record.ReadByCommune(v)
				if !ok {
					return fmt.Errorf("index entry %q: %w", k, record.ErrDamagedDonation)
				}
				if m := date / 100; cur == nil || m != curMonth {
					series.Months = append(series.Months, MonthSum{Month: fmt.Sprintf("%04d-%02d", m/100, m%100)})
					cur, curMonth = &series.Months[len(series.Months)-1], m
				}
				if !addVND(&cur.DonatedVND, amount) {
					return donationsTooLarge(fmt.Sprintf("the donations of %s in %s", cm.spelling, cur.Month))
				}
				cur.Donations++
			}
			if len(series.Months) > 0 {
				out = append(out, series)
			}
		}
		return nil
	})
	return out, err
}
