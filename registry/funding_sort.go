package registry

import (
	"cmp"
	"slices"
	"strings"

	"github.com/matthan/matthan/internal/vntext"
)

// Keep keeps the rows whose key, name or commune contains text, compared
// without accents or case ("nguyen van" keeps "Nguyễn Văn An"); blank
// text keeps every row. The totals are left as they are: they are the
// view's, not the rows'.
func (r *FundingReport) Keep(text string) {
	needle := vntext.Fold(text)
	if needle == "" {
		return
	}
	r.Rows = slices.DeleteFunc(r.Rows, func(row FundingRow) bool {
		for _, s := range []string{row.Key, row.Name, row.Commune} {
			if s != "" && strings.Contains(vntext.Fold(s), needle) {
				return false
			}
		}
		return true
	})
}

// Sort orders the rows by one of the fields of the view's rows
// (FundingColumns), ascending, or descending when spec starts with "-"
// ("-balance_vnd": the largest surplus first; "balance_vnd": what is
// most still to fund first). Text compares without accents or case
// first, so "Đăng Hưng Phước" sorts among the D's. Rows that tie keep
// their order (key order), and a row without a cost per working hour
// (never up) comes last either way. A blank spec leaves the rows in key
// order; a field the view's rows do not have is a QueryError of
// QuerySort.
func (r *FundingReport) Sort(spec string) error {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil
	}
	field, desc := strings.CutPrefix(spec, "-")
	var col *FundingField
	for _, f := range fundingFields(r.GroupBy) {
		if f.Name == field {
			col = &f
			break
		}
	}
	if col == nil {
		return queryErrorf(QuerySort, "must be one of %s, with a - before it for the largest first; got %q", strings.Join(FundingColumns(r.GroupBy), ", "), spec)
	}
	dir := 1
	if desc {
		dir = -1
	}
	rows := r.Rows
	var compare func(i, j int) int
	switch col.Kind {
	case FieldText:
		// Folded once per row, not once per comparison.
		folded := make([]string, len(rows))
		for i := range rows {
			folded[i] = vntext.Fold(col.Text(&rows[i]))
		}
		compare = func(i, j int) int {
			return dir * cmp.Or(strings.Compare(folded[i], folded[j]), strings.Compare(col.Text(&rows[i]), col.Text(&rows[j])))
		}
	case FieldHours:
		compare = func(i, j int) int { return dir * cmp.Compare(rows[i].UpMillis, rows[j].UpMillis) }
	default:
		// A row without the figure (a cost per working hour of cameras
		// never up) comes last either way.
		compare = func(i, j int) int {
			x, xok := col.Int(&rows[i])
			y, yok := col.Int(&rows[j])
			switch {
			case !xok && !yok:
				return 0
			case !xok:
				return 1
			case !yok:
				return -1
			default:
				return dir * cmp.Compare(x, y)
			}
		}
	}
	// An order of indexes, then the rows moved once: a row is too large
	// to copy at every comparison of a million-camera view.
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, compare)
	sorted := make([]FundingRow, len(rows))
	for i, j := range order {
		sorted[i] = rows[j]
	}
	r.Rows = sorted
	return nil
}
