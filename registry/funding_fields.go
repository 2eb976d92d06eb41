package registry

import (
	"slices"
)

// The fields of a funding row depend on its grouping; one table of
// fields gives their names (the JSON members, the CSV columns, the words
// of Sort), what each holds and how to read it of a row, so that the
// writers of the views (package exchange) and Sort cannot disagree.

// FieldKind is what a field of a funding row holds, for a writer that
// types its values.
type FieldKind int

// Field kinds.
const (
	FieldText  FieldKind = iota // a string
	FieldCount                  // a whole number, an int64
	FieldVND                    // whole đồng, an int64 (or none: JSON null)
	FieldHours                  // hours, a float64 (UpHours)
)

// FundingField is one field of the rows of a funding view: its name (the
// CSV column, the JSON member) and what it holds, and how to read it.
type FundingField struct {
	Name string
	Kind FieldKind
	text func(r *FundingRow) string
	num  func(r *FundingRow) (int64, bool)
}

// Text returns the field of r, of a FieldText field.
func (f *FundingField) Text(r *FundingRow) string { return f.text(r) }

// Int returns the field of r, of a FieldCount or FieldVND field; ok is
// false when the row has none (JSON null, an empty CSV field): a cost per
// working hour of cameras never up.
func (f *FundingField) Int(r *FundingRow) (v int64, ok bool) { return f.num(r) }

// Value returns the field of r as a string, an int64, a float64 (hours)
// or nil (none): a spreadsheet's cell.
func (f *FundingField) Value(r *FundingRow) any {
	switch f.Kind {
	case FieldText:
		return f.text(r)
	case FieldHours:
		return r.UpHours()
	}
	if v, ok := f.num(r); ok {
		return v
	}
	return nil
}

func textField(name string, get func(r *FundingRow) string) FundingField {
	return FundingField{Name: name, Kind: FieldText, text: get}
}

func intField(name string, kind FieldKind, get func(r *FundingRow) int64) FundingField {
	return FundingField{Name: name, Kind: kind, num: func(r *FundingRow) (int64, bool) { return get(r), true }}
}

var (
	ffKey      = textField("key", func(r *FundingRow) string { return r.Key })
	ffName     = textField("name", func(r *FundingRow) string { return r.Name })
	ffCommune  = textField("commune", func(r *FundingRow) string { return r.Commune })
	ffStatus   = textField("status", func(r *FundingRow) string { return string(r.Status) })
	ffCameras  = intField("cameras", FieldCount, func(r *FundingRow) int64 { return int64(r.Cameras) })
	ffCommunes = intField("communes", FieldCount, func(r *FundingRow) int64 { return int64(r.Communes) })
	ffCost     = intField("cost_vnd", FieldVND, func(r *FundingRow) int64 { return r.CostVND })
	ffDonated  = intField("donated_vnd", FieldVND, func(r *FundingRow) int64 { return r.DonatedVND })
	ffPool     = intField("pool_vnd", FieldVND, func(r *FundingRow) int64 { return r.PoolVND })
	ffBalance  = intField("balance_vnd", FieldVND, func(r *FundingRow) int64 { return r.BalanceVND })
	ffDonors   = intField("donors", FieldCount, func(r *FundingRow) int64 { return int64(r.Donors) })
	ffCount    = intField("donations", FieldCount, func(r *FundingRow) int64 { return int64(r.Donations) })
	ffUpHours  = FundingField{Name: "up_hours", Kind: FieldHours}
	ffPerHour  = FundingField{Name: "cost_per_up_hour_vnd", Kind: FieldVND, num: func(r *FundingRow) (int64, bool) {
		if r.CostPerUpHourVND == nil {
			return 0, false
		}
		return *r.CostPerUpHourVND, true
	}}
)

// The fields of each grouping, in order, and of the totals row.
var (
	cameraFields  = []FundingField{ffKey, ffName, ffCommune, ffStatus, ffCost, ffDonated, ffBalance, ffDonors, ffCount, ffUpHours, ffPerHour}
	communeFields = []FundingField{ffKey, ffCameras, ffCost, ffDonated, ffPool, ffBalance, ffDonors, ffCount, ffUpHours, ffPerHour}
	donorFields   = []FundingField{ffKey, ffDonated, ffPool, ffCount, ffCameras, ffCommunes}
	totalsFields  = []FundingField{ffKey, ffCameras, ffCommunes, ffCost, ffDonated, ffPool, ffBalance, ffDonors, ffCount, ffUpHours, ffPerHour}
)

// fundingFields returns the fields of a row of grouping g, in order; the
// totals row's for any other g. The slice is shared: not to be changed.
func fundingFields(g GroupBy) []FundingField {
	switch g {
	case GroupByCamera:
		return cameraFields
	case GroupByCommune:
		return communeFields
	case GroupByDonor:
		return donorFields
	}
	return totalsFields
}

// FundingFields returns the fields of the rows of grouping g, in order:
// those of the view's CSV columns and of its JSON items.
func FundingFields(g GroupBy) []FundingField { return slices.Clone(fundingFields(g)) }

// TotalsFields returns the fields of the totals row as the JSON of a view
// carries it, whatever the grouping: every field but name, commune and
// status. (A CSV writes the totals on a last line, in the view's
// columns.)
func TotalsFields() []FundingField { return slices.Clone(totalsFields) }

// FundingColumns returns the names of FundingFields(g): the CSV header
// (and JSON member names) of the rows of grouping g.
func FundingColumns(g GroupBy) []string {
	fields := fundingFields(g)
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	return names
}
