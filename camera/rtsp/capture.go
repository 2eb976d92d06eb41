package rtsp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bluenviron/gortsplib/v5"
	"github.com/bluenviron/gortsplib/v5/pkg/format"

	"github.com/matthan/matthan/camera"
)

// ReasonUnsupportedCodec is the reason of a capture from a camera whose
// video is not H.264, the one codec clips are recorded in.
const ReasonUnsupportedCodec = "unsupported_codec"

// captureQueue is how many access units may wait between gortsplib's
// reader and the caller's fn: a second of video at 25 fps and more. When
// it is full the reader waits, and TCP slows the camera down: nothing is
// dropped.
const captureQueue = 64

// CaptureError is why a capture failed, in the terms of a probe: the
// camera's state as the capture saw it (down, auth_failed, degraded...),
// a reason word and a sentence naming the camera by host:port only. It
// unwraps to a *camera.Error with code EUNAVAILABLE, and to the cause
// (context.DeadlineExceeded when the deadline ended it).
type CaptureError struct {
	State  camera.HealthState
	Reason string
	Detail string
	cause  error
}

// Error implements error.
func (e *CaptureError) Error() string {
	return fmt.Sprintf("capture failed, camera %s (%s): %s", e.State, e.Reason, e.Detail)
}

// Unwrap gives errors.Is and errors.As the domain error and the cause.
func (e *CaptureError) Unwrap() []error {
	errs := []error{&camera.Error{Code: camera.EUNAVAILABLE, Message: e.Error()}}
	if e.cause != nil {
		errs = append(errs, e.cause)
	}
	return errs
}

// Capture is the packet source of clip capture. It connects to the camera
// at rawURL (credentials in the URL are used and never repeated), SETUPs
// and PLAYs its H.264 video track over TCP, and calls fn with the track
// and each access unit, in order, on the caller's goroutine, until fn
// returns false or an error, or ctx ends.
//
// It returns nil when fn ended the capture, fn's error as it is, or a
// *CaptureError: the camera cannot be reached or refuses (as a probe would
// say it), its video is not H.264, it hung up, or ctx ended first —
// reason no_frames when the camera accepted PLAY but sent nothing.
// Deadlines come from ctx; Prober.Timeout bounds each wait for the camera
// (a read), not the capture. The connection is closed before Capture
// returns, whatever happened.
func (p *Prober) Capture(ctx context.Context, rawURL string, fn func(camera.VideoTrack, camera.AccessUnit) (bool, error)) error {
	t, o := parseTarget(rawURL)
	if o != nil {
		return captureError(o, t, nil)
	}
	if err := ctx.Err(); err != nil {
		return &CaptureError{State: camera.StateUnknown, Reason: camera.ReasonCanceled, Detail: "the capture was cancelled before it began", cause: contextCause(err)}
	}
	r := newRun(ctx, p, t)
	c := r.captureClient()
	if err := c.Start(); err != nil {
		return &CaptureError{State: camera.StateDown, Reason: camera.ReasonError, Detail: "the RTSP client could not start: " + err.Error()}
	}
	src := &auSource{out: make(chan camera.AccessUnit, captureQueue), done: make(chan struct{})}
	stop := context.AfterFunc(ctx, c.Close)
	defer func() {
		close(src.done) // unblocks the reader if it waits on a full queue
		stop()
		c.Close()
	}()

	if _, err := c.Options(t.url); err != nil {
		return r.captureFailed(err)
	}
	r.setStep(stepDescribe)
	desc, _, err := c.Describe(t.url)
	if err != nil {
		return r.captureFailed(err)
	}
	v := findVideo(desc)
	if v == nil {
		return captureError(&outcome{state: camera.StateDegraded, reason: camera.ReasonNoVideoTrack,
			detail: t.hostPort + " answered DESCRIBE with " + describeMedias(desc) + " but no video track"}, t, nil)
	}
	h264, ok := v.format.(*format.H264)
	if !ok {
		return captureError(&outcome{state: camera.StateUp, reason: ReasonUnsupportedCodec,
			detail: t.hostPort + " sends " + v.String() + " video; clips are recorded from H.264 only"}, t, nil)
	}
	track := camera.VideoTrack{Codec: v.codec, Width: v.width, Height: v.height}
	// The format was just decoded from this capture's SDP and nobody
	// else holds it (see sizeFromSDP).
	track.SPS, track.PPS = h264.SPS, h264.PPS
	if err := src.init(c, v.media, h264); err != nil {
		return captureError(&outcome{state: camera.StateDegraded, reason: camera.ReasonBadSDP,
			detail: t.hostPort + " described an H.264 track that cannot be decoded: " + cleanEcho(err.Error())}, t, nil)
	}

	r.setStep(stepSetup)
	if _, err := c.Setup(desc.BaseURL, v.media, 0, 0); err != nil {
		return r.captureFailed(err)
	}
	c.OnPacketRTP(v.media, h264, src.onPacket)
	r.setStep(stepPlay)
	if _, err := c.Play(nil); err != nil {
		return r.captureFailed(err)
	}
	r.setStep(stepFrames)
	died := make(chan error, 1)
	go func() { died <- c.Wait() }()

	got := 0
	for {
		select {
		case au := <-src.out:
			got++
			more, err := fn(track, au)
			if err != nil {
				return err
			}
			if !more {
				return nil
			}
		case err := <-died:
			if ctx.Err() != nil {
				return r.captureEnded(got)
			}
			return r.captureFailed(err)
		case <-ctx.Done():
			return r.captureEnded(got)
		}
	}
}

// captureClient is the gortsplib client of a capture: the probe's (TCP,
// the sniffing dialer, no redirects, silent callbacks), with reads bounded
// by the Prober's timeout rather than by what is left of the capture, so
// that a camera that stops sending in the middle is noticed.
func (r *run) captureClient() *gortsplib.Client {
	wait := r.p.timeout()
	if deadline, ok := r.ctx.Deadline(); ok {
		wait = max(min(wait, time.Until(deadline)), time.Millisecond)
	}
	tcp := gortsplib.ProtocolTCP
	return &gortsplib.Client{
		Scheme:            r.t.url.Scheme,
		Host:              r.t.url.Host,
		ReadTimeout:       wait,
		WriteTimeout:      wait,
		Protocol:          &tcp,
		UserAgent:         r.p.userAgent(),
		DialContext:       r.dial,
		DialTLSContext:    r.dial,
		OnResponse:        r.onResponse,
		OnRequest:         nopReq,
		OnServerRequest:   nopReq,
		OnTransportSwitch: nopErr,
		OnPacketsLost:     nopLost,
		OnDecodeError:     nopErr,
	}
}

// captureFailed classifies an error of the RTSP exchange the way a probe
// would, the camera being at least degraded once it has described video.
func (r *run) captureFailed(err error) error {
	o := r.classify(err)
	if st := r.currentStep(); (st == stepSetup || st == stepPlay || st == stepFrames) && o.state == camera.StateDown {
		o.state = camera.StateDegraded
	}
	return captureError(o, r.t, err)
}

// captureEnded is the error of a capture whose ctx ended before fn did.
func (r *run) captureEnded(frames int) error {
	err := r.ctx.Err()
	elapsed := time.Since(r.start).Round(time.Millisecond)
	switch {
	case errors.Is(err, context.Canceled):
		return &CaptureError{State: camera.StateUnknown, Reason: camera.ReasonCanceled,
			Detail: fmt.Sprintf("the capture from %s was cancelled after %v", r.t.hostPort, elapsed), cause: context.Canceled}
	case r.currentStep() != stepFrames:
		return captureError(r.classify(err), r.t, err)
	case frames == 0:
		return &CaptureError{State: camera.StateDegraded, Reason: camera.ReasonNoFrames,
			Detail: fmt.Sprintf("%s accepted PLAY but sent no video within %v", r.t.hostPort, elapsed), cause: contextCause(err)}
	default:
		return &CaptureError{State: camera.StateUp, Reason: camera.ReasonTimeout,
			Detail: fmt.Sprintf("the capture from %s reached its deadline after %v and %d pictures", r.t.hostPort, elapsed, frames), cause: contextCause(err)}
	}
}

// captureError turns an outcome into a CaptureError, scrubbed of the URL's
// credentials.
func captureError(o *outcome, t *target, cause error) *CaptureError {
	var res camera.ProbeResult
	o.fill(&res, t)
	return &CaptureError{State: res.State, Reason: res.Reason, Detail: res.Detail, cause: contextCause(cause)}
}

// contextCause keeps, of an error, only what callers may test for: a
// context's end. gortsplib's own errors may quote the URL.
func contextCause(err error) error {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		return context.Canceled
	}
	return nil
}
