package api_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/exchange"
	"github.com/matthan/matthan/internal/sample"
	"github.com/matthan/matthan/registry"
)

// getXLSX answers a GET that must be a workbook download named filename,
// opened.
func (e *env) getXLSX(token, path, filename string) *excelize.File {
	e.t.Helper()
	st, raw, h := e.do(token, "GET", path, "", nil)
	if st != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, st, raw)
	}
	if got := h.Get("Content-Type"); got != xlsxType {
		e.t.Errorf("GET %s: Content-Type %q", path, got)
	}
	if got, want := h.Get("Content-Disposition"), `attachment; filename="`+filename+`"`; got != want {
		e.t.Errorf("GET %s: Content-Disposition %q, want %q", path, got, want)
	}
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		e.t.Fatalf("GET %s: not a workbook: %v", path, err)
	}
	e.t.Cleanup(func() { f.Close() })
	return f
}

// sheet is one sheet of an exported workbook, for checking cells.
type sheet struct {
	t     *testing.T
	f     *excelize.File
	name  string
	rows  [][]string // raw values
	index map[string]int
}

// openSheet checks what every exported sheet has — the header row given,
// bold and frozen, columns wide enough for it — and returns the sheet.
func openSheet(t *testing.T, f *excelize.File, name string, header []string) *sheet {
	t.Helper()
	rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("sheet %q: %v (sheets %v)", name, err, f.GetSheetList())
	}
	if len(rows) == 0 || !slices.Equal(rows[0], header) {
		t.Fatalf("sheet %q header %v, want %v", name, rows[0], header)
	}
	s := &sheet{t: t, f: f, name: name, rows: rows, index: map[string]int{}}
	for i, h := range header {
		s.index[h] = i
		ref, _ := excelize.CoordinatesToCellName(i+1, 1)
		if st := s.style(ref); st.Font == nil || !st.Font.Bold {
			t.Errorf("%s!%s: header not bold", name, ref)
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		if w, err := f.GetColWidth(name, col); err != nil || w < float64(len(h)) {
			t.Errorf("%s column %s (%s): width %v, %v", name, col, h, w, err)
		}
	}
	panes, err := f.GetPanes(name)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("%s: panes %+v, %v; want the header row frozen", name, panes, err)
	}
	return s
}

// style returns the style of a cell.
func (s *sheet) style(ref string) *excelize.Style {
	s.t.Helper()
	id, err := s.f.GetCellStyle(s.name, ref)
	if err != nil {
		s.t.Fatal(err)
	}
	st, err := s.f.GetStyle(id)
	if err != nil {
		s.t.Fatal(err)
	}
	return st
}

// ref returns the reference of column col in row (1 = header).
func (s *sheet) ref(row int, col string) string {
	s.t.Helper()
	i, ok := s.index[col]
	if !ok {
		s.t.Fatalf("%s has no column %s", s.name, col)
	}
	ref, _ := excelize.CoordinatesToCellName(i+1, row)
	return ref
}

// raw returns the stored value of column col in row.
func (s *sheet) raw(row int, col string) string {
	s.t.Helper()
	v, err := s.f.GetCellValue(s.name, s.ref(row, col), excelize.Options{RawCellValue: true})
	if err != nil {
		s.t.Fatal(err)
	}
	return v
}

// number checks that a cell is a number with the format code given ("" for
// General) and returns it.
func (s *sheet) number(row int, col, format string) float64 {
	s.t.Helper()
	ref := s.ref(row, col)
	if typ, err := s.f.GetCellType(s.name, ref); err != nil || (typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber) {
		s.t.Errorf("%s!%s (%s): type %v, %v; want a number", s.name, ref, col, typ, err)
	}
	v, err := strconv.ParseFloat(s.raw(row, col), 64)
	if err != nil {
		s.t.Errorf("%s!%s (%s): %v", s.name, ref, col, err)
	}
	if got := s.format(ref); got != format {
		s.t.Errorf("%s!%s (%s): number format %q, want %q", s.name, ref, col, got, format)
	}
	return v
}

// format returns a cell's number format code: its custom code, #,##0 for
// the built-in 3, "" for General.
func (s *sheet) format(ref string) string {
	st := s.style(ref)
	switch {
	case st.CustomNumFmt != nil:
		return *st.CustomNumFmt
	case st.NumFmt == 3:
		return "#,##0"
	case st.NumFmt == 0:
		return ""
	}
	return "builtin " + strconv.Itoa(st.NumFmt)
}

// date checks that a cell is a date shown DD/MM/YYYY and returns it as
// YYYY-MM-DD.
func (s *sheet) date(row int, col string) string {
	s.t.Helper()
	serial := s.number(row, col, exchange.DateFormat)
	d, err := excelize.ExcelDateToTime(serial, false)
	if err != nil {
		s.t.Fatal(err)
	}
	return d.Format(camera.DateLayout)
}

// text checks that a cell is text and returns it.
func (s *sheet) text(row int, col string) string {
	s.t.Helper()
	ref := s.ref(row, col)
	if typ, _ := s.f.GetCellType(s.name, ref); typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
		s.t.Errorf("%s!%s (%s): type %v, want text", s.name, ref, col, typ)
	}
	return s.raw(row, col)
}

func TestExportCamerasXLSX(t *testing.T) {
	e := newEnv(t)
	e.doJSON(e.tokens[camera.RolePolice], "POST", "/api/v1/cameras", cameraJSON("CG-0001"), http.StatusCreated, nil)
	second := cameraJSON("CG-0002")
	second["installed_on"], second["cost_vnd"], second["rtsp_url"] = "", 0, ""
	e.doJSON(e.tokens[camera.RolePolice], "POST", "/api/v1/cameras", second, http.StatusCreated, nil)

	st, raw, _ := e.do(e.tokens[camera.RolePlanner], "GET", "/api/v1/cameras/export?format=xlsx", "", nil)
	if st != http.StatusOK || bytes.Contains(raw, []byte("Matkhau123")) {
		t.Fatalf("export: %d, or credentials in it", st)
	}
	f := e.getXLSX(e.tokens[camera.RolePlanner], "/api/v1/cameras/export?format=xlsx", "cameras.xlsx")
	s := openSheet(t, f, "cameras", exchange.CSVColumns())
	if len(s.rows) != 3 {
		t.Fatalf("%d rows, want the header and 2 cameras", len(s.rows))
	}
	if got := s.text(2, "id"); got != "CG-0001" {
		t.Errorf("id %q", got)
	}
	if got := s.text(2, "name"); got != "Ngã tư Chợ Gạo" {
		t.Errorf("name %q", got)
	}
	if lat := s.number(2, "lat", ""); lat != 10.3541 {
		t.Errorf("lat %v", lat)
	}
	if d := s.number(2, "direction_deg", ""); d != 45 {
		t.Errorf("direction_deg %v", d)
	}
	if got := s.date(2, "installed_on"); got != "2022-03-15" {
		t.Errorf("installed_on %s", got)
	}
	if v := s.number(2, "cost_vnd", exchange.VNDFormat); v != 4_500_000 {
		t.Errorf("cost_vnd %v", v)
	}
	if got := s.text(2, "rtsp_url"); got != "rtsp://192.0.2.10:554/Streaming/Channels/101" {
		t.Errorf("rtsp_url %q: credentials must not be exported", got)
	}
	if got := s.raw(3, "installed_on"); got != "" {
		t.Errorf("no installed_on exported as %q, want an empty cell", got)
	}
	if v := s.number(3, "cost_vnd", exchange.VNDFormat); v != 0 {
		t.Errorf("cost_vnd %v", v)
	}
	e.problem(e.tokens[camera.RolePlanner], "GET", "/api/v1/cameras/export?format=xls", nil, http.StatusBadRequest)
}

func TestExportDonationsXLSX(t *testing.T) {
	e := newDonationEnv(t)
	if rep := e.importDonations("?duplicates=allow", exportSheet, http.StatusOK); rep.Created != 5 {
		t.Fatalf("import: %+v", rep)
	}
	f := e.getXLSX(e.fundraiser(), "/api/v1/donations?format=xlsx", "donations.xlsx")
	s := openSheet(t, f, "donations", append(exchange.DonationCSVColumns(), exchange.DonationRefColumn, exchange.DonationPublicColumn))
	if len(s.rows) != 6 {
		t.Fatalf("%d rows, want the header and 5 gifts", len(s.rows))
	}
	// Oldest first, as the CSV.
	if got := s.text(2, "donor"); got != "Trần Văn Cường" {
		t.Errorf("first donor %q", got)
	}
	if v := s.number(2, "amount_vnd", exchange.VNDFormat); v != 100_000 {
		t.Errorf("amount_vnd %v", v)
	}
	if got := s.date(2, "received_on"); got != "2023-12-31" {
		t.Errorf("received_on %s", got)
	}
	if got := s.text(3, "note"); got != "Quỹ xã \"Song Bình\"\ndòng hai" {
		t.Errorf("note %q", got)
	}
	if got := s.raw(3, "camera_id"); got != "" {
		t.Errorf("pool gift's camera_id %q", got)
	}

	// The workbook imports into a daemon with the same cameras as the
	// same gifts: the same CSV export, the same funding.
	_, book, _ := e.do(e.fundraiser(), "GET", "/api/v1/donations?format=xlsx", "", nil)
	fresh := newDonationEnv(t)
	st, raw, _ := fresh.do(fresh.fundraiser(), "POST", "/api/v1/donations/import?duplicates=allow", xlsxType, bytes.NewReader(book))
	if st != http.StatusOK {
		t.Fatalf("import of the workbook: %d %s", st, raw)
	}
	if got, want := fresh.exportCSV(""), e.exportCSV(""); !bytes.Equal(got, want) {
		t.Errorf("after the workbook's round trip the CSV export is\n%s\nwant\n%s", got, want)
	}
	if got, want := fresh.donated(), e.donated(); got != want {
		t.Errorf("donated %d after the round trip, want %d", got, want)
	}

	for _, q := range []string{"&limit=10", "&cursor=x", "&bom=true"} {
		if p := e.problem(e.fundraiser(), "GET", "/api/v1/donations?format=xlsx"+q, nil, http.StatusBadRequest); p.Field != strings.Split(q[1:], "=")[0] {
			t.Errorf("format=xlsx%s: field %q", q, p.Field)
		}
	}
}

// TestFundingXLSX: each funding view as a workbook holds the CSV's rows
// and the totals, cell for cell, typed by what the field holds.
func TestFundingXLSX(t *testing.T) {
	e, _ := newGeoEnv(t)
	if st, raw, _ := e.do(adminToken, "POST", "/api/v1/donations/import", "text/csv", bytes.NewReader(sample.Donations())); st != http.StatusOK {
		t.Fatalf("donations import: %d %s", st, raw)
	}
	formats := map[registry.FieldKind]string{registry.FieldCount: "#,##0", registry.FieldVND: exchange.VNDFormat, registry.FieldHours: ""}
	for _, g := range []registry.GroupBy{registry.GroupByCamera, registry.GroupByCommune, registry.GroupByDonor} {
		t.Run(string(g), func(t *testing.T) {
			e := e.on(t)
			_, body, _ := e.do(e.fundraiser(), "GET", "/api/v1/funding?format=csv&group_by="+string(g), "", nil)
			recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			f := e.getXLSX(e.fundraiser(), "/api/v1/funding?format=xlsx&group_by="+string(g), "funding-by-"+string(g)+".xlsx")
			s := openSheet(t, f, "funding by "+string(g), registry.FundingColumns(g))
			if len(s.rows) != len(recs) || s.rows[len(s.rows)-1][0] != "total" {
				t.Fatalf("%d rows, the CSV %d; the last must be the totals", len(s.rows), len(recs))
			}
			fields := registry.FundingFields(g)
			for i := 1; i < len(recs); i++ {
				for j, fd := range fields {
					want := recs[i][j]
					if fd.Kind == registry.FieldText {
						if got := s.raw(i+1, fd.Name); got != want {
							t.Fatalf("row %d %s: %q, CSV %q", i+1, fd.Name, got, want)
						}
						continue
					}
					if want == "" { // no up time: no cost per hour
						if got := s.raw(i+1, fd.Name); got != "" {
							t.Fatalf("row %d %s: %q, want an empty cell", i+1, fd.Name, got)
						}
						continue
					}
					if i > 3 && i < len(recs)-1 {
						continue // types and formats: the first rows and the totals
					}
					w, _ := strconv.ParseFloat(want, 64)
					if got := s.number(i+1, fd.Name, formats[fd.Kind]); got != w {
						t.Fatalf("row %d %s: %v, CSV %s", i+1, fd.Name, got, want)
					}
				}
			}
			win := openSheet(t, f, "window", []string{"group_by", "from", "to"})
			if got := win.number(2, "to", exchange.DateTimeFormat); got < 45000 {
				t.Errorf("window to: %v", got)
			}
		})
	}
	p := e.problem(e.fundraiser(), "GET", "/api/v1/funding?group_by=camera&format=pdf", nil, http.StatusBadRequest)
	if p.Field != "format" {
		t.Errorf("format=pdf: field %q", p.Field)
	}
}

// TestSummaryXLSX: the district summary as a workbook carries the
// figures of the JSON, on the sample district Chợ Gạo's programme.
func TestSummaryXLSX(t *testing.T) {
	e, _ := newGeoEnv(t)
	if st, raw, _ := e.do(adminToken, "POST", "/api/v1/donations/import", "text/csv", bytes.NewReader(sample.Donations())); st != http.StatusOK {
		t.Fatalf("donations import: %d %s", st, raw)
	}
	e.doJSON(adminToken, "POST", "/api/v1/incidents/import", sample.Incidents(), http.StatusOK, nil)
	f := e.getXLSX(e.fundraiser(), "/api/v1/reports/summary?format=xlsx", "summary.xlsx")
	rows, err := f.GetRows("summary")
	if err != nil || len(rows) == 0 {
		t.Fatalf("summary sheet: %v", err)
	}
	s := openSheet(t, f, "summary", rows[0])
	if len(s.rows) != 1+19+1 {
		t.Fatalf("%d rows, want the header, 19 communes and the total", len(s.rows))
	}
	total := len(s.rows)
	if got := s.text(total, "commune"); got != "total" {
		t.Errorf("last row %q, want total", got)
	}
	for _, c := range []struct {
		col, format string
		want        float64
	}{
		{"cameras", "#,##0", 350},
		{"funding_vnd", exchange.VNDFormat, 1_300_000_000},
		{"cost_vnd", exchange.VNDFormat, 1_300_000_000},
		{"coverage_all_intersections", "#,##0", 296},
		{"incidents_criminal", "#,##0", 29},
		{"subjects_criminal", "#,##0", 35},
	} {
		if got := s.number(total, c.col, c.format); got != c.want {
			t.Errorf("total %s = %v, want %v", c.col, got, c.want)
		}
	}
	if r := s.number(total, "coverage_all_installed_ratio", exchange.RatioFormat); r <= 0 || r > 1 {
		t.Errorf("installed ratio %v", r)
	}
	win := openSheet(t, f, "window", []string{"from", "to", "uptime_from", "generated_at"})
	if got := win.raw(2, "from"); got != "" {
		t.Errorf("from %q: without from the incidents are of all time, an empty cell", got)
	}
	win.number(2, "generated_at", exchange.DateTimeFormat)
	if p := e.problem(e.fundraiser(), "GET", "/api/v1/reports/summary?format=csv", nil, http.StatusBadRequest); p.Field != "format" {
		t.Errorf("format=csv: field %q", p.Field)
	}
}
