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

// BenchmarkImportDonationsRejecting times what an API import with
// duplicates refused costs: FindDuplicates over the rows, then
// ImportDonationsWith checking them again in its snapshot and in the
// write transactions. Same shape as BenchmarkImportDonations (200,000
// donations a round into 100,000 cameras), every donation a new gift.
func BenchmarkImportDonationsRejecting(b *testing.B) {
	ctx := context.Background()
	s := openAtClock(b, donationClock)
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
			// A donor of its own per row: no row repeats another.
			ds[i] = &camera.Donation{Donor: fmt.Sprintf("Người %d", total+i), AmountVND: 500_000, ReceivedOn: "2024-01-02", CameraID: cams[rng.IntN(nCams)].ID}
		}
		b.StartTimer()
		start := time.Now()
		dups, err := s.FindDuplicates(ctx, ds)
		if err != nil || len(dups) > 0 {
			b.Fatalf("FindDuplicates: %d, %v", len(dups), err)
		}
		if _, err := s.ImportDonationsWith(ctx, ds, camera.SystemActor, registry.DonationOptions{RejectDuplicates: true}); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		total += nDon
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "donations/s")
}
