package registry

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
)

// The fields of a funding row depend on its grouping; one table of
// columns gives both the JSON members and the CSV columns, so the two
// cannot disagree.

// fundingColumn is one field of a funding row. value returns its text
// and whether it is JSON null (an empty CSV field).
type fundingColumn struct {
	name   string
	number bool
	value  func(r *FundingRow) (string, bool)
}

func text(f func(r *FundingRow) string) func(*FundingRow) (string, bool) {
	return func(r *FundingRow) (string, bool) { return f(r), false }
}

func integer(f func(r *FundingRow) int64) func(*FundingRow) (string, bool) {
	return func(r *FundingRow) (string, bool) { return strconv.FormatInt(f(r), 10), false }
}

var (
	fcKey      = fundingColumn{"key", false, text(func(r *FundingRow) string { return r.Key })}
	fcName     = fundingColumn{"name", false, text(func(r *FundingRow) string { return r.Name })}
	fcCommune  = fundingColumn{"commune", false, text(func(r *FundingRow) string { return r.Commune })}
	fcStatus   = fundingColumn{"status", false, text(func(r *FundingRow) string { return string(r.Status) })}
	fcCameras  = fundingColumn{"cameras", true, integer(func(r *FundingRow) int64 { return int64(r.Cameras) })}
	fcCommunes = fundingColumn{"communes", true, integer(func(r *FundingRow) int64 { return int64(r.Communes) })}
	fcCost     = fundingColumn{"cost_vnd", true, integer(func(r *FundingRow) int64 { return r.CostVND })}
	fcDonated  = fundingColumn{"donated_vnd", true, integer(func(r *FundingRow) int64 { return r.DonatedVND })}
	fcPool     = fundingColumn{"pool_vnd", true, integer(func(r *FundingRow) int64 { return r.PoolVND })}
	fcBalance  = fundingColumn{"balance_vnd", true, integer(func(r *FundingRow) int64 { return r.BalanceVND })}
	fcDonors   = fundingColumn{"donors", true, integer(func(r *FundingRow) int64 { return int64(r.Donors) })}
	fcCount    = fundingColumn{"donations", true, integer(func(r *FundingRow) int64 { return int64(r.Donations) })}
	fcUpHours  = fundingColumn{"up_hours", true, func(r *FundingRow) (string, bool) {
		return strconv.FormatFloat(r.UpHours(), 'f', -1, 64), false
	}}
	fcPerHour = fundingColumn{"cost_per_up_hour_vnd", true, func(r *FundingRow) (string, bool) {
		if r.CostPerUpHourVND == nil {
			return "", true
		}
		return strconv.FormatInt(*r.CostPerUpHourVND, 10), false
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

// MarshalJSON writes the fields of the row's grouping, in the order of
// FundingColumns; the totals row has every field but name, commune and
// status.
func (r FundingRow) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 256)
	b = append(b, '{')
	for i, c := range fundingColumns(r.group) {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, c.name) // ASCII names: Go and JSON quoting agree
		b = append(b, ':')
		s, null := c.value(&r)
		switch {
		case null:
			b = append(b, "null"...)
		case c.number:
			b = append(b, s...)
		default:
			q, err := json.Marshal(s)
			if err != nil {
				return nil, err
			}
			b = append(b, q...)
		}
	}
	return append(b, '}'), nil
}

// MarshalJSON writes the report as {"group_by", "from", "to", "items",
// "totals"}.
func (r *FundingReport) MarshalJSON() ([]byte, error) {
	type out struct {
		GroupBy GroupBy      `json:"group_by"`
		From    string       `json:"from"`
		To      string       `json:"to"`
		Items   []FundingRow `json:"items"`
		Totals  FundingRow   `json:"totals"`
	}
	items := r.Rows
	if items == nil {
		items = []FundingRow{}
	}
	return json.Marshal(out{r.GroupBy, r.From.Format(timeLayout), r.To.Format(timeLayout), items, r.Totals})
}

// timeLayout is RFC 3339 with nanoseconds when there are any, as
// time.Time's own JSON.
const timeLayout = "2006-01-02T15:04:05.999999999Z07:00"

// WriteFundingCSV writes a funding view as CSV: the header of
// FundingColumns(rep.GroupBy), one line per row, then the totals on a
// last line whose key is "total" (in the view's columns: for donors,
// cameras there counts every registered camera). An empty
// cost_per_up_hour_vnd means no up time.
func WriteFundingCSV(w io.Writer, rep *FundingReport) error {
	cw := csv.NewWriter(w)
	cols := fundingColumns(rep.GroupBy)
	rec := make([]string, len(cols))
	for i, c := range cols {
		rec[i] = c.name
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	write := func(r *FundingRow) error {
		for i, c := range cols {
			rec[i], _ = c.value(r)
		}
		return cw.Write(rec)
	}
	for i := range rep.Rows {
		if err := write(&rep.Rows[i]); err != nil {
			return err
		}
	}
	if err := write(&rep.Totals); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
