package rtsptest

import (
	"bytes"
	"fmt"
	"testing"
)

// TestPictureIsDrawnExactly: every block of every keyframe reconstructs
// to the brightness drawn (the levels coded without a suffix reach it from
// any neighbour), so a decoder shows the bars exactly; the browser test
// of the console checks the pixels a real decoder shows.
func TestPictureIsDrawnExactly(t *testing.T) {
	for _, s := range [][2]int{{1920, 1080}, {640, 360}, {352, 288}, {2, 2}} {
		t.Run(fmt.Sprintf("%dx%d", s[0], s[1]), func(t *testing.T) {
			p, err := NewPicture(s[0], s[1])
			if err != nil {
				t.Fatal(err)
			}
			for k := range pictureCycle + 1 {
				b, recon := p.keyframe(k)
				for y, row := range recon {
					for x, got := range row {
						if want := p.target(x, k); got != want {
							t.Fatalf("keyframe %d, block (%d, %d): %d, want %d", k, x, y, got, want)
						}
					}
				}
				if b[0] != 0x65 || !bytes.Equal(p.Frame(k*PictureGOP), b) || !p.KeyFrame(k*PictureGOP) {
					t.Errorf("frame %d is not keyframe %d (NAL header %#x, want an IDR slice, 0x65)", k*PictureGOP, k, b[0])
				}
				if bytes.Contains(b, []byte{0, 0, 1}) || bytes.Contains(b, []byte{0, 0, 0}) {
					t.Errorf("keyframe %d contains a start code", k)
				}
			}
			// Two IDR pictures in a row carry different idr_pic_id:
			// keyframes a cycle apart (an odd number) draw the same bars
			// with another.
			if bytes.Equal(p.Frame(0), p.Frame(pictureCycle*PictureGOP)) {
				t.Errorf("keyframes 0 and %d are equal: same bars, but idr_pic_id must alternate", pictureCycle)
			}
			// Between keyframes, P pictures of a few bytes, numbered.
			for n := 1; n < PictureGOP; n++ {
				f := p.Frame(n)
				if p.KeyFrame(n) || f[0] != 0x41 || len(f) > 16 || bytes.Equal(f, p.Frame(n+1)) {
					t.Errorf("frame %d: % x, want a short P slice of its own", n, f)
				}
			}
		})
	}
}

// BenchmarkPictureKeyframe is the cost of a 1080p keyframe, paid five
// times a second by a fake camera someone plays.
func BenchmarkPictureKeyframe(b *testing.B) {
	p, err := NewPicture(1920, 1080)
	if err != nil {
		b.Fatal(err)
	}
	k := 0
	for b.Loop() {
		f, _ := p.keyframe(k)
		k += len(f) & 1
	}
}
