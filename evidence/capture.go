package evidence

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/deepch/vdk/av"
	"github.com/deepch/vdk/codec/h264parser"
	"github.com/deepch/vdk/format/mp4"

	"github.com/matthan/matthan/camera"
)

// Capture limits.
const (
	// MaxCaptureDuration is the longest clip recorded from a camera.
	MaxCaptureDuration = 300 * time.Second
	// DefaultCaptureStartTimeout is how long a capture waits for the
	// camera's first keyframe: cameras send one every 1–4 s.
	DefaultCaptureStartTimeout = 10 * time.Second
	// maxCaptureBytes stops a capture whose camera sends far more than
	// any camera should (vdk writes 32-bit offsets): 8 Mb/s for 300 s is
	// 300 MB.
	maxCaptureBytes = 2 << 30
	// captureGrace is the time allowed past the start timeout and the
	// duration, for frames in flight.
	captureGrace = 5 * time.Second
)

// VideoSource delivers the access units of a camera's H.264 stream;
// *rtsp.Prober is one (camera/rtsp). See rtsp.Prober.Capture for the
// contract: fn runs on the caller's goroutine and ends the capture by
// returning false.
type VideoSource interface {
	Capture(ctx context.Context, rawURL string, fn func(camera.VideoTrack, camera.AccessUnit) (bool, error)) error
}

// errNoKeyframe is the cause of a capture stopped at the start timeout.
var errNoKeyframe = errors.New("no keyframe")

// Capture records d (at most MaxCaptureDuration) of cam's stream into an
// MP4 file, starting at a keyframe, and attaches it to the incident like
// an upload (source capture, camera id, captured from/to). It checks the
// incident first (ENOTFOUND). Failures are EUNAVAILABLE with a message
// naming the camera and what it did: refused, wrong credentials, no video
// (a frozen camera), no keyframe within CaptureStartTimeout. The caller
// should check the camera's health first and refuse a camera that is down
// without trying; the capture times out cleanly anyway.
func (c *Clips) Capture(ctx context.Context, incidentID string, cam *camera.Camera, d time.Duration, actor camera.Actor) (*camera.Clip, error) {
	if d <= 0 || d > MaxCaptureDuration {
		return nil, camera.Errorf(camera.EINVALID, "duration", "must be more than 0 and at most %v", MaxCaptureDuration)
	}
	if c.Source == nil {
		return nil, camera.Errorf(camera.EUNAVAILABLE, "", "capture is not configured")
	}
	if cam.RTSPURL == "" {
		return nil, camera.Errorf(camera.EINVALID, "camera_id", "camera %q has no RTSP URL", cam.ID)
	}
	if _, err := c.Store.GetIncident(ctx, incidentID); err != nil {
		return nil, err
	}
	start := c.CaptureStartTimeout
	if start <= 0 {
		start = DefaultCaptureStartTimeout
	}

	f, err := c.Files.newTemp("capture")
	if err != nil {
		return nil, err
	}
	path := f.Name()
	kept := false
	defer func() {
		if !kept {
			f.Close()
			_ = os.Remove(path)
		}
	}()

	rec := &mp4Recorder{mux: mp4.NewMuxer(f), limit: d, now: c.now}
	ctx2, cancel := context.WithTimeout(ctx, start+d+captureGrace)
	defer cancel()
	ctx3, stop := withStartDeadline(ctx2, start, rec.begun)
	defer stop()
	err = c.Source.Capture(ctx3, cam.StreamURL(), rec.onUnit)
	if err == nil && !rec.done {
		err = errors.New("the stream ended before the clip was complete")
	}
	if err != nil {
		return nil, c.captureFailed(ctx, ctx3, cam, rec, start, err)
	}
	if err := rec.finish(); err != nil {
		return nil, fmt.Errorf("write the MP4 of camera %q: %w", cam.ID, err)
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("sync captured clip: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("close captured clip: %w", err)
	}
	kept = true
	t, err := c.Files.hashTemp(ctx, path)
	if err != nil {
		_ = os.Remove(path)
		return nil, err
	}
	clip := &camera.Clip{
		Source: camera.ClipCapture, CameraID: cam.ID,
		CapturedFrom: rec.startedAt, CapturedTo: rec.startedAt.Add(rec.last),
	}
	c.log().Info("clip captured", "camera", cam.ID, "incident", incidentID, "pictures", rec.frames, "dropped_before_keyframe", rec.dropped)
	return c.store(ctx, incidentID, t, clip, actor)
}

// captureFailed explains a failed capture. sctx is the capture's context,
// which carries the keyframe timeout as its cause.
func (c *Clips) captureFailed(ctx, sctx context.Context, cam *camera.Camera, rec *mp4Recorder, start time.Duration, err error) error {
	c.log().Warn("clip capture failed", "camera", cam.ID, "err", err)
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(context.Cause(sctx), errNoKeyframe) && rec.received > 0:
		return camera.Errorf(camera.EUNAVAILABLE, "camera_id", "camera %q sent %d pictures in %v but no keyframe to start a clip at", cam.ID, rec.received, start)
	case camera.ErrorCode(err) == camera.EUNAVAILABLE:
		// A CaptureError: how the camera failed, as a probe says it.
		return camera.Errorf(camera.EUNAVAILABLE, "camera_id", "capture from camera %q: %s", cam.ID, camera.ErrorMessage(err))
	case camera.ErrorCode(err) != camera.EINTERNAL:
		return err // ETOOLARGE and the like, from the recorder
	}
	return camera.Errorf(camera.EUNAVAILABLE, "camera_id", "capture from camera %q failed: %v", cam.ID, err)
}

// startDeadline is a context that also ends when the recording has not
// begun within a time: the wait for the first keyframe. It ends as a
// deadline (Err is DeadlineExceeded, the cause errNoKeyframe), so that the
// packet source reports it as it reports any timeout — a camera that sent
// nothing after PLAY is "degraded, no_frames" — and not as a cancellation.
type startDeadline struct {
	context.Context
	expired atomic.Bool
}

func withStartDeadline(parent context.Context, d time.Duration, begun func() bool) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	sd := &startDeadline{Context: ctx}
	t := time.AfterFunc(d, func() {
		if !begun() {
			sd.expired.Store(true) // before the cancel that Err reports
			cancel(errNoKeyframe)
		}
	})
	return sd, func() {
		t.Stop()
		cancel(nil)
	}
}

// Err implements context.Context.
func (s *startDeadline) Err() error {
	err := s.Context.Err()
	if err != nil && s.expired.Load() {
		return context.DeadlineExceeded
	}
	return err
}

// mp4Recorder writes access units into an MP4 with vdk's muxer: nothing
// before the first keyframe that comes with its parameter sets, then
// every unit until one is at least limit after the first.
type mp4Recorder struct {
	mux   *mp4.Muxer
	limit time.Duration

	sps, pps []byte
	started  bool
	base     time.Duration // DTS of the first recorded unit
	last     time.Duration // time of the last recorded unit
	frames   int
	received int // units seen, recorded or not
	dropped  int // units before the first keyframe
	bytes    int64
	done     bool

	now       func() time.Time
	startedAt time.Time // wall time of the first recorded unit

	// begunFlag is read by the keyframe timer's goroutine.
	begunFlag atomic.Bool
}

func (r *mp4Recorder) begun() bool { return r.begunFlag.Load() }

// onUnit is the VideoSource callback.
func (r *mp4Recorder) onUnit(track camera.VideoTrack, au camera.AccessUnit) (bool, error) {
	r.received++
	if r.sps == nil && len(track.SPS) > 0 && len(track.PPS) > 0 {
		r.sps, r.pps = track.SPS, track.PPS
	}
	for _, n := range au.NALUs {
		switch n[0] & 0x1f {
		case 7:
			r.sps = n
		case 8:
			r.pps = n
		}
	}
	if !r.started {
		if !au.KeyFrame || r.sps == nil || r.pps == nil {
			r.dropped++
			return true, nil
		}
		if err := r.header(); err != nil {
			return false, err
		}
		r.started, r.base, r.startedAt = true, au.DTS, r.now().UTC()
		r.begunFlag.Store(true)
	}
	data := avcc(au.NALUs)
	if len(data) == 0 {
		return true, nil
	}
	t := max(au.DTS-r.base, 0)
	if err := r.mux.WritePacket(av.Packet{IsKeyFrame: au.KeyFrame, Time: t, CompositionTime: max(au.PTS-au.DTS, 0), Data: data}); err != nil {
		return false, fmt.Errorf("write MP4 sample: %w", err)
	}
	r.frames++
	r.last = t
	if r.bytes += int64(len(data)); r.bytes > maxCaptureBytes {
		return false, camera.Errorf(camera.ETOOLARGE, "duration", "the camera sent more than %d bytes", maxCaptureBytes)
	}
	if t >= r.limit {
		r.done = true
		return false, nil
	}
	return true, nil
}

// header writes the MP4 header from the parameter sets. vdk's parser
// indexes the SPS without checking its length, hence the recover.
func (r *mp4Recorder) header() (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = camera.Errorf(camera.EUNAVAILABLE, "camera_id", "the camera's H.264 parameters cannot be read")
		}
	}()
	if len(r.sps) < 4 {
		return camera.Errorf(camera.EUNAVAILABLE, "camera_id", "the camera's H.264 SPS is too short")
	}
	cd, err := h264parser.NewCodecDataFromSPSAndPPS(r.sps, r.pps)
	if err != nil {
		return camera.Errorf(camera.EUNAVAILABLE, "camera_id", "the camera's H.264 parameters cannot be read: %v", err)
	}
	return r.mux.WriteHeader([]av.CodecData{cd})
}

// finish writes the MP4 index (moov) at the end of the file.
func (r *mp4Recorder) finish() error { return r.mux.WriteTrailer() }

// avcc turns NAL units into an MP4 sample: each prefixed with its 4-byte
// length. Parameter sets (in the sample description already) and access
// unit delimiters are left out.
func avcc(nalus [][]byte) []byte {
	n := 0
	for _, u := range nalus {
		n += 4 + len(u)
	}
	out := make([]byte, 0, n)
	for _, u := range nalus {
		switch u[0] & 0x1f {
		case 7, 8, 9:
			continue
		}
		out = binary.BigEndian.AppendUint32(out, uint32(len(u)))
		out = append(out, u...)
	}
	return out
}
