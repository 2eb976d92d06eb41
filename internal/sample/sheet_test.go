package sample_test

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"testing"

	"github.com/matthan/matthan/internal/sample"
)

// TestRepeatedGiftsSheet: the sheet holds the sample and its look-alike
// gifts, rows that repeat others exactly but for the note.
func TestRepeatedGiftsSheet(t *testing.T) {
	sheet, rows, total := sample.RepeatedGiftsSheet()
	recs, err := csv.NewReader(bytes.NewReader(sheet)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[[5]string]int{}
	var sum int64
	for _, r := range recs[1:] {
		n, err := strconv.ParseInt(r[1], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		sum += n
		seen[[5]string{r[0], r[1], r[2], r[3], r[4]}]++
	}
	again := len(recs) - 1 - len(seen)
	if len(recs)-1 != rows || sum != total || total <= sample.TotalCostVND || again < 50 {
		t.Errorf("%d rows of %d đồng (%d repeating another), said %d of %d; want more than the sample's %d đồng and 50 repeats", len(recs)-1, sum, again, rows, total, sample.TotalCostVND)
	}
}
