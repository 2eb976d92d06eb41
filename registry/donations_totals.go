package registry

import (
	"context"
	"fmt"

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
func (s *Store) DonationTotals(ctx context.Context) (map[string]int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := map[string]int64{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDonTotals).ForEach(func(k, v []byte) error {
			t, err := decodeCommuneTotal(v)
			if err != nil {
				return fmt.Errorf("commune %q: %w", k, err)
			}
			out[t.Spelling] += t.Total
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CostTotals returns the cost of the registered cameras by commune
// (canonical spelling, see Places; "" for cameras without one). Retired
// cameras count: their money was spent. Camera records are written by
// code that keeps no running sums, so this reads every camera, decoding
// only its commune and cost (scanCamera): about 0.5 s for a million
// cameras (BenchmarkFundingMetrics1M, with DonationTotals), 50 ms for a
// hundred thousand — affordable once a minute, not on every request.
func (s *Store) CostTotals(ctx context.Context) (map[string]int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	bySpelling := map[*spelling]int64{}
	var names *communeNames
	err := s.db.View(func(tx *bolt.Tx) error {
		names = newCommuneNames()
		var f cameraFacts
		c := tx.Bucket(bucketCameras).Cursor()
		i := 0
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if i++; i%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if err := scanCamera(v, &f); err != nil {
				return fmt.Errorf("camera %q: %w", k, err)
			}
			bySpelling[names.add(f.commune)] += f.cost
		}
		names.finish()
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(names.canon))
	for sp, cost := range bySpelling {
		out[names.canon[sp.fold]] += cost
	}
	return out, nil
}
