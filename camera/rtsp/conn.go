package rtsp

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"sync"
)

// errNotRTSP is returned by a read on a connection whose peer answered with
// something other than an RTSP message. gortsplib silently skips bytes it
// does not recognise and would wait for the whole deadline; an HTTP server or
// a telnet banner on the camera's port is better reported at once.
var errNotRTSP = errors.New("peer does not speak RTSP")

// errRedial is returned when gortsplib dials a second time within one probe.
// With the TCP transport the only cause is a redirect, which the probe does
// not follow: the camera's registered URL is what must work, and following a
// camera's Location would let it send the prober anywhere.
var errRedial = errors.New("redirect not followed")

// tlsError marks a failed TLS handshake on an rtsps:// connection.
type tlsError struct{ err error }

func (e *tlsError) Error() string { return "tls handshake: " + e.err.Error() }
func (e *tlsError) Unwrap() error { return e.err }

// rtspMagic is how every RTSP response starts.
const rtspMagic = "RTSP/"

// sniffConn watches the first bytes a camera sends. Only the first message
// is checked: after it, gortsplib's own parser is the judge.
//
// Read is called by gortsplib's single reader goroutine; the verdict is read
// by the probe after gortsplib has handed back a result, so a mutex suffices.
type sniffConn struct {
	net.Conn

	mu      sync.Mutex
	matched int    // bytes of rtspMagic seen so far
	decided bool   // the first message has been judged
	isRTSP  bool   // its verdict
	head    []byte // the first bytes received, for the detail of a non-RTSP answer
	readErr error  // the first error of the underlying connection
}

// Read implements net.Conn.
func (c *sniffConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 && !c.sniff(b[:n]) {
		return 0, errNotRTSP
	}
	if err != nil {
		c.mu.Lock()
		if c.readErr == nil {
			c.readErr = err
		}
		c.mu.Unlock()
	}
	return n, err
}

// lastReadErr returns the first error the connection itself returned. When
// a camera hangs up in the middle of a header, gortsplib reports a parse
// error ("value is missing"); this is how the probe knows the real cause.
func (c *sniffConn) lastReadErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.readErr
}

// sniff reports whether the bytes read so far may still be RTSP.
func (c *sniffConn) sniff(b []byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.decided {
		return c.isRTSP
	}
	if len(c.head) < 24 {
		c.head = append(c.head, b[:min(len(b), 24-len(c.head))]...)
	}
	for _, x := range b {
		if c.matched == 0 && (x == '\r' || x == '\n') {
			// Stray line ends before a message are tolerated by RTSP
			// peers, and by gortsplib.
			continue
		}
		if x != rtspMagic[c.matched] {
			c.decided, c.isRTSP = true, false
			return false
		}
		c.matched++
		if c.matched == len(rtspMagic) {
			c.decided, c.isRTSP = true, true
			return true
		}
	}
	return true
}

// spoke reports whether the peer has started an RTSP answer, and returns the
// first bytes it sent.
func (c *sniffConn) spoke() (rtsp bool, head string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.matched > 0 && (c.isRTSP || !c.decided), string(c.head)
}

// dial is the DialContext given to gortsplib for rtsp:// and, through
// dialTLS, rtsps:// URLs. It refuses a second connection (see errRedial) and
// wraps the connection so that its first bytes are checked.
func (r *run) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	r.mu.Lock()
	if r.dialed {
		r.mu.Unlock()
		return nil, errRedial
	}
	r.dialed = true
	r.mu.Unlock()

	// An address in the URL is judged before anything is dialled, by
	// whichever dialer; a name is judged by the default dialer once
	// resolved (Prober.Networks).
	if host, _, err := net.SplitHostPort(addr); err == nil {
		if err := r.p.Networks.CheckHost(host); err != nil {
			return nil, err
		}
	}
	nc, err := r.p.dialContext()(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		// Close with a reset rather than a FIN, as HAProxy does for its
		// health checks: the side that closes first keeps the socket in
		// TIME_WAIT for a minute, and a prober closing thousands of
		// connections a minute would pile them up and slow every new
		// connect(): BenchmarkProbeDescribe fell from 3,700 to 1,400
		// probes/s on its second run with a FIN, and holds 6,000–7,500
		// run after run with a reset. By then the exchange is over; for a
		// deep probe gortsplib has already written its TEARDOWN.
		_ = tc.SetLinger(0)
	}
	if r.t.secure {
		cfg := &tls.Config{}
		if r.p.TLSConfig != nil {
			cfg = r.p.TLSConfig.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = r.t.host
		}
		tc := tls.Client(nc, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, &tlsError{err}
		}
		nc = tc
	}

	sc := &sniffConn{Conn: nc}
	r.mu.Lock()
	r.conn = sc
	r.step = stepOptions
	r.mu.Unlock()
	return sc, nil
}
