package exchange

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/sample"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

// fundingClock is the clock of the funding tests' store.
var fundingClock = time.Date(2024, 5, 2, 8, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// fundingGroupings are the groupings of the funding views.
var fundingGroupings = []registry.GroupBy{registry.GroupByCamera, registry.GroupByCommune, registry.GroupByDonor}

// sampleFunding returns the funding views, by grouping, of a real store
// holding the sample district's cameras and donations.
func sampleFunding(t *testing.T) map[registry.GroupBy]*registry.FundingReport {
	t.Helper()
	ctx := context.Background()
	s := registrytest.OpenAt(t, filepath.Join(t.TempDir(), "matthan.db"), func() time.Time { return fundingClock })
	cams, rejects, err := ReadAll(NewCSVDecoder(bytes.NewReader(sample.Cameras())))
	if err != nil || len(rejects) > 0 {
		t.Fatalf("decode sample cameras: %v, rejects %v", err, rejects)
	}
	if _, err := s.ImportCameras(ctx, cams, false, camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	places, err := s.Places(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ds, rejects, err := ReadAllDonations(NewDonationCSVDecoder(bytes.NewReader(sample.Donations()), places, time.Now()))
	if err != nil || len(rejects) > 0 {
		t.Fatalf("decode sample donations: %v, rejects %v", err, rejects)
	}
	if _, err := s.ImportDonations(ctx, ds, camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	views := map[registry.GroupBy]*registry.FundingReport{}
	for _, g := range fundingGroupings {
		rep, err := s.Funding(ctx, g, registry.Window{})
		if err != nil {
			t.Fatal(err)
		}
		views[g] = rep
	}
	return views
}
