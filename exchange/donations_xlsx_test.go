package exchange

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/matthan/matthan/camera"
)

// workbook builds an .xlsx in memory: fill writes the cells of its first
// sheet, "Sheet1".
func workbook(tb testing.TB, fill func(f *excelize.File)) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	fill(f)
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// setRow writes values into the cells of row from column A.
func setRow(tb testing.TB, f *excelize.File, row int, values ...any) {
	tb.Helper()
	cell, _ := excelize.CoordinatesToCellName(1, row)
	if err := f.SetSheetRow("Sheet1", cell, &values); err != nil {
		tb.Fatal(err)
	}
}

// style returns a style with the number format code.
func style(tb testing.TB, f *excelize.File, code string) int {
	tb.Helper()
	id, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// bankSheet is a donation sheet shaped like a bank statement export:
// title rows, the header on row 4 in its own order and case, number and
// date cells, text written the Vietnamese way, and bad rows.
func bankSheet(tb testing.TB) []byte {
	return workbook(tb, func(f *excelize.File) {
		vnd := style(tb, f, "#,##0 ₫")
		date := style(tb, f, "dd/mm/yyyy")
		setRow(tb, f, 1, "SAO KÊ TÀI KHOẢN")
		setRow(tb, f, 2, "Từ ngày 01/01/2024 đến ngày 02/05/2024")
		setRow(tb, f, 4, " Received_On", "DONOR", "amount_vnd", "camera_id", "commune", "note")
		// Number and date cells.
		setRow(tb, f, 5, time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), "Nguyễn Văn An", 4_500_000, "CG-0001", "", "chuyển khoản")
		for _, c := range []string{"A5", "C5"} {
			s := date
			if c == "C5" {
				s = vnd
			}
			if err := f.SetCellStyle("Sheet1", c, c, s); err != nil {
				tb.Fatal(err)
			}
		}
		// Text the Vietnamese way; a pool gift.
		setRow(tb, f, 6, "02/01/2024 10:32:15", "Hội Phụ nữ xã Bình Ninh", "4.500.000 ₫", "", "binh ninh", "")
		// A number with decimals (amounts in millions of đồng): refused.
		setRow(tb, f, 7, "2024-01-03", "Lê Văn Tám", 1.125, "CG-0002")
		// The same digits as text: 1.125 đồng the Vietnamese way.
		setRow(tb, f, 8, "2024-01-03", "Lê Văn Tám", "1.125", "CG-0002")
		// Row 9 blank. A date serial without a date format is a date.
		setRow(tb, f, 10, 45413, "Trần Thị Bình", "4 500 000", "CG-0002")
		setRow(tb, f, 11, "2024-01-04", "#N/A", 500_000, "CG-0001")
		setRow(tb, f, 12, "2024-01-04", "An", 500_000, "CG-0001", "", "", "", "thừa")
		setRow(tb, f, 13, "2024-05-03", "An", 500_000, "CG-0001")
		setRow(tb, f, 14, "2024-01-04", "An", "4,5", "CG-0001")
		setRow(tb, f, 15, "2024-01-04", "An", -500_000.5, "CG-0001")
		setRow(tb, f, 16, 1e12, "An", 500_000, "CG-0001")
		setRow(tb, f, 17, "2024-01-05", "Công ty Hưng Phước", 1.2e10, "CG-0404")
	})
}

func TestDonationXLSXDecoder(t *testing.T) {
	ds, rejects, err := ReadAllDonations(NewDonationXLSXDecoder(bytes.NewReader(bankSheet(t)), testPlaces{}, donationNow))
	if err != nil {
		t.Fatal(err)
	}
	want := []*camera.Donation{
		{Donor: "Nguyễn Văn An", AmountVND: 4_500_000, ReceivedOn: "2024-05-01", CameraID: "CG-0001", Commune: "Chợ Gạo", Note: "chuyển khoản"},
		{Donor: "Hội Phụ nữ xã Bình Ninh", AmountVND: 4_500_000, ReceivedOn: "2024-01-02", Commune: "Bình Ninh"},
		{Donor: "Lê Văn Tám", AmountVND: 1_125, ReceivedOn: "2024-01-03", CameraID: "CG-0002", Commune: "Chợ Gạo"},
		{Donor: "Trần Thị Bình", AmountVND: 4_500_000, ReceivedOn: "2024-05-01", CameraID: "CG-0002", Commune: "Chợ Gạo"},
	}
	if !reflect.DeepEqual(ds, want) {
		for _, d := range ds {
			t.Logf("got %+v", *d)
		}
		t.Errorf("donations differ from %d wanted", len(want))
	}
	checkRejections(t, rejects, []Rejection{
		{Line: 7, Feature: -1, ID: "CG-0002", Field: "amount_vnd", Reason: "must be a whole number of đồng, got the number 1.125"},
		{Line: 11, Feature: -1, ID: "CG-0001", Field: "donor", Reason: "is a formula error in the sheet (#N/A)"},
		{Line: 12, Feature: -1, ID: "CG-0001", Reason: "has a value in column H, which the header does not name"},
		{Line: 13, Feature: -1, ID: "CG-0001", Field: "received_on", Reason: "must not be in the future, got 2024-05-03 (today is 2024-05-02)"},
		{Line: 14, Feature: -1, ID: "CG-0001", Field: "amount_vnd", Reason: `must be a whole number of đồng without decimals, got "4,5"`},
		{Line: 15, Feature: -1, ID: "CG-0001", Field: "amount_vnd", Reason: `must be a whole number of đồng without decimals, got "-500000.5"`},
		{Line: 16, Feature: -1, ID: "CG-0001", Field: "received_on", Reason: "must be a date, got the number 1000000000000"},
		{Line: 17, Feature: -1, ID: "CG-0404", Field: "camera_id", Reason: `no camera with id "CG-0404"`},
	})
}

// TestDonationXLSXLikeCSV: a sheet and a CSV of the same gifts decode to
// the same donations, to the đồng.
func TestDonationXLSXLikeCSV(t *testing.T) {
	csvDs, csvRejects := decodeDonations(t, readTestdata(t, "donations.csv"), testPlaces{})
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(readTestdata(t, "donations.csv"), []byte(utf8BOM))))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	book := workbook(t, func(f *excelize.File) {
		for i, rec := range recs {
			if len(rec) != len(recs[0]) {
				continue // the CSV's broken record: a sheet has no such thing
			}
			vals := make([]any, len(rec))
			for j, v := range rec {
				vals[j] = v
			}
			setRow(t, f, i+1, vals...)
		}
	})
	ds, rejects, err := ReadAllDonations(NewDonationXLSXDecoder(bytes.NewReader(book), testPlaces{}, donationNow))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ds, csvDs) {
		t.Errorf("the sheet gave %d donations, the CSV %d, or they differ", len(ds), len(csvDs))
	}
	// The CSV's rows are lines, the sheet's rows: one quoted note runs
	// over two lines, so the lines after it differ by one. The reasons do
	// not.
	var want, got []string
	for _, r := range csvRejects {
		if r.Field != "" {
			want = append(want, r.Field+": "+r.Reason)
		}
	}
	for _, r := range rejects {
		got = append(got, r.Field+": "+r.Reason)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rejections:\n got %q\nwant %q", got, want)
	}
}

func TestDonationXLSXFatal(t *testing.T) {
	zipBomb := func() []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		w, _ := zw.Create("xl/worksheets/sheet1.xml")
		zeros := make([]byte, 1<<20)
		for range MaxXLSXUnzipped>>20 + 1 {
			_, _ = w.Write(zeros)
		}
		_ = zw.Close()
		return b.Bytes()
	}
	tests := []struct {
		name  string
		body  []byte
		field string
		msg   string
	}{
		{"csv", []byte(DonationCSVHeader + "\nAn,1,2024-01-01,CG-0001,,\n"), "body", "not an .xlsx workbook"},
		{"empty", nil, "body", "not an .xlsx workbook"},
		{"cut off", bankSheet(t)[:2000], "body", "not an .xlsx workbook"},
		{"xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...), "body", "Excel 97-2003"},
		{"zip bomb", zipBomb(), "body", fmt.Sprintf("more than %d MiB", MaxXLSXUnzipped>>20)},
		{"empty sheet", workbook(t, func(*excelize.File) {}), "header", "is empty"},
		{"no header", workbook(t, func(f *excelize.File) {
			for i := 1; i <= 40; i++ {
				setRow(t, f, i, "tiêu đề")
			}
		}), "header", "names the columns"},
		{"unknown column", workbook(t, func(f *excelize.File) {
			setRow(t, f, 3, "donor", "amount_vnd", "received_on", "camera_id", "số tài khoản")
		}), "số tài khoản", "unknown column"},
		{"missing column", workbook(t, func(f *excelize.File) {
			setRow(t, f, 1, "donor", "received_on", "camera_id")
		}), "amount_vnd", "missing column"},
		{"too many rows", workbook(t, func(f *excelize.File) {
			setRow(t, f, 1, "donor", "amount_vnd", "received_on", "camera_id")
			setRow(t, f, MaxXLSXRows+1, "An", 1, "2024-01-01", "CG-0001")
		}), fmt.Sprintf("row %d", MaxXLSXRows+1), "import it as CSV"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ReadAllDonations(NewDonationXLSXDecoder(bytes.NewReader(tt.body), testPlaces{}, donationNow))
			if camera.ErrorCode(err) != camera.EINVALID || camera.ErrorField(err) != tt.field || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %v (field %q), want EINVALID naming %q saying %q", err, camera.ErrorField(err), tt.field, tt.msg)
			}
		})
	}
}

// TestDonationXLSXFirstSheet: the first sheet is read, whatever the
// others hold.
func TestDonationXLSXFirstSheet(t *testing.T) {
	book := workbook(t, func(f *excelize.File) {
		if _, err := f.NewSheet("Ghi chú"); err != nil {
			t.Fatal(err)
		}
		if err := f.SetSheetRow("Ghi chú", "A1", &[]any{"donor", "amount_vnd", "received_on", "camera_id"}); err != nil {
			t.Fatal(err)
		}
		setRow(t, f, 1, "donor", "amount_vnd", "received_on", "camera_id")
		setRow(t, f, 2, "An", 100_000, "2024-01-01", "CG-0001")
	})
	ds, rejects, err := ReadAllDonations(NewDonationXLSXDecoder(bytes.NewReader(book), testPlaces{}, donationNow))
	if err != nil || len(rejects) != 0 || len(ds) != 1 || ds[0].AmountVND != 100_000 {
		t.Fatalf("got %v, %v, %v; want the one gift of Sheet1", ds, rejects, err)
	}
}

// TestDonationXLSXUnnamedColumns: a table may start in column B and have
// columns without a header (a margin, a merged header cell); a value in
// such a column rejects its row.
func TestDonationXLSXUnnamedColumns(t *testing.T) {
	book := workbook(t, func(f *excelize.File) {
		set := func(cell string, values ...any) {
			if err := f.SetSheetRow("Sheet1", cell, &values); err != nil {
				t.Fatal(err)
			}
		}
		set("B2", "donor", "", "amount_vnd", "received_on", "camera_id")
		set("B3", "An", "", 100_000, "2024-01-01", "CG-0001")
		set("B4", "Bình", "ghi chú", 200_000, "2024-01-01", "CG-0001")
		set("A5", "x", "Chi", "", 300_000, "2024-01-01", "CG-0001")
	})
	ds, rejects, err := ReadAllDonations(NewDonationXLSXDecoder(bytes.NewReader(book), testPlaces{}, donationNow))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Donor != "An" || ds[0].AmountVND != 100_000 {
		t.Errorf("donations %v, want An's", ds)
	}
	checkRejections(t, rejects, []Rejection{
		{Line: 4, Feature: -1, ID: "CG-0001", Reason: "has a value in column C, which the header does not name"},
		{Line: 5, Feature: -1, ID: "CG-0001", Reason: "has a value in column A, which the header does not name"},
	})
}
