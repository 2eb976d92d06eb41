package jsontext

import (
	"bytes"
	"encoding/json"
	"testing"
)

// AppendString writes what encoding/json writes, with and without its
// HTML escaping.
func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{
		"", "Chợ Gạo", `Cổng "trường" \ chợ`, "a<b>&c", "tab\tnew\nline\rcr\bbs\fff",
		"\x00\x01\x1f\x7f", "bad \xff utf-8 \xe1\xbb", "line\u2028sep\u2029", "Đăng Hưng Phước 🎥",
	} {
		for _, html := range []bool{true, false} {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(html)
			if err := enc.Encode(s); err != nil {
				t.Fatal(err)
			}
			if got := string(AppendString(nil, s, html)) + "\n"; got != want.String() {
				t.Errorf("AppendString(%q, html %v) = %s, encoding/json writes %s", s, html, got, want.String())
			}
		}
	}
}

// stdString is what encoding/json writes for s: json.Marshal's bytes with
// escapeHTML, an Encoder's without HTML escaping less its newline.
func stdString(t testing.TB, s string, escapeHTML bool) []byte {
	t.Helper()
	if escapeHTML {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// FuzzAppendString: AppendString writes encoding/json's bytes for any
// string, valid UTF-8 or not, with and without HTML escaping, and appends
// them after what the buffer held.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "Chợ Gạo", `"\`, "<>&", "\x00\x1f\x7f", "\xff", "\xe1\xbb", "\u2028\u2029", "🎥", "\ufffd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, html := range []bool{true, false} {
			got := AppendString([]byte("x"), s, html)
			if want := stdString(t, s, html); !bytes.Equal(got[1:], want) || got[0] != 'x' {
				t.Fatalf("AppendString(%q, html %v) = %s, encoding/json writes %s", s, html, got, want)
			}
		}
	})
}

// benchStrings are strings as the camera records and the exports hold
// them: an id, a Vietnamese name, a stream URL whose & encoding/json
// writes as \u0026, and a note with quotes.
var benchStrings = []string{
	"TG-CG-000123",
	"Ngã tư Quốc lộ 50 – Đường tỉnh 879 (cổng chợ Gạo)",
	"rtsp://10.20.30.40:554/cam/realmonitor?channel=1&subtype=0",
	`Hội Phụ nữ xã tặng; "camera mắt thần" số 3`,
}

// BenchmarkAppendString is AppendString over benchStrings (one op is the
// four), into a buffer it reuses, beside json.Marshal of each string
// appended to the same buffer (the encoding_json rows: what a writer
// without it would call).
func BenchmarkAppendString(b *testing.B) {
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 1024)
		for b.Loop() {
			buf = buf[:0]
			for _, s := range benchStrings {
				buf = AppendString(buf, s, true)
			}
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 1024)
		for b.Loop() {
			buf = buf[:0]
			for _, s := range benchStrings {
				j, err := json.Marshal(s)
				if err != nil {
					b.Fatal(err)
				}
				buf = append(buf, j...)
			}
		}
	})
}
