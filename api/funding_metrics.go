package api

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// fundingCollector publishes money per commune: donations received and
// what the cameras cost. Both only grow in practice (gifts are not
// deleted), so they are counters. The sums need a pass over the store;
// they are cached for a minute, so scrapes stay cheap at a million
// cameras.
type fundingCollector struct {
	store    DonationStore
	now      func() time.Time
	donated  *prometheus.Desc
	cost     *prometheus.Desc
	mu       sync.Mutex
	at       time.Time
	given    map[string]int64
	spent    map[string]int64
	cacheFor time.Duration
}

func newFundingCollector(store DonationStore, now func() time.Time) *fundingCollector {
	return &fundingCollector{
		store: store, now: now, cacheFor: time.Minute,
		donated: prometheus.NewDesc("matthan_donations_vnd_total", "Donations received, in đồng, by commune (gifts to cameras and to the commune's pool).", []string{"commune"}, nil),
		cost:    prometheus.NewDesc("matthan_camera_cost_vnd_total", "What the registered cameras cost, in đồng, by commune.", []string{"commune"}, nil),
	}
}

func (fc *fundingCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- fc.donated
	ch <- fc.cost
}

func (fc *fundingCollector) Collect(ch chan<- prometheus.Metric) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if fc.given == nil || fc.now().Sub(fc.at) > fc.cacheFor {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		given, err1 := fc.store.DonationTotals(ctx)
		spent, err2 := fc.store.CostTotals(ctx)
		cancel()
		if err1 != nil || err2 != nil {
			return // the last good figures are gone too: better absent than stale-looking
		}
		fc.given, fc.spent, fc.at = given, spent, fc.now()
	}
	for commune, v := range fc.given {
		ch <- prometheus.MustNewConstMetric(fc.donated, prometheus.CounterValue, float64(v), label(commune))
	}
	for commune, v := range fc.spent {
		ch <- prometheus.MustNewConstMetric(fc.cost, prometheus.CounterValue, float64(v), label(commune))
	}
}

func label(commune string) string {
	if commune == "" {
		return "unknown"
	}
	return commune
}
