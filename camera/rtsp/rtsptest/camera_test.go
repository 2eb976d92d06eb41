package rtsptest_test

import (
	"net/url"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/matthan/matthan/camera/rtsp/rtsptest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestStartRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts rtsptest.Options
		want string
	}{
		{"odd width", rtsptest.Options{Width: 641, Height: 480}, "must be even"},
		{"only width", rtsptest.Options{Width: 640}, "out of range"},
		{"path without slash", rtsptest.Options{Path: "live"}, "must start with /"},
		{"password without user", rtsptest.Options{Password: "x"}, "needs a user name"},
		{"basic with colon", rtsptest.Options{Username: "u", Password: "a:b", Auth: rtsptest.AuthBasic}, "containing ':'"},
		{"unknown behavior", rtsptest.Options{Behavior: 42}, "unknown behavior"},
		{"bad address", rtsptest.Options{Addr: "256.0.0.1:0"}, "start server"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := rtsptest.Start(tt.opts)
			if err == nil {
				c.Close()
				t.Fatalf("Start: no error, want one containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Start: error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestCameraURLs(t *testing.T) {
	c, err := rtsptest.Start(rtsptest.Options{Path: "/Streaming/Channels/101"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	defer c.Close() // Close may be called twice

	if got, want := c.URL(), "rtsp://"+c.Addr()+"/Streaming/Channels/101"; got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
	u, err := url.Parse(c.URLWithCredentials("admin", "p@ss:wd"))
	if err != nil {
		t.Fatalf("URLWithCredentials does not parse: %v", err)
	}
	if pw, _ := u.User.Password(); u.User.Username() != "admin" || pw != "p@ss:wd" {
		t.Errorf("credentials = %q, %q, want admin, p@ss:wd", u.User.Username(), pw)
	}
	if !strings.HasPrefix(c.Addr(), "127.0.0.1:") || strings.HasSuffix(c.Addr(), ":0") {
		t.Errorf("Addr = %q, want a real loopback port", c.Addr())
	}
}

func TestBehaviorString(t *testing.T) {
	for b, want := range map[rtsptest.Behavior]string{
		rtsptest.Streaming: "streaming", rtsptest.Frozen: "frozen",
		rtsptest.AudioOnly: "audio_only", rtsptest.NotFound: "not_found", 9: "behavior(9)",
	} {
		if got := b.String(); got != want {
			t.Errorf("Behavior(%d).String() = %q, want %q", int(b), got, want)
		}
	}
}

func TestBrokenStartsAndCloses(t *testing.T) {
	for f := rtsptest.Silent; f <= rtsptest.HTTP; f++ {
		t.Run(f.String(), func(t *testing.T) {
			b, err := rtsptest.StartBroken(f, rtsptest.BrokenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(b.URL(), "rtsp://127.0.0.1:") {
				t.Errorf("URL = %q, want rtsp://127.0.0.1:port/...", b.URL())
			}
			b.Close()
			b.Close()
		})
	}
	if _, err := rtsptest.StartBroken(99, rtsptest.BrokenOptions{}); err == nil {
		t.Error("StartBroken(99): no error, want one")
	}
}
