package vntext

import "testing"

func TestCommuneKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Thị trấn Chợ Gạo", "cho gao"},
		{"THỊ TRẤN CHỢ GẠO", "cho gao"},
		{"Thi tran Cho Gao", "cho gao"},
		{"TT. Chợ Gạo", "cho gao"},
		{"TT.Chợ Gạo", "cho gao"},
		{"TT Chợ Gạo", "cho gao"},
		{"Xã Song Bình", "song binh"},
		{"X. Song Bình", "song binh"},
		{"Phường 1", "1"},
		{"P.Tân Định", "tan dinh"},
		{"Xa\u0303 Song Bi\u0300nh", "song binh"}, // decomposed input
		{"Song Bình", "song binh"},
		// Names that begin like a prefix without being one.
		{"Phương Thịnh", "phuong thinh"},
		{"Xà Phiên", "xa phien"},
		{"Xã Xà Phiên", "xa phien"},
		{"Xã", "xa"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := CommuneKey(tt.in); got != tt.want {
			t.Errorf("CommuneKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCommuneFilter(t *testing.T) {
	tests := []struct {
		filter, name string
		want         bool
	}{
		{"cho gao", "Thị trấn Chợ Gạo", true},
		{"Chợ Gạo", "Thị trấn Chợ Gạo", true},
		{"thi tran cho gao", "Thị trấn Chợ Gạo", true},
		{"tt. cho gao", "Thị trấn Chợ Gạo", true},
		{"Thị trấn Chợ Gạo", "Chợ Gạo", true},
		{"Thị trấn Chợ Gạo", "Thị trấn Chợ Gạo", true},
		{"xa song binh", "Song Bình", true},
		{"xa song binh", "Xã Song Bình", true},
		{"  SONG   BINH ", "Xã Song Bình", true},
		{"dang hung phuoc", "Đăng Hưng Phước", true},
		{"phuong 1", "Phường 1", true},
		{"1", "Phường 1", true},
		{"xa phien", "Xã Xà Phiên", true},
		{"xa phien", "Xà Phiên", true},
		{"Xà Phiên", "Xã Xà Phiên", true},
		{"phuong thinh", "Phương Thịnh", true},
		// No partial names, and no prefix read into a name.
		{"cho", "Thị trấn Chợ Gạo", false},
		{"binh", "Song Bình", false},
		{"song binh", "Tân Bình Thạnh", false},
		{"thinh", "Phương Thịnh", false},
		{"phien", "Xã Xà Phiên", false},
		{"phuong 1", "Phường 10", false},
		{"", "Song Bình", false},
	}
	for _, tt := range tests {
		if got := NewCommuneFilter(tt.filter).Match(tt.name); got != tt.want {
			t.Errorf("NewCommuneFilter(%q).Match(%q) = %v, want %v", tt.filter, tt.name, got, tt.want)
		}
	}
	if !NewCommuneFilter(" ").Empty() || NewCommuneFilter("cho gao").Empty() {
		t.Error("Empty: a blank filter is empty, a name is not")
	}
}
