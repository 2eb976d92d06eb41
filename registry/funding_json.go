package registry

import (
	"io"
	"time"

	"github.com/matthan/matthan/internal/jsontext"
)

// JSON of the funding views, written by hand: a camera view is a million
// rows, and encoding/json, which calls a Marshaler per row and then
// checks what it returned, takes seconds over it. The members of a row
// are its columns (fundingColumns), so JSON and CSV cannot disagree.

// appendRowJSON appends the JSON object of a row: the fields of its
// grouping, in the order of FundingColumns (the totals row has every
// field but name, commune and status).
func appendRowJSON(b []byte, r *FundingRow) []byte {
	b = append(b, '{')
	for i, c := range fundingColumns(r.group) {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, c.name...) // ASCII snake_case: nothing to escape
		b = append(b, '"', ':')
		b = c.appendJSON(b, r)
	}
	return append(b, '}')
}

// MarshalJSON writes the fields of the row's grouping (appendRowJSON).
func (r FundingRow) MarshalJSON() ([]byte, error) {
	return appendRowJSON(make([]byte, 0, 256), &r), nil
}

// MarshalJSON writes the report as {"group_by", "from", "to", "items",
// "totals"}, from and to in RFC 3339. For a large view prefer
// WriteFundingJSON, which streams: encoding/json checks the whole of what
// a Marshaler returns, which for a million cameras (210 MB) takes longer
// than writing it.
func (r *FundingReport) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 64+200*(len(r.Rows)+1))
	return r.appendJSON(b, r.Rows, "", func(b []byte) ([]byte, error) { return b, nil })
}

// WriteFundingJSON writes the JSON of MarshalJSON to w as it goes, with
// rows (all of rep.Rows, or a page of them from Page) as the items, and
// next_cursor when next is not empty (the page's next cursor):
// {"group_by", "from", "to", "items", "totals"[, "next_cursor"]}. A
// million rows stream in well under a second, in 64 KiB writes.
func WriteFundingJSON(w io.Writer, rep *FundingReport, rows []FundingRow, next string) error {
	b := make([]byte, 0, 64<<10)
	b, err := rep.appendJSON(b, rows, next, func(b []byte) ([]byte, error) {
		if len(b) < 60<<10 {
			return b, nil
		}
		_, err := w.Write(b)
		return b[:0], err
	})
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// appendJSON appends the report with rows as its items; flush is called
// after each row and may write out and empty the buffer.
func (r *FundingReport) appendJSON(b []byte, rows []FundingRow, next string, flush func([]byte) ([]byte, error)) ([]byte, error) {
	b = append(b, `{"group_by":`...)
	b = appendJSONString(b, string(r.GroupBy))
	b = append(b, `,"from":"`...)
	b = r.From.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","to":"`...)
	b = r.To.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","items":[`...)
	var err error
	for i := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendRowJSON(b, &rows[i])
		if b, err = flush(b); err != nil {
			return nil, err
		}
	}
	b = append(b, `],"totals":`...)
	b = appendRowJSON(b, &r.Totals)
	if next != "" {
		b = append(b, `,"next_cursor":`...)
		b = appendJSONString(b, next)
	}
	return append(b, '}'), nil
}

// appendJSONString appends s as a JSON string escaped as json.Marshal
// escapes it (<, > and & too): the camera records must be the bytes
// encoding/json writes.
func appendJSONString(b []byte, s string) []byte { return jsontext.AppendString(b, s, true) }
