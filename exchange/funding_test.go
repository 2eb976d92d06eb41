package exchange

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// The funding writers are held to the standard library: the CSV to the
// bytes encoding/csv's Writer writes for the same fields, the JSON to the
// bytes encoding/json writes for the same members in the same order. The
// references below are those plain versions, the ones the hand-written
// writers replaced for speed (BenchmarkFundingCSV).

// fieldText is the text of a field of r as encoding/csv is handed it:
// strconv's numbers, "" for none.
func fieldText(f *registry.FundingField, r *registry.FundingRow) string {
	switch f.Kind {
	case registry.FieldText:
		return f.Text(r)
	case registry.FieldHours:
		return strconv.FormatFloat(r.UpHours(), 'f', -1, 64)
	}
	if v, ok := f.Int(r); ok {
		return strconv.FormatInt(v, 10)
	}
	return ""
}

// stdFundingCSV writes rep with encoding/csv, as WriteFundingCSV writes
// it: the header, the rows, the totals in the view's columns.
func stdFundingCSV(w io.Writer, rep *registry.FundingReport) error {
	cw := csv.NewWriter(w)
	fields := registry.FundingFields(rep.GroupBy)
	if err := cw.Write(registry.FundingColumns(rep.GroupBy)); err != nil {
		return err
	}
	rec := make([]string, len(fields))
	for _, r := range append(slices.Clip(rep.Rows), rep.Totals) {
		for i := range fields {
			rec[i] = fieldText(&fields[i], &r)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// stdFundingJSON is WriteFundingJSON's document written with
// encoding/json, member by member.
func stdFundingJSON(t testing.TB, rep *registry.FundingReport, rows []registry.FundingRow, next string) []byte {
	t.Helper()
	var b bytes.Buffer
	put := func(prefix string, v any) {
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(prefix)
		b.Write(j)
	}
	object := func(fields []registry.FundingField, r *registry.FundingRow) {
		for i := range fields {
			sep := ","
			if i == 0 {
				sep = "{"
			}
			put(sep, fields[i].Name)
			put(":", fields[i].Value(r))
		}
		b.WriteByte('}')
	}
	put(`{"group_by":`, string(rep.GroupBy))
	put(`,"from":`, rep.From)
	put(`,"to":`, rep.To)
	b.WriteString(`,"items":[`)
	fields := registry.FundingFields(rep.GroupBy)
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		object(fields, &rows[i])
	}
	b.WriteString(`],"totals":`)
	object(registry.TotalsFields(), &rep.Totals)
	if next != "" {
		put(`,"next_cursor":`, next)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// TestFundingCSVAndJSON: the CSV and the JSON of a view carry the same
// fields, and both are the standard library's bytes.
func TestFundingCSVAndJSON(t *testing.T) {
	views := sampleFunding(t)
	for _, g := range fundingGroupings {
		t.Run(string(g), func(t *testing.T) {
			rep := views[g]
			var buf bytes.Buffer
			if err := WriteFundingCSV(&buf, rep); err != nil {
				t.Fatal(err)
			}
			var std bytes.Buffer
			if err := stdFundingCSV(&std, rep); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), std.Bytes()) {
				t.Errorf("WriteFundingCSV differs from encoding/csv's bytes")
			}
			recs, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(recs[0], registry.FundingColumns(g)) {
				t.Errorf("header %v, want %v", recs[0], registry.FundingColumns(g))
			}
			if len(recs) != len(rep.Rows)+2 || recs[len(recs)-1][0] != "total" {
				t.Errorf("%d records, want header, %d rows and the totals", len(recs), len(rep.Rows))
			}
			var doc struct {
				GroupBy string           `json:"group_by"`
				Items   []map[string]any `json:"items"`
				Totals  map[string]any   `json:"totals"`
			}
			var b bytes.Buffer
			if err := WriteFundingJSON(&b, rep, rep.Rows, ""); err != nil {
				t.Fatal(err)
			}
			if want := stdFundingJSON(t, rep, rep.Rows, ""); !bytes.Equal(b.Bytes(), want) {
				t.Errorf("WriteFundingJSON differs from encoding/json's bytes")
			}
			if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.GroupBy != string(g) || len(doc.Items) != len(rep.Rows) {
				t.Fatalf("JSON group_by %q with %d items", doc.GroupBy, len(doc.Items))
			}
			// JSON members are the CSV columns, and a CSV field is the
			// JSON value (null ↔ empty).
			for i, item := range doc.Items[:3] {
				if len(item) != len(recs[0]) {
					t.Errorf("item %d has %d members, CSV %d columns", i, len(item), len(recs[0]))
				}
				for j, col := range recs[0] {
					v, ok := item[col]
					if !ok {
						t.Errorf("item %d lacks %s", i, col)
					}
					want := recs[i+1][j]
					if got := jsonAsCSV(v); got != want {
						t.Errorf("item %d %s: JSON %q, CSV %q", i, col, got, want)
					}
				}
			}
			if doc.Totals["key"] != "total" || doc.Totals["donated_vnd"] != float64(1_300_000_000) || doc.Totals["cost_per_up_hour_vnd"] != nil {
				t.Errorf("totals = %v", doc.Totals)
			}
			// A page has its rows and the next cursor.
			first, next, err := rep.Page("", 2)
			if err != nil {
				t.Fatal(err)
			}
			b.Reset()
			if err := WriteFundingJSON(&b, rep, first, next); err != nil {
				t.Fatal(err)
			}
			if want := stdFundingJSON(t, rep, first, next); !bytes.Equal(b.Bytes(), want) {
				t.Errorf("a page's JSON differs from encoding/json's bytes:\n%s\n%s", b.Bytes(), want)
			}
			var pageDoc struct {
				Items      []map[string]any `json:"items"`
				NextCursor string           `json:"next_cursor"`
			}
			if err := json.Unmarshal(b.Bytes(), &pageDoc); err != nil || len(pageDoc.Items) != 2 || pageDoc.NextCursor != rep.Rows[1].Key {
				t.Errorf("page JSON: %v, %d items, next %q", err, len(pageDoc.Items), pageDoc.NextCursor)
			}
		})
	}
}

// jsonAsCSV is how a decoded JSON value reads as a CSV field.
func jsonAsCSV(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return "?"
}

// appendCSVField writes a field byte for byte as encoding/csv does.
func TestAppendCSVFieldMatchesEncodingCSV(t *testing.T) {
	fields := []string{"", "VN-0000001", "Ngã tư Chợ Gạo", "a,b", `say "hi"`, `"`, `""`, "line\nbreak", "cr\rhere", "crlf\r\n",
		" leading space", "\tleading tab", "\u00a0nbsp", "\vvt", "\fff", "\u0085nel", "\u3000ideographic", "x\u3000inner", "trailing ", `\.`, `\.x`, "\xff\xfe bad utf-8", "Công ty TNHH \"Ánh Dương\", chi nhánh"}
	for _, f := range fields {
		var want bytes.Buffer
		cw := csv.NewWriter(&want)
		if err := cw.Write([]string{f}); err != nil {
			t.Fatal(err)
		}
		cw.Flush()
		got := string(appendCSVField(nil, f)) + "\n"
		if got != want.String() {
			t.Errorf("field %q: got %q, encoding/csv writes %q", f, got, want.String())
		}
	}
}

// fuzzFunding is a view of grouping g made of the fuzzer's values: two
// rows (the second with the text fields turned round) and the totals.
func fuzzFunding(g registry.GroupBy, key, name, commune, status string, cost, donated, upMillis, perHour int64, hasPerHour bool) *registry.FundingReport {
	row := registry.FundingRow{Key: key, Name: name, Commune: commune, Status: camera.Status(status),
		Cameras: int(cost % 1000), Communes: int(donated % 100), CostVND: cost, DonatedVND: donated, PoolVND: donated / 3,
		BalanceVND: donated - cost, Donors: int(upMillis % 5000), Donations: int(perHour % 7000), UpMillis: upMillis}
	if hasPerHour {
		row.CostPerUpHourVND = &perHour
	}
	other := row
	other.Key, other.Name, other.Commune, other.Status = status, key, name, camera.Status(commune)
	other.CostPerUpHourVND = nil
	totals := row
	totals.Key = "total"
	return &registry.FundingReport{GroupBy: g, From: time.Unix(upMillis%1e9, 0).UTC(), To: time.Unix(1e9+cost%1e9, 0).UTC(),
		Rows: []registry.FundingRow{row, other}, Totals: totals}
}

func addFundingSeeds(f *testing.F) {
	f.Add("CG-0001", "Ngã tư Chợ Gạo", "Thị trấn Chợ Gạo", "active", int64(4_500_000), int64(3_200_000), int64(2_592_000_000), int64(6_250), true)
	f.Add("Công ty \"Ánh Dương\", chi nhánh", " leading", "line\nbreak\r\n", `\.`, int64(-1), int64(0), int64(1), int64(0), false)
	f.Add("", "\u3000x", "\xff\xfe", "<a>&", int64(9_223_372_036_854_775_807), int64(-9_223_372_036_854_775_808), int64(-7), int64(-1), true)
}

// FuzzFundingCSV: WriteFundingCSV writes the bytes encoding/csv writes
// for the same fields, in every grouping.
func FuzzFundingCSV(f *testing.F) {
	addFundingSeeds(f)
	f.Fuzz(func(t *testing.T, key, name, commune, status string, cost, donated, upMillis, perHour int64, hasPerHour bool) {
		for _, g := range fundingGroupings {
			rep := fuzzFunding(g, key, name, commune, status, cost, donated, upMillis, perHour, hasPerHour)
			var got, want bytes.Buffer
			if err := WriteFundingCSV(&got, rep); err != nil {
				t.Fatal(err)
			}
			if err := stdFundingCSV(&want, rep); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("%s: WriteFundingCSV wrote\n%q\nencoding/csv writes\n%q", g, got.Bytes(), want.Bytes())
			}
		}
	})
}

// FuzzFundingJSON: WriteFundingJSON writes the bytes encoding/json writes
// for the same members, in every grouping, whole and as a page.
func FuzzFundingJSON(f *testing.F) {
	addFundingSeeds(f)
	f.Fuzz(func(t *testing.T, key, name, commune, status string, cost, donated, upMillis, perHour int64, hasPerHour bool) {
		for _, g := range fundingGroupings {
			rep := fuzzFunding(g, key, name, commune, status, cost, donated, upMillis, perHour, hasPerHour)
			for _, page := range []struct {
				rows []registry.FundingRow
				next string
			}{{rep.Rows, ""}, {rep.Rows[:1], key}} {
				var got bytes.Buffer
				if err := WriteFundingJSON(&got, rep, page.rows, page.next); err != nil {
					t.Fatal(err)
				}
				if want := stdFundingJSON(t, rep, page.rows, page.next); !bytes.Equal(got.Bytes(), want) {
					t.Fatalf("%s: WriteFundingJSON wrote\n%s\nencoding/json writes\n%s", g, got.Bytes(), want)
				}
			}
		}
	})
}

// benchFundingView is a camera view of n rows as a district's are: ids,
// Vietnamese names and communes (one in ten needing quotes), costs, up
// time and the cost per working hour.
func benchFundingView(n int) *registry.FundingReport {
	rep := &registry.FundingReport{GroupBy: registry.GroupByCamera, Rows: make([]registry.FundingRow, n)}
	slots := make([]int64, n)
	for i := range rep.Rows {
		name := fmt.Sprintf("Ngã tư Quốc lộ 50 – Đường tỉnh %d", 800+i%97)
		if i%10 == 0 {
			name = fmt.Sprintf("Cổng chợ \"Gạo\", lối %d", i%13)
		}
		slots[i] = 1_805_556 + int64(i%1000)
		rep.Rows[i] = registry.FundingRow{Key: fmt.Sprintf("CG-%07d", i), Name: name, Commune: "Thị trấn Chợ Gạo", Status: camera.StatusActive,
			CostVND: 4_500_000, DonatedVND: 3_200_000 + int64(i), BalanceVND: -1_300_000 + int64(i), Donors: 12, Donations: 17,
			UpMillis: 2_491_234_567 + int64(i), CostPerUpHourVND: &slots[i]}
	}
	rep.Totals = registry.FundingRow{Key: "total", Cameras: n, Communes: 1, CostVND: 4_500_000 * int64(n), DonatedVND: 1_300_000_000}
	return rep
}

// BenchmarkFundingCSV is WriteFundingCSV over a camera view of 100,000
// rows, beside encoding/csv writing the same bytes (the encoding_csv
// rows, stdFundingCSV: what the hand-written writer replaced); ns/row is
// the time per line.
func BenchmarkFundingCSV(b *testing.B) {
	const n = 100_000
	rep := benchFundingView(n)
	for _, bc := range []struct {
		name  string
		write func(io.Writer, *registry.FundingReport) error
	}{{"hand", WriteFundingCSV}, {"encoding_csv", stdFundingCSV}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			start := time.Now()
			for b.Loop() {
				if err := bc.write(io.Discard, rep); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N*n), "ns/row")
		})
	}
}
