package registry

import (
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The fields of a funding row depend on its grouping; one table of
// columns gives the JSON members, the CSV columns and the typed cells of
// a spreadsheet, so that they cannot disagree.

// fundingColumn is one field of a funding row. appendCSV appends its CSV
// field (nothing for JSON null); appendJSON its JSON value; cell returns
// its value for a spreadsheet (FundingReport.AppendCells), of kind.
type fundingColumn struct {
	name       string
	kind       FieldKind
	appendCSV  func(b []byte, r *FundingRow) []byte
	appendJSON func(b []byte, r *FundingRow) []byte
	cell       func(r *FundingRow) any
}

// FieldKind is what a field of a funding row holds, for a writer that
// types its cells.
type FieldKind int

// Field kinds.
const (
	FieldText  FieldKind = iota // a string
	FieldCount                  // a whole number, an int64
	FieldVND                    // whole đồng, an int64 (nil: none)
	FieldHours                  // hours, a float64
)

func textColumn(name string, get func(r *FundingRow) string) fundingColumn {
	return fundingColumn{name, FieldText,
		func(b []byte, r *FundingRow) []byte { return appendCSVField(b, get(r)) },
		func(b []byte, r *FundingRow) []byte { return appendJSONString(b, get(r)) },
		func(r *FundingRow) any { return get(r) }}
}

func intColumn(name string, kind FieldKind, get func(r *FundingRow) int64) fundingColumn {
	appendInt := func(b []byte, r *FundingRow) []byte { return strconv.AppendInt(b, get(r), 10) }
	return fundingColumn{name, kind, appendInt, appendInt, func(r *FundingRow) any { return get(r) }}
}

var (
	fcKey      = textColumn("key", func(r *FundingRow) string { return r.Key })
	fcName     = textColumn("name", func(r *FundingRow) string { return r.Name })
	fcCommune  = textColumn("commune", func(r *FundingRow) string { return r.Commune })
	fcStatus   = textColumn("status", func(r *FundingRow) string { return string(r.Status) })
	fcCameras  = intColumn("cameras", FieldCount, func(r *FundingRow) int64 { return int64(r.Cameras) })
	fcCommunes = intColumn("communes", FieldCount, func(r *FundingRow) int64 { return int64(r.Communes) })
	fcCost     = intColumn("cost_vnd", FieldVND, func(r *FundingRow) int64 { return r.CostVND })
	fcDonated  = intColumn("donated_vnd", FieldVND, func(r *FundingRow) int64 { return r.DonatedVND })
	fcPool     = intColumn("pool_vnd", FieldVND, func(r *FundingRow) int64 { return r.PoolVND })
	fcBalance  = intColumn("balance_vnd", FieldVND, func(r *FundingRow) int64 { return r.BalanceVND })
	fcDonors   = intColumn("donors", FieldCount, func(r *FundingRow) int64 { return int64(r.Donors) })
	fcCount    = intColumn("donations", FieldCount, func(r *FundingRow) int64 { return int64(r.Donations) })
	fcUpHours  = fundingColumn{"up_hours", FieldHours,
		func(b []byte, r *FundingRow) []byte { return strconv.AppendFloat(b, r.UpHours(), 'f', -1, 64) },
		func(b []byte, r *FundingRow) []byte { return strconv.AppendFloat(b, r.UpHours(), 'f', -1, 64) },
		func(r *FundingRow) any { return r.UpHours() }}
	fcPerHour = fundingColumn{"cost_per_up_hour_vnd", FieldVND,
		func(b []byte, r *FundingRow) []byte {
			if r.CostPerUpHourVND == nil {
				return b
			}
			return strconv.AppendInt(b, *r.CostPerUpHourVND, 10)
		},
		func(b []byte, r *FundingRow) []byte {
			if r.CostPerUpHourVND == nil {
				return append(b, "null"...)
			}
			return strconv.AppendInt(b, *r.CostPerUpHourVND, 10)
		},
		func(r *FundingRow) any {
			if r.CostPerUpHourVND == nil {
				return nil
			}
			return *r.CostPerUpHourVND
		}}
)

// fundingColumns returns the fields of a row of grouping g, in order.
func fundingColumns(g GroupBy) []fundingColumn {
	switch g {
	case GroupByCamera:
		return []fundingColumn{fcKey, fcName, fcCommune, fcStatus, fcCost, fcDonated, fcBalance, fcDonors, fcCount, fcUpHours, fcPerHour}
	case GroupByCommune:
		return []fundingColumn{fcKey, fcCameras, fcCost, fcDonated, fcPool, fcBalance, fcDonors, fcCount, fcUpHours, fcPerHour}
	case GroupByDonor:
		return []fundingColumn{fcKey, fcDonated, fcPool, fcCount, fcCameras, fcCommunes}
	}
	return []fundingColumn{fcKey, fcCameras, fcCommunes, fcCost, fcDonated, fcPool, fcBalance, fcDonors, fcCount, fcUpHours, fcPerHour}
}

// FundingColumns returns the CSV header (and JSON member names) of the
// rows of grouping g.
func FundingColumns(g GroupBy) []string {
	cols := fundingColumns(g)
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	return names
}

// FundingField is one field of the rows of a funding view: its name (the
// CSV column, the JSON member) and what it holds.
type FundingField struct {
	Name string
	Kind FieldKind
}

// FundingFields returns the fields of the rows of grouping g, in the order
// of FundingColumns.
func FundingFields(g GroupBy) []FundingField {
	cols := fundingColumns(g)
	fields := make([]FundingField, len(cols))
	for i, c := range cols {
		fields[i] = FundingField{c.name, c.kind}
	}
	return fields
}

// AppendCells appends to dst the values of row r in the fields of the
// view (FundingFields(rep.GroupBy)) — a string, an int64, a float64, or
// nil where the JSON has null — and returns it. r may be rep.Totals,
// which then has the view's fields, as in WriteFundingCSV.
func (rep *FundingReport) AppendCells(dst []any, r *FundingRow) []any {
	for _, c := range fundingColumns(rep.GroupBy) {
		dst = append(dst, c.cell(r))
	}
	return dst
}

// WriteFundingCSV writes a funding view as CSV: the header of
// FundingColumns(rep.GroupBy), one line per row, then the totals on a
// last line whose key is "total" (in the view's columns: for donors,
// cameras there counts every registered camera). An empty
// cost_per_up_hour_vnd means no up time.
//
// The CSV is written by hand, in 64 KiB writes, field for field as
// encoding/csv writes it (appendCSVField): a camera view is a million
// lines, and csv.Writer's per-field checks cost half a second of it.
func WriteFundingCSV(w io.Writer, rep *FundingReport) error {
	cols := fundingColumns(rep.GroupBy)
	b := make([]byte, 0, 64<<10)
	for i, c := range cols {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, c.name...) // ASCII snake_case: nothing to quote
	}
	b = append(b, '\n')
	line := func(r *FundingRow) error {
		for i, c := range cols {
			if i > 0 {
				b = append(b, ',')
			}
			b = c.appendCSV(b, r)
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
