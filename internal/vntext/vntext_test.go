package vntext

import "testing"

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Chợ Gạo", "cho gao"},
		{"ĐĂNG HƯNG PHƯỚC", "dang hung phuoc"},
		{"  Bình   Phục\tNhứt ", "binh phuc nhut"},
		{"Cho\u0323 Ga\u0323o", "cho gao"}, // decomposed input
		{"CG-0001", "cg-0001"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Fold(tt.in); got != tt.want {
				t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNFC(t *testing.T) {
	if got, want := NFC("Cho\u031b\u0323 Ga\u0323o"), "Chợ Gạo"; got != want {
		t.Errorf("NFC = %q, want %q", got, want)
	}
}

func TestContains(t *testing.T) {
	if !Contains("Thị trấn Chợ Gạo", "cho gao") {
		t.Error("cho gao should find Thị trấn Chợ Gạo")
	}
	if !Contains("Đăng Hưng Phước", "dang") {
		t.Error("dang should find Đăng")
	}
	if Contains("Song Bình", "cho") {
		t.Error("cho should not find Song Bình")
	}
}
