package vntext

import "testing"

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Thị trấn Chợ Gạo":   "thi-tran-cho-gao",
		"Đăng Hưng Phước":    "dang-hung-phuoc",
		"  Song   Bình ":     "song-binh",
		"TT. Chợ Gạo":        "tt-cho-gao",
		"Xã 00042":           "xa-00042",
		"Bình Phục Nhứt (2)": "binh-phuc-nhut-2",
		"—":                  "",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}
