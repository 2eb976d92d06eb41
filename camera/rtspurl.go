package camera

import (
	"net/url"
	"strings"
)

// SplitRTSPURL checks an rtsp:// or rtsps:// URL and splits any user
// information off it, so that the URL can be shown and the credentials kept
// apart. The returned error never repeats the URL: it may hold a password.
func SplitRTSPURL(raw string) (clean string, creds Credentials, err error) {
	if len(raw) > MaxURLLen {
		return "", Credentials{}, Errorf(EINVALID, "rtsp_url", "must be at most %d bytes", MaxURLLen)
	}
	u, perr := url.Parse(raw)
	if perr != nil {
		return "", Credentials{}, Errorf(EINVALID, "rtsp_url", "is not a valid URL")
	}
	if u.Scheme != "rtsp" && u.Scheme != "rtsps" {
		return "", Credentials{}, Errorf(EINVALID, "rtsp_url", "must start with rtsp:// or rtsps://")
	}
	if u.Hostname() == "" {
		return "", Credentials{}, Errorf(EINVALID, "rtsp_url", "must name a host")
	}
	if u.User != nil {
		creds.Username = u.User.Username()
		creds.Password, _ = u.User.Password()
		u.User = nil
	}
	return u.String(), creds, nil
}

// StreamURL returns the camera's RTSP URL with its credentials put back, for
// the probe and the clip capture only. Never log or return it.
func (c *Camera) StreamURL() string {
	if c.RTSPURL == "" || c.Credentials.Empty() {
		return c.RTSPURL
	}
	u, err := url.Parse(c.RTSPURL)
	if err != nil {
		return c.RTSPURL
	}
	if c.Credentials.Password != "" {
		u.User = url.UserPassword(c.Credentials.Username, c.Credentials.Password)
	} else {
		u.User = url.User(c.Credentials.Username)
	}
	return u.String()
}

// RedactURL returns raw with any password replaced by "xxxxx" and the user
// name kept, for messages about a URL a person typed.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.LastIndex(raw, "@"); i >= 0 {
			return "rtsp://(redacted)@" + raw[i+1:]
		}
		return raw
	}
	return u.Redacted()
}
