package registry_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/sample"
	"github.com/matthan/matthan/registry"
)

// donationClock is the store clock of the donation tests: after every
// sample donation, the morning of 2024-05-02 in Vietnam.
var donationClock = time.Date(2024, 5, 2, 8, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// communeStore has cameras in Chợ Gạo (two spelt so, one "Cho Gao"),
// Bình Ninh, and one camera without a commune.
func communeStore(t *testing.T) *registry.Store {
	t.Helper()
	s := openAtClock(t, donationClock)
	for _, c := range []struct{ id, commune string }{
		{"CG-0001", "Chợ Gạo"}, {"CG-0002", "Chợ Gạo"}, {"CG-0003", "Cho Gao"}, {"BN-0001", "Bình Ninh"}, {"XX-0001", ""},
	} {
		cam := testCamera(c.id)
		cam.Commune = c.commune
		cam.CostVND = 4_000_000
		if err := s.CreateCamera(context.Background(), cam, camera.SystemActor); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestCreateDonation(t *testing.T) {
	tests := []struct {
		name        string
		d           camera.Donation
		field       string // "" = stored
		wantCommune string
	}{
		{"camera gift takes the canonical commune", camera.Donation{CameraID: "CG-0003"}, "", "Chợ Gạo"},
		{"camera gift, commune in other spelling", camera.Donation{CameraID: "CG-0001", Commune: "CHO GAO"}, "", "Chợ Gạo"},
		{"pool gift, no accents", camera.Donation{Commune: "binh ninh"}, "", "Bình Ninh"},
		{"pool gift, NFD", camera.Donation{Commune: "Bi\u0300nh Ninh"}, "", "Bình Ninh"},
		{"camera without commune", camera.Donation{CameraID: "XX-0001"}, "", ""},
		{"unknown camera", camera.Donation{CameraID: "CG-0404"}, "camera_id", ""},
		{"commune disagrees", camera.Donation{CameraID: "CG-0001", Commune: "Bình Ninh"}, "commune", ""},
		{"unknown pool commune", camera.Donation{Commune: "Hòa Tịnh"}, "commune", ""},
		{"id given", camera.Donation{ID: "DN-0000001", CameraID: "CG-0001"}, "id", ""},
		{"future", camera.Donation{CameraID: "CG-0001", ReceivedOn: "2024-05-03"}, "received_on", ""},
		{"zero", camera.Donation{CameraID: "CG-0001", AmountVND: -1}, "amount_vnd", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := communeStore(t)
			d := tt.d
			d.Donor = "  Nguye\u0302\u0303n Văn An " // NFD, spaces: stored NFC, trimmed
			if d.AmountVND == 0 {
				d.AmountVND = 500_000
			}
			if d.ReceivedOn == "" {
				d.ReceivedOn = "2024-05-02"
			}
			err := s.CreateDonation(context.Background(), &d, fundraiser)
			if tt.field != "" {
				if got := camera.ErrorField(err); got != tt.field || camera.ErrorCode(err) != camera.EINVALID {
					t.Fatalf("error %v (field %q, code %q), want invalid naming %q", err, got, camera.ErrorCode(err), tt.field)
				}
				if n, _, _ := s.CountDonations(context.Background()); n != 0 {
					t.Errorf("%d donations stored after a refusal", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("CreateDonation: %v", err)
			}
			if d.ID != "DN-0000001" || d.Commune != tt.wantCommune || d.Donor != "Nguyễn Văn An" {
				t.Errorf("stored id %q commune %q donor %q, want DN-0000001, %q, Nguyễn Văn An", d.ID, d.Commune, d.Donor, tt.wantCommune)
			}
			got, err := s.GetDonation(context.Background(), d.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := d
			want.CreatedBy, want.CreatedAt = fundraiser, donationClock.UTC()
			if *got != want {
				t.Errorf("GetDonation = %+v, want %+v", *got, want)
			}
			audit, _, err := s.ListAudit(context.Background(), 0, 1)
			if err != nil || len(audit) != 1 || audit[0].Action != "donation.create" || audit[0].Target != d.ID || audit[0].Actor != fundraiser {
				t.Errorf("audit = %+v, %v; want donation.create of %s by %v", audit, err, d.ID, fundraiser)
			}
		})
	}
}

func TestGetDonationNotFound(t *testing.T) {
	s := communeStore(t)
	for _, id := range []string{"DN-0000001", "nope", ""} {
		if _, err := s.GetDonation(context.Background(), id); camera.ErrorCode(err) != camera.ENOTFOUND {
			t.Errorf("GetDonation(%q): %v, want not found", id, err)
		}
	}
}

func TestImportDonationsAllOrNothing(t *testing.T) {
	s := communeStore(t)
	ds := []*camera.Donation{
		{Donor: "A", AmountVND: 1, ReceivedOn: "2024-01-01", CameraID: "CG-0001"},
		{Donor: "B", AmountVND: 2, ReceivedOn: "2024-01-01", Commune: "Bình Ninh"},
		{Donor: "C", AmountVND: 3, ReceivedOn: "2024-01-01", CameraID: "CG-9999"},
	}
	_, err := s.ImportDonations(context.Background(), ds, fundraiser)
	if got := camera.ErrorField(err); got != "donations[2].camera_id" {
		t.Fatalf("error %v names %q, want donations[2].camera_id", err, got)
	}
	if n, _, _ := s.CountDonations(context.Background()); n != 0 {
		t.Fatalf("%d donations stored, want none", n)
	}
	ds[2].CameraID = "BN-0001"
	res, err := s.ImportDonations(context.Background(), ds, fundraiser)
	if err != nil {
		t.Fatal(err)
	}
	want := registry.DonationImport{Created: 3, First: "DN-0000001", Last: "DN-0000003", TotalVND: 6}
	if !reflect.DeepEqual(res, want) {
		t.Errorf("import = %+v, want %+v", res, want)
	}
	audit, _, _ := s.ListAudit(context.Background(), 0, 1)
	if len(audit) != 1 || audit[0].Action != "donation.import" || !strings.Contains(audit[0].Target, "3 donations, DN-0000001 to DN-0000003") {
		t.Errorf("audit = %+v", audit)
	}
}

func TestDonationAndCostTotals(t *testing.T) {
	s, cams := sampleStore(t, donationClock)
	ctx := context.Background()

	wantDon, wantCost := map[string]int64{}, map[string]int64{}
	for _, r := range sampleDonationRows(t) {
		wantDon[r.commune] += r.amount
	}
	for _, c := range cams {
		wantCost[c.Commune] += c.CostVND
	}
	gotDon, err := s.DonationTotals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gotCost, err := s.CostTotals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2]map[string]int64{"DonationTotals": {gotDon, wantDon}, "CostTotals": {gotCost, wantCost}} {
		got, want := pair[0], pair[1]
		if len(got) != sample.CommuneCount || len(got) != len(want) {
			t.Errorf("%s has %d communes, want %d", name, len(got), len(want))
		}
		var sum int64
		for c, v := range got {
			sum += v
			if v != want[c] {
				t.Errorf("%s[%s] = %s, want %s", name, c, camera.FormatVND(v), camera.FormatVND(want[c]))
			}
		}
		if sum != sample.TotalCostVND {
			t.Errorf("%s sum to %s, want %s", name, camera.FormatVND(sum), camera.FormatVND(sample.TotalCostVND))
		}
	}
	n, total, err := s.CountDonations(ctx)
	if err != nil || n != len(sampleDonationRows(t)) || total != sample.TotalCostVND {
		t.Errorf("CountDonations = %d, %d, %v; want %d, %d", n, total, err, len(sampleDonationRows(t)), sample.TotalCostVND)
	}
}

// TestCostTotalsEscapes checks the fast camera scan against records it
// has to hand to encoding/json (escapes in the commune and the name).
func TestCostTotalsEscapes(t *testing.T) {
	s := openAtClock(t, donationClock)
	for i, commune := range []string{`Xã "Mới"`, `Xã "Mới"`, "A\\B", "Tân <Phú> & Đông"} {
		c := testCamera(string(rune('A'+i)) + "-1")
		c.Commune, c.Name, c.CostVND = commune, `Cổng "trường" \ chợ`, int64(i+1)*1000
		if err := s.CreateCamera(context.Background(), c, camera.SystemActor); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.CostTotals(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{`Xã "Mới"`: 3000, "A\\B": 3000, "Tân <Phú> & Đông": 4000}
	if len(got) != len(want) {
		t.Errorf("CostTotals = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("CostTotals[%q] = %d, want %d", k, got[k], v)
		}
	}
}

// TestCreateDonationFollowsCameras: the canonical spelling of a commune
// and whether it has cameras follow every camera write, since a single
// donation reads them from the running commune facts.
func TestCreateDonationFollowsCameras(t *testing.T) {
	ctx := context.Background()
	s := communeStore(t)
	give := func(cameraID, commune string) (*camera.Donation, error) {
		d := &camera.Donation{Donor: "An", AmountVND: 1_000, ReceivedOn: "2024-05-01", CameraID: cameraID, Commune: commune}
		return d, s.CreateDonation(ctx, d, fundraiser)
	}
	if d, err := give("CG-0003", ""); err != nil || d.Commune != "Chợ Gạo" {
		t.Fatalf("gift to CG-0003: %+v, %v; want Chợ Gạo", d, err)
	}
	for _, id := range []string{"CG-0001", "CG-0002"} {
		if _, err := s.UpdateCamera(ctx, id, "camera.update", camera.SystemActor, func(c *camera.Camera) error {
			c.Commune = "Xã Chợ Gạo"
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	// Now "Cho Gao" (CG-0003) is a commune of its own spelling, and
	// "Xã Chợ Gạo" has two cameras.
	if d, err := give("CG-0003", "CHO GAO"); err != nil || d.Commune != "Cho Gao" {
		t.Errorf("gift to CG-0003 after the rename: %+v, %v; want Cho Gao", d, err)
	}
	if d, err := give("", "xa cho gao"); err != nil || d.Commune != "Xã Chợ Gạo" {
		t.Errorf("pool gift to xa cho gao: %+v, %v; want Xã Chợ Gạo", d, err)
	}
	if err := s.DeleteCamera(ctx, "BN-0001", camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	if _, err := give("", "Bình Ninh"); camera.ErrorField(err) != "commune" {
		t.Errorf("pool gift to Bình Ninh without cameras: %v, want invalid naming commune", err)
	}
}
