package camera

import (
	"net/url"
	"strings"
)

// Credentials reach a camera in two places of its URL: the user
// information (rtsp://user:pass@host/...), and, on cameras that take them
// so (rtsp://host/cam/realmonitor?channel=1&user=admin&password=X), query
// parameters. Both are split off when a URL comes in: the camera keeps a
// public URL that may be shown to anyone, and write-only Credentials that
// only StreamURL puts back, for the probe and the clip capture.
//
// Query credentials are kept with their places among the parameters
// (Credentials.Query), because some cameras read their parameters in a
// fixed order: the URL dialled is the URL given, byte for byte in its
// query.

// credentialParams are the names of query parameters that carry a
// credential, compared without regard to case once percent-decoded.
var credentialParams = [...]string{"password", "pass", "pwd", "passwd", "user", "username", "token", "auth", "key", "secret"}

// IsCredentialParam reports whether a query parameter whose name is
// written rawName in a URL (percent-encoded, as in the URL) carries a
// credential: password, pass, pwd, passwd, user, username, token, auth,
// key or secret, in any case. A name that cannot be percent-decoded
// counts as one: what it says cannot be told, so it is kept secret.
func IsCredentialParam(rawName string) bool {
	name := rawName
	if strings.ContainsAny(name, "%+") {
		n, err := url.QueryUnescape(name)
		if err != nil {
			return true
		}
		name = n
	}
	name = strings.TrimSpace(name)
	for _, p := range credentialParams {
		if strings.EqualFold(name, p) {
			return true
		}
	}
	return false
}

// paramName returns the name part of one name=value piece of a query.
func paramName(piece string) string {
	if i := strings.IndexByte(piece, '='); i >= 0 {
		return piece[:i]
	}
	return piece
}

// queryHasCredentials reports whether the raw query q has a credential
// parameter. It allocates nothing for the usual query without one.
func queryHasCredentials(q string) bool {
	for q != "" {
		piece := q
		if i := strings.IndexByte(q, '&'); i >= 0 {
			piece, q = q[:i], q[i+1:]
		} else {
			q = ""
		}
		if piece != "" && IsCredentialParam(paramName(piece)) {
			return true
		}
	}
	return false
}

// rawQueryOf returns the raw query of a URL written raw: what follows the
// first '?' up to any '#'.
func rawQueryOf(raw string) string {
	i := strings.IndexByte(raw, '?')
	if i < 0 {
		return ""
	}
	q := raw[i+1:]
	if j := strings.IndexByte(q, '#'); j >= 0 {
		q = q[:j]
	}
	return q
}

// MayHoldCredentials reports whether the URL written raw may carry
// credentials: it has an '@' (user information) or a credential query
// parameter. A URL for which it is false needs no SplitRTSPURL.
func MayHoldCredentials(raw string) bool {
	return strings.IndexByte(raw, '@') >= 0 || queryHasCredentials(rawQueryOf(raw))
}

// splitQuery splits the raw query q into its public parameters, in their
// order, and the credential ones at their places: q with every other
// parameter emptied ("&user=admin&password=X&" for
// "channel=1&user=admin&password=X&subtype=0"). secret is "" when q has
// no credential parameter.
func splitQuery(q string) (public, secret string) {
	if !queryHasCredentials(q) {
		return q, ""
	}
	pieces := strings.Split(q, "&")
	pub := make([]string, 0, len(pieces))
	for i, p := range pieces {
		if p != "" && IsCredentialParam(paramName(p)) {
			continue
		}
		pub = append(pub, p)
		pieces[i] = ""
	}
	return strings.Join(pub, "&"), strings.Join(pieces, "&")
}

// joinQuery puts the credential parameters of secret (a Credentials.Query)
// back among the public parameters of public: each empty place of secret
// takes the next public parameter, and public parameters left over go at
// the end. With the public query that splitQuery gave, it is the query
// as given. A public query changed since (a camera moved to another
// channel) keeps the credentials at their places. The one query it cannot
// rebuild is one of credentials and empty parameters only ("password=X&"):
// empty parameters carry nothing, and it drops them.
func joinQuery(public, secret string) string {
	if secret == "" {
		return public
	}
	var pub []string
	if public != "" {
		pub = strings.Split(public, "&")
	}
	places := strings.Split(secret, "&")
	out := make([]string, 0, len(places)+len(pub))
	for _, s := range places {
		switch {
		case s != "":
			out = append(out, s)
		case len(pub) > 0:
			out = append(out, pub[0])
			pub = pub[1:]
		}
	}
	return strings.Join(append(out, pub...), "&")
}

// SplitRTSPURL checks an rtsp:// or rtsps:// URL and splits its
// credentials off it — the user information, and the query parameters
// that carry credentials (IsCredentialParam) — so that the URL can be
// shown and the credentials kept apart. The other query parameters stay,
// in their order. The returned error never repeats the URL: it may hold
// a password.
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
	u.RawQuery, creds.Query = splitQuery(u.RawQuery)
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
	switch {
	case c.Credentials.Password != "":
		u.User = url.UserPassword(c.Credentials.Username, c.Credentials.Password)
	case c.Credentials.Username != "":
		u.User = url.User(c.Credentials.Username)
	}
	u.RawQuery = joinQuery(u.RawQuery, c.Credentials.Query)
	return u.String()
}

// LiftURLCredentials moves credential query parameters found in
// c.RTSPURL into c.Credentials. A camera stored before query parameters
// counted as credentials may hold some in its URL; the registry calls
// this on every camera it reads, so that such a camera reads as if it had
// been stored now, and its next write stores them apart. Credentials
// already stored in the query are kept. It reports whether c changed.
func (c *Camera) LiftURLCredentials() bool {
	if !queryHasCredentials(rawQueryOf(c.RTSPURL)) {
		return false
	}
	clean, creds, err := SplitRTSPURL(c.RTSPURL)
	if err != nil {
		return false
	}
	c.RTSPURL = clean
	if c.Credentials.Query == "" {
		c.Credentials.Query = creds.Query
	}
	if c.Credentials.Username == "" && c.Credentials.Password == "" {
		c.Credentials.Username, c.Credentials.Password = creds.Username, creds.Password
	}
	return true
}

// redacted replaces a secret shown in a message.
const redacted = "xxxxx"

// RedactQuery returns the raw query q with the value of every credential
// parameter replaced by "xxxxx" (user=xxxxx&password=xxxxx), for messages
// about a URL a person typed.
func RedactQuery(q string) string {
	if !queryHasCredentials(q) {
		return q
	}
	pieces := strings.Split(q, "&")
	for i, p := range pieces {
		if p == "" || !IsCredentialParam(paramName(p)) {
			continue
		}
		pieces[i] = paramName(p) + "=" + redacted
	}
	return strings.Join(pieces, "&")
}

// RedactURL returns raw with any password and the values of credential
// query parameters replaced by "xxxxx", the user name of the user
// information kept, for messages about a URL a person typed.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		out := raw
		if i := strings.LastIndex(out, "@"); i >= 0 {
			out = "rtsp://(redacted)@" + out[i+1:]
		}
		if i := strings.IndexByte(out, '?'); i >= 0 && queryHasCredentials(rawQueryOf(out)) {
			out = out[:i] + "?(redacted)"
		}
		return out
	}
	u.RawQuery = RedactQuery(u.RawQuery)
	return u.Redacted()
}
