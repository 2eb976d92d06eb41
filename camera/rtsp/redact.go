package rtsp

import (
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/matthan/matthan/camera"
)

// minSecretLen is the shortest password scrubbed by its raw text. A shorter
// one ("1", "ab") would match ordinary words of a sentence and mangle it; the
// details are built from templates that never insert the password, so the
// scrub is a second line of defence against a camera that echoes it back.
const minSecretLen = 4

// secretsOf lists the strings of rawURL's user information that must never
// appear in a result: the raw and the decoded user information and the
// password, longest first so that a replacement does not leave a part behind.
func secretsOf(rawURL string, user *url.Userinfo) []string {
	var s []string
	if i := strings.Index(rawURL, "://"); i >= 0 {
		rest := rawURL[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			s = append(s, rest[:at])
		}
	}
	s = append(s, user.String())
	if pass, ok := user.Password(); ok {
		s = append(s, user.Username()+":"+pass)
		if len(pass) >= minSecretLen {
			s = append(s, pass, url.QueryEscape(pass), url.PathEscape(pass))
		}
	}
	out := s[:0]
	for _, x := range s {
		if len(x) >= minSecretLen {
			out = append(out, x)
		}
	}
	return out
}

// querySecretsOf lists the strings of the credential parameters of the raw
// query q (camera.IsCredentialParam) that must never appear in a result:
// each name=value as written, and each value as written and decoded, when
// long enough to scrub.
func querySecretsOf(q string) []string {
	var s []string
	for _, piece := range strings.Split(q, "&") {
		name, value, _ := strings.Cut(piece, "=")
		if piece == "" || !camera.IsCredentialParam(name) {
			continue
		}
		s = append(s, piece, value)
		if v, err := url.QueryUnescape(value); err == nil {
			s = append(s, v)
		}
	}
	out := s[:0]
	for _, x := range s {
		if len(x) >= minSecretLen {
			out = append(out, x)
		}
	}
	return out
}

// longestFirst sorts secrets so that a replacement does not leave a part
// of a longer one behind (a value inside its name=value).
func longestFirst(secrets []string) {
	slices.SortStableFunc(secrets, func(a, b string) int { return len(b) - len(a) })
}

// scrub replaces every secret in text.
func scrub(text string, secrets []string) string {
	for _, s := range secrets {
		if s != "" {
			text = strings.ReplaceAll(text, s, "xxxxx")
		}
	}
	return text
}

// maxEcho is the longest piece of peer-supplied text (a Server header, a
// status message, the first bytes of a non-RTSP answer) copied into a result.
const maxEcho = 96

// cleanEcho makes peer-supplied text safe to store and show: control
// characters and invalid UTF-8 become '?', and it is cut at maxEcho runes.
// Cameras are hostile input as far as the database is concerned.
func cleanEcho(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if n == maxEcho {
			b.WriteString("…")
			break
		}
		if r == utf8.RuneError && size <= 1 || unicode.IsControl(r) {
			r = '?'
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
