package registry

import (
	"encoding/csv"
	"io"
	"strconv"
)

// The fields of a funding row depend on its grouping; one table of
// columns gives both the JSON members and the CSV columns, so the two
// cannot disagree.

// fundingColumn is one field of a funding row. text gives its CSV
// field ("" for JSON null); appendJSON appends its JSON value.
type fundingColumn struct {
	name       string
	text       func(r *FundingRow) string
	appendJSON func(b []byte, r *FundingRow) []byte
}

func textColumn(name string, get func(r *FundingRow) string) fundingColumn {
	return fundingColumn{name,
		get,
		func(b []byte, r *FundingRow) []byte { return appendJSONString(b, get(r)) }}
}

func intColumn(name string, get func(r *FundingRow) int64) fundingColumn {
	return fundingColumn{name,
		func(r *FundingRow) string { return strconv.FormatInt(get(r), 10) },
		func(b []byte, r *FundingRow) []byte { return strconv.AppendInt(b, get(r), 10) }}
}

var (
	fcKey      = textColumn("key", func(r *FundingRow) string { return r.Key })
	fcName     = textColumn("name", func(r *FundingRow) string { return r.Name })
	fcCommune  = textColumn("commune", func(r *FundingRow) string { return r.Commune })
	fcStatus   = textColumn("status", func(r *FundingRow) string { return string(r.Status) })
	fcCameras  = intColumn("cameras", func(r *FundingRow) int64 { return int64(r.Cameras) })
	fcCommunes = intColumn("communes", func(r *FundingRow) int64 { return int64(r.Communes) })
	fcCost     = intColumn("cost_vnd", func(r *FundingRow) int64 { return r.CostVND })
	fcDonated  = intColumn("donated_vnd", func(r *FundingRow) int64 { return r.DonatedVND })
	fcPool     = intColumn("pool_vnd", func(r *FundingRow) int64 { return r.PoolVND })
	fcBalance  = intColumn("balance_vnd", func(r *FundingRow) int64 { return r.BalanceVND })
	fcDonors   = intColumn("donors", func(r *FundingRow) int64 { return int64(r.Donors) })
	fcCount    = intColumn("donations", func(r *FundingRow) int64 { return int64(r.Donations) })
	fcUpHours  = fundingColumn{"up_hours",
		func(r *FundingRow) string { return strconv.FormatFloat(r.UpHours(), 'f', -1, 64) },
		func(b []byte, r *FundingRow) []byte { return strconv.AppendFloat(b, r.UpHours(), 'f', -1, 64) }}
	fcPerHour = fundingColumn{"cost_per_up_hour_vnd",
		func(r *FundingRow) string {
			if r.CostPerUpHourVND == nil {
				return ""
			}
			return strconv.FormatInt(*r.CostPerUpHourVND, 10)
		},
		func(b []byte, r *FundingRow) []byte {
			if r.CostPerUpHourVND == nil {
				return append(b, "null"...)
			}
			return strconv.AppendInt(b, *r.CostPerUpHourVND, 10)
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
			rec[i] = c.text(r)
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
