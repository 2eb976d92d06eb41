package rtsp

import (
	"encoding/binary"

	"github.com/bluenviron/gortsplib/v5/pkg/format"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
)

// maxPictureSide bounds the width and height believed from a parameter set.
// A corrupt SPS can decode to absurd sizes; no camera streams more than 8K.
const maxPictureSide = 16384

// sizeFromSDP reads the picture size from the parameter sets that H.264 and
// H.265 cameras put in the SDP (sprop-parameter-sets, sprop-sps). Other
// codecs, and cameras that send their parameters only in band, give 0, 0.
//
// The format was just decoded from this probe's SDP and nobody else holds
// it, so its fields are read without the format's mutex.
func sizeFromSDP(f format.Format) (width, height int) {
	switch f := f.(type) {
	case *format.H264:
		width, height, _ = h264Size(f.SPS)
	case *format.H265:
		width, height, _ = h265Size(f.SPS)
	}
	return width, height
}

// h264Size decodes an H.264 SPS NAL unit (header byte included).
func h264Size(nalu []byte) (width, height int, ok bool) {
	if len(nalu) == 0 {
		return 0, 0, false
	}
	var sps h264.SPS
	if err := sps.Unmarshal(nalu); err != nil {
		return 0, 0, false
	}
	return plausible(sps.Width(), sps.Height())
}

// h265Size decodes an H.265 SPS NAL unit (two header bytes included).
func h265Size(nalu []byte) (width, height int, ok bool) {
	if len(nalu) == 0 {
		return 0, 0, false
	}
	var sps h265.SPS
	if err := sps.Unmarshal(nalu); err != nil {
		return 0, 0, false
	}
	return plausible(sps.Width(), sps.Height())
}

func plausible(w, h int) (int, int, bool) {
	if w <= 0 || h <= 0 || w > maxPictureSide || h > maxPictureSide {
		return 0, 0, false
	}
	return w, h, true
}

// NAL unit types that carry or wrap a sequence parameter set.
const (
	h264TypeSPS   = 7
	h264TypeSTAPA = 24 // single-time aggregation packet (RFC 6184)
	h265TypeSPS   = 33
	h265TypeAP    = 48 // aggregation packet (RFC 7798)
)

// sizeFromPacket looks for the picture size in one RTP payload of a deep
// probe: an SPS, alone or aggregated, for H.264 and H.265, or the main JPEG
// header for MJPEG. Fragmented SPSs are not reassembled: they are a few
// dozen bytes and cameras never split them.
func sizeFromPacket(codec string, payload []byte) (width, height int, ok bool) {
	switch codec {
	case "h264":
		return h264SizeFromPayload(payload)
	case "h265":
		return h265SizeFromPayload(payload)
	case "mjpeg":
		return jpegSize(payload)
	}
	return 0, 0, false
}

func h264SizeFromPayload(p []byte) (int, int, bool) {
	if len(p) == 0 {
		return 0, 0, false
	}
	switch p[0] & 0x1f {
	case h264TypeSPS:
		return h264Size(p)
	case h264TypeSTAPA:
		for _, nalu := range aggregated(p[1:]) {
			if len(nalu) > 0 && nalu[0]&0x1f == h264TypeSPS {
				return h264Size(nalu)
			}
		}
	}
	return 0, 0, false
}

func h265SizeFromPayload(p []byte) (int, int, bool) {
	if len(p) < 2 {
		return 0, 0, false
	}
	switch (p[0] >> 1) & 0x3f {
	case h265TypeSPS:
		return h265Size(p)
	case h265TypeAP:
		for _, nalu := range aggregated(p[2:]) {
			if len(nalu) > 1 && (nalu[0]>>1)&0x3f == h265TypeSPS {
				return h265Size(nalu)
			}
		}
	}
	return 0, 0, false
}

// aggregated splits the body of an aggregation packet into its NAL units,
// each preceded by a 16-bit size. A truncated tail is dropped.
func aggregated(b []byte) [][]byte {
	var out [][]byte
	for len(b) >= 2 {
		n := int(binary.BigEndian.Uint16(b))
		b = b[2:]
		if n == 0 || n > len(b) {
			break
		}
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}

// jpegSize reads the RTP/JPEG main header (RFC 2435 §3.1): width and height
// are in 8-pixel units, 0 meaning "larger than 2040", which the header
// cannot say.
func jpegSize(p []byte) (int, int, bool) {
	if len(p) < 8 {
		return 0, 0, false
	}
	return plausible(int(p[6])*8, int(p[7])*8)
}
