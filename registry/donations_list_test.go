package registry_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/vntext"
	"github.com/matthan/matthan/registry"
)

// bruteDonations filters ds as DonationFilter says, in (received_on, id)
// order, the slow and obvious way.
func bruteDonations(ds []*camera.Donation, f registry.DonationFilter) []string {
	var out []*camera.Donation
	for _, d := range ds {
		switch {
		case f.CameraID != "" && d.CameraID != f.CameraID,
			f.Commune != "" && !vntext.NewCommuneFilter(f.Commune).Match(d.Commune),
			f.Donor != "" && !strings.Contains(vntext.Fold(d.Donor), vntext.Fold(f.Donor)),
			f.From != "" && d.ReceivedOn < f.From,
			f.To != "" && d.ReceivedOn > f.To:
			continue
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b *camera.Donation) int {
		if c := strings.Compare(a.ReceivedOn, b.ReceivedOn); c != 0 {
			return c
		}
		sa, _ := camera.ParseDonationID(a.ID)
		sb, _ := camera.ParseDonationID(b.ID)
		return int(sa) - int(sb)
	})
	ids := make([]string, len(out))
	for i, d := range out {
		ids[i] = d.ID
	}
	return ids
}

// walkDonationPages lists every page of f with the given limit and
// returns the ids in the order the pages gave them.
func walkDonationPages(t *testing.T, s *registry.Store, f registry.DonationFilter, limit int) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 2000 {
			t.Fatal("the pages never end")
		}
		items, next, err := s.ListDonations(context.Background(), f, cursor, limit)
		if err != nil {
			t.Fatalf("ListDonations(%+v, %q): %v", f, cursor, err)
		}
		if len(items) > limit || (next != "" && len(items) != limit) {
			t.Fatalf("page of %d items with next %q, limit %d", len(items), next, limit)
		}
		for _, d := range items {
			ids = append(ids, d.ID)
		}
		if next == "" {
			return ids
		}
		cursor = next
	}
}

func TestListDonationsWalk(t *testing.T) {
	s, _ := sampleStore(t, donationClock)
	var all []*camera.Donation
	if err := s.EachDonation(context.Background(), registry.DonationFilter{}, func(d *camera.Donation) error {
		all = append(all, d)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(all) != len(sampleDonationRows(t)) {
		t.Fatalf("EachDonation gave %d donations, want %d", len(all), len(sampleDonationRows(t)))
	}
	filters := []registry.DonationFilter{
		{},
		{CameraID: "CG-0003"},
		{CameraID: "CG-0300", From: "2020-01-01"},
		{Commune: "Bình Ninh"},
		{Commune: "binh ninh"},                        // accent-insensitive
		{Commune: "cho gao"},                          // "Thị trấn Chợ Gạo", without its prefix
		{Commune: "Xã Bình Ninh", From: "2020-01-01"}, // with a prefix the stored name lacks
		{Commune: "TÂN THUẬN BÌNH", To: "2020-06-30"},
		{Commune: "Bình Ninh", CameraID: "CG-0003"}, // CG-0003 is not in Bình Ninh: nothing
		{CameraID: "CG-0003", Commune: "tan thuan binh"},
		{Donor: "nguyen"},
		{Donor: "Hội Liên hiệp"},
		{Donor: "uy ban nhan dan", Commune: "Song Bình"},
		{From: "2020-03-01", To: "2020-03-31"},
		{From: "2021-01-01", To: "2021-01-01"},
		{CameraID: "CG-0404"},
		{Commune: "Mỹ Tho"},
	}
	for _, f := range filters {
		want := bruteDonations(all, f)
		for _, limit := range []int{1, 7, 1000} {
			t.Run(fmt.Sprintf("%+v/limit=%d", f, limit), func(t *testing.T) {
				got := walkDonationPages(t, s, f, limit)
				if !slices.Equal(got, want) {
					t.Errorf("walk gave %d ids %v…, want %d %v…", len(got), got[:min(5, len(got))], len(want), want[:min(5, len(want))])
				}
			})
		}
	}
	// The brute force is only a check if the filters select something.
	for _, f := range filters[:5] {
		if len(bruteDonations(all, f)) == 0 {
			t.Errorf("filter %+v selects nothing in the sample", f)
		}
	}
}

// TestListDonationsCommunePrefix: a commune filter finds the gifts of every
// commune it names with or without the prefix, here a town and a commune
// of the same name, in one list in (received_on, id) order.
func TestListDonationsCommunePrefix(t *testing.T) {
	s := openAtClock(t, donationClock)
	ctx := context.Background()
	for _, c := range []struct{ id, commune string }{
		{"TT-0001", "Thị trấn Chợ Gạo"}, {"XA-0001", "Chợ Gạo"}, {"BN-0001", "Bình Ninh"},
	} {
		cam := testCamera(c.id)
		cam.Commune = c.commune
		if err := s.CreateCamera(ctx, cam, camera.SystemActor); err != nil {
			t.Fatal(err)
		}
	}
	var all []*camera.Donation
	for i, cam := range []string{"TT-0001", "XA-0001", "BN-0001", "XA-0001", "TT-0001", "BN-0001"} {
		d := &camera.Donation{Donor: fmt.Sprintf("Người góp %d", i), AmountVND: int64(100_000 * (i + 1)),
			ReceivedOn: fmt.Sprintf("2024-04-%02d", 10-i), CameraID: cam}
		if err := s.CreateDonation(ctx, d, camera.SystemActor); err != nil {
			t.Fatal(err)
		}
		all = append(all, d)
	}
	tests := []struct {
		filter string
		want   int
	}{
		{"cho gao", 4},
		{"CHỢ GẠO", 4},
		{"thi tran cho gao", 4},
		{"Xã Bình Ninh", 2},
		{"binh", 0},
		{"Mỹ Tho", 0},
	}
	for _, tt := range tests {
		f := registry.DonationFilter{Commune: tt.filter}
		want := bruteDonations(all, f)
		if len(want) != tt.want {
			t.Fatalf("%q: the brute force finds %d, want %d", tt.filter, len(want), tt.want)
		}
		for _, limit := range []int{1, 3, 100} {
			if got := walkDonationPages(t, s, f, limit); !slices.Equal(got, want) {
				t.Errorf("%q, limit %d: %v, want %v", tt.filter, limit, got, want)
			}
		}
	}
}

func TestListDonationsBadInput(t *testing.T) {
	s := communeStore(t)
	tests := []struct {
		name   string
		f      registry.DonationFilter
		cursor string
		part   registry.QueryPart
	}{
		{"bad cursor", registry.DonationFilter{}, "!!", registry.QueryCursor},
		{"short cursor", registry.DonationFilter{}, "AAAA", registry.QueryCursor},
		{"bad from", registry.DonationFilter{From: "2024-13-01"}, "", registry.QueryStart},
		{"bad to", registry.DonationFilter{To: "yesterday"}, "", registry.QueryEnd},
		{"to before from", registry.DonationFilter{From: "2024-02-01", To: "2024-01-01"}, "", registry.QueryEnd},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := s.ListDonations(context.Background(), tt.f, tt.cursor, 10)
			if camera.ErrorCode(err) != camera.EINVALID || registry.QueryPartOf(err) != tt.part {
				t.Errorf("err = %v, want an invalid %v", err, tt.part)
			}
		})
	}
}
