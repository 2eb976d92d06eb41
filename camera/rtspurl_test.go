package camera_test

import (
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
)

// TestSplitRTSPURLQueryCredentials: credential query parameters leave the
// public URL, the others stay in their order, and StreamURL dials the URL
// exactly as given.
func TestSplitRTSPURLQueryCredentials(t *testing.T) {
	tests := []struct {
		name, raw, public string
		secrets           []string // values that must not be in the public URL
	}{
		{"dahua", "rtsp://192.0.2.7:554/cam/realmonitor?channel=1&user=admin&password=S3cr3t-Q&subtype=0",
			"rtsp://192.0.2.7:554/cam/realmonitor?channel=1&subtype=0", []string{"admin", "S3cr3t-Q"}},
		{"any case", "rtsp://h/live?PassWord=Xy-9z&CHANNEL=2&Token=tok-7781", "rtsp://h/live?CHANNEL=2", []string{"Xy-9z", "tok-7781"}},
		{"every name", "rtsp://h/s?pass=a1&pwd=a2&passwd=a3&user=a4&username=a5&token=a6&auth=a7&key=a8&secret=a9&ch=1",
			"rtsp://h/s?ch=1", []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"}},
		{"percent-encoded name", "rtsp://h/s?pass%77ord=enc-pw-1&ch=1", "rtsp://h/s?ch=1", []string{"enc-pw-1"}},
		{"encoded value", "rtsp://h/s?ch=1&password=a%26b%3Dc", "rtsp://h/s?ch=1", []string{"a%26b%3Dc"}},
		{"undecodable name kept secret", "rtsp://h/s?ch=1&pass%zzword=odd-pw", "rtsp://h/s?ch=1", []string{"odd-pw"}},
		{"only credentials", "rtsp://h/s?user=u-only&password=p-only", "rtsp://h/s", []string{"u-only", "p-only"}},
		{"credential first", "rtsp://h/s?password=first-pw&ch=1&subtype=0", "rtsp://h/s?ch=1&subtype=0", []string{"first-pw"}},
		{"empty parameters kept", "rtsp://h/s?a=1&&password=emp-pw&b=", "rtsp://h/s?a=1&&b=", []string{"emp-pw"}},
		{"name without value", "rtsp://h/s?ch=1&token", "rtsp://h/s?ch=1", nil},
		{"both places", "rtsp://ui-user:ui-pass@h:8554/s?ch=3&key=k-both", "rtsp://h:8554/s?ch=3", []string{"ui-pass", "k-both", "ui-user"}},
		{"no credentials", "rtsp://h/s?channel=1&subtype=0&keyframe=1&authority=x", "rtsp://h/s?channel=1&subtype=0&keyframe=1&authority=x", nil},
		{"no query", "rtsp://h:554/Streaming/Channels/101", "rtsp://h:554/Streaming/Channels/101", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clean, creds, err := camera.SplitRTSPURL(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			if clean != tt.public {
				t.Errorf("public URL = %q, want %q", clean, tt.public)
			}
			for _, s := range tt.secrets {
				if strings.Contains(clean, s) {
					t.Errorf("public URL %q holds %q", clean, s)
				}
			}
			c := &camera.Camera{RTSPURL: clean, Credentials: creds}
			if got, want := c.HasCredentials(), clean != tt.raw; got != want {
				t.Errorf("HasCredentials = %v, want %v", got, want)
			}
			if got := c.StreamURL(); got != tt.raw {
				t.Errorf("StreamURL = %q, want the URL as given %q", got, tt.raw)
			}
			if _, again, _ := camera.SplitRTSPURL(clean); !again.Empty() {
				t.Errorf("the public URL still holds credentials: %+v", again)
			}
		})
	}
}

// TestStreamURLChangedQuery: a public query changed after the credentials
// were stored keeps them at their places.
func TestStreamURLChangedQuery(t *testing.T) {
	_, creds, err := camera.SplitRTSPURL("rtsp://h/cam?channel=1&user=admin&password=pw-1&subtype=0")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ public, want string }{
		{"rtsp://h/cam?channel=2&subtype=1", "rtsp://h/cam?channel=2&user=admin&password=pw-1&subtype=1"},
		{"rtsp://h/cam?channel=2", "rtsp://h/cam?channel=2&user=admin&password=pw-1"},
		{"rtsp://h/cam", "rtsp://h/cam?user=admin&password=pw-1"},
		{"rtsp://other:8554/cam?channel=1&subtype=0&extra=1", "rtsp://other:8554/cam?channel=1&user=admin&password=pw-1&subtype=0&extra=1"},
	}
	for _, tt := range tests {
		c := &camera.Camera{RTSPURL: tt.public, Credentials: creds}
		if got := c.StreamURL(); got != tt.want {
			t.Errorf("StreamURL of %q = %q, want %q", tt.public, got, tt.want)
		}
	}
}

func TestIsCredentialParam(t *testing.T) {
	for name, want := range map[string]bool{
		"password": true, "PASSWORD": true, "Pwd": true, "pass%77ord": true, "%75ser": true, "token": true, "KEY": true,
		"secret": true, "auth": true, "username": true, "passwd": true, "pass": true, " user": true, "%20user": true,
		"pass%zz": true, // undecodable: kept secret
		"channel": false, "subtype": false, "keyframe": false, "authority": false, "user_id": false, "": false, "passwords": false,
	} {
		if got := camera.IsCredentialParam(name); got != want {
			t.Errorf("IsCredentialParam(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"rtsp://admin:pw-9@h/s", "rtsp://admin:xxxxx@h/s"},
		{"rtsp://h/cam/realmonitor?channel=1&user=admin&password=S3cr3t&subtype=0", "rtsp://h/cam/realmonitor?channel=1&user=xxxxx&password=xxxxx&subtype=0"},
		{"rtsp://h/s?Pass%77ord=enc-1", "rtsp://h/s?Pass%77ord=xxxxx"},
		{"rtsp://h/s?channel=1", "rtsp://h/s?channel=1"},
		{"rtsp://h:bad port/s?password=unparsed-1", "rtsp://h:bad port/s?(redacted)"},
	}
	for _, tt := range tests {
		if got := camera.RedactURL(tt.raw); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}

// TestLiftURLCredentials: a camera stored before query parameters counted
// as credentials reads with them split off; one stored since is left as
// it is.
func TestLiftURLCredentials(t *testing.T) {
	old := &camera.Camera{RTSPURL: "rtsp://h/cam?channel=1&password=legacy-pw", Credentials: camera.Credentials{Username: "u", Password: "p"}}
	if !old.LiftURLCredentials() {
		t.Fatal("LiftURLCredentials changed nothing")
	}
	if old.RTSPURL != "rtsp://h/cam?channel=1" || old.Credentials.Username != "u" || old.Credentials.Password != "p" {
		t.Errorf("lifted camera = %q %+v", old.RTSPURL, old.Credentials)
	}
	if got, want := old.StreamURL(), "rtsp://u:p@h/cam?channel=1&password=legacy-pw"; got != want {
		t.Errorf("StreamURL = %q, want %q", got, want)
	}
	for _, u := range []string{"rtsp://h/cam?channel=1", "", "not a URL?password=x y%"} {
		c := &camera.Camera{RTSPURL: u}
		if c.LiftURLCredentials() || c.RTSPURL != u {
			t.Errorf("LiftURLCredentials changed %q to %q", u, c.RTSPURL)
		}
	}
}

// TestValidateQueryCredentials: a camera whose URL still holds credential
// parameters is refused, without the secret in the message.
func TestValidateQueryCredentials(t *testing.T) {
	c := &camera.Camera{ID: "CG-1", Name: "x", RTSPURL: "rtsp://h/cam?password=leak-me-1"}
	c.ApplyDefaults()
	err := c.Validate()
	if camera.ErrorField(err) != "rtsp_url" || strings.Contains(err.Error(), "leak-me-1") {
		t.Errorf("Validate = %v, want an rtsp_url error without the secret", err)
	}
}

func TestValidateCostBound(t *testing.T) {
	for _, tt := range []struct {
		cost  int64
		field string
	}{{0, ""}, {camera.MaxVND, ""}, {camera.MaxVND + 1, "cost_vnd"}, {1<<63 - 1, "cost_vnd"}, {-1, "cost_vnd"}} {
		c := &camera.Camera{ID: "CG-1", Name: "x", CostVND: tt.cost}
		c.ApplyDefaults()
		err := c.Validate()
		if got := camera.ErrorField(err); got != tt.field {
			t.Errorf("cost %d: error %v, want field %q", tt.cost, err, tt.field)
		}
		if tt.cost > camera.MaxVND && !strings.Contains(err.Error(), "at most 10.000.000.000.000 ₫") {
			t.Errorf("cost %d: message %q does not give the bound", tt.cost, err)
		}
	}
}

func TestAddVND(t *testing.T) {
	const maxInt, minInt = 1<<63 - 1, -1 << 63
	for _, tt := range []struct {
		a, b, want int64
		ok         bool
	}{
		{1, 2, 3, true}, {maxInt, 0, maxInt, true}, {maxInt, 1, maxInt, false}, {maxInt, maxInt, maxInt, false},
		{minInt, -1, minInt, false}, {-5, 3, -2, true}, {maxInt, -1, maxInt - 1, true},
	} {
		got, ok := camera.AddVND(tt.a, tt.b)
		if got != tt.want || ok != tt.ok {
			t.Errorf("AddVND(%d, %d) = %d, %v; want %d, %v", tt.a, tt.b, got, ok, tt.want, tt.ok)
		}
	}
}
