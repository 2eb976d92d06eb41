package exchange

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/matthan/matthan/camera"
)

// TestDonationConsentColumn: the optional public column reads a yes or a
// no the ways a sheet writes one — Vietnamese or English, any case, a
// checkbox's x, empty for no — and refuses anything else naming public;
// an encoder with Public writes yes or no, and export, import, export
// give the same bytes.
func TestDonationConsentColumn(t *testing.T) {
	values := []struct {
		text   string
		public bool
	}{
		{"yes", true}, {"YES", true}, {"true", true}, {"1", true}, {"x", true}, {"Có", true}, {"co", true}, {"Đồng ý", true},
		{"", false}, {"no", false}, {"False", false}, {"0", false}, {"Không", false}, {"khong", false},
	}
	var b strings.Builder
	b.WriteString("donor,amount_vnd,received_on,camera_id,public\n")
	for i, v := range values {
		b.WriteString("Người " + strings.Repeat("A", i+1) + ",100,2024-01-01,CG-0001," + v.text + "\n")
	}
	b.WriteString("Bình,200,2024-01-01,CG-0001,có lẽ\n")
	ds, rejects := decodeDonations(t, []byte(b.String()), testPlaces{})
	if len(ds) != len(values) {
		t.Fatalf("%d donations, want %d (rejects %v)", len(ds), len(values), rejects)
	}
	for i, v := range values {
		if ds[i].Public != v.public {
			t.Errorf("public %q read as %v, want %v", v.text, ds[i].Public, v.public)
		}
	}
	if len(rejects) != 1 || rejects[0].Field != "public" || rejects[0].Line != len(values)+2 || !strings.Contains(rejects[0].Reason, `got "có lẽ"`) {
		t.Errorf("rejections %+v, want the last line naming public", rejects)
	}

	encode := func(ds []*camera.Donation) []byte {
		var b bytes.Buffer
		enc := NewDonationCSVEncoder(&b)
		enc.Ref, enc.Public = true, true
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
	first := encode(ds[:2])
	if want := DonationCSVHeader + ",ref,public\nNgười A,100,2024-01-01,CG-0001,Chợ Gạo,,,yes\nNgười AA,100,2024-01-01,CG-0001,Chợ Gạo,,,yes\n"; string(first) != want {
		t.Errorf("export with consent:\n%s\nwant\n%s", first, want)
	}
	all := encode(ds)
	again, rejects := decodeDonations(t, all, testPlaces{})
	if len(rejects) != 0 || !reflect.DeepEqual(again, ds) {
		t.Fatalf("import of the export: rejects %v", rejects)
	}
	if second := encode(again); !bytes.Equal(second, all) {
		t.Errorf("export, import, export changed the bytes:\n%s\n%s", all, second)
	}
	// Public without Ref: the column follows note.
	var only bytes.Buffer
	enc := NewDonationCSVEncoder(&only)
	enc.Public = true
	if err := enc.Close(); err != nil || only.String() != DonationCSVHeader+",public\n" {
		t.Errorf("header with consent only: %q, %v", only.String(), err)
	}
}

// TestDonationConsentXLSX: a workbook's public column reads as the CSV's,
// a TRUE/FALSE cell and a 1 too, and the workbook export keeps consent.
func TestDonationConsentXLSX(t *testing.T) {
	book := workbook(t, func(f *excelize.File) {
		setRow(t, f, 1, "donor", "amount_vnd", "received_on", "camera_id", "public")
		setRow(t, f, 2, "An", 100, "2024-01-01", "CG-0001", true)
		setRow(t, f, 3, "Bình", 100, "2024-01-01", "CG-0001", false)
		setRow(t, f, 4, "Cường", 100, "2024-01-01", "CG-0001", 1)
		setRow(t, f, 5, "Dũng", 100, "2024-01-01", "CG-0001", "Có")
		setRow(t, f, 6, "Em", 100, "2024-01-01", "CG-0001")
	})
	ds, rejects, err := ReadAllDonations(NewDonationXLSXDecoder(bytes.NewReader(book), testPlaces{}, donationNow))
	if err != nil || len(rejects) != 0 {
		t.Fatalf("decode: %v, rejects %v", err, rejects)
	}
	var got []bool
	for _, d := range ds {
		got = append(got, d.Public)
	}
	if want := []bool{true, false, true, true, false}; !slices.Equal(got, want) {
		t.Errorf("consent read %v, want %v", got, want)
	}
	enc, err := NewDonationXLSXEncoder()
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	for _, d := range ds {
		if err := enc.Encode(d); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if _, err := enc.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	back, rejects, err := ReadAllDonations(NewDonationXLSXDecoder(bytes.NewReader(out.Bytes()), testPlaces{}, donationNow))
	if err != nil || len(rejects) != 0 || !reflect.DeepEqual(back, ds) {
		t.Errorf("the workbook export imports back as %v (%v, %v), want the same gifts", back, err, rejects)
	}
}
