package exchange

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/matthan/matthan/camera"
)

// MaxCSVRecordBytes bounds one CSV record (one row, with the line breaks of
// its quoted fields). A real camera row is a few hundred bytes; notes of
// camera.MaxNotesLen characters fit in about 16 KiB. A longer record is
// almost always a quote left open, which swallows every following line, so
// it ends the import with an error naming the line where it starts.
const MaxCSVRecordBytes = 64 << 10

// csvBufferSize is the read buffer. It also lets the bounded reader read
// ahead of the record being parsed without tripping the limit.
const csvBufferSize = 64 << 10

// CSVDecoder reads a camera CSV (DESIGN.md) one row at a time.
//
// The first line is the header. Its names are matched trimmed and in any
// case, in any order; it must name every column of CSVColumns and may add
// status and notes. A missing, unknown, duplicate or unnamed column is a
// fatal error naming it. A UTF-8 byte order mark, CRLF line endings and
// quoted fields holding commas, quotes and line breaks are accepted.
//
// Rows are numbered by the physical line on which they start, header = 1,
// as a text editor shows them. Blank lines and rows whose fields are all
// empty (which spreadsheets append) are skipped. A row whose id repeats an
// earlier valid row's is rejected, so that one file cannot say two things
// about one camera.
type CSVDecoder struct {
	src *boundedReader
	br  *bufio.Reader
	r   *csv.Reader

	header bool
	err    error // sticky: io.EOF or a fatal error
	bom    int64 // length of the byte order mark skipped

	cols  []string        // the header's columns, canonical names, file order
	index [numColumns]int // file position of each column, -1 if absent
	seen  map[string]int  // id of each valid row -> its line
	prev  int64           // input offset where the current record starts
	last  int             // last physical line of the previous record
}

// NewCSVDecoder returns a decoder reading r. It reads nothing until the
// first call to Next or Columns.
func NewCSVDecoder(r io.Reader) *CSVDecoder {
	src := newBoundedReader(r, MaxCSVRecordBytes+csvBufferSize)
	br := bufio.NewReaderSize(src, csvBufferSize)
	cr := csv.NewReader(br) // uses br as is: it is a large enough *bufio.Reader
	cr.ReuseRecord = true
	return &CSVDecoder{src: src, br: br, r: cr, seen: make(map[string]int, 1024)}
}

// Columns reads the header if that has not happened yet and returns its
// column names, canonical and in file order. A caller can tell from it
// whether the optional status and notes columns were given (without them
// every row is active with empty notes).
func (d *CSVDecoder) Columns() ([]string, error) {
	if !d.header && d.err == nil {
		d.err = d.readHeader()
	}
	if d.err != nil && d.err != io.EOF {
		return nil, d.err
	}
	return append([]string(nil), d.cols...), nil
}

// Next returns the next row, io.EOF after the last one, or a fatal error.
func (d *CSVDecoder) Next() (Row, error) {
	for d.err == nil {
		if !d.header {
			d.err = d.readHeader()
			continue
		}
		row, skip, err := d.next()
		if err != nil {
			d.err = err
			break
		}
		if !skip {
			return row, nil
		}
	}
	return Row{}, d.err
}

// next reads one record. skip is set for a row of empty fields.
func (d *CSVDecoder) next() (row Row, skip bool, err error) {
	rec, rerr := d.r.Read()
	if rerr == io.EOF {
		return Row{}, false, io.EOF
	}
	if errors.Is(rerr, errTooLarge) {
		return Row{}, false, d.tooLarge(rec)
	}
	off := d.bom + d.r.InputOffset()
	if off-d.prev > MaxCSVRecordBytes {
		return Row{}, false, d.tooLarge(rec)
	}
	d.prev = off
	d.src.allow(off, MaxCSVRecordBytes+csvBufferSize)

	if rerr != nil {
		// Declared here, not above: errors.As makes perr escape to the
		// heap, which would cost an allocation on every row.
		var perr *csv.ParseError
		if !errors.As(rerr, &perr) {
			return Row{}, false, fmt.Errorf("read csv: %w", rerr)
		}
		d.last = max(perr.Line, d.endLine(rec))
		if errors.Is(perr.Err, csv.ErrFieldCount) && blank(rec) {
			return Row{}, true, nil // a line of spaces
		}
		return d.broken(rec, perr), false, nil
	}
	line, _ := d.r.FieldPos(0)
	d.last = d.endLine(rec)
	if blank(rec) {
		return Row{}, true, nil
	}
	return d.row(rec, line), false, nil
}

// readHeader reads and checks the header line.
func (d *CSVDecoder) readHeader() error {
	d.header = true
	if b, _ := d.br.Peek(len(utf8BOM)); string(b) == utf8BOM {
		_, _ = d.br.Discard(len(utf8BOM)) // cannot fail: Peek returned these bytes
		d.bom = int64(len(utf8BOM))
	}
	rec, err := d.r.Read()
	switch {
	case err == io.EOF:
		return camera.Errorf(camera.EINVALID, "header", "the file is empty: its first line must be the header %s", CSVHeader)
	case errors.Is(err, errTooLarge):
		return camera.Errorf(camera.EINVALID, "header", "line 1 is larger than %d bytes: is this a camera CSV?", MaxCSVRecordBytes)
	case err != nil:
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			return camera.Errorf(camera.EINVALID, "header", "line %d: %s", perr.StartLine, parseReason(perr, 0))
		}
		return fmt.Errorf("read csv: %w", err)
	}
	line, _ := d.r.FieldPos(0)
	d.last = d.endLine(rec)
	d.prev = d.bom + d.r.InputOffset()
	d.src.allow(d.prev, MaxCSVRecordBytes+csvBufferSize)
	return d.setHeader(rec, line)
}

// setHeader maps the header's names to columns.
func (d *CSVDecoder) setHeader(rec []string, line int) error {
	for i := range d.index {
		d.index[i] = -1
	}
	d.cols = make([]string, len(rec))
	for i, raw := range rec {
		if !utf8.ValidString(raw) {
			return camera.Errorf(camera.EINVALID, "header", "line %d is not valid UTF-8: save the file as CSV UTF-8", line)
		}
		name := strings.ToLower(strings.TrimSpace(raw))
		col, ok := columnByName(name)
		switch {
		case name == "":
			return camera.Errorf(camera.EINVALID, "header", "column %d of the header has no name; the columns are %s", i+1, CSVHeader)
		case !ok && len(rec) == 1 && strings.Contains(name, ";"):
			return camera.Errorf(camera.EINVALID, "header", "the columns are separated by ';': save the file with ',' between columns")
		case !ok:
			return camera.Errorf(camera.EINVALID, cutUTF8(name, camera.MaxIDLen), "unknown column in the header; the columns are %s, optionally with status and notes", CSVHeader)
		case d.index[col] >= 0:
			return camera.Errorf(camera.EINVALID, name, "duplicate column in the header")
		}
		d.index[col] = i
		d.cols[i] = name
	}
	for col := range numRequired {
		if d.index[col] < 0 {
			return camera.Errorf(camera.EINVALID, col.String(), "missing column in the header; the columns are %s", CSVHeader)
		}
	}
	return nil
}

// row turns a well-formed record into a camera or a rejection.
//
// UTF-8 is not checked up front, which cost a twentieth of the decoding
// time: a field that is not valid UTF-8 cannot pass (Validate checks the
// text fields, setField the URL, and the numbers, dates and enumerations
// only admit ASCII), and badRow then names it as the reason.
func (d *CSVDecoder) row(rec []string, line int) Row {
	c := new(camera.Camera)
	for col := range numColumns {
		if i := d.index[col]; i >= 0 {
			if err := setField(c, col, value{s: rec[i]}); err != nil {
				return d.badRow(rec, line, err.Field, err.Message)
			}
		}
	}
	if err := finish(c); err != nil {
		return d.badRow(rec, line, err.Field, err.Message)
	}
	if first, dup := d.seen[c.ID]; dup {
		return d.reject(rec, line, colID.String(), fmt.Sprintf("repeats the id of line %d", first))
	}
	d.seen[c.ID] = line
	return Row{Line: line, Feature: -1, Camera: c}
}

// badRow rejects a record for the given field and reason, unless one of its
// fields is not valid UTF-8: that is then the reason, since it is what the
// person must fix (save the file in the right encoding) and it explains
// any other error.
func (d *CSVDecoder) badRow(rec []string, line int, field, reason string) Row {
	for i, f := range rec {
		if !utf8.ValidString(f) {
			return d.reject(rec, line, d.cols[i], "is not valid UTF-8: save the file as CSV UTF-8")
		}
	}
	return d.reject(rec, line, field, reason)
}

// reject returns the rejection of rec, which starts on line.
func (d *CSVDecoder) reject(rec []string, line int, field, reason string) Row {
	id := ""
	if i := d.index[colID]; i >= 0 && i < len(rec) {
		id = cleanText(rec[i])
	}
	return Row{Line: line, Feature: -1, Reject: newRejection(line, -1, id, field, reason)}
}

// broken turns a record encoding/csv could not parse into a rejection.
func (d *CSVDecoder) broken(rec []string, perr *csv.ParseError) Row {
	field := ""
	if !errors.Is(perr.Err, csv.ErrFieldCount) && len(rec) < len(d.cols) {
		// The partial record holds the fields before the broken one.
		field = d.cols[len(rec)]
	}
	return d.reject(rec, perr.StartLine, field, parseReason(perr, len(d.cols)))
}

// parseReason words an encoding/csv parse error for the person who wrote
// the file; want is the number of columns of the header.
func parseReason(perr *csv.ParseError, want int) string {
	switch {
	case errors.Is(perr.Err, csv.ErrFieldCount):
		return fmt.Sprintf("has a different number of fields than the header's %d", want)
	case errors.Is(perr.Err, csv.ErrBareQuote):
		return fmt.Sprintf(`has a " inside a field that is not quoted (line %d, byte %d): quote the whole field and double the " inside it`, perr.Line, perr.Column)
	case errors.Is(perr.Err, csv.ErrQuote):
		return fmt.Sprintf(`has a quoted field that is not closed, or a stray " after one (line %d, byte %d)`, perr.Line, perr.Column)
	}
	return perr.Err.Error()
}

// tooLarge is the fatal error for a record over MaxCSVRecordBytes. The
// record's own first line is known when encoding/csv returned at least one
// field; otherwise it is the line after the previous record (blank lines in
// between would make it early).
func (d *CSVDecoder) tooLarge(rec []string) error {
	line := d.last + 1
	if len(rec) > 0 {
		line, _ = d.r.FieldPos(0)
	}
	return camera.Errorf(camera.EINVALID, fmt.Sprintf("line %d", line), "the record is larger than %d bytes: is a quote left open?", MaxCSVRecordBytes)
}

// endLine returns the last physical line of rec, the record just read.
func (d *CSVDecoder) endLine(rec []string) int {
	if len(rec) == 0 {
		return d.last
	}
	line, _ := d.r.FieldPos(len(rec) - 1)
	return line + strings.Count(rec[len(rec)-1], "\n")
}

// blank reports whether every field of rec is empty or white space.
func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
