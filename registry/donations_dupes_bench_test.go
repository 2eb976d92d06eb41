package registry_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// donationBenchCameras returns a store holding n cameras in communes of 100,
// shaped as BenchmarkImportDonations's.
func donationBenchCameras(b *testing.B, n int) (*registry.Store, []*camera.Camera) {
	b.Helper()
	s := openAtClock(b, donationClock)
	cams := make([]*camera.Camera, n)
	for i := range cams {
		cams[i] = &camera.Camera{ID: fmt.Sprintf("T-%06d", i), Name: "cam", Lat: 10, Lon: 106, Commune: fmt.Sprintf("Xã %04d", i/100), CostVND: 5_000_000}
		cams[i].ApplyDefaults()
	}
	if _, err := s.ImportCameras(context.Background(), cams, false, camera.SystemActor); err != nil {
		b.Fatal(err)
	}
	return s, cams
}

// BenchmarkImportDonationsRejecting times what an API import with
// duplicates refused and atomic=true costs: FindDuplicates over the rows,
// then ImportDonationsWith checking them again in its snapshot and in the
// write transactions (without atomic, the API leaves out the first
// pass). Same shape as BenchmarkImportDonations (200,000
// donations a round into 100,000 cameras), every donation a new gift.
func BenchmarkImportDonationsRejecting(b *testing.B) {
	ctx := context.Background()
	s, cams := donationBenchCameras(b, 100_000)
	rng := rand.New(rand.NewPCG(7, 7))
	const nDon = 200_000
	var elapsed time.Duration
	total := 0
	for b.Loop() {
		b.StopTimer()
		ds := make([]*camera.Donation, nDon)
		for i := range ds {
			// A donor of its own per row: no row repeats another.
			ds[i] = &camera.Donation{Donor: fmt.Sprintf("Người %d", total+i), AmountVND: 500_000, ReceivedOn: "2024-01-02", CameraID: cams[rng.IntN(len(cams))].ID}
		}
		b.StartTimer()
		start := time.Now()
		dups, err := s.FindDuplicates(ctx, ds)
		if err != nil || len(dups) > 0 {
			b.Fatalf("FindDuplicates: %d, %v", len(dups), err)
		}
		if _, err := s.ImportDonationsWith(ctx, ds, camera.SystemActor, reject); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		total += nDon
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "donations/s")
}

// BenchmarkCreateDonation100k times one donation, with duplicates
// refused as the API does, into a registry of 100,000 cameras: what a
// fundraiser typing gifts one by one waits for.
func BenchmarkCreateDonation100k(b *testing.B) {
	ctx := context.Background()
	s, cams := donationBenchCameras(b, 100_000)
	i := 0
	for b.Loop() {
		i++
		d := &camera.Donation{Donor: fmt.Sprintf("Người %d", i), AmountVND: 500_000, ReceivedOn: "2024-01-02", CameraID: cams[i*7919%len(cams)].ID}
		if err := s.CreateDonationWith(ctx, d, fundraiser, reject); err != nil {
			b.Fatal(err)
		}
	}
}
