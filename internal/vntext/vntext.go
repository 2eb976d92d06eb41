// Package vntext normalises Vietnamese text: NFC for storage, and a folded
// form (lower case, no diacritics, đ→d, single spaces) for accent-insensitive
// search, so that "cho gao" finds "Chợ Gạo". It wraps golang.org/x/text so
// that the domain package can stay on the standard library.
package vntext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NFC returns s in Unicode normalisation form C, the form names are stored
// in: "Chợ Gạo" typed on a keyboard that sends combining marks compares
// equal to one that sends precomposed letters.
func NFC(s string) string {
	if !utf8.ValidString(s) {
		return s
	}
	return norm.NFC.String(s)
}

// Fold returns the search key of s: lower case, diacritics removed, đ and Đ
// as d, runs of white space as one space, trimmed.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	it := norm.Iter{}
	it.InitString(norm.NFD, s)
	for !it.Done() {
		seg := it.Next()
		for len(seg) > 0 {
			r, n := utf8.DecodeRune(seg)
			seg = seg[n:]
			switch {
			case unicode.Is(unicode.Mn, r):
				continue
			case r == 'đ' || r == 'Đ':
				r = 'd'
			case unicode.IsSpace(r):
				space = b.Len() > 0
				continue
			}
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// Contains reports whether the folded haystack contains the folded needle.
// In loops, fold the needle once and compare with strings.Contains.
func Contains(haystack, needle string) bool {
	return strings.Contains(Fold(haystack), Fold(needle))
}
