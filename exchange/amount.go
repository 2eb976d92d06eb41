package exchange

import (
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/matthan/matthan/internal/vntext"
)

// Amounts of đồng as people write them in a sheet or a bank statement.
// Money is a whole number of đồng (docs/design.md), so the rules accept every
// way of writing one and refuse anything that could be a fraction rather
// than guess:
//
//   - plain digits: 4500000;
//   - groups of three digits after a first group of one to three,
//     separated by dots (4.500.000, the Vietnamese way), by white space
//     (4 500 000, also the no-break spaces U+00A0 and U+202F that
//     spreadsheets write) or by commas (4,500,000, the English way) — one
//     kind of separator in one amount;
//   - a currency mark before or after, with or without a space: ₫, đ,
//     đồng, VND, VNĐ (any case);
//   - a sign, which the field's own rule then judges.
//
// Refused: two kinds of separator (4.500,50 and 4,500.50 have decimals),
// a lone separator not followed by exactly three digits (4.5, 4,50: a
// decimal part), groups not of three (45.00.000), anything else.
//
// A number a JSON body or a spreadsheet cell stores as a number is not
// text and does not come here: "4.500" here is four thousand five hundred,
// while the JSON number 4.500 is four and a half.

// currencyMarks are the marks an amount may carry, lower-cased, longest
// first so that "vnđ" is not read as "đ".
var currencyMarks = []string{"đồng", "vnđ", "vnd", "₫", "đ"}

// parseVND parses an amount of đồng written as text. It returns the
// amount, or a reason to refuse it (a lowercase clause for a message that
// names the field).
func parseVND(raw string) (n int64, why string) {
	s := trimSpace(raw)
	if s == "" {
		return 0, "is required"
	}
	body, ok := stripCurrency(s)
	if !ok {
		return 0, fmt.Sprintf("must be a whole number of đồng, got %s", quoteShort(raw))
	}
	neg := false
	switch {
	case strings.HasPrefix(body, "-"):
		neg, body = true, body[1:]
	case strings.HasPrefix(body, "+"):
		body = body[1:]
	}
	digits, why := groupedDigits(body)
	if why != "" {
		return 0, why + ", got " + quoteShort(strings.TrimSpace(raw))
	}
	for i := 0; i < len(digits); i++ {
		d := int64(digits[i] - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, "is too large, got " + quoteShort(strings.TrimSpace(raw))
		}
		n = n*10 + d
	}
	if neg {
		n = -n
	}
	return n, ""
}

// stripCurrency removes one currency mark at the start or the end of s,
// and the white space beside it; the result is lower-cased, which changes
// no digit or separator. ok is false when nothing but a mark is left.
func stripCurrency(s string) (string, bool) {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= utf8.RuneSelf || 'a' <= r|0x20 && r|0x20 <= 'z' }) {
		return s, true // digits, separators and a sign: most amounts, read without allocating
	}
	s = strings.ToLower(vntext.NFC(s))
	for _, m := range currencyMarks {
		if strings.HasSuffix(s, m) {
			s = trimSpace(s[:len(s)-len(m)])
			return s, s != ""
		}
		if strings.HasPrefix(s, m) {
			s = trimSpace(s[len(m):])
			return s, s != ""
		}
	}
	return s, true
}

// groupedDigits returns the digits of s, which is digits with optional
// thousands separators, or why s is not a whole number written so.
func groupedDigits(s string) (digits, why string) {
	const notWhole = "must be a whole number of đồng"
	if isDigits(s) {
		return s, "" // no separators: most amounts
	}
	var (
		groups []string // runs of digits
		seps   []rune   // the separator before each run after the first
		start  = 0
	)
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
		case r == '.' || r == ',' || unicode.IsSpace(r):
			if i == start {
				return "", notWhole // a separator first, or two in a row
			}
			groups = append(groups, s[start:i])
			seps = append(seps, r)
			start = i + utf8.RuneLen(r)
		default:
			return "", notWhole
		}
	}
	if start == len(s) {
		return "", notWhole // empty, or a separator last
	}
	groups = append(groups, s[start:])
	if len(groups) == 1 {
		return groups[0], ""
	}
	last, lastSep := groups[len(groups)-1], sepKind(seps[len(seps)-1])
	if lastSep != ' ' && len(last) != 3 {
		// 4.5, 4,50, 4.500,50, 12.3456: a decimal part.
		return "", notWhole + " without decimals"
	}
	for _, r := range seps {
		if sepKind(r) != lastSep {
			if lastSep != ' ' && sepKind(r) != ' ' {
				return "", notWhole + " without decimals" // 4.500,000 or 4,500.000
			}
			return "", "must use one kind of thousands separator"
		}
	}
	if len(groups[0]) > 3 {
		return "", "must have its digits in groups of three between separators"
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return "", "must have its digits in groups of three between separators"
		}
	}
	return strings.Join(groups, ""), ""
}

// sepKind returns the kind of a thousands separator: '.', ',' or ' ' for
// any white space.
func sepKind(r rune) rune {
	if r == '.' || r == ',' {
		return r
	}
	return ' '
}

// trimSpace trims every Unicode white space, the no-break spaces that
// spreadsheets put around amounts included.
func trimSpace(s string) string { return strings.TrimFunc(s, unicode.IsSpace) }
