package informant

import (
	"testing"

	"github.com/matthan/matthan/camera"
)

// BenchmarkSeal seals one informant to two chiefs: the encryption part of
// a tip's intake (BenchmarkTipIntake in ./api measures the whole request).
func BenchmarkSeal(b *testing.B) {
	s, err := NewSealer([]string{newIdentity(b).Recipient().String(), newIdentity(b).Recipient().String()})
	if err != nil {
		b.Fatal(err)
	}
	in := &camera.Informant{Name: "Nguyễn Thị Mật", Phone: "0912345678", Address: "ấp Bình Thạnh, xã Song Bình"}
	for b.Loop() {
		if _, err := s.Seal(in); err != nil {
			b.Fatal(err)
		}
	}
}
