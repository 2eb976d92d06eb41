package exchange

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"testing"

	"github.com/matthan/matthan/registry"
)

// TestFundingCells: a spreadsheet's typed cells are the CSV's fields, row
// for row and the totals too, of the kind registry.FundingFields says.
func TestFundingCells(t *testing.T) {
	views := sampleFunding(t)
	for _, g := range fundingGroupings {
		t.Run(string(g), func(t *testing.T) {
			rep := views[g]
			var buf bytes.Buffer
			if err := WriteFundingCSV(&buf, rep); err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			fields := registry.FundingFields(g)
			for i, f := range fields {
				if f.Name != recs[0][i] {
					t.Fatalf("field %d is %q, CSV column %q", i, f.Name, recs[0][i])
				}
			}
			rows := append(rep.Rows, rep.Totals)
			for i := range rows {
				cells := fundingCells(nil, fields, &rows[i])
				if len(cells) != len(fields) {
					t.Fatalf("row %d: %d cells, %d fields", i, len(cells), len(fields))
				}
				for j, c := range cells {
					var text string
					switch v := c.(type) {
					case nil:
						if fields[j].Kind != registry.FieldVND {
							t.Errorf("row %d %s: nil in a %v field", i, fields[j].Name, fields[j].Kind)
						}
					case string:
						text = v
						if fields[j].Kind != registry.FieldText {
							t.Errorf("row %d %s: string in a %v field", i, fields[j].Name, fields[j].Kind)
						}
					case int64:
						text = strconv.FormatInt(v, 10)
						if k := fields[j].Kind; k != registry.FieldCount && k != registry.FieldVND {
							t.Errorf("row %d %s: int64 in a %v field", i, fields[j].Name, k)
						}
					case float64:
						text = strconv.FormatFloat(v, 'f', -1, 64)
						if fields[j].Kind != registry.FieldHours {
							t.Errorf("row %d %s: float64 in a %v field", i, fields[j].Name, fields[j].Kind)
						}
					default:
						t.Fatalf("row %d %s: a %T", i, fields[j].Name, c)
					}
					if want := recs[i+1][j]; text != want {
						t.Errorf("row %d %s: cell %s, CSV %q", i, fields[j].Name, fmt.Sprint(c), want)
					}
				}
			}
		})
	}
}
