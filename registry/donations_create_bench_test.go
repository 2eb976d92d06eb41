package registry_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/matthan/matthan/camera"
)

// BenchmarkCreateDonation100k times one donation, with duplicates
// refused as the API does, into a registry of 100,000 cameras: what a
// fundraiser typing gifts one by one waits for.
func BenchmarkCreateDonation100k(b *testing.B) {
	ctx := context.Background()
	s := openAtClock(b, donationClock)
	const nCams = 100_000
	cams := make([]*camera.Camera, nCams)
	for i := range cams {
		cams[i] = &camera.Camera{ID: fmt.Sprintf("T-%06d", i), Name: "cam", Lat: 10, Lon: 106, Commune: fmt.Sprintf("Xã %04d", i/100), CostVND: 5_000_000}
		cams[i].ApplyDefaults()
	}
	if _, err := s.ImportCameras(ctx, cams, false, camera.SystemActor); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		d := &camera.Donation{Donor: fmt.Sprintf("Người %d", i), AmountVND: 500_000, ReceivedOn: "2024-01-02", CameraID: cams[i*7919%nCams].ID}
		if err := s.CreateDonationWith(ctx, d, fundraiser, reject); err != nil {
			b.Fatal(err)
		}
	}
}
