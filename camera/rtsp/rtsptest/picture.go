package rtsptest

import "fmt"

// Picture is the video of a fake camera: frames a real decoder (a
// browser's) shows — bright bars moving across a dark background, drawn in
// 16 × 16 blocks, grey — so that a clip recorded from a fake camera plays.
// Every PictureGOP-th frame is an IDR picture (a keyframe, where a
// recording may start), at about one byte per 16 × 16 block; the bars move
// one block at each. The frames between repeat it: P pictures of skipped
// blocks, a few bytes each, so that a camera someone plays costs little
// (a 1080p camera sends about 40 KB a second).
//
// The coding is the smallest H.264 can be decoded from (Baseline, CAVLC,
// no deblocking): each block of a keyframe is Intra 16×16 with DC
// prediction from its neighbours and one coefficient, the DC of the DC,
// which moves the whole block's brightness in steps of 14 at QP 51. The
// encoder tracks what the decoder reconstructs, so the picture is exactly
// as drawn here.
type Picture struct {
	// SPS and PPS are the parameter sets the frames need.
	SPS, PPS []byte
	w, h     int // in blocks
	// blocks[level+maxDCLevel] is the code of a block of that DC level.
	blocks [2*maxDCLevel + 1]blockCode
}

// blockCode is a block's bits: the n low bits of v.
type blockCode struct {
	v uint32
	n int
}

// Picture levels: background and bar, reachable from the grey of an
// unpredicted block (128) in steps of pictureStep.
const (
	pictureDark   = 72
	pictureBright = 184
	pictureStep   = 14 // the brightness of one DC level at QP 51
	pictureQP     = 51
	// maxDCLevel is the largest level coded without a level suffix.
	maxDCLevel = 8
	// pictureBar is the bar's width, and pictureCycle the distance
	// between two bars, in blocks.
	pictureBar   = 4
	pictureCycle = 11
)

// PictureGOP is the distance between two keyframes of a Picture, in
// frames: a fifth of a second at 25 frames a second.
const PictureGOP = 5

// NewPicture returns the picture of a width × height camera (even sizes
// up to 8192, as Options.Width and Height).
func NewPicture(width, height int) (*Picture, error) {
	sps, err := h264SPS(width, height)
	if err != nil {
		return nil, fmt.Errorf("rtsptest: %w", err)
	}
	p := &Picture{SPS: sps, PPS: h264PPS, w: (width + 15) / 16, h: (height + 15) / 16}
	for level := -maxDCLevel; level <= maxDCLevel; level++ {
		var w bitWriter
		w.ue(3) // mb_type I_16x16_2_0_0: DC prediction, no coded AC, no chroma
		w.ue(0) // intra_chroma_pred_mode: DC
		w.se(0) // mb_qp_delta
		writeDCLevel(&w, level)
		// At most 7 + 6 + 13 + 1 bits: one uint32.
		c := blockCode{n: 8*len(w.buf) - (8-w.nbit)%8}
		for _, b := range w.buf {
			c.v = c.v<<8 | uint32(b)
		}
		c.v >>= (8 - w.nbit) % 8
		p.blocks[level+maxDCLevel] = c
	}
	return p, nil
}

// target is the brightness keyframe k wants for the block at column x.
func (p *Picture) target(x, k int) int {
	if (x+k)%pictureCycle < pictureBar {
		return pictureBright
	}
	return pictureDark
}

// KeyFrame reports whether frame n is a keyframe (an IDR picture).
func (p *Picture) KeyFrame(n int) bool { return n%PictureGOP == 0 }

// Frame returns the slice (NAL unit, without start code) of frame n: an
// IDR picture every PictureGOP frames, a P picture repeating it between.
func (p *Picture) Frame(n int) []byte {
	if !p.KeyFrame(n) {
		return p.repeat(n % PictureGOP)
	}
	b, _ := p.keyframe(n / PictureGOP)
	return b
}

// repeat codes the P picture that shows the previous one again: every
// block skipped (P_Skip, no motion, as its neighbours have none). It is a
// reference picture, frame_num after the last (pictures numbered by
// frame_num, POC type 2, cannot follow one another as non-references).
func (p *Picture) repeat(frameNum int) []byte {
	var w bitWriter
	w.bits(0x41, 8) // nal_ref_idc 2, nal_unit_type 1 (non-IDR slice)
	w.ue(0)         // first_mb_in_slice
	w.ue(5)         // slice_type: P, every slice of the picture
	w.ue(0)         // pic_parameter_set_id
	w.bits(uint32(frameNum), 4)
	w.bits(0, 1) // num_ref_idx_active_override_flag
	w.bits(0, 1) // ref_pic_list_modification_flag_l0
	w.bits(0, 1) // adaptive_ref_pic_marking_mode_flag: sliding window
	w.se(pictureQP - 26)
	w.ue(1)                 // disable_deblocking_filter_idc
	w.ue(uint32(p.w * p.h)) // mb_skip_run: the whole picture
	w.bits(1, 1)            // rbsp_stop_one_bit
	w.align()
	return emulationPrevent(w.buf)
}

// keyframe codes keyframe k and returns the brightness the decoder
// reconstructs for each block, by row. Consecutive keyframes carry
// different idr_pic_id values, as two IDR pictures in a row must.
func (p *Picture) keyframe(k int) ([]byte, [][]int) {
	w := bitWriter{buf: make([]byte, 0, 16+p.w*p.h*3/2)} // 7–10 bits a block
	w.bits(0x65, 8)                                      // nal_ref_idc 3, nal_unit_type 5 (IDR)
	w.ue(0)                                              // first_mb_in_slice
	w.ue(7)                                              // slice_type: I, every slice of the picture
	w.ue(0)                                              // pic_parameter_set_id
	w.bits(0, 4)                                         // frame_num (log2_max_frame_num 4)
	w.ue(uint32(k & 1))                                  // idr_pic_id
	w.bits(0, 1)                                         // no_output_of_prior_pics_flag
	w.bits(0, 1)                                         // long_term_reference_flag
	w.se(pictureQP - 26)
	w.ue(1) // disable_deblocking_filter_idc: off, so blocks stay flat
	// recon is the brightness the decoder reconstructs for each block.
	recon := make([][]int, p.h)
	for y := range p.h {
		recon[y] = make([]int, p.w)
		row := recon[y]
		var above []int
		if y > 0 {
			above = recon[y-1]
		}
		for x := range p.w {
			pred := 128
			switch {
			case x > 0 && y > 0:
				pred = (above[x] + row[x-1] + 1) >> 1
			case x > 0:
				pred = row[x-1]
			case y > 0:
				pred = above[x]
			}
			level := roundDiv(p.target(x, k)-pred, pictureStep)
			level = max(-maxDCLevel, min(maxDCLevel, level))
			row[x] = max(0, min(255, pred+level*pictureStep))
			c := p.blocks[level+maxDCLevel]
			w.bits(c.v, c.n)
		}
	}
	w.bits(1, 1) // rbsp_stop_one_bit
	w.align()
	return emulationPrevent(w.buf), recon
}

// writeDCLevel writes the Intra16x16DCLevel block of a macroblock whose
// only coefficient is the DC of the DC, level (CAVLC, nC 0: no block
// around has coefficients the prediction of nC counts).
func writeDCLevel(w *bitWriter, level int) {
	switch {
	case level == 0:
		w.bits(1, 1) // coeff_token: TotalCoeff 0
		return
	case level == 1 || level == -1:
		w.bits(1, 2) // coeff_token 01: TotalCoeff 1, TrailingOnes 1
		if level < 0 {
			w.bits(1, 1) // trailing_ones_sign_flag
		} else {
			w.bits(0, 1)
		}
	default:
		w.bits(0b000101, 6) // coeff_token: TotalCoeff 1, TrailingOnes 0
		// level_prefix with suffixLength 0; the decoder adds 2 to the
		// first level after fewer than three trailing ones.
		prefix := 2*level - 4
		if level < 0 {
			prefix = -2*level - 3
		}
		w.bits(0, prefix)
		w.bits(1, 1)
	}
	w.bits(1, 1) // total_zeros 0: the coefficient is the first
}

// roundDiv divides a by b > 0, rounding half away from zero.
func roundDiv(a, b int) int {
	if a < 0 {
		return -((-a + b/2) / b)
	}
	return (a + b/2) / b
}

// se writes v as signed Exp-Golomb (H.264 §9.1.1).
func (w *bitWriter) se(v int) {
	if v > 0 {
		w.ue(uint32(2*v - 1))
	} else {
		w.ue(uint32(-2 * v))
	}
}
