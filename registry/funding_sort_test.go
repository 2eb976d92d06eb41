package registry_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/vntext"
	"github.com/matthan/matthan/registry"
)

// TestFundingSortKeep sorts and filters the views of the sample district
// by every field of their rows, both ways, and checks the order and that
// no row is lost or made up.
func TestFundingSortKeep(t *testing.T) {
	ctx := context.Background()
	s, cams := sampleStore(t, donationClock)
	// Up time for a few cameras, so that some have a cost per working
	// hour and the others none.
	for _, c := range cams[:40] {
		if err := s.RecordHealth(ctx, nil, flap(c.ID, donationClock.Add(-5*24*time.Hour), time.Duration(len(c.Name))*time.Hour, 6, true)); err != nil {
			t.Fatal(err)
		}
	}
	for _, g := range []registry.GroupBy{registry.GroupByCamera, registry.GroupByCommune, registry.GroupByDonor} {
		for _, field := range registry.FundingColumns(g) {
			for _, spec := range []string{field, "-" + field} {
				t.Run(string(g)+" "+spec, func(t *testing.T) {
					rep, err := s.Funding(ctx, g, registry.Window{})
					if err != nil {
						t.Fatal(err)
					}
					keys := map[string]int{} // the row's place in key order
					for i, r := range rep.Rows {
						keys[r.Key] = i + 1
					}
					if err := rep.Sort(spec); err != nil {
						t.Fatal(err)
					}
					if len(rep.Rows) != len(keys) {
						t.Fatalf("%d rows after sorting, want %d", len(rep.Rows), len(keys))
					}
					for i, r := range rep.Rows {
						if keys[r.Key] == 0 {
							t.Fatalf("row %q made up", r.Key)
						}
						if i > 0 {
							prev := &rep.Rows[i-1]
							if checkOrder(t, field, strings.HasPrefix(spec, "-"), prev, &r) == 0 && keys[prev.Key] > keys[r.Key] {
								t.Errorf("by %s: %s and %s tie, but are not in key order", spec, prev.Key, r.Key)
							}
						}
					}
				})
			}
		}
	}
	rep, err := s.Funding(ctx, registry.GroupByCamera, registry.Window{})
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Sort("-nope"); registry.QueryPartOf(err) != registry.QuerySort || camera.ErrorCode(err) != camera.EINVALID {
		t.Errorf("Sort(-nope): %v, want an invalid sort", err)
	}
	donors, err := s.Funding(ctx, registry.GroupByDonor, registry.Window{})
	if err != nil {
		t.Fatal(err)
	}
	if err := donors.Sort("cost_vnd"); registry.QueryPartOf(err) != registry.QuerySort || camera.ErrorCode(err) != camera.EINVALID {
		t.Errorf("a donor view sorted by cost: %v, want an invalid sort", err)
	}
	total := donors.Totals
	donors.Keep("  NGUYEN van ")
	if len(donors.Rows) == 0 || donors.Totals != total {
		t.Fatalf("Keep(nguyen van): %d rows, totals %+v (were %+v)", len(donors.Rows), donors.Totals, total)
	}
	for _, r := range donors.Rows {
		if !strings.Contains(vntext.Fold(r.Key), "nguyen van") {
			t.Errorf("Keep(nguyen van) kept %q", r.Key)
		}
	}
	rep.Keep("cho gao") // the commune of a camera row
	for _, r := range rep.Rows {
		if !strings.Contains(vntext.Fold(r.Name+r.Commune), "cho gao") {
			t.Errorf("Keep(cho gao) kept %+v", r)
		}
	}
}

// checkOrder fails when a and b, in that order, are out of the order of
// field, and returns how they compare (0: they tie).
func checkOrder(t *testing.T, field string, desc bool, a, b *registry.FundingRow) int {
	t.Helper()
	var c int
	switch field {
	case "key", "name", "commune", "status":
		get := map[string]func(r *registry.FundingRow) string{
			"key": func(r *registry.FundingRow) string { return r.Key }, "name": func(r *registry.FundingRow) string { return r.Name },
			"commune": func(r *registry.FundingRow) string { return r.Commune }, "status": func(r *registry.FundingRow) string { return string(r.Status) },
		}[field]
		c = strings.Compare(vntext.Fold(get(a)), vntext.Fold(get(b)))
	case "cost_per_up_hour_vnd":
		switch {
		case a.CostPerUpHourVND == nil && b.CostPerUpHourVND != nil:
			t.Errorf("a row without cost per hour (%s) before one with (%s)", a.Key, b.Key)
			return 0
		case a.CostPerUpHourVND == nil && b.CostPerUpHourVND == nil:
			return 0
		case b.CostPerUpHourVND == nil:
			return -1
		}
		c = compareInt(*a.CostPerUpHourVND, *b.CostPerUpHourVND)
	default:
		get := map[string]func(r *registry.FundingRow) int64{
			"cameras": func(r *registry.FundingRow) int64 { return int64(r.Cameras) }, "communes": func(r *registry.FundingRow) int64 { return int64(r.Communes) },
			"cost_vnd": func(r *registry.FundingRow) int64 { return r.CostVND }, "donated_vnd": func(r *registry.FundingRow) int64 { return r.DonatedVND },
			"pool_vnd": func(r *registry.FundingRow) int64 { return r.PoolVND }, "balance_vnd": func(r *registry.FundingRow) int64 { return r.BalanceVND },
			"donors": func(r *registry.FundingRow) int64 { return int64(r.Donors) }, "donations": func(r *registry.FundingRow) int64 { return int64(r.Donations) },
			"up_hours": func(r *registry.FundingRow) int64 { return r.UpMillis },
		}[field]
		if get == nil {
			t.Fatalf("no getter for %s", field)
		}
		c = compareInt(get(a), get(b))
	}
	if desc {
		c = -c
	}
	if c > 0 {
		t.Errorf("by %s (desc %v): %s before %s", field, desc, a.Key, b.Key)
	}
	return c
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
