package camera_test

import (
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
)

// donationNow is the clock of the validation tests: the morning of
// 2024-05-02 in Vietnam, still the 1st in UTC.
var donationNow = time.Date(2024, 5, 2, 8, 0, 0, 0, time.FixedZone("ICT", 7*3600))

func validDonation() camera.Donation {
	return camera.Donation{Donor: "Nguyễn Văn An", AmountVND: 500_000, ReceivedOn: "2024-05-01", CameraID: "CG-0001", Note: "Ủng hộ lắp camera"}
}

func TestDonationValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(d *camera.Donation)
		field string // "" = valid
		msg   string // part of the message
	}{
		{"valid", func(d *camera.Donation) {}, "", ""},
		{"valid pool gift", func(d *camera.Donation) { d.CameraID, d.Commune = "", "Bình Ninh" }, "", ""},
		{"today in the network's zone", func(d *camera.Donation) { d.ReceivedOn = "2024-05-02" }, "", ""},
		{"the cap", func(d *camera.Donation) { d.AmountVND = camera.MaxVND }, "", ""},
		{"one đồng", func(d *camera.Donation) { d.AmountVND = 1 }, "", ""},
		{"generated id", func(d *camera.Donation) { d.ID = "DN-0000012" }, "", ""},
		{"bad id", func(d *camera.Donation) { d.ID = "INC-1" }, "id", "DN-0000001"},
		{"empty donor", func(d *camera.Donation) { d.Donor = "  " }, "donor", "must not be empty"},
		{"long donor", func(d *camera.Donation) { d.Donor = strings.Repeat("ă", camera.MaxDonorLen+1) }, "donor", "at most 200"},
		{"donor with a tab", func(d *camera.Donation) { d.Donor = "An\tBình" }, "donor", "control"},
		{"donor not UTF-8", func(d *camera.Donation) { d.Donor = "An \xff" }, "donor", "UTF-8"},
		{"zero amount", func(d *camera.Donation) { d.AmountVND = 0 }, "amount_vnd", "more than 0"},
		{"negative amount", func(d *camera.Donation) { d.AmountVND = -5 }, "amount_vnd", "more than 0"},
		{"over the cap", func(d *camera.Donation) { d.AmountVND = camera.MaxVND + 1 }, "amount_vnd", "10.000.000.000.000 ₫"},
		{"no date", func(d *camera.Donation) { d.ReceivedOn = "" }, "received_on", "YYYY-MM-DD"},
		{"not a date", func(d *camera.Donation) { d.ReceivedOn = "2024-02-30" }, "received_on", "YYYY-MM-DD"},
		{"slashes", func(d *camera.Donation) { d.ReceivedOn = "01/05/2024" }, "received_on", "YYYY-MM-DD"},
		{"tomorrow", func(d *camera.Donation) { d.ReceivedOn = "2024-05-03" }, "received_on", "future"},
		{"year typo", func(d *camera.Donation) { d.ReceivedOn = "0019-05-03" }, "received_on", "1900"},
		{"bad camera id", func(d *camera.Donation) { d.CameraID = "CG/1" }, "camera_id", "'/'"},
		{"pool gift without commune", func(d *camera.Donation) { d.CameraID = "" }, "commune", "required"},
		{"long commune", func(d *camera.Donation) { d.Commune = strings.Repeat("x", camera.MaxTextLen+1) }, "commune", "at most"},
		{"long note", func(d *camera.Donation) { d.Note = strings.Repeat("x", camera.MaxDonationNoteLen+1) }, "note", "at most"},
		{"note on two lines", func(d *camera.Donation) { d.Note = "một\nhai" }, "", ""},
		{"bank ref", func(d *camera.Donation) { d.Ref = "MBVCB.5821763.042315.Ủng hộ camera" }, "", ""},
		{"long ref", func(d *camera.Donation) { d.Ref = strings.Repeat("9", camera.MaxDonationRefLen+1) }, "ref", "at most 100"},
		{"ref on two lines", func(d *camera.Donation) { d.Ref = "FT1\nFT2" }, "ref", "control"},
		{"ref of dashes", func(d *camera.Donation) { d.Ref = "--- " }, "ref", "letter or a digit"},
		{"ref not UTF-8", func(d *camera.Donation) { d.Ref = "FT\xff" }, "ref", "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := validDonation()
			tt.edit(&d)
			err := d.Validate(donationNow)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate: nil, want an error naming %s", tt.field)
			}
			if got := camera.ErrorCode(err); got != camera.EINVALID {
				t.Errorf("code = %q, want %q", got, camera.EINVALID)
			}
			if got := camera.ErrorField(err); got != tt.field {
				t.Errorf("field = %q, want %q (%v)", got, tt.field, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message %q does not contain %q", err.Error(), tt.msg)
			}
		})
	}
}

// fakePlaces is a registry of two cameras in Chợ Gạo and one without a
// commune; Commune folds only case and the one accent the tests use.
type fakePlaces struct{}

func (fakePlaces) CameraCommune(id string) (string, bool) {
	switch id {
	case "CG-0001", "CG-0002":
		return "Chợ Gạo", true
	case "CG-0009":
		return "", true
	}
	return "", false
}

func (fakePlaces) Commune(name string) (string, bool) {
	switch strings.ToLower(name) {
	case "chợ gạo", "cho gao":
		return "Chợ Gạo", true
	case "bình ninh", "binh ninh":
		return "Bình Ninh", true
	}
	return "", false
}

func TestDonationResolve(t *testing.T) {
	tests := []struct {
		name        string
		camera      string
		commune     string
		wantCommune string
		field       string
	}{
		{"camera gives its commune", "CG-0001", "", "Chợ Gạo", ""},
		{"same commune in other spelling", "CG-0002", "cho gao", "Chợ Gạo", ""},
		{"unknown camera", "CG-0404", "", "", "camera_id"},
		{"commune disagrees", "CG-0001", "Bình Ninh", "", "commune"},
		{"unknown commune with a camera", "CG-0001", "Mỹ Tho", "", "commune"},
		{"camera without commune", "CG-0009", "", "", ""},
		{"camera without commune, commune given", "CG-0009", "Chợ Gạo", "", "commune"},
		{"pool gift, canonical spelling", "", "BINH NINH", "Bình Ninh", ""},
		{"pool gift, unknown commune", "", "Hòa Tịnh", "", "commune"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := camera.Donation{CameraID: tt.camera, Commune: tt.commune}
			err := d.Resolve(fakePlaces{})
			if got := camera.ErrorField(err); got != tt.field {
				t.Fatalf("error field = %q, want %q (err %v)", got, tt.field, err)
			}
			if err != nil {
				if camera.ErrorCode(err) != camera.EINVALID {
					t.Errorf("code = %q, want invalid", camera.ErrorCode(err))
				}
				return
			}
			if d.Commune != tt.wantCommune {
				t.Errorf("commune = %q, want %q", d.Commune, tt.wantCommune)
			}
		})
	}
}

func TestDonationID(t *testing.T) {
	for _, tt := range []struct {
		seq uint64
		id  string
	}{{1, "DN-0000001"}, {1234567, "DN-1234567"}, {12345678, "DN-12345678"}} {
		if got := camera.FormatDonationID(tt.seq); got != tt.id {
			t.Errorf("FormatDonationID(%d) = %q, want %q", tt.seq, got, tt.id)
		}
		if got, ok := camera.ParseDonationID(tt.id); !ok || got != tt.seq {
			t.Errorf("ParseDonationID(%q) = %d, %v, want %d", tt.id, got, ok, tt.seq)
		}
	}
	for _, bad := range []string{"", "DN-", "DN-1", "DN-0000000", "DN-00000001", "dn-0000001", "DN-00000a1", "DN-99999999999999999999"} {
		if _, ok := camera.ParseDonationID(bad); ok {
			t.Errorf("ParseDonationID(%q) ok, want not", bad)
		}
	}
}
