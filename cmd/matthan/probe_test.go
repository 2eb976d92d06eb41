package main

import (
	"encoding/json"
	"net"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp/rtsptest"
)

const (
	probeUser     = "installer"
	probePassword = "Cam-pass-4417"
)

// startCamera starts a fake camera with probeUser's credentials, closed at
// the end of the test.
func startCamera(t *testing.T, opts rtsptest.Options) *rtsptest.Camera {
	t.Helper()
	opts.Username, opts.Password = probeUser, probePassword
	cam, err := rtsptest.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cam.Close)
	return cam
}

// refusedURL returns an RTSP URL on a loopback port where nothing
// listens: a listener opened and closed.
func refusedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "rtsp://" + probeUser + ":" + probePassword + "@" + addr + "/live"
}

func TestProbe(t *testing.T) {
	up := startCamera(t, rtsptest.Options{Server: "Hikvision-Webs", Width: 1280, Height: 720})
	notFound := startCamera(t, rtsptest.Options{Behavior: rtsptest.NotFound})
	frozen := startCamera(t, rtsptest.Options{Behavior: rtsptest.Frozen})
	audio := startCamera(t, rtsptest.Options{Behavior: rtsptest.AudioOnly})
	withCreds := func(c *rtsptest.Camera) string { return c.URLWithCredentials(probeUser, probePassword) }

	tests := []struct {
		name string
		args []string
		code int
		want []string // lines or parts of lines of stdout, in order
	}{
		{"up", []string{withCreds(up)}, 0, []string{
			"rtsp://" + probeUser + ":xxxxx@" + up.Addr() + "/live (quick probe: OPTIONS, DESCRIBE)",
			"✔ up — H264 1280×720, ", " ms, server: Hikvision-Webs",
			"add --deep",
		}},
		{"up, deep", []string{"--deep", withCreds(up)}, 0, []string{
			"(deep probe: up to the first video frame)",
			"✔ up — H264 1280×720, ",
		}},
		{"wrong password", []string{up.URLWithCredentials(probeUser, "old-password")}, 1, []string{
			"✘ auth_failed — the camera refused the user name or password",
			"what happened: " + up.Addr() + " answered DESCRIBE with 401 Unauthorized: the credentials were refused",
			"server: Hikvision-Webs",
		}},
		{"no credentials", []string{up.URL()}, 1, []string{
			"✘ auth_failed — the camera wants a user name and password: put them in the URL",
		}},
		{"not found", []string{withCreds(notFound)}, 1, []string{
			"✘ down: status_404 — the camera has no stream at that path",
			"answered DESCRIBE with 404 Not Found",
		}},
		{"frozen, deep", []string{"--deep", "--timeout", "700ms", withCreds(frozen)}, 1, []string{
			"(deep probe: up to the first video frame)",
			"⚠ degraded: no_frames — the stream describes video but sends no frames",
			"video H264 1920×1080",
		}},
		{"audio only", []string{withCreds(audio)}, 1, []string{
			"⚠ degraded: no_video_track — the stream has no video track",
		}},
		{"refused", []string{refusedURL(t)}, 1, []string{
			"✘ down: refused — nothing listens on that port",
			"refused the connection",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, nil, append([]string{"probe"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			rest := out
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Errorf("stdout lacks %q (in order):\n%s", w, out)
					break
				}
				rest = rest[i+len(w):]
			}
			if strings.Contains(out+errOut, probePassword) || strings.Contains(out+errOut, "old-password") {
				t.Errorf("the output shows the password:\n%s%s", out, errOut)
			}
		})
	}
}

func TestProbeJSON(t *testing.T) {
	up := startCamera(t, rtsptest.Options{Server: "Dahua Rtsp Server"})
	frozen := startCamera(t, rtsptest.Options{Behavior: rtsptest.Frozen})
	tests := []struct {
		name   string
		args   []string
		code   int
		state  camera.HealthState
		reason string
	}{
		{"up", []string{up.URLWithCredentials(probeUser, probePassword)}, 0, camera.StateUp, camera.ReasonOK},
		{"wrong password", []string{up.URLWithCredentials(probeUser, "nope-nope")}, 1, camera.StateAuthFailed, camera.ReasonAuthFailed},
		{"frozen, deep", []string{"--deep", "--timeout=500ms", frozen.URLWithCredentials(probeUser, probePassword)}, 1, camera.StateDegraded, camera.ReasonNoFrames},
		{"refused", []string{refusedURL(t)}, 1, camera.StateDown, camera.ReasonRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, nil, append([]string{"probe", "--json"}, tt.args...)...)
			if code != tt.code || errOut != "" {
				t.Errorf("exit %d, stderr %q; want %d and nothing", code, errOut, tt.code)
			}
			var res camera.ProbeResult
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("stdout is not a probe result: %v\n%s", err, out)
			}
			if res.State != tt.state || res.Reason != tt.reason {
				t.Errorf("state %s, reason %s; want %s, %s", res.State, res.Reason, tt.state, tt.reason)
			}
			if res.At.IsZero() || res.Deep != strings.HasPrefix(tt.args[0], "--deep") {
				t.Errorf("at %v, deep %v", res.At, res.Deep)
			}
			if tt.state == camera.StateUp && (res.Codec != "h264" || res.Width != 1920 || res.Server != "Dahua Rtsp Server" || res.Latency <= 0) {
				t.Errorf("up result %+v lacks the codec, size, server or latency", res)
			}
			if strings.Contains(out, probePassword) || strings.Contains(out, "nope-nope") {
				t.Errorf("the JSON shows the password:\n%s", out)
			}
		})
	}
}

func TestProbeUsage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no URL", []string{"probe"}, "matthan probe: missing URL"},
		{"two URLs", []string{"probe", "rtsp://a/x", "rtsp://b/y"}, `unexpected argument "rtsp://b/y"`},
		{"not RTSP", []string{"probe", "http://admin:s3cret-pw@cam/x"}, "URL must start with rtsp:// or rtsps://, not http://"},
		{"no scheme", []string{"probe", "admin:s3cret-pw@192.168.1.64:554"}, "URL has no scheme: write rtsp://USER:PASSWORD@192.168.1.64:554/path"},
		{"no host", []string{"probe", "rtsp:///live"}, "URL must name a host"},
		{"zero timeout", []string{"probe", "--timeout", "0s", "rtsp://cam/x"}, "--timeout must be more than 0, got 0s"},
		{"bad timeout", []string{"probe", "--timeout", "5", "rtsp://cam/x"}, `invalid value "5" for flag --timeout`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, nil, tt.args...)
			if code != exitUsage || out != "" || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2, nothing, %q", code, out, errOut, tt.stderr)
			}
			if strings.Contains(errOut, "s3cret-pw") {
				t.Errorf("the usage error repeats the password: %s", errOut)
			}
		})
	}
}

// TestProbeQueryCredentials: a camera that takes its credentials in the
// URL's query (Dahua's realmonitor?channel=1&user=…&password=…) is probed
// with them, and neither the text, the JSON nor a usage error prints them:
// the URL shows user=xxxxx&password=xxxxx.
func TestProbeQueryCredentials(t *testing.T) {
	const (
		qUser = "q-installer"
		qPass = "Qcam-pass-8823"
	)
	query := "channel=1&user=" + qUser + "&password=" + qPass + "&subtype=0"
	cam, err := rtsptest.Start(rtsptest.Options{Path: "/cam/realmonitor", Query: query, Server: "Dahua Rtsp Server"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cam.Close)
	redacted := "rtsp://" + cam.Addr() + "/cam/realmonitor?channel=1&user=xxxxx&password=xxxxx&subtype=0"
	wrong := cam.URL() + "?channel=1&user=" + qUser + "&password=old-q-password&subtype=0"
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"up", []string{cam.URLWithQuery()}, 0, []string{redacted + " (quick probe: OPTIONS, DESCRIBE)", "✔ up — H264 1920×1080, "}},
		{"up, deep", []string{"--deep", cam.URLWithQuery()}, 0, []string{redacted + " (deep probe: up to the first video frame)", "✔ up — H264"}},
		{"wrong password", []string{wrong}, 1, []string{"✘ auth_failed — the camera refused the user name or password", "answered DESCRIBE with 401 Unauthorized: the credentials were refused"}},
		{"json", []string{"--json", cam.URLWithQuery()}, 0, []string{`"state": "up"`}},
		{"no scheme", []string{cam.Addr() + "/cam/realmonitor?" + query}, exitUsage, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, nil, append([]string{"probe"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			rest := out
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Errorf("stdout lacks %q (in order):\n%s", w, out)
					break
				}
				rest = rest[i+len(w):]
			}
			for _, secret := range []string{qPass, qUser, "old-q-password"} {
				if strings.Contains(out+errOut, secret) {
					t.Errorf("the output shows %q:\n%s%s", secret, out, errOut)
				}
			}
		})
	}
	_, errOut, _ := runCLI(t, nil, "probe", cam.Addr()+"/cam/realmonitor?"+query)
	if want := "URL has no scheme: write rtsp://" + cam.Addr() + "/cam/realmonitor?channel=1&user=xxxxx&password=xxxxx&subtype=0"; !strings.Contains(errOut, want) {
		t.Errorf("usage error %q, want %q", errOut, want)
	}
}
