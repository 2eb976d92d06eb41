package registry

import (
	"cmp"
	"slices"
	"strings"

	"github.com/matthan/matthan/camera"
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
// order; a field the view's rows do not have is EINVALID naming sort.
func (r *FundingReport) Sort(spec string) error {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil
	}
	field, desc := strings.CutPrefix(spec, "-")
	var col *fundingColumn
	for _, c := range fundingColumns(r.GroupBy) {
		if c.name == field {
			col = &c
			break
		}
	}
	if col == nil {
		return camera.Errorf(camera.EINVALID, "sort", "must be one of %s, with a - before it for the largest first; got %q", strings.Join(FundingColumns(r.GroupBy), ", "), spec)
	}
	dir := 1
	if desc {
		dir = -1
	}
	rows := r.Rows
	var compare func(i, j int) int
	switch {
	case col.name == fcPerHour.name:
		compare = func(i, j int) int {
			switch x, y := rows[i].CostPerUpHourVND, rows[j].CostPerUpHourVND; {
			case x == nil && y == nil:
				return 0
			case x == nil:
				return 1
			case y == nil:
				return -1
			default:
				return dir * cmp.Compare(*x, *y)
			}
		}
	case col.kind == FieldText:
		// Folded once per row, not once per comparison.
		folded := make([]string, len(rows))
		for i := range rows {
			folded[i] = vntext.Fold(col.cell(&rows[i]).(string))
		}
		compare = func(i, j int) int {
			return dir * cmp.Or(strings.Compare(folded[i], folded[j]), strings.Compare(col.cell(&rows[i]).(string), col.cell(&rows[j]).(string)))
		}
	case col.kind == FieldHours:
		compare = func(i, j int) int { return dir * cmp.Compare(rows[i].UpMillis, rows[j].UpMillis) }
	default:
		compare = func(i, j int) int { return dir * cmp.Compare(col.cell(&rows[i]).(int64), col.cell(&rows[j]).(int64)) }
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
