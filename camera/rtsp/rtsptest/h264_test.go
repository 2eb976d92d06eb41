package rtsptest

import (
	"fmt"
	"testing"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
)

// TestH264SPSDecodes checks the generated SPS against an independent
// decoder for the sizes cameras use, including those that need cropping.
func TestH264SPSDecodes(t *testing.T) {
	sizes := [][2]int{
		{1920, 1080}, {1280, 720}, {640, 480}, {352, 288}, {2560, 1440},
		{3840, 2160}, {704, 576}, {2, 2}, {8192, 8192}, {1366, 768},
	}
	for _, s := range sizes {
		t.Run(fmt.Sprintf("%dx%d", s[0], s[1]), func(t *testing.T) {
			b, err := h264SPS(s[0], s[1])
			if err != nil {
				t.Fatalf("h264SPS: %v", err)
			}
			var sps h264.SPS
			if err := sps.Unmarshal(b); err != nil {
				t.Fatalf("Unmarshal(% x): %v", b, err)
			}
			if sps.Width() != s[0] || sps.Height() != s[1] {
				t.Errorf("decoded size = %dx%d, want %dx%d", sps.Width(), sps.Height(), s[0], s[1])
			}
		})
	}
}

func TestH264SPSRejects(t *testing.T) {
	for _, s := range [][2]int{{0, 1080}, {1920, 0}, {-2, 2}, {1921, 1080}, {1920, 1081}, {8194, 2}} {
		if _, err := h264SPS(s[0], s[1]); err == nil {
			t.Errorf("h264SPS(%d, %d): no error, want one", s[0], s[1])
		}
	}
}

func TestEmulationPrevent(t *testing.T) {
	tests := []struct{ in, want []byte }{
		{[]byte{0x67, 0, 0, 1}, []byte{0x67, 0, 0, 3, 1}},
		{[]byte{0, 0, 0, 0}, []byte{0, 0, 3, 0, 0}},
		{[]byte{0, 0, 4}, []byte{0, 0, 4}},
		{[]byte{1, 0, 2, 0, 0, 3}, []byte{1, 0, 2, 0, 0, 3, 3}},
	}
	for _, tt := range tests {
		if got := emulationPrevent(tt.in); string(got) != string(tt.want) {
			t.Errorf("emulationPrevent(% x) = % x, want % x", tt.in, got, tt.want)
		}
	}
}
