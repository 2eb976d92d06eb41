package rtsp

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/bluenviron/gortsplib/v5/pkg/base"
	"github.com/bluenviron/gortsplib/v5/pkg/format"

	"github.com/matthan/matthan/camera"
)

func TestStatusReason(t *testing.T) {
	tests := []struct {
		code   base.StatusCode
		state  camera.HealthState
		reason string
	}{
		{401, camera.StateAuthFailed, camera.ReasonAuthFailed},
		{301, camera.StateDown, camera.ReasonRedirect},
		{302, camera.StateDown, camera.ReasonRedirect},
		{305, camera.StateDown, camera.ReasonRedirect},
		{403, camera.StateDown, "status_403"},
		{404, camera.StateDown, "status_404"},
		{454, camera.StateDown, "status_454"},
		{503, camera.StateDown, "status_503"},
		{999, camera.StateDown, "status_999"},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(int(tt.code)), func(t *testing.T) {
			state, reason := statusReason(tt.code)
			if state != tt.state || reason != tt.reason {
				t.Errorf("statusReason(%d) = %s, %s, want %s, %s", tt.code, state, reason, tt.state, tt.reason)
			}
		})
	}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string // successive reads
		ok     bool     // every chunk passes
		rtsp   bool     // spoke() afterwards
	}{
		{"rtsp answer", []string{"RTSP/1.0 200 OK\r\n"}, true, true},
		{"rtsp one byte at a time", []string{"R", "T", "S", "P", "/", "1"}, true, true},
		{"rtsp after stray line ends", []string{"\r\n", "RTSP/1.0 200 OK\r\n"}, true, true},
		{"http", []string{"HTTP/1.1 400 Bad Request\r\n"}, false, false},
		{"http one byte at a time", []string{"H"}, false, false},
		{"almost rtsp", []string{"RTSQ"}, false, false},
		{"binary", []string{"\x00\xff"}, false, false},
		{"garbage after a good first message is gortsplib's business", []string{"RTSP/1.0 200 OK\r\n", "\x00\xff"}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &sniffConn{}
			ok := true
			for _, ch := range tt.chunks {
				ok = ok && c.sniff([]byte(ch))
			}
			if ok != tt.ok {
				t.Errorf("sniff = %v, want %v", ok, tt.ok)
			}
			if got, _ := c.spoke(); got != tt.rtsp {
				t.Errorf("spoke = %v, want %v", got, tt.rtsp)
			}
		})
	}
}

func TestScrub(t *testing.T) {
	tests := []struct {
		name, rawURL, text string
		gone               []string
	}{
		{
			name:   "password echoed raw",
			rawURL: "rtsp://admin:Hik12345@10.0.0.7/Streaming/Channels/101",
			text:   "camera says: bad password Hik12345 for admin:Hik12345",
			gone:   []string{"Hik12345", "admin:Hik12345"},
		},
		{
			name:   "escaped password",
			rawURL: "rtsp://admin:p%40ss%2Fw0rd@10.0.0.7/live",
			text:   "got p@ss/w0rd and admin:p%40ss%2Fw0rd",
			gone:   []string{"p@ss/w0rd", "p%40ss%2Fw0rd"},
		},
		{
			name:   "user only",
			rawURL: "rtsp://operator@10.0.0.7/live",
			text:   "user operator rejected",
			gone:   []string{"operator"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.rawURL)
			if err != nil {
				t.Fatal(err)
			}
			got := scrub(tt.text, secretsOf(tt.rawURL, u.User))
			for _, g := range tt.gone {
				if strings.Contains(got, g) {
					t.Errorf("scrub(%q) = %q, still contains %q", tt.text, got, g)
				}
			}
		})
	}
}

func TestShortPasswordIsNotScrubbedFromWords(t *testing.T) {
	u, _ := url.Parse("rtsp://a:b@10.0.0.7/live")
	text := "10.0.0.7:554 has a video track: h264"
	if got := scrub(text, secretsOf(u.String(), u.User)); got != text {
		t.Errorf("scrub = %q, want the text unchanged %q", got, text)
	}
}

func TestCleanEcho(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Hikvision-Webs", "Hikvision-Webs"},
		{"  Dahua Rtsp Server/3.0\r\n", "Dahua Rtsp Server/3.0"},
		{"bad\x00\x1b[31mred", "bad??[31mred"},
		{"\xff\xfeutf", "??utf"},
		{"Máy chủ Việt", "Máy chủ Việt"},
		{strings.Repeat("x", 200), strings.Repeat("x", maxEcho) + "…"},
	}
	for _, tt := range tests {
		if got := cleanEcho(tt.in); got != tt.want {
			t.Errorf("cleanEcho(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCodecName(t *testing.T) {
	tests := []struct {
		f    format.Format
		want string
	}{
		{&format.H264{}, "h264"},
		{&format.H265{}, "h265"},
		{&format.MJPEG{}, "mjpeg"},
		{&format.MPEG4Video{}, "mpeg4"},
		{&format.AV1{}, "av1"},
		{&format.VP9{}, "vp9"},
		{&format.Generic{PayloadTyp: 98, RTPMa: "H266/90000"}, "h266"},
	}
	for _, tt := range tests {
		if got := codecName(tt.f); got != tt.want {
			t.Errorf("codecName(%T) = %q, want %q", tt.f, got, tt.want)
		}
	}
}
