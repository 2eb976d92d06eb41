package rtsp_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp"
	"github.com/matthan/matthan/camera/rtsp/rtsptest"
)

const (
	user = "operator"
	pass = "Ch0-Gao:50@%/ü"
	// passBasic has no ':', which gortsplib's server cannot split off a
	// Basic authorization (the client sends it correctly).
	passBasic = "Ch0-Gao-50@%/ü"
	// queryCreds is the query of a camera that takes its credentials
	// there, with the password queryPass.
	queryPass  = "Qpw-7Xk2-m9"
	queryCreds = "channel=1&user=admin&password=" + queryPass + "&subtype=0"
)

// TestProbeFakeCameras probes real RTSP servers (gortsplib) that behave like
// the cameras found in the field.
func TestProbeFakeCameras(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts rtsptest.Options
		// url builds the probed URL; nil means the camera's own URL.
		url  func(c *rtsptest.Camera) string
		deep bool

		state         camera.HealthState
		reason        string
		codec         string
		width, height int
		server        string
	}{
		{
			name:  "shallow streaming 1080p",
			state: camera.StateUp, reason: camera.ReasonOK, codec: "h264", width: 1920, height: 1080, server: "rtsptest",
		},
		{
			name: "deep streaming 480p", deep: true,
			opts:  rtsptest.Options{Width: 640, Height: 480},
			state: camera.StateUp, reason: camera.ReasonOK, codec: "h264", width: 640, height: 480, server: "rtsptest",
		},
		{
			name:  "shallow with params in band learns no size",
			opts:  rtsptest.Options{ParamsInBand: true, Width: 1280, Height: 720},
			state: camera.StateUp, reason: camera.ReasonOK, codec: "h264", server: "rtsptest",
		},
		{
			name: "deep with params in band learns size from packets", deep: true,
			opts:  rtsptest.Options{ParamsInBand: true, Width: 1280, Height: 720},
			state: camera.StateUp, reason: camera.ReasonOK, codec: "h264", width: 1280, height: 720, server: "rtsptest",
		},
		{
			name:  "shallow frozen looks up",
			opts:  rtsptest.Options{Behavior: rtsptest.Frozen},
			state: camera.StateUp, reason: camera.ReasonOK, codec: "h264", width: 1920, height: 1080, server: "rtsptest",
		},
		{
			name: "deep frozen has no frames", deep: true,
			opts:  rtsptest.Options{Behavior: rtsptest.Frozen, Width: 352, Height: 288},
			state: camera.StateDegraded, reason: camera.ReasonNoFrames, codec: "h264", width: 352, height: 288, server: "rtsptest",
		},
		{
			name:  "audio only",
			opts:  rtsptest.Options{Behavior: rtsptest.AudioOnly},
			state: camera.StateDegraded, reason: camera.ReasonNoVideoTrack, server: "rtsptest",
		},
		{
			name: "deep audio only", deep: true,
			opts:  rtsptest.Options{Behavior: rtsptest.AudioOnly},
			state: camera.StateDegraded, reason: camera.ReasonNoVideoTrack, server: "rtsptest",
		},
		{
			name:  "not found",
			opts:  rtsptest.Options{Behavior: rtsptest.NotFound},
			state: camera.StateDown, reason: "status_404", server: "rtsptest",
		},
		{
			name:  "wrong path",
			url:   func(c *rtsptest.Camera) string { return "rtsp://" + c.Addr() + "/Streaming/Channels/102" },
			state: camera.StateDown, reason: "status_404", server: "rtsptest",
		},
		{
			name:  "basic auth with the right credentials",
			opts:  rtsptest.Options{Username: user, Password: passBasic, Auth: rtsptest.AuthBasic},
			url:   func(c *rtsptest.Camera) string { return c.URLWithCredentials(user, passBasic) },
			state: camera.StateUp, reason: camera.ReasonOK, codec: "h264", width: 1920, height: 1080, server: "rtsptest",
		},
		{
			name: "digest auth with the right credentials, deep", deep: true,
			opts:  rtsptest.Options{Username: user, Password: pass, Auth: rtsptest.AuthDigest},
			url:   func(c *rtsptest.Camera) string { return c.URLWithCredentials(user, pass) },
			state: camera.StateUp, reason: camera.ReasonOK, codec: "h264", width: 1920, height: 1080, server: "rtsptest",
		},
		{
			name:  "digest auth with a wrong password",
			opts:  rtsptest.Options{Username: user, Password: pass, Auth: rtsptest.AuthDigest},
			url:   func(c *rtsptest.Camera) string { return c.URLWithCredentials(user, "wrong-"+pass) },
			state: camera.StateAuthFailed, reason: camera.ReasonAuthFailed, server: "rtsptest",
		},
		{
			name:  "basic auth with a wrong user",
			opts:  rtsptest.Options{Username: user, Password: passBasic, Auth: rtsptest.AuthBasic},
			url:   func(c *rtsptest.Camera) string { return c.URLWithCredentials("admin", passBasic) },
			state: camera.StateAuthFailed, reason: camera.ReasonAuthFailed, server: "rtsptest",
		},
		{
			name:  "credentials required but none given",
			opts:  rtsptest.Options{Username: user, Password: pass},
			state: camera.StateAuthFailed, reason: camera.ReasonAuthFailed, server: "rtsptest",
		},
		{
			name:  "query credentials, shallow",
			opts:  rtsptest.Options{Query: queryCreds, Server: "cam " + queryPass},
			url:   func(c *rtsptest.Camera) string { return c.URLWithQuery() },
			state: camera.StateUp, reason: camera.ReasonOK, codec: "h264", width: 1920, height: 1080, server: "cam xxxxx",
		},
		{
			name: "query credentials, deep", deep: true,
			opts:  rtsptest.Options{Query: queryCreds},
			url:   func(c *rtsptest.Camera) string { return c.URLWithQuery() },
			state: camera.StateUp, reason: camera.ReasonOK, codec: "h264", width: 1920, height: 1080, server: "rtsptest",
		},
		{
			name: "query credentials in another order", // the camera reads them in its own
			opts: rtsptest.Options{Query: queryCreds},
			url: func(c *rtsptest.Camera) string {
				return c.URL() + "?channel=1&password=" + queryPass + "&user=admin&subtype=0"
			},
			state: camera.StateAuthFailed, reason: camera.ReasonAuthFailed, server: "rtsptest",
		},
		{
			name: "query credentials with a wrong password",
			opts: rtsptest.Options{Query: queryCreds},
			url: func(c *rtsptest.Camera) string {
				return c.URL() + "?channel=1&user=admin&password=wrong-q-pw&subtype=0"
			},
			state: camera.StateAuthFailed, reason: camera.ReasonAuthFailed, server: "rtsptest",
		},
		{
			name:  "server header is recorded",
			opts:  rtsptest.Options{Server: "Hikvision-Webs/5.5"},
			state: camera.StateUp, reason: camera.ReasonOK, codec: "h264", width: 1920, height: 1080, server: "Hikvision-Webs/5.5",
		},
		{
			name:  "server header echoing the password is scrubbed",
			opts:  rtsptest.Options{Username: user, Password: pass, Server: "cam " + pass},
			url:   func(c *rtsptest.Camera) string { return c.URLWithCredentials(user, pass) },
			state: camera.StateUp, reason: camera.ReasonOK, codec: "h264", width: 1920, height: 1080, server: "cam xxxxx",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := startCamera(t, tt.opts)
			url := c.URL()
			if tt.url != nil {
				url = tt.url(c)
			}
			p := &rtsp.Prober{Timeout: 2 * time.Second}
			if tt.reason == camera.ReasonNoFrames {
				p.Timeout = 400 * time.Millisecond // the probe waits for the whole deadline
			}

			got := probeTimed(t, p, url, tt.deep)

			if got.State != tt.state || got.Reason != tt.reason {
				t.Fatalf("state, reason = %s, %s, want %s, %s (detail %q)", got.State, got.Reason, tt.state, tt.reason, got.Detail)
			}
			if got.Codec != tt.codec || got.Width != tt.width || got.Height != tt.height {
				t.Errorf("codec, size = %q %dx%d, want %q %dx%d", got.Codec, got.Width, got.Height, tt.codec, tt.width, tt.height)
			}
			if got.Server != tt.server {
				t.Errorf("server = %q, want %q", got.Server, tt.server)
			}
			if got.Deep != tt.deep {
				t.Errorf("deep = %v, want %v", got.Deep, tt.deep)
			}
			if got.Latency <= 0 || got.Latency > p.Timeout {
				t.Errorf("latency = %v, want within (0, %v]", got.Latency, p.Timeout)
			}
			if got.At.IsZero() {
				t.Errorf("at is zero")
			}
			if got.Detail == "" || !strings.Contains(got.Detail, c.Addr()) {
				t.Errorf("detail = %q, want a sentence naming %s", got.Detail, c.Addr())
			}
			checkNoSecrets(t, got, pass, passBasic, user+":", "wrong-", queryPass, "password=")
		})
	}
}

// TestProbeBehaviorChanges checks that one fake camera can fail and recover
// on the same URL, as the poller's tests need.
func TestProbeBehaviorChanges(t *testing.T) {
	t.Parallel()
	c := startCamera(t, rtsptest.Options{})
	p := &rtsp.Prober{Timeout: 2 * time.Second}
	steps := []struct {
		b      rtsptest.Behavior
		reason string
	}{
		{rtsptest.Streaming, camera.ReasonOK},
		{rtsptest.NotFound, "status_404"},
		{rtsptest.AudioOnly, camera.ReasonNoVideoTrack},
		{rtsptest.Streaming, camera.ReasonOK},
	}
	for i, s := range steps {
		c.SetBehavior(s.b)
		if got := probeTimed(t, p, c.URL(), true); got.Reason != s.reason {
			t.Errorf("step %d (%v): reason = %s, want %s (detail %q)", i, s.b, got.Reason, s.reason, got.Detail)
		}
	}
	if got, want := c.Describes(), int64(len(steps)); got != want {
		t.Errorf("describes = %d, want %d", got, want)
	}
}

// TestProbeBadURL checks that URLs the probe cannot use give a result, not a
// panic, and that the result does not repeat them.
func TestProbeBadURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, url, reason string
	}{
		{"empty", "", camera.ReasonNoURL},
		{"http scheme", "http://10.0.0.1/stream", camera.ReasonBadURL},
		{"no scheme with credentials", "admin:s3cretpw@10.0.0.1/stream", camera.ReasonBadURL},
		{"no host", "rtsp:///stream", camera.ReasonBadURL},
		{"unclosed ipv6 with credentials", "rtsp://admin:s3cretpw@[::1/stream", camera.ReasonBadURL},
		{"port out of range", "rtsp://admin:s3cretpw@10.0.0.1:99999/stream", camera.ReasonBadURL},
		{"port not a number", "rtsp://10.0.0.1:abc/stream", camera.ReasonBadURL},
		{"control character", "rtsp://admin:s3cretpw@10.0.0.1/a\x7fb\n", camera.ReasonBadURL},
		{"too long", "rtsp://10.0.0.1/" + strings.Repeat("a", 3000), camera.ReasonBadURL},
	}
	p := &rtsp.Prober{Timeout: time.Second}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.Probe(context.Background(), tt.url, true)
			if got.State != camera.StateDown || got.Reason != tt.reason {
				t.Errorf("state, reason = %s, %s, want down, %s", got.State, got.Reason, tt.reason)
			}
			if got.Detail == "" {
				t.Errorf("detail is empty")
			}
			checkNoSecrets(t, got, "s3cretpw", "admin")
		})
	}
}

// TestProbeCanceled checks that a probe cancelled by its caller ends at once
// and reports that it learnt nothing.
func TestProbeCanceled(t *testing.T) {
	t.Parallel()
	b := startBroken(t, rtsptest.Silent, rtsptest.BrokenOptions{})

	t.Run("before it starts", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		got := (&rtsp.Prober{}).Probe(ctx, b.URL(), false)
		if got.State != camera.StateUnknown || got.Reason != camera.ReasonCanceled {
			t.Errorf("state, reason = %s, %s, want unknown, canceled", got.State, got.Reason)
		}
	})

	t.Run("while waiting for an answer", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		connected := make(chan struct{})
		p := &rtsp.Prober{
			Timeout: time.Minute, // only the cancel may end this probe
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
				close(connected)
				return c, err
			},
		}
		done := make(chan camera.ProbeResult)
		go func() { done <- p.Probe(ctx, b.URL(), false) }()
		<-connected
		cancel()
		select {
		case got := <-done:
			if got.State != camera.StateUnknown || got.Reason != camera.ReasonCanceled {
				t.Errorf("state, reason = %s, %s, want unknown, canceled", got.State, got.Reason)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("probe did not end within 5s of its cancellation")
		}
	})
}

// TestProbeDeadlineFromContext checks that ctx's deadline wins over Timeout.
func TestProbeDeadlineFromContext(t *testing.T) {
	t.Parallel()
	b := startBroken(t, rtsptest.Silent, rtsptest.BrokenOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	got := (&rtsp.Prober{Timeout: time.Minute}).Probe(ctx, b.URL(), false)
	if took := time.Since(start); took > 300*time.Millisecond+slack {
		t.Errorf("probe took %v, want about 300ms", took)
	}
	if got.Reason != camera.ReasonTimeout {
		t.Errorf("reason = %s, want timeout", got.Reason)
	}
}

// TestProbeNow checks that At comes from the Prober's clock.
func TestProbeNow(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 3, 5, 21, 40, 0, 0, time.UTC)
	got := (&rtsp.Prober{Now: func() time.Time { return at }}).Probe(context.Background(), "", false)
	if !got.At.Equal(at) {
		t.Errorf("at = %v, want %v", got.At, at)
	}
}
