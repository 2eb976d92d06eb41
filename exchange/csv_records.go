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

// csvRecords is the record loop the camera and the donation CSV decoders
// share: the byte order mark, the header line, the physical line each
// record starts on, the bound on a record's size, blank rows, records
// encoding/csv cannot parse, and rejections quoting the row's id. What a
// row means is the decoder's business: it gets well-formed records with
// their lines.
type csvRecords struct {
	columns
	src *boundedReader
	br  *bufio.Reader
	r   *csv.Reader

	setHeader func(rec []string, line int) error // the decoder's: maps and checks the columns

	header bool
	err    error // sticky: io.EOF or a fatal error
	bom    int64 // length of the byte order mark skipped

	prev int64 // input offset where the current record starts
	last int   // last physical line of the previous record
}

// columns is what a record loop knows of its header — the CSV's and the
// sheet's (xlsxRecords) alike: it matches the header's names to a
// decoder's columns and words the rejection of a row.
type columns struct {
	spec  headerSpec
	cols  []string // the header's columns, canonical names, file order
	idCol int      // file position of the column a rejection quotes as its ID, -1 if absent
	// encoding is the advice for a field that is not valid UTF-8.
	encoding string
}

// headerSpec is what the messages about a decoder's header say.
type headerSpec struct {
	kind   string // "camera", "donation": what a file with a huge first line is not
	header string // the header line of the contract
	// more follows the list of columns in the message about an unknown
	// one (the optional columns).
	more string
}

// newCSVRecords returns the loop reading r. setHeader is called once,
// with the header record, before the first record is returned.
func newCSVRecords(r io.Reader, spec headerSpec, setHeader func(rec []string, line int) error) csvRecords {
	src := newBoundedReader(r, MaxCSVRecordBytes+csvBufferSize)
	br := bufio.NewReaderSize(src, csvBufferSize)
	cr := csv.NewReader(br) // uses br as is: it is a large enough *bufio.Reader
	cr.ReuseRecord = true
	cols := columns{spec: spec, idCol: -1, encoding: "save the file as CSV UTF-8"}
	return csvRecords{columns: cols, src: src, br: br, r: cr, setHeader: setHeader}
}

// start reads the header if that has not happened yet, and returns the
// fatal error there was, if any (io.EOF is not one).
func (c *csvRecords) start() error {
	if !c.header && c.err == nil {
		c.err = c.readHeader()
	}
	if c.err == io.EOF {
		return nil
	}
	return c.err
}

// next returns the next record that is not blank and the line it starts
// on, or the rejection of one encoding/csv could not parse; io.EOF after
// the last one, or a fatal error. rec is reused by the following call.
func (c *csvRecords) next() (rec []string, line int, rej *Rejection, err error) {
	if err := c.start(); err != nil {
		return nil, 0, nil, err
	}
	for c.err == nil {
		rec, line, rej, skip, err := c.read()
		if err != nil {
			c.err = err
			break
		}
		if !skip {
			return rec, line, rej, nil
		}
	}
	return nil, 0, nil, c.err
}

// read reads one record. skip is set for a row of empty fields.
func (c *csvRecords) read() (rec []string, line int, rej *Rejection, skip bool, err error) {
	rec, rerr := c.r.Read()
	if rerr == io.EOF {
		return nil, 0, nil, false, io.EOF
	}
	if errors.Is(rerr, errTooLarge) {
		return nil, 0, nil, false, c.tooLarge(rec)
	}
	off := c.bom + c.r.InputOffset()
	if off-c.prev > MaxCSVRecordBytes {
		return nil, 0, nil, false, c.tooLarge(rec)
	}
	c.prev = off
	c.src.allow(off, MaxCSVRecordBytes+csvBufferSize)

	if rerr != nil {
		// Declared here, not above: errors.As makes perr escape to the
		// heap, which would cost an allocation on every row.
		var perr *csv.ParseError
		if !errors.As(rerr, &perr) {
			return nil, 0, nil, false, fmt.Errorf("read csv: %w", rerr)
		}
		c.last = max(perr.Line, c.endLine(rec))
		if errors.Is(perr.Err, csv.ErrFieldCount) && blank(rec) {
			return nil, 0, nil, true, nil // a line of spaces
		}
		return nil, perr.StartLine, c.broken(rec, perr), false, nil
	}
	line, _ = c.r.FieldPos(0)
	c.last = c.endLine(rec)
	if blank(rec) {
		return nil, 0, nil, true, nil
	}
	return rec, line, nil, false, nil
}

// readHeader reads the header line and hands it to setHeader.
func (c *csvRecords) readHeader() error {
	c.header = true
	if b, _ := c.br.Peek(len(utf8BOM)); string(b) == utf8BOM {
		_, _ = c.br.Discard(len(utf8BOM)) // cannot fail: Peek returned these bytes
		c.bom = int64(len(utf8BOM))
	}
	rec, err := c.r.Read()
	switch {
	case err == io.EOF:
		return camera.Errorf(camera.EINVALID, "header", "the file is empty: its first line must be the header %s", c.spec.header)
	case errors.Is(err, errTooLarge):
		return camera.Errorf(camera.EINVALID, "header", "line 1 is larger than %d bytes: is this a %s CSV?", MaxCSVRecordBytes, c.spec.kind)
	case err != nil:
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			return camera.Errorf(camera.EINVALID, "header", "line %d: %s", perr.StartLine, parseReason(perr, 0))
		}
		return fmt.Errorf("read csv: %w", err)
	}
	line, _ := c.r.FieldPos(0)
	c.last = c.endLine(rec)
	c.prev = c.bom + c.r.InputOffset()
	c.src.allow(c.prev, MaxCSVRecordBytes+csvBufferSize)
	return c.setHeader(rec, line)
}

// matchHeader maps the header's names to columns with lookup, which
// returns a column's number (an index of index) by its canonical name:
// index[col] becomes the column's file position, -1 if absent, and
// c.cols the canonical names in file order. A name that is empty,
// unknown, repeated or not UTF-8 is a fatal error naming it; which
// columns are required is the caller's to check.
func (c *columns) matchHeader(rec []string, line int, index []int, lookup func(name string) (int, bool)) error {
	for i := range index {
		index[i] = -1
	}
	c.cols = make([]string, len(rec))
	for i, raw := range rec {
		if !utf8.ValidString(raw) {
			return camera.Errorf(camera.EINVALID, "header", "line %d is not valid UTF-8: %s", line, c.encoding)
		}
		name := strings.ToLower(strings.TrimSpace(raw))
		col, ok := lookup(name)
		switch {
		case name == "":
			return camera.Errorf(camera.EINVALID, "header", "column %d of the header has no name; the columns are %s", i+1, c.spec.header)
		case !ok && len(rec) == 1 && strings.Contains(name, ";"):
			return camera.Errorf(camera.EINVALID, "header", "the columns are separated by ';': save the file with ',' between columns")
		case !ok:
			return camera.Errorf(camera.EINVALID, cutUTF8(name, camera.MaxIDLen), "unknown column in the header; the columns are %s%s", c.spec.header, c.spec.more)
		case index[col] >= 0:
			return camera.Errorf(camera.EINVALID, name, "duplicate column in the header")
		}
		index[col] = i
		c.cols[i] = name
	}
	return nil
}

// setIDCol sets the column a rejection quotes as its ID.
func (c *columns) setIDCol(i int) { c.idCol = i }

// badRow rejects a record for the given field and reason, unless one of
// its fields is not valid UTF-8: that is then the reason, since it is
// what the person must fix (save the file in the right encoding) and it
// explains any other error.
func (c *columns) badRow(rec []string, line int, field, reason string) *Rejection {
	for i, f := range rec {
		if !utf8.ValidString(f) {
			return c.reject(rec, line, c.cols[i], "is not valid UTF-8: "+c.encoding)
		}
	}
	return c.reject(rec, line, field, reason)
}

// reject returns the rejection of rec, which starts on line.
func (c *columns) reject(rec []string, line int, field, reason string) *Rejection {
	id := ""
	if c.idCol >= 0 && c.idCol < len(rec) {
		id = cleanText(rec[c.idCol])
	}
	return newRejection(line, -1, id, field, reason)
}

// broken turns a record encoding/csv could not parse into a rejection.
func (c *csvRecords) broken(rec []string, perr *csv.ParseError) *Rejection {
	field := ""
	if !errors.Is(perr.Err, csv.ErrFieldCount) && len(rec) < len(c.cols) {
		// The partial record holds the fields before the broken one.
		field = c.cols[len(rec)]
	}
	return c.reject(rec, perr.StartLine, field, parseReason(perr, len(c.cols)))
}

// tooLarge is the fatal error for a record over MaxCSVRecordBytes. The
// record's own first line is known when encoding/csv returned at least
// one field; otherwise it is the line after the previous record (blank
// lines in between would make it early).
func (c *csvRecords) tooLarge(rec []string) error {
	line := c.last + 1
	if len(rec) > 0 {
		line, _ = c.r.FieldPos(0)
	}
	return camera.Errorf(camera.EINVALID, fmt.Sprintf("line %d", line), "the record is larger than %d bytes: is a quote left open?", MaxCSVRecordBytes)
}

// endLine returns the last physical line of rec, the record just read.
func (c *csvRecords) endLine(rec []string) int {
	if len(rec) == 0 {
		return c.last
	}
	line, _ := c.r.FieldPos(len(rec) - 1)
	return line + strings.Count(rec[len(rec)-1], "\n")
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

// blank reports whether every field of rec is empty or white space.
func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
