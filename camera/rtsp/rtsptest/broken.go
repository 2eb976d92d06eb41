package rtsptest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Fault is a way for the peer on a camera's port to misbehave. Each one is a
// failure seen in the field, or an attack a probe must survive without
// hanging, leaking a socket or reading unbounded data.
type Fault int

// Faults.
const (
	// Silent accepts the connection, reads, and never answers: a camera
	// whose RTSP task is hung (probe reason timeout).
	Silent Fault = iota
	// Garbage sends binary junk as soon as a client connects (not_rtsp).
	Garbage
	// EndlessHeader starts a valid answer, then sends a header line that
	// never ends (bad_response).
	EndlessHeader
	// HugeBody answers DESCRIBE with a 10 MB SDP body (bad_response).
	HugeBody
	// Drip sends a valid answer one byte per DripInterval (timeout).
	Drip
	// Found answers DESCRIBE with 302 Found and a Location (redirect).
	Found
	// MovedPermanently answers DESCRIBE with 301 and a Location (redirect).
	MovedPermanently
	// Unauthorized answers every request with 401, whatever the
	// credentials (auth_failed).
	Unauthorized
	// HangUp closes the connection in the middle of its first answer (reset).
	HangUp
	// HTTP is a plain HTTP server on the camera's port (not_rtsp).
	HTTP
)

var faultNames = [...]string{
	"silent", "garbage", "endless_header", "huge_body", "drip",
	"found", "moved_permanently", "unauthorized", "hang_up", "http",
}

// String returns the fault's name, e.g. "endless_header".
func (f Fault) String() string {
	if f >= 0 && int(f) < len(faultNames) {
		return faultNames[f]
	}
	return fmt.Sprintf("fault(%d)", int(f))
}

// Defaults of BrokenOptions.
const (
	DefaultDripInterval = time.Second
	DefaultLocation     = "rtsp://192.0.2.1:554/elsewhere" // TEST-NET-1: routes nowhere
	HugeBodySize        = 10 << 20
)

// BrokenOptions configure a broken server; the zero value is usable.
type BrokenOptions struct {
	// Addr is the listen address; DefaultAddr picks a free loopback port.
	Addr string
	// Location is where Found and MovedPermanently send the client.
	Location string
	// DripInterval is the pause between two bytes of Drip.
	DripInterval time.Duration
}

// Broken is a misbehaving server on a loopback port, written on plain
// net.Listen so that it can break the protocol in ways a real RTSP server
// library refuses to.
type Broken struct {
	fault Fault
	opts  BrokenOptions
	ln    net.Listener
	http  *http.Server

	accepted  atomic.Int64
	stop      chan struct{}
	wg        sync.WaitGroup
	mu        sync.Mutex
	conns     map[net.Conn]struct{}
	closeOnce sync.Once
}

// StartBroken starts a server with the given fault. Call Close to stop it.
func StartBroken(fault Fault, opts BrokenOptions) (*Broken, error) {
	if fault < Silent || fault > HTTP {
		return nil, fmt.Errorf("rtsptest: unknown fault %d", fault)
	}
	if opts.Addr == "" {
		opts.Addr = DefaultAddr
	}
	if opts.Location == "" {
		opts.Location = DefaultLocation
	}
	if opts.DripInterval <= 0 {
		opts.DripInterval = DefaultDripInterval
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("rtsptest: listen: %w", err)
	}
	b := &Broken{fault: fault, opts: opts, ln: ln, stop: make(chan struct{}), conns: map[net.Conn]struct{}{}}

	b.wg.Add(1)
	if fault == HTTP {
		b.http = &http.Server{
			Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				http.Error(w, "camera web interface", http.StatusUnauthorized)
			}),
			ReadHeaderTimeout: 10 * time.Second,
		}
		go func() {
			defer b.wg.Done()
			_ = b.http.Serve(countingListener{ln, &b.accepted})
		}()
	} else {
		go b.acceptLoop()
	}
	return b, nil
}

// URL returns an rtsp:// URL pointing at the server.
func (b *Broken) URL() string { return "rtsp://" + b.Addr() + DefaultPath }

// Addr returns the server's host:port.
func (b *Broken) Addr() string { return b.ln.Addr().String() }

// Accepted returns how many connections the server has accepted.
func (b *Broken) Accepted() int64 { return b.accepted.Load() }

// Close closes the listener and every connection and waits for the
// server's goroutines to end. It may be called more than once.
func (b *Broken) Close() {
	b.closeOnce.Do(func() {
		close(b.stop)
		if b.http != nil {
			_ = b.http.Close()
		} else {
			_ = b.ln.Close()
		}
		b.mu.Lock()
		for c := range b.conns {
			_ = c.Close()
		}
		b.mu.Unlock()
		b.wg.Wait()
	})
}

type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

func (b *Broken) acceptLoop() {
	defer b.wg.Done()
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		b.accepted.Add(1)
		b.mu.Lock()
		select {
		case <-b.stop:
			b.mu.Unlock()
			_ = c.Close()
			return
		default:
		}
		b.conns[c] = struct{}{}
		b.wg.Add(1)
		b.mu.Unlock()
		go b.serve(c)
	}
}

func (b *Broken) serve(c net.Conn) {
	defer b.wg.Done()
	defer func() {
		_ = c.Close()
		b.mu.Lock()
		delete(b.conns, c)
		b.mu.Unlock()
	}()

	br := bufio.NewReaderSize(c, 4096)
	if b.fault == Garbage {
		if _, err := c.Write(garbage); err != nil {
			return
		}
	}
	for {
		req, err := readRequest(br)
		if err != nil {
			return
		}
		if !b.answer(c, req) {
			return
		}
	}
}

// garbage is what Garbage sends: no RTSP, no HTTP, no TLS record.
var garbage = []byte("\x00\xff\x13\x37\x8a\x01junk\x00\x00\x00\x07\xfe\xed\xfa\xce\r\n")

// request is the little the broken server needs of an RTSP request.
type request struct {
	method string
	cseq   string
}

// maxRequestHeader bounds what the server reads of one request.
const maxRequestHeader = 16 << 10

func readRequest(br *bufio.Reader) (request, error) {
	var req request
	total, bodyLen := 0, 0
	for first := true; ; first = false {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return req, err
		}
		if total += len(line); total > maxRequestHeader {
			return req, errors.New("request header too long")
		}
		l := strings.TrimRight(string(line), "\r\n")
		if first {
			req.method, _, _ = strings.Cut(l, " ")
			continue
		}
		if l == "" {
			break
		}
		k, v, _ := strings.Cut(l, ":")
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "cseq":
			req.cseq = strings.TrimSpace(v)
		case "content-length":
			bodyLen, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	if bodyLen > 0 {
		if _, err := io.CopyN(io.Discard, br, int64(bodyLen)); err != nil {
			return req, err
		}
	}
	return req, nil
}

// answer writes the fault's answer to req; false ends the connection.
func (b *Broken) answer(c net.Conn, req request) bool {
	head := func(status string, extra ...string) string {
		s := "RTSP/1.0 " + status + "\r\nCSeq: " + req.cseq + "\r\nServer: rtsptest-broken\r\n"
		for _, e := range extra {
			s += e + "\r\n"
		}
		return s
	}
	ok := head("200 OK", "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN") + "\r\n"

	switch b.fault {
	case Silent, Garbage:
		return true

	case EndlessHeader:
		if _, err := io.WriteString(c, head("200 OK")+"X-Filler: "); err != nil {
			return false
		}
		return b.flood(c, 'a', -1)

	case HugeBody:
		if req.method != "DESCRIBE" {
			_, err := io.WriteString(c, ok)
			return err == nil
		}
		h := head("200 OK", "Content-Type: application/sdp", "Content-Length: "+strconv.Itoa(HugeBodySize)) + "\r\n"
		if _, err := io.WriteString(c, h+"v=0\r\n"); err != nil {
			return false
		}
		return b.flood(c, 'x', HugeBodySize-len("v=0\r\n"))

	case Drip:
		return b.drip(c, ok)

	case Found, MovedPermanently:
		if req.method != "DESCRIBE" {
			_, err := io.WriteString(c, ok)
			return err == nil
		}
		status := "302 Found"
		if b.fault == MovedPermanently {
			status = "301 Moved Permanently"
		}
		_, err := io.WriteString(c, head(status, "Location: "+b.opts.Location)+"\r\n")
		return err == nil

	case Unauthorized:
		_, err := io.WriteString(c, head("401 Unauthorized",
			`WWW-Authenticate: Digest realm="rtsptest", nonce="0123456789abcdef0123456789abcdef"`,
			`WWW-Authenticate: Basic realm="rtsptest"`)+"\r\n")
		return err == nil

	case HangUp:
		whole := head("200 OK", "Content-Type: application/sdp", "Content-Length: 400") + "\r\nv=0\r\n"
		_, _ = io.WriteString(c, whole[:len(whole)/2])
		return false
	}
	return false
}

// flood writes n bytes of x (forever when n < 0) until the client stops
// reading or the server closes.
func (b *Broken) flood(c net.Conn, x byte, n int) bool {
	chunk := []byte(strings.Repeat(string(x), 32<<10))
	for n != 0 {
		select {
		case <-b.stop:
			return false
		default:
		}
		p := chunk
		if n > 0 && n < len(p) {
			p = p[:n]
		}
		if _, err := c.Write(p); err != nil {
			return false
		}
		if n > 0 {
			n -= len(p)
		}
	}
	return true
}

// drip writes s one byte per DripInterval.
func (b *Broken) drip(c net.Conn, s string) bool {
	t := time.NewTicker(b.opts.DripInterval)
	defer t.Stop()
	for i := 0; i < len(s); i++ {
		if _, err := c.Write([]byte{s[i]}); err != nil {
			return false
		}
		select {
		case <-b.stop:
			return false
		case <-t.C:
		}
	}
	return true
}
