package rtsp

import (
	"testing"

	"github.com/bluenviron/gortsplib/v5/pkg/format"
)

// Parameter sets captured from real encoders (the vectors of mediacommon's
// own tests).
var (
	h264SPS1080 = []byte{
		0x67, 0x42, 0xc0, 0x28, 0xd9, 0x00, 0x78, 0x02,
		0x27, 0xe5, 0x84, 0x00, 0x00, 0x03, 0x00, 0x04,
		0x00, 0x00, 0x03, 0x00, 0xf0, 0x3c, 0x60, 0xc9, 0x20,
	}
	h264SPS720 = []byte{
		0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9, 0x40, 0x50,
		0x05, 0xbb, 0x01, 0x6c, 0x80, 0x00, 0x00, 0x03,
		0x00, 0x80, 0x00, 0x00, 0x1e, 0x07, 0x8c, 0x18,
		0xcb,
	}
	h265SPS1080 = []byte{
		0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03,
		0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03,
		0x00, 0x78, 0xa0, 0x03, 0xc0, 0x80, 0x10, 0xe5,
		0x96, 0x66, 0x69, 0x24, 0xca, 0xe0, 0x10, 0x00,
		0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x01,
		0xe0, 0x80,
	}
	h264PPS = []byte{0x68, 0xce, 0x3c, 0x80}
)

// stap builds an aggregation packet: header bytes, then each NAL unit
// preceded by its 16-bit size.
func stap(header []byte, nalus ...[]byte) []byte {
	out := append([]byte(nil), header...)
	for _, n := range nalus {
		out = append(out, byte(len(n)>>8), byte(len(n)))
		out = append(out, n...)
	}
	return out
}

func TestSizeFromPacket(t *testing.T) {
	tests := []struct {
		name          string
		codec         string
		payload       []byte
		width, height int
		ok            bool
	}{
		{"h264 single SPS", "h264", h264SPS1080, 1920, 1080, true},
		{"h264 STAP-A with SPS and PPS", "h264", stap([]byte{0x18}, h264SPS720, h264PPS), 1280, 720, true},
		{"h264 STAP-A with PPS first", "h264", stap([]byte{0x18}, h264PPS, h264SPS720), 1280, 720, true},
		{"h264 STAP-A without SPS", "h264", stap([]byte{0x18}, h264PPS), 0, 0, false},
		{"h264 STAP-A truncated", "h264", stap([]byte{0x18}, h264SPS720)[:10], 0, 0, false},
		{"h264 FU-A is not reassembled", "h264", append([]byte{0x7c, 0x87}, h264SPS1080[1:]...), 0, 0, false},
		{"h264 IDR slice", "h264", []byte{0x65, 0x88, 0x84}, 0, 0, false},
		{"h264 corrupt SPS", "h264", []byte{0x67, 0xff, 0xff}, 0, 0, false},
		{"h264 empty", "h264", nil, 0, 0, false},
		{"h265 single SPS", "h265", h265SPS1080, 1920, 1080, true},
		{"h265 aggregation packet", "h265", stap([]byte{48 << 1, 0x01}, h265SPS1080), 1920, 1080, true},
		{"h265 one byte", "h265", []byte{0x42}, 0, 0, false},
		{"mjpeg 640x480", "mjpeg", []byte{0, 0, 0, 0, 1, 255, 80, 60, 0xff}, 640, 480, true},
		{"mjpeg width 0 means more than 2040", "mjpeg", []byte{0, 0, 0, 0, 1, 255, 0, 60}, 0, 0, false},
		{"mjpeg short header", "mjpeg", []byte{0, 0, 0}, 0, 0, false},
		{"unknown codec", "vp8", h264SPS1080, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, h, ok := sizeFromPacket(tt.codec, tt.payload)
			if w != tt.width || h != tt.height || ok != tt.ok {
				t.Errorf("sizeFromPacket = %d, %d, %v, want %d, %d, %v", w, h, ok, tt.width, tt.height, tt.ok)
			}
		})
	}
}

func TestSizeFromSDP(t *testing.T) {
	tests := []struct {
		name          string
		format        format.Format
		width, height int
	}{
		{"h264 with sprop-parameter-sets", &format.H264{PayloadTyp: 96, SPS: h264SPS1080, PPS: h264PPS, PacketizationMode: 1}, 1920, 1080},
		{"h264 without", &format.H264{PayloadTyp: 96, PacketizationMode: 1}, 0, 0},
		{"h264 with a corrupt SPS", &format.H264{PayloadTyp: 96, SPS: []byte{0x67, 0x00}}, 0, 0},
		{"h265 with sprop-sps", &format.H265{PayloadTyp: 96, SPS: h265SPS1080}, 1920, 1080},
		{"mjpeg has no parameter sets", &format.MJPEG{}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if w, h := sizeFromSDP(tt.format); w != tt.width || h != tt.height {
				t.Errorf("sizeFromSDP = %dx%d, want %dx%d", w, h, tt.width, tt.height)
			}
		})
	}
}

// FuzzSizeFromPacket checks that no payload, however hostile, makes the
// probe panic or believe an absurd size.
func FuzzSizeFromPacket(f *testing.F) {
	for _, seed := range [][]byte{h264SPS1080, h265SPS1080, stap([]byte{0x18}, h264SPS720, h264PPS), {0, 0, 0, 0, 1, 255, 80, 60}} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, codec := range []string{"h264", "h265", "mjpeg"} {
			w, h, ok := sizeFromPacket(codec, b)
			if ok && (w <= 0 || h <= 0 || w > maxPictureSide || h > maxPictureSide) {
				t.Errorf("%s: size %dx%d accepted", codec, w, h)
			}
		}
	})
}
