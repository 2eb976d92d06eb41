package api_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/sample"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// donationSheet is a district's donation sheet as a bank exports it: two
// title rows, the header on row 4, amounts as number cells formatted
// #,##0 ₫ and as text written the Vietnamese way, dates as date cells and
// as DD/MM/YYYY text, and on row 9 an amount with decimals.
func donationSheet(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	vndFmt, dateFmt := "#,##0 ₫", "dd/mm/yyyy"
	vnd, err := f.NewStyle(&excelize.Style{CustomNumFmt: &vndFmt})
	if err != nil {
		t.Fatal(err)
	}
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		t.Fatal(err)
	}
	day := func(d int) time.Time { return time.Date(2024, 4, d, 0, 0, 0, 0, time.UTC) }
	rows := [][]any{
		1: {"NGÂN HÀNG TMCP — SAO KÊ TÀI KHOẢN"},
		2: {"Từ ngày 01/04/2024 đến ngày 30/04/2024"},
		4: {"received_on", "donor", "amount_vnd", "camera_id", "commune", "note"},
		5: {day(1), "Nguyễn Văn An", 4_500_000, "CG-0001", "", "CK ủng hộ camera"},
		6: {day(2), "Công ty TNHH Hưng Phước", 10_000_000, "SB-0001"},
		7: {"03/04/2024", "Lê Thị Bình", "1.500.000 ₫", "", "song binh", "quỹ xã"},
		8: {"04/04/2024 09:15:00", "Trần Văn Cường", "2 000 000", "CG-0002"},
		9: {day(5), "Phạm Thị Dung", 1.5, "CG-0001"},
	}
	for i, r := range rows {
		if r == nil {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, i)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		cell  string
		style int
	}{{"A5", date}, {"A6", date}, {"A9", date}, {"C5", vnd}, {"C6", vnd}, {"C9", vnd}} {
		if err := f.SetCellStyle("Sheet1", c.cell, c.cell, c.style); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sheetCSV is donationSheet's valid rows as a donation CSV.
var sheetCSV = donationCSV(
	"Nguyễn Văn An,4500000,2024-04-01,CG-0001,,CK ủng hộ camera",
	"Công ty TNHH Hưng Phước,10000000,2024-04-02,SB-0001,,",
	`Lê Thị Bình,"1.500.000 ₫",03/04/2024,,song binh,quỹ xã`,
	"Trần Văn Cường,2 000 000,2024-04-04,CG-0002,,",
)

// donated answers the funding view's total of gifts.
func (e *env) donated() int64 {
	e.t.Helper()
	var v struct {
		Totals struct {
			DonatedVND int64 `json:"donated_vnd"`
		}
	}
	e.doJSON(e.fundraiser(), "GET", "/api/v1/funding?group_by=commune", nil, http.StatusOK, &v)
	return v.Totals.DonatedVND
}

// importAs posts a donation import with the Content-Type given.
func (e *env) importAs(contentType string, body []byte, want int) importOfDonations {
	e.t.Helper()
	st, raw, _ := e.do(e.fundraiser(), "POST", "/api/v1/donations/import", contentType, bytes.NewReader(body))
	if st != want {
		e.t.Fatalf("import as %q: status %d, want %d; %s", contentType, st, want, raw)
	}
	var out importOfDonations
	if err := json.Unmarshal(raw, &out); err != nil {
		e.t.Fatalf("import: %v in %s", err, raw)
	}
	return out
}

func TestImportDonationsXLSX(t *testing.T) {
	e := newDonationEnv(t)
	sheet := donationSheet(t)
	const total = 4_500_000 + 10_000_000 + 1_500_000 + 2_000_000

	rep := e.importAs(xlsxType, sheet, http.StatusOK)
	if rep.Created != 4 || rep.TotalVND != total || rep.Rejected != 1 {
		t.Fatalf("import: %+v", rep)
	}
	if r := rep.Rejections[0]; r.Line != 9 || r.Field != "amount_vnd" || !strings.Contains(r.Reason, "whole number of đồng") {
		t.Errorf("rejection %+v, want row 9's amount_vnd", r)
	}
	if got := e.donated(); got != total {
		t.Fatalf("donated %d after one import, want %d", got, total)
	}
	var list struct {
		Items []struct {
			Donor      string
			AmountVND  int64  `json:"amount_vnd"`
			ReceivedOn string `json:"received_on"`
			Commune    string
		}
	}
	e.doJSON(e.fundraiser(), "GET", "/api/v1/donations?donor=le+thi+binh", nil, http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].AmountVND != 1_500_000 || list.Items[0].ReceivedOn != "2024-04-03" || list.Items[0].Commune != "Song Bình" {
		t.Errorf("the text row stored as %+v", list.Items)
	}

	// The same sheet again, as a workbook sent without its type (curl
	// --data-binary), and as a CSV: nothing more is stored.
	for _, again := range []struct {
		contentType string
		body        []byte
	}{{"", sheet}, {"application/octet-stream", sheet}, {"text/csv", sheetCSV}} {
		rep := e.importAs(again.contentType, again.body, http.StatusOK)
		if rep.Created != 0 || rep.TotalVND != 0 {
			t.Errorf("import again as %q: %+v", again.contentType, rep)
		}
	}
	if got := e.donated(); got != total {
		t.Errorf("donated %d after importing the sheet three more times, want %d, to the đồng", got, total)
	}
}

func TestImportDonationsXLSXBadBody(t *testing.T) {
	e := newDonationEnv(t)
	sheet := donationSheet(t)
	for _, tt := range []struct {
		name, contentType string
		body              []byte
		field             string
	}{
		{"cut off", xlsxType, sheet[:len(sheet)/2], "body"},
		{"csv as xlsx", xlsxType, sheetCSV, "body"},
		{"xlsx as csv", "text/csv", sheet, "Content-Type"},
		{"xls", "", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), "body"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, raw, h := e.do(e.fundraiser(), "POST", "/api/v1/donations/import", tt.contentType, bytes.NewReader(tt.body))
			var p struct{ Field, Detail string }
			if err := json.Unmarshal(raw, &p); err != nil || st != http.StatusBadRequest || h.Get("Content-Type") != "application/problem+json" || p.Field != tt.field {
				t.Errorf("status %d, %s; want 400 naming %s", st, raw, tt.field)
			}
		})
	}
	if got := e.donated(); got != 0 {
		t.Errorf("bad bodies stored %d đồng", got)
	}
}

// TestDistrictSheetTwice: the sample district's donations — Chợ Gạo's
// 1.300.000.000 ₫ — imported from a workbook (number and date cells, a
// bank's title row above), then again from the workbook and from the CSV,
// total the same as once, to the đồng.
func TestDistrictSheetTwice(t *testing.T) {
	e, _ := newGeoEnv(t)
	recs, err := csv.NewReader(bytes.NewReader(sample.Donations())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	defer f.Close()
	dateFmt := "dd/mm/yyyy"
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue("Sheet1", "A1", "SAO KÊ TÀI KHOẢN QUỸ CAMERA AN NINH HUYỆN CHỢ GẠO"); err != nil {
		t.Fatal(err)
	}
	for i, rec := range recs {
		row := make([]any, len(rec))
		for j, v := range rec {
			row[j] = v
		}
		if i > 0 {
			amount, err := strconv.ParseInt(rec[1], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			day, err := time.Parse(time.DateOnly, rec[2])
			if err != nil {
				t.Fatal(err)
			}
			row[1], row[2] = amount, day
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SetCellStyle("Sheet1", "C4", fmt.Sprintf("C%d", len(recs)+2), date); err != nil {
		t.Fatal(err)
	}
	var book bytes.Buffer
	if err := f.Write(&book); err != nil {
		t.Fatal(err)
	}

	rep := e.importAs(xlsxType, book.Bytes(), http.StatusOK)
	if rep.Rejected != 0 || rep.Created != len(recs)-1 || rep.TotalVND != 1_300_000_000 {
		t.Fatalf("import of the workbook: created %d, %d đồng, rejected %+v", rep.Created, rep.TotalVND, rep.Rejections)
	}
	for _, again := range []struct {
		contentType string
		body        []byte
	}{{xlsxType, book.Bytes()}, {"text/csv", sample.Donations()}} {
		if rep := e.importAs(again.contentType, again.body, http.StatusOK); rep.Created != 0 {
			t.Errorf("import again as %s stored %d gifts", again.contentType, rep.Created)
		}
	}
	if got := e.donated(); got != 1_300_000_000 {
		t.Errorf("donated %s, want 1.300.000.000 ₫", camera.FormatVND(got))
	}
}
