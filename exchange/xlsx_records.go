package exchange

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/matthan/matthan/camera"
)

// Limits on an XLSX import. A workbook is a zip: its size as sent says
// little about what it unpacks to, so that is bounded too, and so is the
// number of rows a sheet may have.
const (
	// MaxXLSXBytes bounds the workbook as sent; it is held in memory
	// while it is read.
	MaxXLSXBytes = 32 << 20
	// MaxXLSXUnzipped bounds the size of all the workbook's parts
	// uncompressed (excelize's UnzipSizeLimit): a zip bomb stops there.
	MaxXLSXUnzipped = 64 << 20
	// MaxXLSXRows is the last row of a sheet that may hold data: years of
	// a district's bank statements. Larger ledgers import as CSV, which
	// streams. It also bounds what looking up cell types costs (below):
	// a 20,000-row sheet whose every amount needs it decodes in about
	// 2.3 s with 150 MB resident (BenchmarkDonationXLSXDecode).
	MaxXLSXRows = 20_000
	// maxTitleRows is how many non-empty rows may stand above the header
	// (a bank statement's title, account and period lines).
	maxTitleRows = 30
	// unzipXMLInMemory is how large a sheet may be before excelize reads
	// it from a temporary file instead of memory.
	unzipXMLInMemory = 16 << 20
)

// xlsxRecords is the record loop of a sheet, the counterpart of
// csvRecords: the first worksheet of a workbook, rows numbered as the
// spreadsheet shows them, leading title rows skipped up to the header,
// blank rows skipped, every value as text — and, for the decoder, which
// values the sheet stores as numbers.
//
// The sheet is read whole on the first call to next, with excelize's row
// iterator, which streams the sheet's XML; the workbook is closed (its
// temporary files removed) before next returns. excelize's iterator gives
// values, not types; the decoder classifies each value (classify): text,
// a number, or a value that means something else as a number than as
// text ("1.125": a number with decimals, or 1.125 đồng written the
// Vietnamese way), whose cell's type is then looked up. That makes
// excelize parse the whole sheet into memory (about 6 KB a row), so it
// happens only for such values, and within the limits above.
type xlsxRecords struct {
	columns
	src io.Reader

	// isHeader tells the header from a title row above it; setHeader is
	// the decoder's and maps the header's columns; classify says what a
	// value of a column is.
	isHeader  func(cells []string) bool
	setHeader func(rec []string, line int) error
	classify  func(col int, v string) cellClass

	loaded   bool
	err      error // sticky: io.EOF or a fatal error
	rows     []xlsxRow
	pos      int // index in rows of the next row to return
	date1904 bool
}

// xlsxRow is one non-blank row below the header.
type xlsxRow struct {
	line  int
	cells []string // as wide as the header
	num   []bool   // num[i]: cells[i] is stored as a number; nil if none is
	// broken, when set, rejects the row as a whole: a value beyond the
	// header's columns, or a formula error.
	broken, field string
}

// cellClass is what a decoder makes of a cell's value.
type cellClass int

const (
	cellText   cellClass = iota // read as text, whatever the cell's type
	cellNumber                  // read as a number: the cell's type makes no difference
	cellAsk                     // the cell's type decides: look it up
)

// newXLSXRecords returns the loop reading the workbook r.
func newXLSXRecords(r io.Reader, spec headerSpec, isHeader func([]string) bool, setHeader func(rec []string, line int) error, classify func(col int, v string) cellClass) *xlsxRecords {
	return &xlsxRecords{
		columns:  columns{spec: spec, idCol: -1, encoding: "save the workbook as .xlsx"},
		src:      r,
		isHeader: isHeader, setHeader: setHeader, classify: classify,
	}
}

// next returns the next non-blank row below the header, with the line
// (row number) it is on, or the rejection of a row broken as a whole;
// io.EOF after the last one, or a fatal error. rec is the loop's own: a
// caller may change it until the following call.
func (x *xlsxRecords) next() (rec []string, line int, rej *Rejection, err error) {
	if !x.loaded {
		x.loaded = true
		x.err = x.load()
	}
	if x.err != nil {
		return nil, 0, nil, x.err
	}
	if x.pos == len(x.rows) {
		x.rows = nil
		x.err = io.EOF
		return nil, 0, nil, io.EOF
	}
	r := &x.rows[x.pos]
	x.pos++
	if r.broken != "" {
		return nil, r.line, x.reject(r.cells, r.line, r.field, r.broken), nil
	}
	return r.cells, r.line, nil, nil
}

// number reports whether cell i of the row next returned last is stored
// as a number.
func (x *xlsxRecords) number(i int) bool {
	r := &x.rows[x.pos-1]
	return r.num != nil && i >= 0 && i < len(r.num) && r.num[i]
}

// load reads the first worksheet of the workbook. A panic of the library
// on a crafted file becomes a fatal error: the body is untrusted, and one
// bad upload must not take the request down with a 500.
func (x *xlsxRecords) load() (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = camera.Errorf(camera.EINVALID, "body", "is not a workbook that can be read (%v): save it again as .xlsx", p)
		}
	}()
	b, err := io.ReadAll(io.LimitReader(x.src, MaxXLSXBytes+1))
	if err != nil {
		return fmt.Errorf("read xlsx: %w", err)
	}
	if len(b) > MaxXLSXBytes {
		return camera.Errorf(camera.EINVALID, "body", "the workbook is larger than %d MiB: import it as CSV", MaxXLSXBytes>>20)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{
		UnzipSizeLimit:    MaxXLSXUnzipped,
		UnzipXMLSizeLimit: unzipXMLInMemory,
	})
	if err != nil {
		return openError(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return camera.Errorf(camera.EINVALID, "body", "the workbook has no sheet")
	}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		x.date1904 = *props.Date1904
	}
	pending, err := x.readRows(f, sheets[0])
	if err != nil {
		return err
	}
	return x.resolve(f, sheets[0], pending)
}

// openError words why excelize could not open a body.
func openError(err error) error {
	switch {
	case errors.Is(err, zip.ErrFormat), errors.Is(err, zip.ErrChecksum), errors.Is(err, zip.ErrAlgorithm), errors.Is(err, io.ErrUnexpectedEOF):
		return camera.Errorf(camera.EINVALID, "body", "is not an .xlsx workbook, or it is damaged (%v)", err)
	case errors.Is(err, excelize.ErrWorkbookFileFormat), errors.Is(err, excelize.ErrWorkbookPassword):
		return camera.Errorf(camera.EINVALID, "body", "is an Excel 97-2003 (.xls) or password-protected workbook: save it as .xlsx without a password")
	case strings.Contains(err.Error(), "unzip size exceeds"):
		return camera.Errorf(camera.EINVALID, "body", "the workbook unpacks to more than %d MiB: import it as CSV", MaxXLSXUnzipped>>20)
	}
	return camera.Errorf(camera.EINVALID, "body", "is not an .xlsx workbook that can be read: %v", err)
}

// cellRef is a cell whose value reads both as a number and as text.
type cellRef struct{ row, col int } // index in x.rows, 0-based column

// readRows reads the sheet's rows: title rows, the header (handed to
// setHeader) and the rows below it. It returns the cells whose type must
// be looked up.
func (x *xlsxRecords) readRows(f *excelize.File, sheet string) (pending []cellRef, err error) {
	it, err := f.Rows(sheet)
	if err != nil {
		return nil, camera.Errorf(camera.EINVALID, "body", "the first sheet, %q, cannot be read: %v", sheet, err)
	}
	defer it.Close()
	// keep holds the sheet's columns that the header names, in order: a
	// table may start in column B, or have a header cell merged over two
	// columns. nil before the header.
	var keep []int
	titles := 0
	for line := 1; it.Next(); line++ {
		cells, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, camera.Errorf(camera.EINVALID, fmt.Sprintf("row %d", line), "cannot be read: %v", err)
		}
		if blank(cells) {
			continue
		}
		if line > MaxXLSXRows {
			return nil, camera.Errorf(camera.EINVALID, fmt.Sprintf("row %d", line), "the sheet has data below row %d, more than an XLSX import takes: import it as CSV", MaxXLSXRows)
		}
		if keep == nil {
			if !x.isHeader(cells) {
				if titles++; titles > maxTitleRows {
					break
				}
				continue
			}
			var names []string
			for i, c := range cells {
				if strings.TrimSpace(c) != "" {
					keep, names = append(keep, i), append(names, c)
				}
			}
			if err := x.setHeader(names, line); err != nil {
				return nil, err
			}
			continue
		}
		row := xlsxRow{line: line, cells: make([]string, len(keep))}
		next := 0 // index in keep of the next named column
		for i, v := range cells {
			if next < len(keep) && i == keep[next] {
				row.cells[next] = v
				next++
				continue
			}
			if row.broken == "" && strings.TrimSpace(v) != "" {
				col, _ := excelize.ColumnNumberToName(i + 1)
				row.broken = fmt.Sprintf("has a value in column %s, which the header does not name", col)
			}
		}
		for i, v := range row.cells {
			if row.broken != "" {
				break
			}
			if isFormulaError(v) {
				row.field, row.broken = x.cols[i], fmt.Sprintf("is a formula error in the sheet (%s)", v)
				break
			}
			switch x.classify(i, v) {
			case cellNumber:
				row.setNum(i)
			case cellAsk:
				pending = append(pending, cellRef{len(x.rows), i})
			}
		}
		x.rows = append(x.rows, row)
	}
	switch {
	case keep == nil && titles == 0:
		return nil, camera.Errorf(camera.EINVALID, "header", "the first sheet, %q, is empty: its first rows must be the header %s", sheet, x.spec.header)
	case keep == nil:
		return nil, camera.Errorf(camera.EINVALID, "header", "no row of the first sheet, %q, names the columns (title rows may stand above the header, at most %d); the columns are %s", sheet, maxTitleRows, x.spec.header)
	}
	return pending, nil
}

// resolve looks up whether each pending cell is a number or text.
func (x *xlsxRecords) resolve(f *excelize.File, sheet string, pending []cellRef) error {
	for _, p := range pending {
		r := &x.rows[p.row]
		ref, err := excelize.CoordinatesToCellName(p.col+1, r.line)
		if err != nil {
			return fmt.Errorf("xlsx cell of row %d: %w", r.line, err)
		}
		t, err := f.GetCellType(sheet, ref)
		if err != nil {
			return camera.Errorf(camera.EINVALID, "row "+strconv.Itoa(r.line), "cannot be read: %v", err)
		}
		if t == excelize.CellTypeNumber || t == excelize.CellTypeUnset {
			r.setNum(p.col)
		}
	}
	return nil
}

func (r *xlsxRow) setNum(i int) {
	if r.num == nil {
		r.num = make([]bool, len(r.cells))
	}
	r.num[i] = true
}

// isWholeLiteral reports whether s is an optional '-' and digits: how a
// sheet stores a whole number, and what digits typed as text look like.
func isWholeLiteral(s string) bool { return isDigits(strings.TrimPrefix(s, "-")) }

// isNumberLiteral reports whether s has the form a sheet stores a number
// in: [-]digits[.digits][E[+-]digits].
func isNumberLiteral(s string) bool {
	mant, exp, hasExp := strings.Cut(strings.ToUpper(s), "E")
	if hasExp && !isDigits(strings.TrimPrefix(strings.TrimPrefix(exp, "+"), "-")) {
		return false
	}
	whole, frac, hasPoint := strings.Cut(mant, ".")
	return isWholeLiteral(whole) && (!hasPoint || isDigits(frac))
}

// isDigits reports whether s is one or more ASCII digits.
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// isFormulaError reports whether s is one of the error values a formula
// leaves in a cell (a VLOOKUP that found nothing leaves #N/A): never a
// donor, a camera or an amount.
func isFormulaError(s string) bool {
	switch s {
	case "#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA":
		return true
	}
	return false
}
