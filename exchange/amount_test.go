package exchange

import (
	"strings"
	"testing"
)

// TestParseAmount: amounts written the Vietnamese way (and the English
// way) are whole đồng; anything that could be a fraction is refused,
// naming amount_vnd.
func TestParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		why  string // part of the reason when refused
	}{
		{in: "4500000", want: 4_500_000},
		{in: "4.500.000", want: 4_500_000},
		{in: "4 500 000", want: 4_500_000},
		{in: "4\u00a0500\u00a0000", want: 4_500_000}, // no-break space
		{in: "4\u202f500\u202f000", want: 4_500_000}, // narrow no-break space
		{in: "4.500.000 ₫", want: 4_500_000},
		{in: "4.500.000₫", want: 4_500_000},
		{in: "4.500.000đ", want: 4_500_000},
		{in: "4.500.000 đ", want: 4_500_000},
		{in: "4.500.000 Đ", want: 4_500_000},
		{in: "4500000 VND", want: 4_500_000},
		{in: "4.500.000 vnđ", want: 4_500_000},
		{in: "4.500.000 đồng", want: 4_500_000},
		{in: "4.500.000 đo\u0302\u0300ng", want: 4_500_000}, // NFD
		{in: "VND 4.500.000", want: 4_500_000},
		{in: "₫4.500.000", want: 4_500_000},
		{in: "4,500,000", want: 4_500_000},
		{in: " +4.500.000 ", want: 4_500_000},
		{in: "4.500", want: 4_500},
		{in: "999.999", want: 999_999},
		{in: "1.300.000.000", want: 1_300_000_000},
		{in: "10.000.000.000.000", want: 10_000_000_000_000},

		{in: "4.500,50", why: "without decimals"},
		{in: "4,500.50", why: "without decimals"},
		{in: "4.500.000,00", why: "without decimals"},
		{in: "4.5", why: "without decimals"},
		{in: "4,5", why: "without decimals"},
		{in: "4.50", why: "without decimals"},
		{in: "4.5000", why: "without decimals"},
		{in: "4 500 000,5", why: "without decimals"},
		{in: "4.500,000", why: "without decimals"},
		{in: "45.00.000", why: "groups of three"},
		{in: "4.500.00.000", why: "groups of three"},
		{in: "4500.000.000", why: "groups of three"},
		{in: "4 50 000", why: "groups of three"},
		{in: "4 500.000", why: "one kind of thousands separator"},
		{in: "4..500", why: "whole number of đồng"},
		{in: ".500", why: "whole number of đồng"},
		{in: "4.500.", why: "whole number of đồng"},
		{in: "abc", why: "whole number of đồng"},
		{in: "₫", why: "whole number of đồng"},
		{in: "4.500.000 USD", why: "whole number of đồng"},
		{in: "4.5e6", why: "whole number of đồng"},
		{in: "", why: "is required"},
		{in: " \u00a0", why: "is required"},
		{in: "0", why: "more than 0"},
		{in: "-4.500.000", why: "more than 0"},
		{in: "10.000.000.000.001", why: "at most 10.000.000.000.000 ₫"},
		{in: "99999999999999999999", why: "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseAmount(tt.in)
			if tt.why == "" {
				if err != nil || got != tt.want {
					t.Fatalf("parseAmount(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("parseAmount(%q) = %d, want an error about %q", tt.in, got, tt.why)
			}
			if err.Field != "amount_vnd" || !strings.Contains(err.Message, tt.why) {
				t.Errorf("parseAmount(%q): %s: %s; want amount_vnd: ...%s...", tt.in, err.Field, err.Message, tt.why)
			}
		})
	}
}

// TestParseCost: cost_vnd reads text as amounts are read, 0 allowed and
// empty meaning 0; a JSON number must be a plain integer, since 4.500
// there is four and a half.
func TestParseCost(t *testing.T) {
	tests := []struct {
		v    value
		want int64
		bad  bool
	}{
		{v: value{s: ""}, want: 0},
		{v: value{s: "0"}, want: 0},
		{v: value{s: "4.500.000 ₫"}, want: 4_500_000},
		{v: value{s: "4 500 000"}, want: 4_500_000},
		{v: value{s: "4.500", num: true}, bad: true},
		{v: value{s: "4500000", num: true}, want: 4_500_000},
		{v: value{s: "4.5e6", num: true}, bad: true},
		{v: value{s: "-1"}, bad: true},
		{v: value{s: "1.300,5"}, bad: true},
	}
	for _, tt := range tests {
		got, err := parseCost(tt.v)
		if tt.bad != (err != nil) || got != tt.want {
			t.Errorf("parseCost(%+v) = %d, %v; want %d, error %v", tt.v, got, err, tt.want, tt.bad)
		}
		if err != nil && err.Field != "cost_vnd" {
			t.Errorf("parseCost(%+v) names %q, want cost_vnd", tt.v, err.Field)
		}
	}
}
