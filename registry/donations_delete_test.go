package registry_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// TestDeleteDonation deletes a pool gift, a donor's only gift and every
// gift of one commune from the sample ledger, and checks that every view
// then equals that of a ledger that never held them.
func TestDeleteDonation(t *testing.T) {
	ctx := context.Background()
	s, _ := sampleStore(t, donationClock)
	var doomed []*camera.Donation
	for _, f := range []registry.DonationFilter{
		{Commune: "long binh dien"},
		{Donor: "Trương Văn Kiệt", Commune: "Song Bình"},
		{Donor: "Bùi Bích Hiền"},
	} {
		items, _, err := s.ListDonations(ctx, f, "", 1000)
		if err != nil || len(items) == 0 {
			t.Fatalf("ListDonations(%+v): %d, %v", f, len(items), err)
		}
		doomed = append(doomed, items...)
	}
	if !doomed[len(doomed)-2].Pool() {
		t.Fatalf("%+v is not a gift to a pool", *doomed[len(doomed)-2])
	}
	for i, d := range doomed {
		got, err := s.DeleteDonation(ctx, d.ID, "  nhập trùng từ sao kê  ", fundraiser)
		if err != nil {
			t.Fatalf("DeleteDonation(%s): %v", d.ID, err)
		}
		if *got != *d {
			t.Errorf("DeleteDonation returned %+v, want %+v", *got, *d)
		}
		if i == 0 {
			checkDeleteAudit(t, s, d)
		}
	}
	if totals, _ := s.DonationTotals(ctx); totals["Long Bình Điền"] != 0 {
		t.Errorf("Long Bình Điền still has %d in the totals", totals["Long Bình Điền"])
	}
	for _, d := range doomed[:1] {
		if _, err := s.GetDonation(ctx, d.ID); camera.ErrorCode(err) != camera.ENOTFOUND {
			t.Errorf("GetDonation(%s) after delete: %v", d.ID, err)
		}
		if _, err := s.DeleteDonation(ctx, d.ID, "again", fundraiser); camera.ErrorCode(err) != camera.ENOTFOUND {
			t.Errorf("second DeleteDonation(%s): %v, want not found", d.ID, err)
		}
	}
	left := allDonations(t, s)
	if n := len(sampleDonationRows(t)) - len(doomed); len(left) != n {
		t.Fatalf("%d donations left, want %d", len(left), n)
	}
	sameLedger(t, s, freshLedger(t, donationClock, left))
}

// checkDeleteAudit checks that the newest audit entry is the deletion of
// d and keeps its reason and its whole record.
func checkDeleteAudit(t *testing.T, s *registry.Store, d *camera.Donation) {
	t.Helper()
	audit, _, err := s.ListAudit(context.Background(), 0, 1)
	if err != nil || len(audit) != 1 {
		t.Fatalf("ListAudit: %v, %v", audit, err)
	}
	e := audit[0]
	if e.Action != "donation.delete" || e.Target != d.ID || e.Actor != fundraiser || len(e.Changes) != 2 {
		t.Fatalf("audit entry %+v", e)
	}
	if e.Changes[0] != "reason: nhập trùng từ sao kê" {
		t.Errorf("audit reason %q", e.Changes[0])
	}
	var rec camera.Donation
	raw, found := strings.CutPrefix(e.Changes[1], "record: ")
	if err := json.Unmarshal([]byte(raw), &rec); !found || err != nil || rec != *d {
		t.Errorf("audit record %q (%v), want %+v", e.Changes[1], err, *d)
	}
}

func TestDeleteDonationBadInput(t *testing.T) {
	ctx := context.Background()
	s := communeStore(t)
	d := &camera.Donation{Donor: "An", AmountVND: 100, ReceivedOn: "2024-01-01", CameraID: "CG-0001"}
	if err := s.CreateDonation(ctx, d, fundraiser); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, id, reason, field, code string
	}{
		{"no reason", d.ID, "", "reason", camera.EINVALID},
		{"blank reason", d.ID, " \t ", "reason", camera.EINVALID},
		{"long reason", d.ID, strings.Repeat("ă", registry.MaxCorrectionReasonLen+1), "reason", camera.EINVALID},
		{"reason on two lines", d.ID, "một\nhai", "reason", camera.EINVALID},
		{"reason not UTF-8", d.ID, "sai \xff", "reason", camera.EINVALID},
		{"unknown id", "DN-0000009", "typo", "id", camera.ENOTFOUND},
		{"not an id", "CG-0001", "typo", "id", camera.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.DeleteDonation(ctx, tt.id, tt.reason, fundraiser)
			if camera.ErrorCode(err) != tt.code || camera.ErrorField(err) != tt.field {
				t.Errorf("DeleteDonation: %v, want %s naming %s", err, tt.code, tt.field)
			}
		})
	}
	if n, total, _ := s.CountDonations(ctx); n != 1 || total != 100 {
		t.Errorf("after refusals: %d donations, %d đồng; want 1, 100", n, total)
	}
}
