package rtsp

import (
	"context"
	"crypto/tls"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/bluenviron/gortsplib/v5/pkg/base"

	"github.com/matthan/matthan/camera"
)

// Defaults used when the matching Prober field is zero.
const (
	// DefaultTimeout bounds a probe whose context has no deadline. It is
	// generous because cheap cameras on rural links take seconds to answer
	// DESCRIBE, and a false "down" costs a police officer a trip.
	DefaultTimeout = 10 * time.Second

	// DefaultUserAgent is sent with every request, so that camera owners who
	// read their logs can tell the probe from a viewer.
	DefaultUserAgent = "matthan-probe/1"
)

// Prober probes RTSP cameras: it connects, asks OPTIONS and DESCRIBE and, for
// a deep probe, plays the video until the first packet arrives.
//
// The zero value is ready to use. Set the fields before the first Probe and
// do not change them afterwards; a Prober is then safe for concurrent use and
// holds no connection between probes.
type Prober struct {
	// Timeout bounds a probe whose ctx has no deadline; zero means
	// DefaultTimeout. When ctx has a deadline, the deadline alone counts.
	Timeout time.Duration

	// DialContext opens the TCP connection to the camera; nil means a
	// net.Dialer (one that enforces Networks). Tests use it to count
	// connections. A DialContext of the caller's sees only addresses
	// that Networks allows when the URL names an IP address; it must
	// check what a host name resolves to itself.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)

	// Networks are the addresses the prober may connect to; nil allows
	// every address. An IP address in the URL is checked before any
	// dial; a host name after it is resolved, on the very address about
	// to be connected to, so that no name can lead the prober into a
	// denied network. A forbidden camera is down, reason denied
	// (camera.ReasonDenied), and no packet is sent to it.
	Networks *camera.NetPolicy

	// TLSConfig is used for rtsps:// URLs; nil means the system defaults
	// (certificate verified against the host name). Cameras often carry
	// self-signed certificates: the operator decides whether to trust them.
	TLSConfig *tls.Config

	// UserAgent is sent with every request; empty means DefaultUserAgent.
	UserAgent string

	// Now stamps ProbeResult.At; nil means time.Now. Durations are measured
	// with the monotonic clock whatever Now returns.
	Now func() time.Time
}

// Probe checks the camera at rawURL and reports what it found. It returns no
// error: every failure, including a malformed URL, is a ProbeResult with a
// state and a reason (see classify.go for the mapping).
//
// rawURL may carry credentials (rtsp://user:pass@host/path, or query
// parameters such as ?user=admin&password=X, see camera.IsCredentialParam);
// the user information is used for Basic or Digest authentication, the
// query is sent as it is, and neither appears anywhere in the result.
//
// A shallow probe (deep false) connects and asks OPTIONS and DESCRIBE: the
// camera is up when its SDP lists a video track. A deep probe then SETUPs the
// video track over TCP, PLAYs it and waits for the first video packet.
//
// The whole probe ends by ctx's deadline, or after p.Timeout when ctx has
// none. When ctx is cancelled (not timed out) the result has state unknown
// and reason canceled: the probe learned nothing about the camera.
func (p *Prober) Probe(ctx context.Context, rawURL string, deep bool) camera.ProbeResult {
	res := camera.ProbeResult{At: p.now(), Deep: deep}

	t, o := parseTarget(rawURL)
	if o != nil {
		o.fill(&res, t)
		return res
	}

	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.timeout())
		defer cancel()
	}

	r := newRun(ctx, p, t)
	r.probe(deep).fill(&res, t)
	return res
}

func (p *Prober) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Prober) timeout() time.Duration {
	if p.Timeout > 0 {
		return p.Timeout
	}
	return DefaultTimeout
}

func (p *Prober) userAgent() string {
	if p.UserAgent != "" {
		return p.UserAgent
	}
	return DefaultUserAgent
}

// defaultDialer is stateless, so sharing it between Probers is safe. It
// turns TCP keep-alives off: a probe's connection lives for seconds, a
// capture's carries video all the time, and the four setsockopt calls
// that set keep-alives up were 4 of the 26 system calls of a shallow
// probe (strace -c of a node at 400 probes/s). A CPU saving was too
// small to show through the spread of BenchmarkProbeCPU.
var defaultDialer = &net.Dialer{KeepAlive: -1}

func (p *Prober) dialContext() func(ctx context.Context, network, addr string) (net.Conn, error) {
	switch {
	case p.DialContext != nil:
		return p.DialContext
	case p.Networks != nil:
		// Control sees the resolved address before connect(2).
		return (&net.Dialer{KeepAlive: -1, Control: p.Networks.Control}).DialContext
	}
	return defaultDialer.DialContext
}

// target is a parsed camera URL. Only url holds the credentials, and it is
// handed to gortsplib and to nothing else.
type target struct {
	url      *base.URL
	secure   bool   // rtsps
	host     string // host name or address, for DNS messages and TLS
	hostPort string // host:port, the only form of the address put in results
	creds    bool   // the URL carries credentials: user information or query parameters
	secrets  []string
}

// parseTarget checks rawURL. On failure it returns a down outcome whose
// detail does not repeat the URL, because the URL may hold a password even
// when it is malformed.
func parseTarget(rawURL string) (*target, *outcome) {
	if rawURL == "" {
		return nil, &outcome{state: camera.StateDown, reason: camera.ReasonNoURL, detail: "the camera has no RTSP URL"}
	}
	bad := func(why string) (*target, *outcome) {
		return nil, &outcome{state: camera.StateDown, reason: camera.ReasonBadURL, detail: "the RTSP URL " + why}
	}
	if len(rawURL) > camera.MaxURLLen {
		return bad("is too long")
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return bad("is not a valid URL")
	}
	if u.Scheme != "rtsp" && u.Scheme != "rtsps" {
		// The scheme is not quoted: "user:pass@host" parses with the
		// user name as its scheme.
		return bad("must start with rtsp:// or rtsps://")
	}
	if u.Hostname() == "" {
		return bad("names no host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return bad("has an invalid port")
		}
	}
	// gortsplib's own parser escapes '%' in user information; use it so that
	// passwords with '%' authenticate the same way gortsplib would.
	bu, err := base.ParseURL(rawURL)
	if err != nil {
		return bad("is not a valid RTSP URL")
	}

	t := &target{
		url:    bu,
		secure: u.Scheme == "rtsps",
		host:   u.Hostname(),
	}
	port := u.Port()
	if port == "" {
		port = "554"
		if t.secure {
			port = "322"
		}
	}
	t.hostPort = net.JoinHostPort(t.host, port)
	if u.User != nil {
		t.creds = true
		t.secrets = secretsOf(rawURL, u.User)
	}
	if q := querySecretsOf(u.RawQuery); len(q) > 0 {
		t.creds = true
		t.secrets = append(t.secrets, q...)
		longestFirst(t.secrets)
	}
	return t, nil
}
