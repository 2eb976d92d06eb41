package exchange

import (
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/matthan/matthan/registry"
)

// WriteFundingCSV writes a funding view as CSV: the header of
// registry.FundingColumns(rep.GroupBy), one line per row, then the totals
// on a last line whose key is "total" (in the view's columns: for donors,
// cameras there counts every registered camera). An empty
// cost_per_up_hour_vnd means no up time.
//
// The CSV is written by hand, in 64 KiB writes, field for field as
// encoding/csv writes it (appendCSVField; TestFundingCSVAndJSON and
// FuzzFundingCSV hold it to encoding/csv's bytes): a camera view is a
// million lines, and csv.Writer, which takes only strings, costs an
// allocation per number and two to five times the time. BenchmarkFundingCSV,
// 100,000 camera rows on the project's 2-core machine: 22–25 ms/op
// (220–250 ns a row) and 2 allocations here, against 56–111 ms/op
// (560–1,110 ns a row) and 600,008 allocations (36 MB) through
// csv.Writer (`go test -run '^$' -bench FundingCSV -benchmem ./exchange`).
func WriteFundingCSV(w io.Writer, rep *registry.FundingReport) error {
	fields := registry.FundingFields(rep.GroupBy)
	b := make([]byte, 0, 64<<10)
	for i := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, fields[i].Name...) // ASCII snake_case: nothing to quote
	}
	b = append(b, '\n')
	line := func(r *registry.FundingRow) error {
		for i := range fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendFundingField(b, &fields[i], r)
		}
		b = append(b, '\n')
		if len(b) < 60<<10 {
			return nil
		}
		_, err := w.Write(b)
		b = b[:0]
		return err
	}
	for i := range rep.Rows {
		if err := line(&rep.Rows[i]); err != nil {
			return err
		}
	}
	if err := line(&rep.Totals); err != nil {
		return err
	}
	_, err := w.Write(b)
	return err
}

// appendFundingField appends the CSV field of f of r: nothing where the
// JSON has null.
func appendFundingField(b []byte, f *registry.FundingField, r *registry.FundingRow) []byte {
	switch f.Kind {
	case registry.FieldText:
		return appendCSVField(b, f.Text(r))
	case registry.FieldHours:
		return strconv.AppendFloat(b, r.UpHours(), 'f', -1, 64)
	}
	if v, ok := f.Int(r); ok {
		return strconv.AppendInt(b, v, 10)
	}
	return b
}

// fundingCells appends to dst the values of row r in fields — a string,
// an int64, a float64, or nil where the JSON has null — and returns it:
// a spreadsheet's typed cells.
func fundingCells(dst []any, fields []registry.FundingField, r *registry.FundingRow) []any {
	for i := range fields {
		dst = append(dst, fields[i].Value(r))
	}
	return dst
}

// appendCSVField appends s as encoding/csv's Writer (comma, no CRLF)
// writes a field: quoted, with quotes doubled, when it holds a comma, a
// quote, a CR or LF, starts with a space, or is \. ; as it is otherwise.
func appendCSVField(b []byte, s string) []byte {
	if !csvNeedsQuotes(s) {
		return append(b, s...)
	}
	b = append(b, '"')
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		b = append(b, s[:i+1]...)
		b = append(b, '"')
		s = s[i+1:]
	}
	b = append(b, s...)
	return append(b, '"')
}

// csvNeedsQuotes is encoding/csv's fieldNeedsQuotes for a comma, in one
// pass over the bytes.
func csvNeedsQuotes(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\r', '\n':
			return true
		}
	}
	if s == `\.` {
		return true
	}
	if c := s[0]; c < utf8.RuneSelf {
		return c == ' ' || c == '\t' || c == '\v' || c == '\f'
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}
