package registry_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/matthan/matthan/internal/vntext"
	"github.com/matthan/matthan/registry"
)

// TestDonationMonths sums the sample ledger by commune and month and
// compares with a brute force over its CSV, for every commune, one
// commune named without accents, and a range of dates.
func TestDonationMonths(t *testing.T) {
	ctx := context.Background()
	s, _ := sampleStore(t, donationClock)
	rows := sampleDonationRows(t)
	brute := func(commune, from, to string) []registry.CommuneMonths {
		byCommune := map[string]map[string]*registry.MonthSum{}
		for _, d := range rows {
			if (commune != "" && d.commune != commune) || (from != "" && d.date < from) || (to != "" && d.date > to) {
				continue
			}
			if byCommune[d.commune] == nil {
				byCommune[d.commune] = map[string]*registry.MonthSum{}
			}
			m := d.date[:7]
			if byCommune[d.commune][m] == nil {
				byCommune[d.commune][m] = &registry.MonthSum{Month: m}
			}
			byCommune[d.commune][m].DonatedVND += d.amount
			byCommune[d.commune][m].Donations++
		}
		var out []registry.CommuneMonths
		for c, months := range byCommune {
			cm := registry.CommuneMonths{Commune: c}
			for _, m := range months {
				cm.Months = append(cm.Months, *m)
			}
			slices.SortFunc(cm.Months, func(a, b registry.MonthSum) int { return strings.Compare(a.Month, b.Month) })
			out = append(out, cm)
		}
		slices.SortFunc(out, func(a, b registry.CommuneMonths) int {
			return strings.Compare(vntext.Fold(a.Commune), vntext.Fold(b.Commune))
		})
		return out
	}
	for _, tt := range []struct{ filter, commune, from, to string }{
		{"", "", "", ""},
		{"song binh", "Song Bình", "", ""},
		{"", "", "2022-03-01", "2022-12-31"},
		{"thi tran cho gao", "Thị trấn Chợ Gạo", "2021-01-01", ""},
	} {
		t.Run(fmt.Sprintf("%q %s..%s", tt.filter, tt.from, tt.to), func(t *testing.T) {
			got, err := s.DonationMonths(ctx, tt.filter, tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			want := brute(tt.commune, tt.from, tt.to)
			if len(want) == 0 {
				t.Fatal("the brute force found nothing: a test that checks nothing")
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("DonationMonths(%q, %q, %q) =\n%v\nwant\n%v", tt.filter, tt.from, tt.to, got, want)
			}
		})
	}
	if _, err := s.DonationMonths(ctx, "", "2024-13-01", ""); err == nil {
		t.Error("a month 13 is accepted")
	}
}
