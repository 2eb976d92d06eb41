package registry_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

// The funding benchmarks share one database of a country
// (registrytest.CountryFile: 1,000,000 cameras, 5,000,000 donations, ...),
// built once per test binary run, or kept between runs in the file
// MATTHAN_COUNTRY_DB names. The store's clock is the country's, so the
// up-time window is the 30 days before it.
var fundClock = registrytest.CountryClock

var fundingDB struct {
	once   sync.Once
	s      *registry.Store
	ids    []string
	build  time.Duration
	phases string
	err    error
	logged bool
}

func fundingStore(b *testing.B) *registry.Store {
	b.Helper()
	fundingDB.once.Do(func() {
		path, built, phases := registrytest.CountryFile(b)
		fundingDB.build, fundingDB.phases = built, phases
		// Opened directly, not with registrytest.OpenAt: the store
		// outlives the benchmark that built it.
		fundingDB.s, fundingDB.err = registry.Open(path, registry.Options{Now: func() time.Time { return fundClock }})
		fundingDB.ids = registrytest.CountryIDs()
		runtime.GC() // the build's garbage is not the views'
	})
	if fundingDB.err != nil {
		b.Fatalf("open the benchmark database: %v", fundingDB.err)
	}
	if !fundingDB.logged && fundingDB.build > 0 {
		fundingDB.logged = true
		b.Logf("database of %d cameras and %d donations built in %v (%s)", registrytest.CountryCameras, registrytest.CountryDonations, fundingDB.build.Round(time.Second), fundingDB.phases)
	}
	return fundingDB.s
}

// benchFunding times one funding view over the country.
func benchFunding(b *testing.B, g registry.GroupBy) {
	s := fundingStore(b)
	ctx := context.Background()
	var rows int
	b.ResetTimer()
	start := time.Now()
	n := 0
	for b.Loop() {
		rep, err := s.Funding(ctx, g, registry.Window{})
		if err != nil {
			b.Fatal(err)
		}
		rows = len(rep.Rows)
		n++
	}
	b.ReportMetric(time.Since(start).Seconds()/float64(n), "s/view")
	b.ReportMetric(float64(rows), "rows")
}

func BenchmarkFundingByCamera1M(b *testing.B)  { benchFunding(b, registry.GroupByCamera) }
func BenchmarkFundingByCommune1M(b *testing.B) { benchFunding(b, registry.GroupByCommune) }
func BenchmarkFundingByDonor1M(b *testing.B)   { benchFunding(b, registry.GroupByDonor) }

// BenchmarkUptimeEachCamera1M is the alternative UptimeAll replaces: one
// Uptime call per camera.
func BenchmarkUptimeEachCamera1M(b *testing.B) {
	s := fundingStore(b)
	ctx := context.Background()
	to := fundClock
	from := to.Add(-registry.DefaultFundingWindow)
	b.ResetTimer()
	start := time.Now()
	n := 0
	for b.Loop() {
		for _, id := range fundingDB.ids {
			if _, err := s.Uptime(ctx, id, from, to); err != nil {
				b.Fatal(err)
			}
		}
		n++
	}
	b.ReportMetric(time.Since(start).Seconds()/float64(n), "s/all-cameras")
}

func BenchmarkUptimeAll1M(b *testing.B) {
	s := fundingStore(b)
	ctx := context.Background()
	to := fundClock
	from := to.Add(-registry.DefaultFundingWindow)
	b.ResetTimer()
	start := time.Now()
	n := 0
	for b.Loop() {
		if _, err := s.UptimeAll(ctx, from, to); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(time.Since(start).Seconds()/float64(n), "s/all-cameras")
}

// BenchmarkFundingMetrics1M times what a scrape of the two funding
// metrics costs.
func BenchmarkFundingMetrics1M(b *testing.B) {
	s := fundingStore(b)
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	n := 0
	for b.Loop() {
		if _, err := s.DonationTotals(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := s.CostTotals(ctx); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(time.Since(start).Seconds()/float64(n), "s/scrape")
}

// BenchmarkImportDonations times a bulk import of 200,000 donations into
// a registry of 100,000 cameras, in donations per second.
func BenchmarkImportDonations(b *testing.B) {
	ctx := context.Background()
	s := openAtClock(b, fundClock)
	rng := rand.New(rand.NewPCG(7, 7))
	const nCams, nDon = 100_000, 200_000
	cams := make([]*camera.Camera, nCams)
	for i := range cams {
		cams[i] = &camera.Camera{ID: fmt.Sprintf("T-%06d", i), Name: "cam", Lat: 10, Lon: 106, Commune: fmt.Sprintf("Xã %04d", i/100), CostVND: 5_000_000}
		cams[i].ApplyDefaults()
	}
	if _, err := s.ImportCameras(ctx, cams, false, camera.SystemActor); err != nil {
		b.Fatal(err)
	}
	var elapsed time.Duration
	total := 0
	for b.Loop() {
		b.StopTimer()
		ds := make([]*camera.Donation, nDon)
		for i := range ds {
			c := cams[rng.IntN(nCams)]
			ds[i] = &camera.Donation{Donor: fmt.Sprintf("Người %d", rng.IntN(50_000)), AmountVND: 500_000, ReceivedOn: "2024-01-02", CameraID: c.ID}
		}
		b.StartTimer()
		start := time.Now()
		if _, err := s.ImportDonations(ctx, ds, camera.SystemActor); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		total += nDon
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "donations/s")
}

// BenchmarkPlaces1M times the snapshot a donation import resolves its
// rows against.
func BenchmarkPlaces1M(b *testing.B) {
	s := fundingStore(b)
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	n := 0
	for b.Loop() {
		if _, err := s.Places(ctx); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(time.Since(start).Seconds()/float64(n), "s/snapshot")
}
