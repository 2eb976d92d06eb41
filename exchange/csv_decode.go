package exchange

import (
	"fmt"
	"io"

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

// CSVDecoder reads a camera CSV (docs/design.md) one row at a time.
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
	recs  csvRecords
	index [numColumns]int // file position of each column, -1 if absent
	seen  map[string]int  // id of each valid row -> its line
}

// NewCSVDecoder returns a decoder reading r. It reads nothing until the
// first call to Next or Columns.
func NewCSVDecoder(r io.Reader) *CSVDecoder {
	d := &CSVDecoder{seen: make(map[string]int, 1024)}
	d.recs = newCSVRecords(r, headerSpec{kind: "camera", header: CSVHeader, more: ", optionally with status and notes"}, d.setHeader)
	return d
}

// Columns reads the header if that has not happened yet and returns its
// column names, canonical and in file order. A caller can tell from it
// whether the optional status and notes columns were given (without them
// every row is active with empty notes).
func (d *CSVDecoder) Columns() ([]string, error) {
	if err := d.recs.start(); err != nil {
		return nil, err
	}
	return append([]string(nil), d.recs.cols...), nil
}

// Next returns the next row, io.EOF after the last one, or a fatal error.
func (d *CSVDecoder) Next() (Row, error) {
	rec, line, rej, err := d.recs.next()
	switch {
	case err != nil:
		return Row{}, err
	case rej != nil:
		return Row{Line: line, Feature: -1, Reject: rej}, nil
	}
	return d.row(rec, line), nil
}

// setHeader maps the header's names to columns.
func (d *CSVDecoder) setHeader(rec []string, line int) error {
	err := d.recs.matchHeader(rec, line, d.index[:], func(name string) (int, bool) {
		c, ok := columnByName(name)
		return int(c), ok
	})
	if err != nil {
		return err
	}
	for col := range numRequired {
		if d.index[col] < 0 {
			return camera.Errorf(camera.EINVALID, col.String(), "missing column in the header; the columns are %s", CSVHeader)
		}
	}
	d.recs.idCol = d.index[colID]
	return nil
}

// row turns a well-formed record into a camera or a rejection.
//
// UTF-8 is not checked up front, which cost a twentieth of the decoding
// time: a field that is not valid UTF-8 cannot pass (Validate checks the
// text fields, setField the URL, and the numbers, dates and enumerations
// only admit ASCII), and badRow then names it as the reason.
func (d *CSVDecoder) row(rec []string, line int) Row {
	c := camera.New()
	for col := range numColumns {
		if i := d.index[col]; i >= 0 {
			if err := setField(c, col, value{s: rec[i]}); err != nil {
				return d.reject(d.recs.badRow(rec, line, err.Field, err.Message))
			}
		}
	}
	if err := finish(c); err != nil {
		return d.reject(d.recs.badRow(rec, line, err.Field, err.Message))
	}
	if first, dup := d.seen[c.ID]; dup {
		return d.reject(d.recs.reject(rec, line, colID.String(), fmt.Sprintf("repeats the id of line %d", first)))
	}
	d.seen[c.ID] = line
	return Row{Line: line, Feature: -1, Camera: c}
}

// reject wraps a rejection in a row.
func (d *CSVDecoder) reject(r *Rejection) Row {
	return Row{Line: r.Line, Feature: -1, Reject: r}
}
