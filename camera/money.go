package camera

import (
	"math"
	"strconv"
)

// MaxVND bounds every amount of đồng a person gives: a camera's cost_vnd,
// a donation's amount_vnd. Ten thousand billion đồng is far above any
// camera or gift a commune programme sees — the whole Chợ Gạo programme
// was 1.3 billion — and far below the int64 range: a sum overflows only
// past some 922,000 amounts at the bound. The running sums and the views
// check their additions anyway (AddVND): a total that cannot be held is
// an error, never a wrapped negative number.
const MaxVND int64 = 10_000_000_000_000

// AddVND returns a + b and whether the sum fits in an int64; on overflow
// it returns the sum saturated at the int64 range and false.
func AddVND(a, b int64) (int64, bool) {
	s := a + b
	switch {
	case b > 0 && s < a:
		return math.MaxInt64, false
	case b < 0 && s > a:
		return math.MinInt64, false
	}
	return s, true
}

// FormatVND writes an amount of đồng the Vietnamese way: dots between
// thousands and the ₫ sign after a space, e.g. 1.300.000.000 ₫.
func FormatVND(v int64) string {
	neg := v < 0
	var u uint64
	if neg {
		u = uint64(-(v + 1)) + 1 // safe for math.MinInt64
	} else {
		u = uint64(v)
	}
	s := strconv.FormatUint(u, 10)
	out := make([]byte, 0, len(s)+len(s)/3+6)
	if neg {
		out = append(out, '-')
	}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, '.')
		}
		out = append(out, s[i])
	}
	return string(out) + " ₫"
}
