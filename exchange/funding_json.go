package exchange

import (
	"io"
	"strconv"
	"time"

	"github.com/matthan/matthan/internal/jsontext"
	"github.com/matthan/matthan/registry"
)

// JSON of the funding views, written by hand: a camera view is a million
// rows, and encoding/json, which calls a Marshaler per row and then
// checks what it returned, takes seconds over it. The members of a row
// are its fields (registry.FundingFields), as the CSV's columns are, so
// that JSON and CSV cannot disagree; TestFundingJSONMatchesEncodingJSON
// holds the bytes to what encoding/json writes for the same members.

// WriteFundingJSON writes a funding view to w as it goes, with rows (all
// of rep.Rows, or a page of them from rep.Page) as the items, and
// next_cursor when next is not empty (the page's next cursor):
// {"group_by", "from", "to", "items", "totals"[, "next_cursor"]}, from
// and to in RFC 3339. An item has the fields of the view's grouping; the
// totals have registry.TotalsFields. A million rows stream in well under
// a second, in 64 KiB writes.
func WriteFundingJSON(w io.Writer, rep *registry.FundingReport, rows []registry.FundingRow, next string) error {
	b := make([]byte, 0, 64<<10)
	b = append(b, `{"group_by":`...)
	b = appendHTMLSafeString(b, string(rep.GroupBy))
	b = append(b, `,"from":"`...)
	b = rep.From.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","to":"`...)
	b = rep.To.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","items":[`...)
	fields := registry.FundingFields(rep.GroupBy)
	for i := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendRowJSON(b, fields, &rows[i])
		if len(b) >= 60<<10 {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	b = append(b, `],"totals":`...)
	b = appendRowJSON(b, registry.TotalsFields(), &rep.Totals)
	if next != "" {
		b = append(b, `,"next_cursor":`...)
		b = appendHTMLSafeString(b, next)
	}
	b = append(b, '}')
	_, err := w.Write(b)
	return err
}

// appendRowJSON appends the JSON object of a row: its fields, in order.
func appendRowJSON(b []byte, fields []registry.FundingField, r *registry.FundingRow) []byte {
	b = append(b, '{')
	for i := range fields {
		f := &fields[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, f.Name...) // ASCII snake_case: nothing to escape
		b = append(b, '"', ':')
		switch f.Kind {
		case registry.FieldText:
			b = appendHTMLSafeString(b, f.Text(r))
		case registry.FieldHours:
			b = strconv.AppendFloat(b, r.UpHours(), 'f', -1, 64)
		default:
			if v, ok := f.Int(r); ok {
				b = strconv.AppendInt(b, v, 10)
			} else {
				b = append(b, "null"...)
			}
		}
	}
	return append(b, '}')
}

// appendHTMLSafeString appends s as a JSON string escaped as json.Marshal
// escapes it, <, > and & too: what the API's other answers do.
func appendHTMLSafeString(b []byte, s string) []byte { return jsontext.AppendString(b, s, true) }
