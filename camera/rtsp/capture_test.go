package rtsp_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp"
	"github.com/matthan/matthan/camera/rtsp/rtsptest"
)

// captureN captures until n access units have arrived and returns them
// with the track.
func captureN(t *testing.T, p *rtsp.Prober, url string, n int) (camera.VideoTrack, []camera.AccessUnit, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var track camera.VideoTrack
	var aus []camera.AccessUnit
	err := p.Capture(ctx, url, func(tr camera.VideoTrack, au camera.AccessUnit) (bool, error) {
		track = tr
		aus = append(aus, au)
		return len(aus) < n, nil
	})
	return track, aus, err
}

func TestCaptureStreaming(t *testing.T) {
	for _, inBand := range []bool{false, true} {
		name := map[bool]string{false: "params in SDP", true: "params in band"}[inBand]
		t.Run(name, func(t *testing.T) {
			cam := startCamera(t, rtsptest.Options{Width: 1280, Height: 720, ParamsInBand: inBand, FrameInterval: 20 * time.Millisecond})
			track, aus, err := captureN(t, &rtsp.Prober{}, cam.URL(), 10)
			if err != nil {
				t.Fatalf("capture: %v", err)
			}
			if track.Codec != "h264" {
				t.Errorf("codec %q", track.Codec)
			}
			if inBand {
				if track.SPS != nil || track.Width != 0 {
					t.Errorf("in-band camera: track %+v has parameters", track)
				}
			} else if len(track.SPS) == 0 || len(track.PPS) == 0 || track.Width != 1280 || track.Height != 720 {
				t.Errorf("track %+v, want SPS, PPS and 1280x720", track)
			}
			if len(aus) != 10 {
				t.Fatalf("%d access units, want 10", len(aus))
			}
			// The fake camera sends SPS, PPS and a slice in every unit;
			// the slice is an IDR picture every rtsptest.PictureGOP
			// units, and only those units are keyframes.
			keys := 0
			for i, au := range aus {
				if len(au.NALUs) != 3 || au.NALUs[0][0]&0x1f != 7 || au.KeyFrame != (au.NALUs[2][0]&0x1f == 5) {
					t.Errorf("unit %d: keyframe %v, %d NAL units", i, au.KeyFrame, len(au.NALUs))
				}
				if au.KeyFrame {
					keys++
				}
				if au.DTS != au.PTS {
					t.Errorf("unit %d: DTS %v != PTS %v in a stream without B-frames", i, au.DTS, au.PTS)
				}
				if i > 0 {
					if d := au.PTS - aus[i-1].PTS; d != 20*time.Millisecond {
						t.Errorf("unit %d: PTS step %v, want 20ms (the camera's clock)", i, d)
					}
				}
			}
			if want := len(aus) / rtsptest.PictureGOP; keys < want {
				t.Errorf("%d keyframes in %d units, want at least %d", keys, len(aus), want)
			}
		})
	}
}

func TestCaptureFrozenTimesOut(t *testing.T) {
	cam := startCamera(t, rtsptest.Options{Behavior: rtsptest.Frozen})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := (&rtsp.Prober{}).Capture(ctx, cam.URL(), func(camera.VideoTrack, camera.AccessUnit) (bool, error) {
		t.Error("fn called for a frozen camera")
		return false, nil
	})
	if took := time.Since(start); took > 500*time.Millisecond+slack {
		t.Errorf("capture took %v", took)
	}
	var ce *rtsp.CaptureError
	if !errors.As(err, &ce) || ce.State != camera.StateDegraded || ce.Reason != camera.ReasonNoFrames {
		t.Fatalf("got %v, want degraded no_frames", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) || camera.ErrorCode(err) != camera.EUNAVAILABLE {
		t.Errorf("%v: want it to be a deadline and unavailable (code %s)", err, camera.ErrorCode(err))
	}
	if !strings.Contains(err.Error(), cam.Addr()) || !strings.Contains(err.Error(), "no video") {
		t.Errorf("message %q should name the camera and say it sent no video", err)
	}
}

func TestCaptureFailures(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()

	locked := startCamera(t, rtsptest.Options{Username: "admin", Password: "hunter22"})
	audio := startCamera(t, rtsptest.Options{Behavior: rtsptest.AudioOnly})
	missing := startCamera(t, rtsptest.Options{Behavior: rtsptest.NotFound})
	tests := []struct {
		name   string
		url    string
		state  camera.HealthState
		reason string
	}{
		{"refused", "rtsp://admin:hunter22@" + closed + "/live", camera.StateDown, camera.ReasonRefused},
		{"wrong password", locked.URLWithCredentials("admin", "wrong-pass"), camera.StateAuthFailed, camera.ReasonAuthFailed},
		{"audio only", audio.URL(), camera.StateDegraded, camera.ReasonNoVideoTrack},
		{"not found", missing.URL(), camera.StateDown, "status_404"},
		{"bad url", "http://x/", camera.StateDown, camera.ReasonBadURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			start := time.Now()
			err := (&rtsp.Prober{}).Capture(ctx, tt.url, func(camera.VideoTrack, camera.AccessUnit) (bool, error) { return false, nil })
			var ce *rtsp.CaptureError
			if !errors.As(err, &ce) || ce.State != tt.state || ce.Reason != tt.reason {
				t.Fatalf("got %v, want %s (%s)", err, tt.state, tt.reason)
			}
			if took := time.Since(start); took > time.Second {
				t.Errorf("failing took %v: should be fast", took)
			}
			for _, secret := range []string{"hunter22", "wrong-pass"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains a password", err)
				}
			}
		})
	}
}

func TestCaptureEndsWithCameraAndFn(t *testing.T) {
	t.Run("fn error", func(t *testing.T) {
		cam := startCamera(t, rtsptest.Options{FrameInterval: 10 * time.Millisecond})
		boom := errors.New("disk full")
		err := (&rtsp.Prober{}).Capture(context.Background(), cam.URL(), func(camera.VideoTrack, camera.AccessUnit) (bool, error) { return true, boom })
		if err != boom {
			t.Errorf("got %v, want fn's error as it is", err)
		}
	})
	t.Run("camera goes away", func(t *testing.T) {
		cam := startCamera(t, rtsptest.Options{FrameInterval: 10 * time.Millisecond})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		n := 0
		err := (&rtsp.Prober{}).Capture(ctx, cam.URL(), func(camera.VideoTrack, camera.AccessUnit) (bool, error) {
			if n++; n == 3 {
				go cam.Close()
			}
			return true, nil
		})
		var ce *rtsp.CaptureError
		if !errors.As(err, &ce) || ce.State == camera.StateUp || ctx.Err() != nil {
			t.Errorf("got %v (ctx %v), want a failure seen before the deadline", err, ctx.Err())
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		cam := startCamera(t, rtsptest.Options{FrameInterval: 10 * time.Millisecond})
		ctx, cancel := context.WithCancel(context.Background())
		err := (&rtsp.Prober{}).Capture(ctx, cam.URL(), func(camera.VideoTrack, camera.AccessUnit) (bool, error) {
			cancel()
			return true, nil
		})
		var ce *rtsp.CaptureError
		if !errors.As(err, &ce) || ce.Reason != camera.ReasonCanceled || !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want canceled", err)
		}
	})
}
