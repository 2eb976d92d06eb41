package registry

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry/record"
)

func TestCostPerUpHour(t *testing.T) {
	tests := []struct {
		cost, ms int64
		want     *int64
	}{
		{4_500_000, 0, nil},
		{4_500_000, -1, nil},
		{0, 1000, ptr(0)},
		{4_500_000, 3_600_000, ptr(4_500_000)},               // one hour
		{4_500_000, 7_200_000, ptr(2_250_000)},               // two
		{1, 7_200_000, ptr(1)},                               // 0.5 đồng rounds up
		{1, 7_200_001, ptr(0)},                               // just under half
		{-1, 7_200_000, ptr(-1)},                             // away from zero
		{math.MaxInt64, 1, ptr(math.MaxInt64)},               // saturates
		{math.MinInt64, 1, ptr(-math.MaxInt64)},              // saturates, negated
		{1_300_000_000, 30 * 24 * 3_600_000, ptr(1_805_556)}, // 1.3 billion over 30 days
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d/%d", tt.cost, tt.ms), func(t *testing.T) {
			got, ok := costPerUpHour(tt.cost, tt.ms)
			switch {
			case tt.want == nil && ok:
				t.Errorf("got %d, want none", got)
			case tt.want != nil && (!ok || got != *tt.want):
				t.Errorf("got %d, %v, want %d", got, ok, *tt.want)
			}
		})
	}
}

func ptr(v int64) *int64 { return &v }

func TestDistinctSet(t *testing.T) {
	set := newDistinctSet()
	b := func(ss ...string) [][]byte {
		out := make([][]byte, len(ss))
		for i, s := range ss {
			out[i] = []byte(s)
		}
		return out
	}
	many := func(n, distinct int) [][]byte {
		var out [][]byte
		for i := range n {
			out = append(out, []byte(fmt.Sprintf("Nguyễn Văn %d", i%distinct)))
		}
		return out
	}
	tests := []struct {
		name string
		xs   [][]byte
		want int
	}{
		{"none", nil, 0},
		{"one", b("An"), 1},
		{"pairs", b("An", "Bình", "An", "", ""), 3},
		{"large", many(500, 37), 37},
		{"large, all distinct", many(100, 100), 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := set.count(tt.xs); got != tt.want {
				t.Errorf("count = %d, want %d", got, tt.want)
			}
			if len(tt.xs) > 0 {
				if got := sortedDistinct(append([][]byte(nil), tt.xs...)); got != tt.want {
					t.Errorf("sortedDistinct = %d, want %d", got, tt.want)
				}
			}
		})
	}
}

// TestScanCamera checks the facts read from camera records — the
// migrations' and Store.Check's source — on records whose text looks like
// other members: keys inside values, braces, escapes.
func TestScanCamera(t *testing.T) {
	base := func() *camera.Camera {
		c := &camera.Camera{ID: "CG-0001", Name: "Ngã tư", Lat: 10.35, Lon: 106.46, Commune: "Chợ Gạo", CostVND: 4_500_000, RTSPURL: "rtsp://10.0.0.1/s", CreatedAt: time.Unix(0, 0)}
		c.ApplyDefaults()
		return c
	}
	tests := []struct {
		name string
		edit func(c *camera.Camera)
	}{
		{"plain", func(c *camera.Camera) {}},
		{"zero cost", func(c *camera.Camera) { c.CostVND = 0 }},
		{"retired", func(c *camera.Camera) { c.Status = camera.StatusRetired }},
		{"quotes in the name", func(c *camera.Camera) { c.Name = `Cổng "trường" \ chợ` }},
		{"a key in the notes", func(c *camera.Camera) { c.Notes = `,"cost_vnd":1,"status":"retired"` }},
		{"a key in the district", func(c *camera.Camera) { c.District = `x","cost_vnd":7,"status":"retired` }},
		{"braces in the name", func(c *camera.Camera) { c.Name = "Ngã tư {QL50} [mới]" }},
		{"escaped commune", func(c *camera.Camera) { c.Commune = "Tân <Phú> & \"Đông\"" }},
		{"empty commune", func(c *camera.Camera) { c.Commune = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			tt.edit(c)
			v, err := record.EncodeCamera(c)
			if err != nil {
				t.Fatal(err)
			}
			var f cameraFacts
			if err := scanCamera(v, &f); err != nil {
				t.Fatal(err)
			}
			if string(f.name) != c.Name || string(f.commune) != c.Commune || string(f.status) != string(c.Status) || f.cost != c.CostVND {
				t.Errorf("scan = %q %q %q %d, want %q %q %q %d", f.name, f.commune, f.status, f.cost, c.Name, c.Commune, c.Status, c.CostVND)
			}
		})
	}
	// Not JSON at all: an error, not a guess.
	var f cameraFacts
	if err := scanCamera([]byte(`{"name":`), &f); err == nil {
		t.Error("scan of a broken record: no error")
	}
}
