package exchange

import (
	"archive/zip"
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/matthan/matthan/camera"
)

// CellKind is how the cells of a sheet's column are typed and shown.
type CellKind int

// Cell kinds. Numbers are written as numbers and dates as dates, so that a
// spreadsheet sums and sorts them; the formats are those of Vietnam.
const (
	// KindText is text, written as it is (never read as a formula).
	KindText CellKind = iota
	// KindCount is a whole number, shown with thousands separators.
	KindCount
	// KindVND is whole đồng, shown VNDFormat: 1.300.000.000 ₫ where the
	// spreadsheet's locale is Vietnamese (the separators are the
	// locale's).
	KindVND
	// KindDecimal is a number with decimals (degrees, metres, hours).
	KindDecimal
	// KindRatio is a fraction of one, shown as a percentage.
	KindRatio
	// KindDate is a calendar date, shown DD/MM/YYYY.
	KindDate
	// KindDateTime is an instant, written as the wall-clock time of Asia/Ho_Chi_Minh
	// (a spreadsheet has no time zones) and shown DD/MM/YYYY hh:mm:ss.
	KindDateTime
)

// Number formats of the cell kinds.
const (
	VNDFormat      = `#,##0 ₫`
	DateFormat     = "dd/mm/yyyy"
	DateTimeFormat = "dd/mm/yyyy hh:mm:ss"
	RatioFormat    = "0.0%"
	countFormat    = 3 // excelize's built-in #,##0
)

// vietnam is Asia/Ho_Chi_Minh: UTC+7, without summer time since 1975, so
// a fixed zone needs no time zone database.
var vietnam = time.FixedZone("ICT", 7*3600)

// SheetColumn is one column of a sheet: its header, the kind of its
// cells, and its width in characters (0: one suited to the kind and the
// header).
type SheetColumn struct {
	Name  string
	Kind  CellKind
	Width float64
}

// MaxSheetRows is the most rows a sheet holds, the header's included
// (Excel's limit, which excelize enforces).
const MaxSheetRows = excelize.TotalRows

// Workbook writes an .xlsx workbook one row at a time, with excelize's
// StreamWriter: rows go to a temporary file past 16 MiB and WriteTo
// streams the zip to its writer, so that a sheet of a million rows is
// written in bounded memory. Each sheet has a bold header row that stays
// in view when scrolling (a frozen pane), typed cells and column widths
// set from the columns. Nothing is written until WriteTo, so an error
// while filling it (a sheet over MaxSheetRows) can still be answered
// cleanly; Close removes the temporary files.
type Workbook struct {
	f      *excelize.File
	sw     *excelize.StreamWriter
	cols   []SheetColumn
	sheets int
	row    int   // rows written to the current sheet
	cells  []any // reused by WriteRow
	styles [KindDateTime + 1]int
	header int
}

// NewWorkbook returns an empty workbook; add a sheet before writing rows.
func NewWorkbook() (*Workbook, error) {
	b := &Workbook{f: excelize.NewFile()}
	// The template's author is excelize's.
	if err := b.f.SetDocProps(&excelize.DocProperties{Creator: "matthan", Language: "vi-VN"}); err != nil {
		b.f.Close()
		return nil, fmt.Errorf("xlsx properties: %w", err)
	}
	bold, err := b.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		b.f.Close()
		return nil, fmt.Errorf("xlsx header style: %w", err)
	}
	b.header = bold
	for kind, st := range map[CellKind]*excelize.Style{
		KindCount:    {NumFmt: countFormat},
		KindVND:      {CustomNumFmt: ptr(VNDFormat)},
		KindRatio:    {CustomNumFmt: ptr(RatioFormat)},
		KindDate:     {CustomNumFmt: ptr(DateFormat)},
		KindDateTime: {CustomNumFmt: ptr(DateTimeFormat)},
	} {
		if b.styles[kind], err = b.f.NewStyle(st); err != nil {
			b.f.Close()
			return nil, fmt.Errorf("xlsx style: %w", err)
		}
	}
	return b, nil
}

func ptr[T any](v T) *T { return &v }

// AddSheet ends the current sheet, if any, and starts one named name (at
// most 31 characters, none of []:*?/\) with a header row of cols.
func (b *Workbook) AddSheet(name string, cols []SheetColumn) error {
	if b.sw != nil {
		if err := b.sw.Flush(); err != nil {
			return fmt.Errorf("xlsx sheet: %w", err)
		}
	}
	var err error
	if b.sheets == 0 {
		err = b.f.SetSheetName(b.f.GetSheetName(0), name)
	} else {
		_, err = b.f.NewSheet(name)
	}
	if err != nil {
		return fmt.Errorf("xlsx sheet %q: %w", name, err)
	}
	b.sheets++
	if b.sw, err = b.f.NewStreamWriter(name); err != nil {
		return fmt.Errorf("xlsx sheet %q: %w", name, err)
	}
	b.cols, b.row = cols, 0
	for i, c := range cols {
		if err := b.sw.SetColWidth(i+1, i+1, width(c)); err != nil {
			return fmt.Errorf("xlsx column %q: %w", c.Name, err)
		}
	}
	err = b.sw.SetPanes(&excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	})
	if err != nil {
		return fmt.Errorf("xlsx panes: %w", err)
	}
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = excelize.Cell{StyleID: b.header, Value: c.Name}
	}
	return b.setRow(header)
}

// width returns the width of a column: the header's, or more for the
// values its kind holds.
func width(c SheetColumn) float64 {
	w := c.Width
	if w == 0 {
		switch c.Kind {
		case KindText:
			w = 16
		case KindVND:
			w = 20 // 10.000.000.000.000 ₫
		case KindDateTime:
			w = 20
		case KindDate, KindDecimal:
			w = 12
		default:
			w = 10
		}
	}
	return max(w, float64(utf8.RuneCountInString(c.Name))+2)
}

// WriteRow writes a row of the current sheet, one value per column:
// a string for text; an int, int64 or *int64 for counts and đồng; a
// float64 or *float64 for decimals and ratios; a time.Time or a
// YYYY-MM-DD string for a date; a time.Time for a date-time. nil, a nil
// pointer, a zero time and an empty date are empty cells. A sheet that
// would go past MaxSheetRows is an error (EINVALID naming format), which
// is the caller's to answer before anything is sent.
func (b *Workbook) WriteRow(values ...any) error {
	if b.row >= MaxSheetRows {
		return camera.Errorf(camera.EINVALID, "format", "the export has more than %d rows, more than a sheet holds: ask for format=csv", MaxSheetRows-1)
	}
	if cap(b.cells) < len(values) {
		b.cells = make([]any, len(values))
	}
	cells := b.cells[:len(values)]
	for i, v := range values {
		kind := KindText
		if i < len(b.cols) {
			kind = b.cols[i].Kind
		}
		cells[i] = b.cell(kind, v)
	}
	return b.setRow(cells)
}

// cell returns the cell of value v in a column of kind.
func (b *Workbook) cell(kind CellKind, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case *int64:
		if x == nil {
			return nil
		}
		v = *x
	case *float64:
		if x == nil {
			return nil
		}
		v = *x
	case time.Time:
		if x.IsZero() {
			return nil
		}
		if kind == KindDateTime {
			v = x.In(vietnam)
		} else {
			v = time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC)
		}
	case string:
		if kind != KindDate {
			break
		}
		if x == "" {
			return nil
		}
		if t, err := time.Parse(camera.DateLayout, x); err == nil {
			v = t
		} else {
			kind = KindText // not a date: kept as written
		}
	}
	if kind == KindText || kind == KindDecimal {
		return v
	}
	return excelize.Cell{StyleID: b.styles[kind], Value: v}
}

// setRow writes the next row of the current sheet.
func (b *Workbook) setRow(cells []any) error {
	if b.sw == nil {
		return fmt.Errorf("xlsx: a row before the first sheet")
	}
	b.row++
	if err := b.sw.SetRow("A"+strconv.Itoa(b.row), cells); err != nil {
		return fmt.Errorf("xlsx row %d: %w", b.row, err)
	}
	return nil
}

// WriteTo ends the last sheet and writes the workbook to w, streaming the
// zip rather than building it in memory.
func (b *Workbook) WriteTo(w io.Writer) (int64, error) {
	if b.sw != nil {
		if err := b.sw.Flush(); err != nil {
			return 0, fmt.Errorf("xlsx sheet: %w", err)
		}
		b.sw = nil
	}
	cw := &countingWriter{w: w}
	// excelize builds the zip in a buffer it then copies out; its zip
	// writer hook lets the zip go to w as it is made instead.
	b.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(cw) })
	if _, err := b.f.WriteToBuffer(); err != nil {
		return cw.n, fmt.Errorf("write xlsx: %w", err)
	}
	return cw.n, nil
}

// Close removes the workbook's temporary files.
func (b *Workbook) Close() error { return b.f.Close() }

// countingWriter counts what it passes on.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
