package registry_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// allDonations returns every stored donation, in (received_on, id) order.
func allDonations(t testing.TB, s *registry.Store) []*camera.Donation {
	t.Helper()
	var out []*camera.Donation
	if err := s.EachDonation(context.Background(), registry.DonationFilter{}, func(d *camera.Donation) error {
		out = append(out, d)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// freshLedger opens a new store on the same clock with the sample cameras
// and stores ds in it, as an import of their export would: a ledger that
// never saw what was deleted from the store ds came from.
func freshLedger(t *testing.T, now time.Time, ds []*camera.Donation) *registry.Store {
	t.Helper()
	s := openAtClock(t, now)
	loadSampleCameras(t, s)
	again := make([]*camera.Donation, len(ds))
	for i, d := range ds {
		again[i] = &camera.Donation{Donor: d.Donor, AmountVND: d.AmountVND, ReceivedOn: d.ReceivedOn, CameraID: d.CameraID, Commune: d.Commune, Note: d.Note}
	}
	if len(again) > 0 {
		if _, err := s.ImportDonations(context.Background(), again, fundraiser); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// gift is a donation without what the store gives it (id, who, when).
type gift struct {
	donor, date, camera, commune, note string
	amount                             int64
}

func gifts(ds []*camera.Donation) []gift {
	out := make([]gift, len(ds))
	for i, d := range ds {
		out[i] = gift{d.Donor, d.ReceivedOn, d.CameraID, d.Commune, d.Note, d.AmountVND}
	}
	return out
}

// sameLedger checks that every view of the donations of got — counts,
// totals per commune, the three funding views and filtered lists —
// equals that of want.
func sameLedger(t *testing.T, got, want *registry.Store) {
	t.Helper()
	ctx := context.Background()
	gn, gt, err1 := got.CountDonations(ctx)
	wn, wt, err2 := want.CountDonations(ctx)
	if err1 != nil || err2 != nil || gn != wn || gt != wt {
		t.Errorf("CountDonations = %d, %d (%v); want %d, %d (%v)", gn, gt, err1, wn, wt, err2)
	}
	gTot, err1 := got.DonationTotals(ctx)
	wTot, err2 := want.DonationTotals(ctx)
	if err1 != nil || err2 != nil || !reflect.DeepEqual(gTot, wTot) {
		t.Errorf("DonationTotals = %v (%v), want %v (%v)", gTot, err1, wTot, err2)
	}
	for _, g := range []registry.GroupBy{registry.GroupByCamera, registry.GroupByCommune, registry.GroupByDonor} {
		gr, err1 := got.Funding(ctx, g, registry.Window{})
		wr, err2 := want.Funding(ctx, g, registry.Window{})
		if err1 != nil || err2 != nil {
			t.Fatalf("Funding(%s): %v, %v", g, err1, err2)
		}
		if !reflect.DeepEqual(gr.Totals, wr.Totals) {
			t.Errorf("Funding(%s) totals = %+v, want %+v", g, gr.Totals, wr.Totals)
		}
		if len(gr.Rows) != len(wr.Rows) {
			t.Errorf("Funding(%s): %d rows, want %d", g, len(gr.Rows), len(wr.Rows))
			continue
		}
		for i := range gr.Rows {
			if !reflect.DeepEqual(gr.Rows[i], wr.Rows[i]) {
				t.Errorf("Funding(%s) row %d = %+v, want %+v", g, i, gr.Rows[i], wr.Rows[i])
			}
		}
	}
	for _, f := range []registry.DonationFilter{
		{},
		{CameraID: "CG-0001"},
		{Commune: "song binh"},
		{Commune: "Thị trấn Chợ Gạo", From: "2020-01-01", To: "2021-12-31"},
		{Donor: "nguyen"},
		{From: "2022-03-01", To: "2022-09-30"},
	} {
		var gl, wl []*camera.Donation
		for _, pair := range []struct {
			s   *registry.Store
			out *[]*camera.Donation
		}{{got, &gl}, {want, &wl}} {
			err := pair.s.EachDonation(ctx, f, func(d *camera.Donation) error {
				*pair.out = append(*pair.out, d)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if !reflect.DeepEqual(gifts(gl), gifts(wl)) {
			t.Errorf("donations of %+v: %d, want %d, or they differ", f, len(gl), len(wl))
		}
	}
}
