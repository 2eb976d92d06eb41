package rtsp_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp"
	"github.com/matthan/matthan/camera/rtsp/rtsptest"
)

// hostileTimeout is short: every hostile peer must be given up on quickly.
// It is also the budget of the peers that answer at once (a 401, a
// redirect), so it must leave room for a loaded machine under -race.
const hostileTimeout = 500 * time.Millisecond

// hostileCase is one misbehaving peer and what the probe must say about it.
type hostileCase struct {
	name string
	// start starts the peer and returns the URL to probe; the peer is
	// closed when the test ends.
	start  func(t *testing.T) string
	state  camera.HealthState
	reason string
}

func brokenURL(f rtsptest.Fault, opts rtsptest.BrokenOptions) func(t *testing.T) string {
	return func(t *testing.T) string { return startBroken(t, f, opts).URL() }
}

// withCreds puts user information in a URL.
func withCreds(f func(t *testing.T) string, scheme string) func(t *testing.T) string {
	return func(t *testing.T) string {
		u, err := url.Parse(f(t))
		if err != nil {
			t.Fatal(err)
		}
		u.Scheme, u.User = scheme, url.UserPassword(user, pass)
		return u.String()
	}
}

func hostileCases() []hostileCase {
	down := camera.StateDown
	return []hostileCase{
		{"accepts and never answers", brokenURL(rtsptest.Silent, rtsptest.BrokenOptions{}), down, camera.ReasonTimeout},
		{"sends garbage", brokenURL(rtsptest.Garbage, rtsptest.BrokenOptions{}), down, camera.ReasonNotRTSP},
		{"endless header line", brokenURL(rtsptest.EndlessHeader, rtsptest.BrokenOptions{}), down, camera.ReasonBadResponse},
		{"10 MB SDP body", brokenURL(rtsptest.HugeBody, rtsptest.BrokenOptions{}), down, camera.ReasonBadResponse},
		{"drips one byte a second", brokenURL(rtsptest.Drip, rtsptest.BrokenOptions{DripInterval: time.Second}), down, camera.ReasonTimeout},
		{"302 redirect", brokenURL(rtsptest.Found, rtsptest.BrokenOptions{}), down, camera.ReasonRedirect},
		{"301 redirect", brokenURL(rtsptest.MovedPermanently, rtsptest.BrokenOptions{}), down, camera.ReasonRedirect},
		{"401 forever without credentials", brokenURL(rtsptest.Unauthorized, rtsptest.BrokenOptions{}), camera.StateAuthFailed, camera.ReasonAuthFailed},
		{"401 forever with credentials", withCreds(brokenURL(rtsptest.Unauthorized, rtsptest.BrokenOptions{}), "rtsp"), camera.StateAuthFailed, camera.ReasonAuthFailed},
		{"closes mid-response", brokenURL(rtsptest.HangUp, rtsptest.BrokenOptions{}), down, camera.ReasonReset},
		{"HTTP server (rtsptest)", brokenURL(rtsptest.HTTP, rtsptest.BrokenOptions{}), down, camera.ReasonNotRTSP},
		{"HTTP server (httptest)", func(t *testing.T) string {
			s := httptest.NewServer(http.NotFoundHandler())
			t.Cleanup(s.Close)
			return "rtsp://" + s.Listener.Addr().String() + "/live"
		}, down, camera.ReasonNotRTSP},
		{"rtsps to a server that sends garbage", withCreds(brokenURL(rtsptest.Garbage, rtsptest.BrokenOptions{}), "rtsps"), down, camera.ReasonTLS},
		{"refused", func(t *testing.T) string {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := ln.Addr().String()
			ln.Close() // nothing listens there any more
			return "rtsp://" + addr + "/live"
		}, down, camera.ReasonRefused},
		{"dns failure", func(*testing.T) string { return "rtsp://nonexistent.invalid/live" }, down, camera.ReasonDNS},
	}
}

// TestProbeHostile probes peers that misbehave and checks that every probe
// ends within its timeout with the specific reason. The cases run one after
// the other: thirty probes at once on two cores would make the peers that
// answer at once miss the short deadline.
func TestProbeHostile(t *testing.T) {
	t.Parallel()
	for _, tt := range hostileCases() {
		for _, deep := range []bool{false, true} {
			name := tt.name
			if deep {
				name += "/deep"
			}
			t.Run(name, func(t *testing.T) {
				p := &rtsp.Prober{Timeout: hostileTimeout}

				got := probeTimed(t, p, tt.start(t), deep)

				if got.State != tt.state || got.Reason != tt.reason {
					t.Errorf("state, reason = %s, %s, want %s, %s (detail %q)", got.State, got.Reason, tt.state, tt.reason, got.Detail)
				}
				if got.Detail == "" {
					t.Errorf("detail is empty")
				}
				if got.Codec != "" || got.Width != 0 {
					t.Errorf("codec, width = %q, %d, want none", got.Codec, got.Width)
				}
				checkNoSecrets(t, got, pass, url.UserPassword(user, pass).String(), user+":")
			})
		}
	}
}

// TestProbeRedirectNotFollowed checks that the probe does not connect to the
// host a redirect names.
func TestProbeRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	elsewhere := startBroken(t, rtsptest.Silent, rtsptest.BrokenOptions{})
	for _, f := range []rtsptest.Fault{rtsptest.Found, rtsptest.MovedPermanently} {
		t.Run(f.String(), func(t *testing.T) {
			b := startBroken(t, f, rtsptest.BrokenOptions{Location: "rtsp://" + elsewhere.Addr() + "/live"})
			got := probeTimed(t, &rtsp.Prober{Timeout: hostileTimeout}, b.URL(), false)
			if got.Reason != camera.ReasonRedirect {
				t.Errorf("reason = %s, want redirect (detail %q)", got.Reason, got.Detail)
			}
			if !strings.Contains(got.Detail, elsewhere.Addr()) {
				t.Errorf("detail = %q, want it to name the redirect target %s", got.Detail, elsewhere.Addr())
			}
		})
	}
	if n := elsewhere.Accepted(); n != 0 {
		t.Errorf("redirect target accepted %d connections, want 0", n)
	}
}

// TestProbeHostileNoLeaks runs the hostile suite several times and checks
// that the process holds as many file descriptors after as before: a probe
// that leaked one socket per failure would exhaust the daemon's limit within
// hours of polling a province. Goroutines are checked by TestMain.
func TestProbeHostileNoLeaks(t *testing.T) {
	// Not parallel: other tests' sockets would change the count.
	if _, err := os.ReadDir("/proc/self/fd"); err != nil {
		t.Skipf("cannot count open files: %v", err)
	}
	round := func() {
		for _, tt := range hostileCases() {
			for _, deep := range []bool{false, true} {
				t.Run(tt.name, func(t *testing.T) {
					probeTimed(t, &rtsp.Prober{Timeout: hostileTimeout}, tt.start(t), deep)
				})
			}
		}
	}
	// The first round opens what the runtime opens once (the network
	// poller, the resolver's files): count after it.
	round()
	before := openFiles(t)
	round()
	round()
	if after := openFiles(t); after != before {
		t.Errorf("open files = %d after two rounds of hostile probes, want %d as before", after, before)
	}
}

func openFiles(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatalf("count open files: %v", err)
	}
	return len(ents)
}
