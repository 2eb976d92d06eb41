package rtsptest

import (
	"fmt"
)

// maxSide bounds the picture size a fake camera accepts: H.264 level 6.2
// tops out at 8192 pixels a side.
const maxSide = 8192

// h264PPS is a picture parameter set matching the SPS of h264SPS (both have
// id 0): CAVLC, initial QP 26, deblocking control in the slice header —
// what the frames of a Picture are coded with.
var h264PPS = []byte{0x68, 0xce, 0x3c, 0x80}

// h264SPS returns a Baseline-profile H.264 sequence parameter set (NAL
// header included) for a width × height picture, so that a fake camera can
// advertise any size and a probe's decoding of it can be checked. Sizes that
// are not multiples of 16 are expressed with frame cropping, as encoders do
// for 1080 lines.
func h264SPS(width, height int) ([]byte, error) {
	if width <= 0 || height <= 0 || width > maxSide || height > maxSide {
		return nil, fmt.Errorf("picture size %dx%d out of range 1..%d", width, height, maxSide)
	}
	if width%2 != 0 || height%2 != 0 {
		return nil, fmt.Errorf("picture size %dx%d must be even (4:2:0 cropping works in 2-pixel units)", width, height)
	}
	mbW := (width + 15) / 16
	mbH := (height + 15) / 16

	var w bitWriter
	w.bits(0x67, 8) // forbidden_zero_bit 0, nal_ref_idc 3, nal_unit_type 7
	w.bits(66, 8)   // profile_idc: Baseline
	w.bits(0xc0, 8) // constraint_set0_flag, constraint_set1_flag
	w.bits(40, 8)   // level_idc 4.0
	w.ue(0)         // seq_parameter_set_id
	w.ue(0)         // log2_max_frame_num_minus4
	w.ue(2)         // pic_order_cnt_type: no B-frames, no POC fields
	w.ue(1)         // max_num_ref_frames
	w.bits(0, 1)    // gaps_in_frame_num_value_allowed_flag
	w.ue(uint32(mbW - 1))
	w.ue(uint32(mbH - 1)) // pic_height_in_map_units_minus1 (frame_mbs_only)
	w.bits(1, 1)          // frame_mbs_only_flag
	w.bits(1, 1)          // direct_8x8_inference_flag
	right, bottom := (mbW*16-width)/2, (mbH*16-height)/2
	if right == 0 && bottom == 0 {
		w.bits(0, 1) // frame_cropping_flag
	} else {
		w.bits(1, 1)
		w.ue(0) // frame_crop_left_offset
		w.ue(uint32(right))
		w.ue(0) // frame_crop_top_offset
		w.ue(uint32(bottom))
	}
	w.bits(0, 1) // vui_parameters_present_flag
	w.bits(1, 1) // rbsp_stop_one_bit
	w.align()
	return emulationPrevent(w.buf), nil
}

// bitWriter writes big-endian bit fields and Exp-Golomb codes.
type bitWriter struct {
	buf  []byte
	nbit int // bits used in the last byte, 0 when it is full or absent
}

func (w *bitWriter) bit(b uint32) {
	if w.nbit == 0 {
		w.buf = append(w.buf, 0)
	}
	if b != 0 {
		w.buf[len(w.buf)-1] |= 0x80 >> w.nbit
	}
	w.nbit = (w.nbit + 1) % 8
}

// bits writes the n low bits of v, most significant first, a byte's
// worth at a time (a fake camera writes a picture's worth 25 times a
// second).
func (w *bitWriter) bits(v uint32, n int) {
	for n > 0 {
		if w.nbit == 0 {
			w.buf = append(w.buf, 0)
		}
		free := 8 - w.nbit
		take := min(free, n)
		chunk := (v >> (n - take)) & (1<<take - 1)
		w.buf[len(w.buf)-1] |= byte(chunk << (free - take))
		w.nbit = (w.nbit + take) % 8
		n -= take
	}
}

// ue writes v as unsigned Exp-Golomb (H.264 §9.1).
func (w *bitWriter) ue(v uint32) {
	x := v + 1
	n := 0
	for t := x; t > 1; t >>= 1 {
		n++
	}
	w.bits(0, n)
	w.bits(x, n+1)
}

func (w *bitWriter) align() {
	for w.nbit != 0 {
		w.bit(0)
	}
}

// emulationPrevent inserts the 0x03 byte that keeps a NAL unit's payload
// from containing a start code (H.264 §7.4.1).
func emulationPrevent(b []byte) []byte {
	out := make([]byte, 0, len(b)+4)
	zeros := 0
	for _, x := range b {
		if zeros >= 2 && x <= 3 {
			out = append(out, 3)
			zeros = 0
		}
		out = append(out, x)
		if x == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return out
}
