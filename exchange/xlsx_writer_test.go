package exchange

import (
	"bytes"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/matthan/matthan/camera"
)

// TestWorkbookCells: each kind of cell is written typed and formatted;
// nil, nil pointers, zero times and empty dates are empty cells; a date
// column's text that is no date stays text.
func TestWorkbookCells(t *testing.T) {
	wb, err := NewWorkbook()
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	cols := []SheetColumn{
		{Name: "text", Kind: KindText}, {Name: "count", Kind: KindCount}, {Name: "vnd", Kind: KindVND},
		{Name: "decimal", Kind: KindDecimal}, {Name: "ratio", Kind: KindRatio},
		{Name: "date", Kind: KindDate}, {Name: "at", Kind: KindDateTime},
	}
	if err := wb.AddSheet("kinds", cols); err != nil {
		t.Fatal(err)
	}
	perHour := int64(6_424)
	uptime := 0.875
	at := time.Date(2024, 5, 1, 17, 30, 0, 0, time.UTC) // 00:30 on the 2nd in Vietnam
	rows := [][]any{
		{"=1+1", 350, int64(1_300_000_000), 10.3541, uptime, "2024-05-01", at},
		{"", int64(0), &perHour, 0.5, &uptime, time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC), time.Time{}},
		{nil, nil, (*int64)(nil), nil, (*float64)(nil), "", nil},
		{"x", 1, int64(1), 1.0, 1.0, "31/12/2023", at},
	}
	for _, r := range rows {
		if err := wb.WriteRow(r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := wb.AddSheet("second", []SheetColumn{{Name: "only a header"}}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	n, err := wb.WriteTo(&out)
	if err != nil || n != int64(out.Len()) {
		t.Fatalf("WriteTo = %d, %v; wrote %d", n, err, out.Len())
	}
	f, err := excelize.OpenReader(&out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "kinds" || got[1] != "second" {
		t.Fatalf("sheets %v", got)
	}
	if props, err := f.GetDocProps(); err != nil || props.Creator != "matthan" {
		t.Errorf("document properties %+v, %v", props, err)
	}
	check := func(ref, raw string, typ excelize.CellType, format string) {
		t.Helper()
		v, _ := f.GetCellValue("kinds", ref, excelize.Options{RawCellValue: true})
		gt, _ := f.GetCellType("kinds", ref)
		id, _ := f.GetCellStyle("kinds", ref)
		st, _ := f.GetStyle(id)
		code := ""
		if st.CustomNumFmt != nil {
			code = *st.CustomNumFmt
		} else if st.NumFmt == countFormat {
			code = "#,##0"
		}
		if v != raw || gt != typ || (raw != "" && code != format) {
			t.Errorf("%s = %q (type %v, format %q), want %q (type %v, format %q)", ref, v, gt, code, raw, typ, format)
		}
	}
	num := excelize.CellTypeUnset // numbers are written without a type
	check("A2", "=1+1", excelize.CellTypeInlineString, "")
	check("B2", "350", num, "#,##0")
	check("C2", "1300000000", num, VNDFormat)
	check("D2", "10.3541", num, "")
	check("E2", "0.875", num, RatioFormat)
	check("F2", "45413", num, DateFormat)
	check("G2", "45414.020833333336", num, DateTimeFormat)
	check("C3", "6424", num, VNDFormat)
	check("E3", "0.875", num, RatioFormat)
	check("F3", "45291", num, DateFormat)
	for _, ref := range []string{"A3", "G3", "A4", "B4", "C4", "D4", "E4", "F4", "G4"} {
		if v, _ := f.GetCellValue("kinds", ref); v != "" {
			t.Errorf("%s = %q, want an empty cell", ref, v)
		}
	}
	check("F5", "31/12/2023", excelize.CellTypeInlineString, "")
}

// TestWorkbookFull: a sheet takes MaxSheetRows rows, the header's
// included; one more is EINVALID naming format, for the caller to answer
// before it sends anything.
func TestWorkbookFull(t *testing.T) {
	wb, err := NewWorkbook()
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	if err := wb.AddSheet("s", []SheetColumn{{Name: "n", Kind: KindCount}}); err != nil {
		t.Fatal(err)
	}
	wb.row = MaxSheetRows - 1 // as if the rows before were written
	if err := wb.WriteRow(1); err != nil {
		t.Fatalf("the last row of a sheet: %v", err)
	}
	if err := wb.WriteRow(2); camera.ErrorCode(err) != camera.EINVALID || camera.ErrorField(err) != "format" {
		t.Errorf("a row past the sheet: %v, want EINVALID naming format", err)
	}
}
