package rtsp

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/bluenviron/gortsplib/v5"
	"github.com/bluenviron/gortsplib/v5/pkg/description"
	"github.com/pion/rtp"

	"github.com/matthan/matthan/camera"
)

// stream is the deep half of a probe: SETUP the video track, PLAY, and wait
// for the first video packet. The camera has already described a video
// track, so a failure here is "answers, but video does not flow": degraded,
// except for refused credentials (some cameras only check them at SETUP)
// and a cancelled probe.
func (r *run) stream(c *gortsplib.Client, desc *description.Session, v *videoInfo, latency time.Duration) *outcome {
	r.setStep(stepSetup)
	if _, err := c.Setup(desc.BaseURL, v.media, 0, 0); err != nil {
		return r.streamFailed(err, v, latency)
	}

	w := newFrameWatch(v)
	for _, f := range v.media.Formats {
		c.OnPacketRTP(v.media, f, w.onPacket)
	}

	r.setStep(stepPlay)
	if _, err := c.Play(nil); err != nil {
		return r.streamFailed(err, v, latency)
	}

	// The client's own death (the camera hangs up after PLAY) must end
	// the wait as well as the deadline does. Wait returns once the client
	// is closed, which the deferred Close in probe guarantees.
	died := make(chan error, 1)
	go func() { died <- c.Wait() }()

	r.setStep(stepFrames)
	select {
	case <-w.first:
	case err := <-died:
		return r.streamFailed(err, v, latency)
	case <-r.ctx.Done():
		return r.noFrames(v, latency)
	}
	firstAfter := time.Since(r.start).Round(time.Millisecond)

	// The SDP did not give the size: give the camera until the end of the
	// first access unit (or the deadline) to send its SPS in band.
	select {
	case <-w.settled:
	case <-died:
	case <-r.ctx.Done():
	}
	if width, height := w.size(); width > 0 {
		v.width, v.height = width, height
	}
	return r.up(v, latency, fmt.Sprintf("sent its first video packet %v after the probe began", firstAfter))
}

// streamFailed turns an error during SETUP, PLAY or the wait into an outcome.
func (r *run) streamFailed(err error, v *videoInfo, latency time.Duration) *outcome {
	o := r.classify(err)
	o.latency = latency
	o.codec, o.width, o.height = v.codec, v.width, v.height
	if o.state == camera.StateDown {
		o.state = camera.StateDegraded
	}
	if r.currentStep() == stepFrames && o.reason == camera.ReasonTimeout {
		return r.noFrames(v, latency)
	}
	return o
}

func (r *run) noFrames(v *videoInfo, latency time.Duration) *outcome {
	if errors.Is(r.ctx.Err(), context.Canceled) {
		return r.classify(r.ctx.Err())
	}
	return &outcome{
		state:   camera.StateDegraded,
		reason:  camera.ReasonNoFrames,
		detail:  fmt.Sprintf("%s accepted PLAY of its %s track but sent no video packet within %v", r.t.hostPort, v, time.Since(r.start).Round(time.Millisecond)),
		latency: latency,
		codec:   v.codec,
		width:   v.width,
		height:  v.height,
		server:  r.serverHeader(),
	}
}

// frameWatch receives the video packets of a deep probe. gortsplib calls
// onPacket from its reader goroutine; the probe waits on the channels.
type frameWatch struct {
	codec    string
	needSize bool

	firstOnce     sync.Once
	first         chan struct{} // closed at the first video packet
	settleOnce    sync.Once
	settled       chan struct{} // closed when the size is known or cannot be learnt soon
	mu            sync.Mutex
	width, height int
}

func newFrameWatch(v *videoInfo) *frameWatch {
	w := &frameWatch{
		codec:    v.codec,
		needSize: v.width == 0,
		first:    make(chan struct{}),
		settled:  make(chan struct{}),
	}
	if !w.needSize {
		close(w.settled)
	}
	return w
}

func (w *frameWatch) onPacket(pkt *rtp.Packet) {
	w.firstOnce.Do(func() { close(w.first) })
	if !w.needSize {
		return
	}
	if width, height, ok := safeSizeFromPacket(w.codec, pkt.Payload); ok {
		w.mu.Lock()
		w.width, w.height = width, height
		w.mu.Unlock()
		w.settle()
		return
	}
	if pkt.Marker {
		// The first access unit is over without an SPS: the next one
		// may be a whole GOP away, longer than a probe should wait.
		w.settle()
	}
}

// safeSizeFromPacket is sizeFromPacket behind a recover. It runs on
// gortsplib's reader goroutine, where a panic could not be caught by Probe
// and would take the whole daemon down; the payload is whatever the camera
// chose to send, and the SPS parsers are not ours.
func safeSizeFromPacket(codec string, payload []byte) (width, height int, ok bool) {
	defer func() {
		if recover() != nil {
			width, height, ok = 0, 0, false
		}
	}()
	return sizeFromPacket(codec, payload)
}

func (w *frameWatch) settle() { w.settleOnce.Do(func() { close(w.settled) }) }

func (w *frameWatch) size() (int, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.width, w.height
}
