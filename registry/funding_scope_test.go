package registry_test

import (
	"context"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// TestFundingInSample narrows every view of the sample district to each
// of its communes in turn and checks it against the whole view: the
// commune view is the commune's row, the camera view its cameras' rows
// (with their up time), the donor view what each donor gave there, by
// brute force over the sample's CSV; the totals are the commune's.
func TestFundingInSample(t *testing.T) {
	ctx := context.Background()
	s, cams := sampleStore(t, donationClock)
	// Some history, so that up time is narrowed too: the first camera
	// of each commune flaps through the window.
	seen := map[string]bool{}
	for _, c := range cams {
		if seen[c.Commune] {
			continue
		}
		seen[c.Commune] = true
		if err := s.RecordHealth(ctx, nil, flap(c.ID, donationClock.Add(-10*24*time.Hour), 7*time.Hour, 20, true)); err != nil {
			t.Fatal(err)
		}
	}
	whole := map[registry.GroupBy]*registry.FundingReport{}
	for _, g := range []registry.GroupBy{registry.GroupByCamera, registry.GroupByCommune} {
		rep, err := s.Funding(ctx, g, registry.Window{})
		if err != nil {
			t.Fatal(err)
		}
		whole[g] = rep
	}
	rows := sampleDonationRows(t)
	for _, cr := range whole[registry.GroupByCommune].Rows {
		commune := cr.Key
		t.Run(commune, func(t *testing.T) {
			// The filter as people type it: no accents, with the word
			// for the commune's kind.
			filter := "xa " + commune
			if commune == "Thị trấn Chợ Gạo" {
				filter = "tt. cho gao"
			}
			byCommune, err := s.FundingIn(ctx, registry.GroupByCommune, registry.Window{}, filter)
			if err != nil {
				t.Fatal(err)
			}
			if len(byCommune.Rows) != 1 || !sameRow(byCommune.Rows[0], cr) {
				t.Errorf("commune view of %q: %+v, want the row %+v", filter, byCommune.Rows, cr)
			}
			tot := byCommune.Totals
			if tot.Cameras != cr.Cameras || tot.Communes != 1 || tot.CostVND != cr.CostVND || tot.DonatedVND != cr.DonatedVND ||
				tot.PoolVND != cr.PoolVND || tot.Donations != cr.Donations || tot.Donors != cr.Donors || tot.UpMillis != cr.UpMillis {
				t.Errorf("totals of %q: %+v, want those of %+v", filter, tot, cr)
			}

			byCamera, err := s.FundingIn(ctx, registry.GroupByCamera, registry.Window{}, filter)
			if err != nil {
				t.Fatal(err)
			}
			var want []registry.FundingRow
			for _, r := range whole[registry.GroupByCamera].Rows {
				if r.Commune == commune {
					want = append(want, r)
				}
			}
			if len(byCamera.Rows) != len(want) {
				t.Fatalf("camera view of %q: %d rows, want %d", filter, len(byCamera.Rows), len(want))
			}
			for i := range want {
				if !sameRow(byCamera.Rows[i], want[i]) || byCamera.Rows[i].Name != want[i].Name {
					t.Errorf("camera row %d: %+v, want %+v", i, byCamera.Rows[i], want[i])
				}
			}
			if byCamera.Totals.DonatedVND != cr.DonatedVND || byCamera.Totals.UpMillis != cr.UpMillis {
				t.Errorf("camera view totals %+v, want the commune's", byCamera.Totals)
			}

			byDonor, err := s.FundingIn(ctx, registry.GroupByDonor, registry.Window{}, filter)
			if err != nil {
				t.Fatal(err)
			}
			sums := map[string]*fundingSums{}
			for _, d := range rows {
				if d.commune != commune {
					continue
				}
				r := sums[d.donor]
				if r == nil {
					r = newSums()
					sums[d.donor] = r
				}
				r.donated += d.amount
				r.donations++
				r.places[d.commune] = true
				if d.camera == "" {
					r.pool += d.amount
				} else {
					r.camsGiven[d.camera] = true
				}
			}
			if len(byDonor.Rows) != len(sums) {
				t.Errorf("donor view of %q: %d rows, want %d", filter, len(byDonor.Rows), len(sums))
			}
			for i, r := range byDonor.Rows {
				checkRow(t, registry.GroupByDonor, r, sums[r.Key])
				if i > 0 && byDonor.Rows[i-1].Key >= r.Key {
					t.Errorf("donor rows out of order: %q before %q", byDonor.Rows[i-1].Key, r.Key)
				}
			}
			if byDonor.Totals.Donors != len(sums) || byDonor.Totals.DonatedVND != cr.DonatedVND {
				t.Errorf("donor view totals %+v, want %d donors and the commune's money", byDonor.Totals, len(sums))
			}
		})
	}
	t.Run("a filter that names no commune", func(t *testing.T) {
		rep, err := s.FundingIn(ctx, registry.GroupByDonor, registry.Window{}, "cho")
		if err != nil || len(rep.Rows) != 0 || rep.Totals.DonatedVND != 0 || rep.Totals.Cameras != 0 {
			t.Errorf("FundingIn(cho) = %+v, %v; want an empty view", rep, err)
		}
	})
}

// TestFundingInDeletedCamera: a commune's camera view keeps the gifts it
// received for a camera deleted since, in a row without cost, as the
// whole view does.
func TestFundingInDeletedCamera(t *testing.T) {
	ctx := context.Background()
	s := communeStore(t)
	for _, d := range []*camera.Donation{
		{Donor: "An", AmountVND: 100, ReceivedOn: "2024-01-01", CameraID: "CG-0002"},
		{Donor: "Bình", AmountVND: 200, ReceivedOn: "2024-01-02", CameraID: "BN-0001"},
		{Donor: "An", AmountVND: 300, ReceivedOn: "2024-01-03", Commune: "cho gao"},
	} {
		if err := s.CreateDonation(ctx, d, fundraiser); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteCamera(ctx, "CG-0002", camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	rep, err := s.FundingIn(ctx, registry.GroupByCamera, registry.Window{}, "Chợ Gạo")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range rep.Rows {
		keys = append(keys, r.Key)
		if r.Key == "CG-0002" && (r.CostVND != 0 || r.DonatedVND != 100) {
			t.Errorf("deleted camera row = %+v", r)
		}
	}
	if len(keys) != 3 || keys[0] != "CG-0001" || keys[1] != "CG-0002" || keys[2] != "CG-0003" {
		t.Errorf("rows of Chợ Gạo: %v, want CG-0001, CG-0002 (deleted), CG-0003", keys)
	}
	if got := rep.Totals; got.Cameras != 2 || got.CostVND != 8_000_000 || got.DonatedVND != 400 || got.PoolVND != 300 || got.Donors != 1 || got.Communes != 1 {
		t.Errorf("totals of Chợ Gạo = %+v", got)
	}
}
