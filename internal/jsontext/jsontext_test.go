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
