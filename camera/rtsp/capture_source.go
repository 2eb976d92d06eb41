package rtsp

import (
	"errors"
	"time"

	"github.com/bluenviron/gortsplib/v5"
	"github.com/bluenviron/gortsplib/v5/pkg/description"
	"github.com/bluenviron/gortsplib/v5/pkg/format"
	"github.com/bluenviron/gortsplib/v5/pkg/format/rtph264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/pion/rtp"

	"github.com/matthan/matthan/camera"
)

// auSource turns the RTP packets of a capture into access units. onPacket
// runs on gortsplib's reader goroutine only, so its state needs no lock;
// the units cross to the caller through out.
type auSource struct {
	client    *gortsplib.Client
	media     *description.Media
	decoder   *rtph264.Decoder
	dts       h264.DTSExtractor
	clockRate int64

	// The access unit the decoder holds, not yet complete: the decoder
	// hands it back when a packet of another timestamp arrives, so its
	// time is that of its own first packet, not of the packet that
	// completed it.
	pending    bool
	pendingTS  uint32
	pendingPTS int64

	out  chan camera.AccessUnit
	done chan struct{} // closed when the capture returns
}

func (s *auSource) init(c *gortsplib.Client, m *description.Media, f *format.H264) error {
	dec, err := f.CreateDecoder()
	if err != nil {
		return err
	}
	s.client, s.media, s.decoder = c, m, dec
	s.clockRate = int64(f.ClockRate())
	s.dts.Initialize()
	return nil
}

// onPacket is gortsplib's OnPacketRTP callback.
func (s *auSource) onPacket(pkt *rtp.Packet) {
	pts, ok := s.client.PacketPTS(s.media, pkt)
	if !ok {
		return
	}
	nalus, err := s.decoder.Decode(pkt)
	if errors.Is(err, rtph264.ErrMorePacketsNeeded) {
		if !s.pending || pkt.Timestamp != s.pendingTS {
			s.pending, s.pendingTS, s.pendingPTS = true, pkt.Timestamp, pts
		}
		return
	}
	if err != nil {
		// A lost or malformed packet: the decoder drops the unit and
		// resynchronises at the next one.
		s.pending = false
		return
	}
	auPTS := pts
	if s.pending && pkt.Timestamp != s.pendingTS {
		// The unit handed back is the one held; this packet starts
		// the next, which the decoder now holds.
		auPTS = s.pendingPTS
		s.pendingTS, s.pendingPTS = pkt.Timestamp, pts
	} else {
		s.pending = false
	}
	au, ok := s.accessUnit(nalus, auPTS)
	if !ok {
		return
	}
	select {
	case s.out <- au:
	case <-s.done:
	}
}

// accessUnit copies the NAL units out of gortsplib's buffers and dates
// them. It recovers from a panic of the H.264 parsers: the bytes are the
// camera's, and a panic on the reader goroutine would end the daemon.
func (s *auSource) accessUnit(nalus [][]byte, pts int64) (au camera.AccessUnit, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	kept := make([][]byte, 0, len(nalus))
	for _, n := range nalus {
		if len(n) > 0 {
			kept = append(kept, append([]byte(nil), n...))
		}
	}
	if len(kept) == 0 {
		return au, false
	}
	dts, err := s.dts.Extract(kept, pts)
	if err != nil {
		// Before the first IDR, or a stream the extractor cannot
		// follow: without B-frames (the rule for cameras) the
		// decoding time is the presentation time.
		dts = pts
	}
	return camera.AccessUnit{
		PTS:      s.duration(pts),
		DTS:      s.duration(dts),
		NALUs:    kept,
		KeyFrame: h264.IsRandomAccess(kept),
	}, true
}

// duration converts clock ticks to a duration without overflow for any
// capture shorter than a century.
func (s *auSource) duration(ticks int64) time.Duration {
	sec := ticks / s.clockRate
	rem := ticks % s.clockRate
	return time.Duration(sec)*time.Second + time.Duration(rem)*time.Second/time.Duration(s.clockRate)
}
