package vntext

import "strings"

// Slug returns the form of a name used in an address: folded (see Fold),
// every run of characters other than a to z and 0 to 9 as one hyphen, no
// hyphen at either end. "Thị trấn Chợ Gạo" is "thi-tran-cho-gao", "Đăng
// Hưng Phước" "dang-hung-phuoc". Names that fold alike have one slug.
func Slug(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range Fold(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
			continue
		}
		hyphen = true
	}
	return b.String()
}
