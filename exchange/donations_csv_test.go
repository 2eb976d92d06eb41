package exchange

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/sample"
	"github.com/matthan/matthan/internal/vntext"
)

// donationNow is "today" for the donation tests: the morning of
// 2024-05-02 in Vietnam (still the 1st in UTC).
var donationNow = time.Date(2024, 5, 2, 8, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// testPlaces is a registry of two cameras, CG-0001 in Chợ Gạo and
// CG-0002 in Chợ Gạo too, and the commune Bình Ninh (by a camera of its
// own).
type testPlaces struct{}

func (testPlaces) CameraCommune(id string) (string, bool) {
	switch id {
	case "CG-0001", "CG-0002":
		return "Chợ Gạo", true
	case "BN-0001":
		return "Bình Ninh", true
	}
	return "", false
}

func (testPlaces) Commune(name string) (string, bool) {
	switch vntext.Fold(name) {
	case "cho gao":
		return "Chợ Gạo", true
	case "binh ninh":
		return "Bình Ninh", true
	}
	return "", false
}

func decodeDonations(t *testing.T, b []byte, p camera.Places) ([]*camera.Donation, []Rejection) {
	t.Helper()
	ds, rejects, err := ReadAllDonations(NewDonationCSVDecoder(bytes.NewReader(b), p, donationNow))
	if err != nil {
		t.Fatalf("fatal error: %v", err)
	}
	return ds, rejects
}

func TestDonationCSVDecoder(t *testing.T) {
	ds, rejects := decodeDonations(t, readTestdata(t, "donations.csv"), testPlaces{})
	want := []*camera.Donation{
		{Donor: "Trương Thị Trang", AmountVND: 2_700_000, ReceivedOn: "2024-01-05", CameraID: "CG-0001", Commune: "Chợ Gạo", Note: "Ủng hộ lắp camera"},
		{Donor: "Hội Liên hiệp Phụ nữ xã Bình Ninh", AmountVND: 5_000_000, ReceivedOn: "2024-02-10", Commune: "Bình Ninh", Note: "Đóng góp quỹ camera"},
		// A quoted note with a comma, quotes and a CRLF line break.
		{Donor: "Cửa hàng Tạp hóa Minh", AmountVND: 1_000_000, ReceivedOn: "2024-03-01", CameraID: "CG-0002", Commune: "Chợ Gạo", Note: "Góp tiền, \"một phần\"\nphần còn lại"},
		// NFD in the file; today (in Vietnam) is not the future.
		{Donor: "Nguyễn Thị Hoa", AmountVND: 300_000, ReceivedOn: "2024-05-02", CameraID: "CG-0002", Commune: "Chợ Gạo", Note: "o"},
	}
	if !reflect.DeepEqual(ds, want) {
		for i := range max(len(ds), len(want)) {
			var g, w camera.Donation
			if i < len(ds) {
				g = *ds[i]
			}
			if i < len(want) {
				w = *want[i]
			}
			if g != w {
				t.Errorf("donation %d:\n got %+v\nwant %+v", i, g, w)
			}
		}
	}
	checkRejections(t, rejects, []Rejection{
		{Line: 7, Feature: -1, ID: "CG-0001", Field: "amount_vnd", Reason: `must be a whole number of đồng without decimals, got "1.5"`},
		{Line: 8, Feature: -1, ID: "CG-0001", Field: "amount_vnd", Reason: `must be a whole number of đồng, got "abc"`},
		{Line: 9, Feature: -1, ID: "CG-0001", Field: "amount_vnd", Reason: "must be more than 0 đồng, got -500000"},
		{Line: 10, Feature: -1, ID: "CG-0001", Field: "amount_vnd", Reason: "must be more than 0 đồng, got 0"},
		{Line: 11, Feature: -1, ID: "CG-0001", Field: "amount_vnd", Reason: "must be at most 10.000.000.000.000 ₫, got 10000000000001"},
		{Line: 12, Feature: -1, ID: "CG-0001", Field: "amount_vnd", Reason: `without decimals, got "1.500.000.50"`},
		{Line: 13, Feature: -1, ID: "CG-0001", Field: "received_on", Reason: "must not be in the future, got 2024-05-03 (today is 2024-05-02)"},
		{Line: 14, Feature: -1, ID: "CG-0001", Field: "received_on", Reason: `must be a date YYYY-MM-DD or DD/MM/YYYY (day first), got "05/13/2024"`},
		{Line: 15, Feature: -1, ID: "CG-0404", Field: "camera_id", Reason: `no camera with id "CG-0404"`},
		{Line: 16, Feature: -1, Field: "commune", Reason: `no camera is in a commune named "Mỹ Tho"`},
		{Line: 17, Feature: -1, ID: "CG-0001", Field: "donor", Reason: "must not be empty"},
		{Line: 18, Feature: -1, ID: "CG-0001", Field: "commune", Reason: `camera CG-0001 is in Chợ Gạo, not "Bình Ninh"`},
		{Line: 19, Feature: -1, ID: "CG-0001", Reason: "has a different number of fields than the header's 6"},
		{Line: 20, Feature: -1, ID: "CG-0001", Field: "amount_vnd", Reason: "is required"},
	})
}

// TestDonationCSVDecoderNoPlaces: without a registry to ask, rows are
// checked for themselves only.
func TestDonationCSVDecoderNoPlaces(t *testing.T) {
	in := "donor,amount_vnd,received_on,camera_id\nAn,100,2024-01-01,CG-0404\n"
	ds, rejects := decodeDonations(t, []byte(in), nil)
	if len(rejects) != 0 || len(ds) != 1 || ds[0].CameraID != "CG-0404" || ds[0].Commune != "" {
		t.Errorf("got %+v, %v", ds, rejects)
	}
}

func TestDonationCSVHeaderErrors(t *testing.T) {
	tests := []struct {
		name, in, field, msg string
	}{
		{"empty", "", "header", "the file is empty"},
		{"missing amount", "donor,received_on,camera_id\n", "amount_vnd", "missing column"},
		{"no camera nor commune", "donor,amount_vnd,received_on,note\n", "camera_id", "a camera (camera_id) or a commune's pool"},
		{"unknown", "donor,amount_vnd,received_on,camera_id,id\n", "id", "unknown column"},
		{"duplicate", "donor,amount_vnd,received_on,camera_id,donor\n", "donor", "duplicate column"},
		{"unnamed", "donor,,received_on\n", "header", "column 2 of the header has no name"},
		{"semicolons", "donor;amount_vnd;received_on\n", "header", "separated by ';'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ReadAllDonations(NewDonationCSVDecoder(strings.NewReader(tt.in), nil, donationNow))
			if camera.ErrorField(err) != tt.field || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %v, want field %s and %q", err, tt.field, tt.msg)
			}
		})
	}
}

func TestDonationCSVTooLarge(t *testing.T) {
	in := "donor,amount_vnd,received_on,camera_id\nAn,1,2024-01-01,CG-1\n\"" + strings.Repeat("x", MaxCSVRecordBytes+10) + "\n"
	d := NewDonationCSVDecoder(strings.NewReader(in), nil, donationNow)
	if _, err := d.Next(); err != nil {
		t.Fatal(err)
	}
	_, err := d.Next()
	if camera.ErrorField(err) != "line 3" || errors.Is(err, io.EOF) {
		t.Errorf("err = %v, want a fatal error naming line 3", err)
	}
}

// TestDonationCSVRoundTrip: the sample district's donations decode
// without a rejection, and export to the very same bytes; so does an
// export of the test file.
func TestDonationCSVRoundTrip(t *testing.T) {
	in := sample.Donations()
	ds, rejects := decodeDonations(t, in, nil)
	if len(rejects) != 0 || len(ds) != 833 {
		t.Fatalf("%d donations, rejects %v", len(ds), rejects)
	}
	var total int64
	for _, d := range ds {
		total += d.AmountVND
	}
	if total != sample.TotalCostVND {
		t.Errorf("sample donations sum to %s, want %s", camera.FormatVND(total), camera.FormatVND(sample.TotalCostVND))
	}
	var out bytes.Buffer
	if err := WriteDonationsCSV(&out, slices.Values(ds)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), in) {
		t.Errorf("export of the sample differs from the sample")
	}

	ds, _ = decodeDonations(t, readTestdata(t, "donations.csv"), testPlaces{})
	var first, second bytes.Buffer
	if err := WriteDonationsCSV(&first, slices.Values(ds)); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "donations.export.csv", first.Bytes())
	again, rejects := decodeDonations(t, first.Bytes(), testPlaces{})
	if len(rejects) != 0 {
		t.Fatalf("rejects on re-import: %v", rejects)
	}
	if err := WriteDonationsCSV(&second, slices.Values(again)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Errorf("export, import, export changed the bytes:\n%s\n%s", first.Bytes(), second.Bytes())
	}
}

func TestDonationCSVHeaderConstant(t *testing.T) {
	if got := strings.Join(DonationCSVColumns(), ","); got != DonationCSVHeader {
		t.Errorf("columns %s, header %s", got, DonationCSVHeader)
	}
	var b bytes.Buffer
	if err := WriteDonationsCSV(&b, slices.Values([]*camera.Donation(nil))); err != nil || b.String() != DonationCSVHeader+"\n" {
		t.Errorf("empty export = %q, %v", b.String(), err)
	}
}

// TestDonationCSVRef: the optional ref column, in any place, is read as
// the donation's ref (NFC, trimmed) and checked; an encoder with Ref
// writes it back, and export, import, export give the same bytes.
func TestDonationCSVRef(t *testing.T) {
	in := "ref,donor,amount_vnd,received_on,camera_id\n" +
		" FT24122 0001 ,An,100,2024-01-01,CG-0001\n" +
		",Bình,200,2024-01-01,CG-0002\n" +
		"MBVCB.58217.U\u0309ng ho\u0302\u0323,Cường,300,2024-01-02,CG-0002\n" +
		"---,Dũng,400,2024-01-02,CG-0002\n" +
		strings.Repeat("9", camera.MaxDonationRefLen+1) + ",Em,500,2024-01-02,CG-0002\n"
	ds, rejects := decodeDonations(t, []byte(in), testPlaces{})
	var refs []string
	for _, d := range ds {
		refs = append(refs, d.Ref)
	}
	if want := []string{"FT24122 0001", "", "MBVCB.58217.Ủng hộ"}; !slices.Equal(refs, want) {
		t.Errorf("refs %q, want %q", refs, want)
	}
	if len(rejects) != 2 || rejects[0].Line != 5 || rejects[0].Field != "ref" || rejects[1].Line != 6 || rejects[1].Field != "ref" {
		t.Errorf("rejections %+v, want lines 5 and 6 naming ref", rejects)
	}

	encode := func(ds []*camera.Donation) []byte {
		var b bytes.Buffer
		enc := NewDonationCSVEncoder(&b)
		enc.Ref = true
		for _, d := range ds {
			if err := enc.Encode(d); err != nil {
				t.Fatal(err)
			}
		}
		if err := enc.Close(); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	first := encode(ds)
	if want := DonationCSVHeader + ",ref\nAn,100,2024-01-01,CG-0001,Chợ Gạo,,FT24122 0001\n"; !strings.HasPrefix(string(first), want) {
		t.Errorf("export with refs:\n%s\nwant it to start with\n%s", first, want)
	}
	again, rejects := decodeDonations(t, first, testPlaces{})
	if len(rejects) != 0 || !reflect.DeepEqual(again, ds) {
		t.Fatalf("import of the export: %+v, rejects %v", again, rejects)
	}
	if second := encode(again); !bytes.Equal(second, first) {
		t.Errorf("export, import, export changed the bytes:\n%s\n%s", first, second)
	}
	if got := string(encode(nil)); got != DonationCSVHeader+",ref\n" {
		t.Errorf("empty export with refs = %q", got)
	}
}
