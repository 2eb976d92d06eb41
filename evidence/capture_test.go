package evidence

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/deepch/vdk/format/mp4"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp"
	"github.com/matthan/matthan/camera/rtsp/rtsptest"
	"github.com/matthan/matthan/registry/registrytest"
)

var _ VideoSource = (*rtsp.Prober)(nil)

// fakeCamera starts an rtsptest camera closed at the end of the test and
// returns a registry camera pointing at it with credentials.
func fakeCamera(t *testing.T, opts rtsptest.Options) (*rtsptest.Camera, *camera.Camera) {
	t.Helper()
	opts.Username, opts.Password = "admin", "s3cret-pw"
	fc, err := rtsptest.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fc.Close)
	cam := registrytest.Camera("CG-0001", "Song Bình")
	clean, creds, err := camera.SplitRTSPURL(fc.URLWithCredentials("admin", "s3cret-pw"))
	if err != nil {
		t.Fatal(err)
	}
	cam.RTSPURL, cam.Credentials = clean, creds
	return fc, cam
}

func TestCaptureRecordsMP4(t *testing.T) {
	ctx := context.Background()
	r := newClipsRig(t)
	_, cam := fakeCamera(t, rtsptest.Options{Width: 1280, Height: 720})
	r.clips.Source = &rtsp.Prober{}

	start := time.Now()
	clip, err := r.clips.Capture(ctx, r.inc[0].ID, cam, 2*time.Second, police)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("a 2 s capture took %v", time.Since(start).Round(time.Millisecond))
	if !clip.Inspected || clip.Codec != "h264" || clip.Width != 1280 || clip.Height != 720 {
		t.Errorf("inspection %+v", clip)
	}
	if clip.Duration < 1.5 || clip.Duration > 2.5 {
		t.Errorf("duration %v s, want 2 ± 0.5", clip.Duration)
	}
	if clip.Source != camera.ClipCapture || clip.CameraID != cam.ID || clip.CapturedFrom.IsZero() ||
		clip.CapturedTo.Sub(clip.CapturedFrom) != time.Duration(clip.Duration*float64(time.Second)).Round(time.Millisecond) {
		t.Errorf("capture fields %+v", clip)
	}

	// Demux the stored file: the first sample is a keyframe, and every
	// sample is a length-prefixed IDR slice of the fake camera.
	f, err := r.files.Open(clip.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dm := mp4.NewDemuxer(f)
	pkt, err := dm.ReadPacket()
	if err != nil {
		t.Fatal(err)
	}
	if !pkt.IsKeyFrame || pkt.Time != 0 || len(pkt.Data) < 5 || pkt.Data[4]&0x1f != 5 {
		t.Errorf("first sample: keyframe %v, time %v, data % x", pkt.IsKeyFrame, pkt.Time, pkt.Data[:min(8, len(pkt.Data))])
	}
	n := 1
	for {
		if _, err := dm.ReadPacket(); err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatal(err)
			}
			break
		}
		n++
	}
	if n < 45 || n > 55 {
		t.Errorf("%d samples, want about 51 (2 s at 25 fps)", n)
	}
	ffprobeCheck(t, r.files.Path(clip.ID), "codec_name=h264", "width=1280", "height=720", "duration=2.000000")
}

// ffprobeCheck runs ffprobe on a clip, in a subtest "ffprobe", and checks
// lines of its stream and format description. (The fake cameras' slices
// are not decodable pictures: only the container and the stream headers
// can be checked, which is what is ours.) make deps installs ffmpeg; where
// ffprobe is missing all the same the subtest fails under CI and skips
// elsewhere, saying so, as the GDAL and browser tests do.
func ffprobeCheck(t *testing.T, path string, want ...string) {
	t.Helper()
	t.Run("ffprobe", func(t *testing.T) {
		bin, err := exec.LookPath("ffprobe")
		if err != nil {
			const msg = "ffprobe is not installed (Debian: ffmpeg; make deps installs it): the MP4 is checked by vdk's demuxer only"
			if os.Getenv("CI") != "" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
		out, err := exec.Command(bin, "-v", "error", "-select_streams", "v:0",
			"-show_entries", "stream=codec_name,width,height,nb_frames:format=duration", "-of", "default=nw=1", path).CombinedOutput()
		if err != nil {
			t.Fatalf("ffprobe: %v\n%s", err, out)
		}
		for _, w := range want {
			if !strings.Contains(string(out), w+"\n") {
				t.Errorf("ffprobe says:\n%s\nwant a line %q", out, w)
			}
		}
	})
}

func TestCaptureFrozenCameraTimesOut(t *testing.T) {
	r := newClipsRig(t)
	_, cam := fakeCamera(t, rtsptest.Options{Behavior: rtsptest.Frozen})
	r.clips.Source = &rtsp.Prober{}
	r.clips.CaptureStartTimeout = 500 * time.Millisecond

	start := time.Now()
	_, err := r.clips.Capture(context.Background(), r.inc[0].ID, cam, 2*time.Second, police)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("failing took %v: the start timeout is 500ms", took)
	}
	if camera.ErrorCode(err) != camera.EUNAVAILABLE || camera.ErrorField(err) != "camera_id" {
		t.Fatalf("got %v, want unavailable naming camera_id", err)
	}
	msg := camera.ErrorMessage(err)
	for _, want := range []string{`"CG-0001"`, "degraded", "no video"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "s3cret-pw") {
		t.Errorf("message %q contains the password", msg)
	}
	if got := r.list(t); len(got) != 0 {
		t.Errorf("files left: %v", got)
	}
}

func TestCaptureDownCameraFailsFast(t *testing.T) {
	r := newClipsRig(t)
	fc, cam := fakeCamera(t, rtsptest.Options{})
	fc.Close()
	r.clips.Source = &rtsp.Prober{}
	start := time.Now()
	_, err := r.clips.Capture(context.Background(), r.inc[0].ID, cam, time.Second, police)
	if time.Since(start) > time.Second || camera.ErrorCode(err) != camera.EUNAVAILABLE || !strings.Contains(err.Error(), "down") {
		t.Errorf("got %v after %v, want a fast failure saying the camera is down", err, time.Since(start))
	}
	if _, err := r.clips.Capture(context.Background(), r.inc[0].ID, cam, 301*time.Second, police); camera.ErrorField(err) != "duration" {
		t.Errorf("301 s: %v", err)
	}
	if _, err := r.clips.Capture(context.Background(), "nope", cam, time.Second, police); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Errorf("unknown incident: %v", err)
	}
}

// scriptSource is a VideoSource that plays access units from a list and
// then waits for ctx, like a camera that goes quiet.
type scriptSource struct {
	track camera.VideoTrack
	aus   []camera.AccessUnit
}

func (s *scriptSource) Capture(ctx context.Context, _ string, fn func(camera.VideoTrack, camera.AccessUnit) (bool, error)) error {
	for _, au := range s.aus {
		more, err := fn(s.track, au)
		if err != nil || !more {
			return err
		}
	}
	<-ctx.Done()
	return &rtsp.CaptureError{State: camera.StateUp, Reason: camera.ReasonTimeout, Detail: "deadline"}
}

func TestCaptureStartsAtKeyframe(t *testing.T) {
	r := newClipsRig(t)
	cam := registrytest.Camera("CG-0001", "Song Bình")
	var aus []camera.AccessUnit
	for i := range 60 {
		au := camera.AccessUnit{PTS: time.Duration(i) * 40 * time.Millisecond, NALUs: [][]byte{testP}}
		au.DTS = au.PTS
		if i == 10 || i == 35 {
			au.KeyFrame, au.NALUs = true, [][]byte{testSPS, testPPS, testIDR}
		}
		aus = append(aus, au)
	}
	r.clips.Source = &scriptSource{aus: aus}
	clip, err := r.clips.Capture(context.Background(), r.inc[0].ID, cam, time.Second, police)
	if err != nil {
		t.Fatal(err)
	}
	if clip.Width != 640 || clip.Height != 480 || clip.Duration != 1 {
		t.Errorf("clip %+v, want 640x480 and 1 s from the first keyframe", clip)
	}
	f, _ := r.files.Open(clip.ID)
	defer f.Close()
	pkt, err := mp4.NewDemuxer(f).ReadPacket()
	if err != nil || !pkt.IsKeyFrame {
		t.Errorf("first sample keyframe %v, %v", pkt.IsKeyFrame, err)
	}

	// Pictures but never a keyframe: a clear error at the start timeout.
	r.clips.Source = &scriptSource{aus: aus[:10]}
	r.clips.CaptureStartTimeout = 200 * time.Millisecond
	_, err = r.clips.Capture(context.Background(), r.inc[0].ID, cam, time.Second, police)
	if camera.ErrorCode(err) != camera.EUNAVAILABLE || !strings.Contains(err.Error(), "no keyframe") {
		t.Errorf("got %v, want no keyframe", err)
	}
}
