package registry

import (
	"context"
	"fmt"

	"github.com/matthan/matthan/registry/record"
	bolt "go.etcd.io/bbolt"
)

// The two functions below back the metrics matthan_donations_vnd_total
// and matthan_camera_cost_vnd_total{commune}, computed at scrape time. The
// registry keeps out of Prometheus: the api package turns the maps into
// series.

// DonationTotals returns the sum of every donation by commune (the
// commune each was given in, in the spelling stored with its last
// donation; "" for gifts to cameras that have no commune). It reads the
// running totals kept in the donations' write transactions — one record
// per commune — so it costs the same with five donations or five million.
// A sum that cannot be held in an int64 is an error (see money.go).
func (s *Store) DonationTotals(ctx context.Context) (map[string]int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := map[string]int64{}
	var all int64 // so that a sum of the totals fits too
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDonTotals).ForEach(func(k, v []byte) error {
			t, err := record.DecodeCommuneTotal(v)
			if err != nil {
				return fmt.Errorf("commune %q: %w", k, err)
			}
			sum := out[t.Spelling]
			if !addVND(&sum, t.Total) || !addVND(&all, t.Total) {
				return donationsTooLarge("the donations of all communes")
			}
			out[t.Spelling] = sum
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
