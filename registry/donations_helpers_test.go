package registry_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/exchange"
	"github.com/matthan/matthan/internal/sample"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

// openAtClock opens a store whose clock says now.
func openAtClock(t testing.TB, now time.Time) *registry.Store {
	t.Helper()
	return registrytest.OpenAt(t, filepath.Join(t.TempDir(), "matthan.db"), func() time.Time { return now })
}

// fundraiser is the actor of the donation tests.
var fundraiser = camera.Actor{Name: "mat-tran-cho-gao", Role: camera.RoleFundraiser}

// loadSampleCameras imports the 350 cameras of the sample district.
func loadSampleCameras(t testing.TB, s *registry.Store) []*camera.Camera {
	t.Helper()
	cams, rejects, err := exchange.ReadAll(exchange.NewCSVDecoder(bytes.NewReader(sample.Cameras())))
	if err != nil || len(rejects) > 0 {
		t.Fatalf("decode sample cameras: %v, rejects %v", err, rejects)
	}
	if _, err := s.ImportCameras(context.Background(), cams, false, camera.SystemActor); err != nil {
		t.Fatalf("import sample cameras: %v", err)
	}
	return cams
}

// loadSampleDonations decodes the sample donations against the store's
// cameras and imports them.
func loadSampleDonations(t testing.TB, s *registry.Store) []*camera.Donation {
	t.Helper()
	ctx := context.Background()
	places, err := s.Places(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ds, rejects, err := exchange.ReadAllDonations(exchange.NewDonationCSVDecoder(bytes.NewReader(sample.Donations()), places, time.Now()))
	if err != nil || len(rejects) > 0 {
		t.Fatalf("decode sample donations: %v, rejects %v", err, rejects)
	}
	if _, err := s.ImportDonations(ctx, ds, fundraiser); err != nil {
		t.Fatalf("import sample donations: %v", err)
	}
	return ds
}

// sampleRow is a row of the sample donations CSV, read with nothing but
// encoding/csv: the brute-force side of the funding tests.
type sampleRow struct {
	donor, date, camera, commune string
	amount                       int64
}

func sampleDonationRows(t testing.TB) []sampleRow {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(sample.Donations())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []sampleRow
	for _, r := range recs[1:] {
		n, err := strconv.ParseInt(r[1], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, sampleRow{donor: r[0], amount: n, date: r[2], camera: r[3], commune: r[4]})
	}
	return out
}

// sampleStore is a store with the sample district's cameras and
// donations, on a fixed clock.
func sampleStore(t testing.TB, now time.Time) (*registry.Store, []*camera.Camera) {
	t.Helper()
	s := openAtClock(t, now)
	cams := loadSampleCameras(t, s)
	loadSampleDonations(t, s)
	return s, cams
}
