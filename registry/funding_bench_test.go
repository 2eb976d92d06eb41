package registry_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// The funding benchmarks share one database of a country: 1,000,000
// cameras in 10,000 communes, each with a health history of two or three
// transitions, and 5,000,000 donations (a tenth to communes' pools) from
// about a million donors. It is built once per test binary run.
//
// The database file is unlinked as soon as it is open: the open file and
// its mapping keep working, and the kernel frees its gigabytes when the
// process exits, however it exits (the package's TestMain belongs to the
// incidents benchmarks). To keep it between runs instead, name a file in
// MATTHAN_FUNDING_BENCH_DB: it is built there when absent and reused
// when present.
const (
	fundCameras   = 1_000_000
	fundCommunes  = 10_000
	fundDonations = 5_000_000
	fundChunk     = 500_000 // donations generated and imported at a time
)

// fundClock is the store's clock: the up-time window is the 30 days
// before it.
var fundClock = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

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
		start := time.Now()
		opts := registry.Options{Now: func() time.Time { return fundClock }}
		if keep := os.Getenv("MATTHAN_FUNDING_BENCH_DB"); keep != "" {
			_, statErr := os.Stat(keep)
			s, err := registry.Open(keep, opts)
			if err != nil {
				fundingDB.err = err
				return
			}
			fundingDB.s = s
			if statErr == nil {
				fundingDB.ids = countryIDs()
				return
			}
			fundingDB.ids, fundingDB.err = fillCountry(s)
			fundingDB.build = time.Since(start)
			return
		}
		dir, err := os.MkdirTemp("", "matthan-funding-bench-")
		if err != nil {
			fundingDB.err = err
			return
		}
		s, err := registry.Open(filepath.Join(dir, "m.db"), opts)
		_ = os.RemoveAll(dir)
		if err != nil {
			fundingDB.err = err
			return
		}
		fundingDB.s = s
		fundingDB.ids, fundingDB.err = fillCountry(s)
		fundingDB.build = time.Since(start)
		runtime.GC() // the build's garbage is not the views'
	})
	if fundingDB.err != nil {
		b.Fatalf("build the benchmark database: %v", fundingDB.err)
	}
	if !fundingDB.logged && fundingDB.build > 0 {
		fundingDB.logged = true
		b.Logf("database of %d cameras and %d donations built in %v (%s)", fundCameras, fundDonations, fundingDB.build.Round(time.Second), fundingDB.phases)
	}
	return fundingDB.s
}

var (
	surnames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"}
	middles  = []string{"Văn", "Thị", "Minh", "Hữu", "Ngọc", "Thanh", "Quốc", "Kim"}
	givens   = []string{"An", "Bình", "Cường", "Dũng", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam", "Phúc", "Phượng", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy"}
)

// countryIDs returns the camera ids of the country, in order.
func countryIDs() []string {
	ids := make([]string, fundCameras)
	for i := range ids {
		ids[i] = fmt.Sprintf("VN-%07d", i)
	}
	return ids
}

// fillCountry stores the cameras, their histories and the donations.
func fillCountry(s *registry.Store) ([]string, error) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(2026, 6))
	phase := time.Now()
	lap := func(name string) {
		fundingDB.phases += fmt.Sprintf("%s %v; ", name, time.Since(phase).Round(100*time.Millisecond))
		phase = time.Now()
	}
	ids := countryIDs()
	communeOf := make([]int, fundCameras)
	cams := make([]*camera.Camera, 0, 100_000)
	for i := range fundCameras {
		communeOf[i] = i / (fundCameras / fundCommunes)
		c := &camera.Camera{
			ID: ids[i], Name: "Ngã tư " + ids[i], Lat: 8.5 + rng.Float64()*14, Lon: 102.5 + rng.Float64()*7,
			Commune: fmt.Sprintf("Xã %05d", communeOf[i]), District: "Huyện", Province: "Tỉnh",
			CostVND: int64(200+rng.IntN(600)) * 10_000, InstalledOn: "2020-01-01",
		}
		c.ApplyDefaults()
		cams = append(cams, c)
		if len(cams) == cap(cams) {
			if _, err := s.ImportCameras(ctx, cams, false, camera.SystemActor); err != nil {
				return nil, err
			}
			cams = cams[:0]
		}
	}
	lap("cameras")
	// Up since 40 days ago, down for a while 10 days ago for a third of
	// the cameras, degraded now for a tenth.
	var ts []camera.Transition
	for i, id := range ids {
		start := fundClock.Add(-40*24*time.Hour + time.Duration(rng.IntN(3600))*time.Second)
		ts = append(ts, camera.Transition{CameraID: id, At: start, From: camera.StateUnknown, To: camera.StateUp, Reason: "ok"})
		if rng.IntN(3) == 0 {
			down := fundClock.Add(-10*24*time.Hour + time.Duration(rng.IntN(86400))*time.Second)
			ts = append(ts,
				camera.Transition{CameraID: id, At: down, From: camera.StateUp, To: camera.StateDown, Reason: "timeout"},
				camera.Transition{CameraID: id, At: down.Add(time.Duration(1+rng.IntN(48)) * time.Hour), From: camera.StateDown, To: camera.StateUp, Reason: "ok"})
		} else if rng.IntN(9) == 0 {
			ts = append(ts, camera.Transition{CameraID: id, At: fundClock.Add(-time.Duration(rng.IntN(72)) * time.Hour), From: camera.StateUp, To: camera.StateDegraded, Reason: "no_frames"})
		}
		if i%100_000 == 99_999 {
			if err := s.RecordHealth(ctx, nil, ts); err != nil {
				return nil, err
			}
			ts = ts[:0]
		}
	}
	lap("health")
	// A book of 100 donors per commune and 2,000 companies giving
	// everywhere: about a million donors.
	books := make([][]string, fundCommunes)
	for c := range books {
		for range 100 {
			books[c] = append(books[c], fmt.Sprintf("%s %s %s (xã %05d)", surnames[rng.IntN(len(surnames))], middles[rng.IntN(len(middles))], givens[rng.IntN(len(givens))], c))
		}
	}
	companies := make([]string, 2000)
	for i := range companies {
		companies[i] = fmt.Sprintf("Công ty TNHH Thương mại %04d", i)
	}
	days := make([]string, 0, 2000)
	for d := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC); d.Before(fundClock); d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format(time.DateOnly))
	}
	// Donations go to cameras drawn at random, a chunk of cameras at a
	// time and in camera order within it, as an import of a file sorted
	// by camera would: the indexes by camera and by commune then grow at
	// their end, which halves the time of the build. The views do not
	// care about the order the data came in.
	perChunk := fundCameras / (fundDonations / fundChunk)
	for c0 := 0; c0 < fundCameras; c0 += perChunk {
		draws := make([]int, fundChunk)
		for i := range draws {
			draws[i] = c0 + rng.IntN(perChunk)
		}
		slices.Sort(draws)
		ds := make([]*camera.Donation, 0, fundChunk)
		for _, cam := range draws {
			commune := communeOf[cam]
			d := &camera.Donation{AmountVND: int64(1+rng.IntN(300)) * 10_000, ReceivedOn: days[rng.IntN(len(days))], Note: "Ủng hộ camera an ninh"}
			if rng.IntN(10) == 0 {
				d.Commune = fmt.Sprintf("Xã %05d", commune)
			} else {
				d.CameraID = ids[cam]
			}
			if rng.IntN(20) == 0 {
				d.Donor = companies[rng.IntN(len(companies))]
			} else {
				d.Donor = books[commune][rng.IntN(100)]
			}
			ds = append(ds, d)
		}
		if _, err := s.ImportDonations(ctx, ds, camera.SystemActor); err != nil {
			return nil, err
		}
	}
	lap("donations")
	return ids, nil
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
