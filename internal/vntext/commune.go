package vntext

import (
	"strings"
	"unicode"
)

// Commune names come with or without the word for their kind: "Thị trấn
// Chợ Gạo" in one spreadsheet is "Chợ Gạo" or "TT. Chợ Gạo" in the next,
// and people searching type "cho gao". A commune filter (commune= on the
// API) therefore compares names folded (see Fold) and with or without the
// administrative prefix: Xã (commune), Thị trấn (town), Phường (ward), and
// the abbreviations X., TT., TT and P.
//
// The prefix is recognised on a stored name only as it is written, with
// its accents: "Phương Thịnh" and "Xà Phiên" are names, not "Phường" and
// "Xã" followed by a name, so "thinh" does not find "Phương Thịnh" while
// "xa phien" still finds "Xã Xà Phiên". On a filter, typed by a person
// who may leave the accents out, the folded prefix is enough ("xa song
// binh" finds "Song Bình"); the filter then also keeps its whole folded
// text, so that "xa phien" finds "Xà Phiên" too.

// writtenPrefixes are the prefixes recognised on a stored name, lower
// case NFC. Abbreviations with a dot may be followed by the name at once
// ("P.Tân Định"); the others need a space.
var writtenPrefixes = []string{"thị trấn ", "thi tran ", "xã ", "phường ", "tt. ", "tt ", "x. ", "p. ", "tt.", "x.", "p."}

// foldedPrefixes are the prefixes recognised on a folded filter.
var foldedPrefixes = []string{"thi tran ", "xa ", "phuong ", "tt. ", "tt ", "x. ", "p. ", "tt.", "x.", "p."}

// CommuneKey returns the key of a stored commune name: folded, without the
// administrative prefix written before it ("Thị trấn Chợ Gạo" and "TT.
// Chợ Gạo" are "cho gao"). A name that is only a prefix keeps it.
func CommuneKey(name string) string {
	n := NFC(name)
	if rest, ok := cutWrittenPrefix(n); ok {
		return Fold(rest)
	}
	return Fold(n)
}

// cutWrittenPrefix returns the NFC name s without its written prefix, in
// any case. The upper and lower case forms of the prefixes' letters have
// the same length in UTF-8, so the prefix is compared byte for byte.
func cutWrittenPrefix(s string) (string, bool) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	for _, p := range writtenPrefixes {
		if len(s) > len(p) && strings.EqualFold(s[:len(p)], p) {
			if rest := strings.TrimSpace(s[len(p):]); rest != "" {
				return rest, true
			}
		}
	}
	return "", false
}

// CommuneFilter is a commune name given as a filter. The zero value
// matches nothing; use Empty to tell an absent filter.
type CommuneFilter struct {
	keys []string // the folded filter, and without its prefix when it has one
}

// NewCommuneFilter compiles a filter; blank text gives an empty filter.
func NewCommuneFilter(filter string) CommuneFilter {
	f := Fold(filter)
	if f == "" {
		return CommuneFilter{}
	}
	keys := []string{f}
	for _, p := range foldedPrefixes {
		if rest, ok := strings.CutPrefix(f, p); ok {
			if rest = strings.TrimSpace(rest); rest != "" {
				keys = append(keys, rest)
			}
			break
		}
	}
	return CommuneFilter{keys: keys}
}

// Empty reports whether the filter was blank.
func (f CommuneFilter) Empty() bool { return len(f.keys) == 0 }

// Match reports whether the stored commune name is the one the filter
// names: the folded filter, with or without its prefix, equals the folded
// name, with or without its written prefix.
func (f CommuneFilter) Match(name string) bool {
	if len(f.keys) == 0 {
		return false
	}
	n := NFC(name)
	whole, key := Fold(n), ""
	if rest, ok := cutWrittenPrefix(n); ok {
		key = Fold(rest)
	}
	for _, k := range f.keys {
		if k == whole || (key != "" && k == key) {
			return true
		}
	}
	return false
}
