package rtsptest

import (
	"bytes"
	"fmt"
	"testing"
)

// TestPictureIsDrawnExactly: every block of every frame reconstructs to
// the brightness drawn (the levels coded without a suffix reach it from
// any neighbour), so a decoder shows the bars exactly; the browser test
// of the console checks the pixels a real decoder shows.
func TestPictureIsDrawnExactly(t *testing.T) {
	for _, s := range [][2]int{{1920, 1080}, {640, 360}, {352, 288}, {2, 2}} {
		t.Run(fmt.Sprintf("%dx%d", s[0], s[1]), func(t *testing.T) {
			p, err := NewPicture(s[0], s[1])
			if err != nil {
				t.Fatal(err)
			}
			for n := range pictureCycle + 1 {
				b, recon := p.frame(n)
				for y, row := range recon {
					for x, got := range row {
						if want := p.target(x, n); got != want {
							t.Fatalf("frame %d, block (%d, %d): %d, want %d", n, x, y, got, want)
						}
					}
				}
				if b[0] != 0x65 {
					t.Errorf("frame %d: NAL header %#x, want an IDR slice (0x65)", n, b[0])
				}
				if bytes.Contains(b, []byte{0, 0, 1}) || bytes.Contains(b, []byte{0, 0, 0}) {
					t.Errorf("frame %d contains a start code", n)
				}
			}
			// Two IDR pictures in a row carry different idr_pic_id: frames a
			// cycle apart (an odd number) draw the same bars with another.
			if bytes.Equal(p.Frame(0), p.Frame(pictureCycle)) {
				t.Errorf("frames 0 and %d are equal: same bars, but idr_pic_id must alternate", pictureCycle)
			}
		})
	}
}

// BenchmarkPictureFrame is the cost of a 1080p frame, paid 25 times a
// second by a fake camera someone plays.
func BenchmarkPictureFrame(b *testing.B) {
	p, err := NewPicture(1920, 1080)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		n += len(p.Frame(n))
	}
}
