package api

import (
	"errors"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
)

// Defaults of the body deadlines (Options).
const (
	// DefaultBodyTimeout is the whole time a JSON body may take to
	// arrive: a camera is under 2 KiB, a phone on a poor link sends it in
	// a second or two.
	DefaultBodyTimeout = 30 * time.Second
	// DefaultMinUploadRate is the least average rate, in bytes a second,
	// that an import or a clip upload must keep once its grace period is
	// over: 10 KiB/s is a poor 2G link.
	DefaultMinUploadRate = 10 << 10
	// DefaultUploadGrace is the time an upload may take before the
	// minimum rate applies (a slow start, a multipart preamble).
	DefaultUploadGrace = 10 * time.Second
)

const bodyKey = "matthan.body"

// bodyDeadline bounds how long a request body may take to arrive, so that
// clients trickling bodies (a byte every few seconds) cannot hold
// connections and handlers for minutes. A body is held to the JSON
// deadline (bodyTimeout, the whole body) unless its handler declares it
// an upload (upload), which holds it to a minimum average rate instead.
//
// The deadline is the connection's read deadline, set through
// http.ResponseController when the request starts and moved before each
// read of the body: a read past it fails, the handler answers 408, and
// the server closes the connection (the rest of the body cannot be read). Once the body has been read to
// its end the deadline is lifted, so that a handler working on a body it
// has received (an import writing a million rows) is not cut off.
func (s *Server) bodyDeadline() gin.HandlerFunc {
	return func(c *gin.Context) {
		r := c.Request
		if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
			c.Next()
			return
		}
		b := &deadlineBody{
			body:    r.Body,
			rc:      http.NewResponseController(c.Writer),
			start:   time.Now(), // the connection's clock, not Options.Now
			timeout: s.bodyTimeout,
		}
		// Set now, not at the first read: a handler that answers without
		// reading the body (a 401) leaves the server to read and discard
		// it before the next request, and that read must not wait on a
		// client that trickles either.
		b.set = b.deadline()
		_ = b.rc.SetReadDeadline(b.set)
		r.Body = b
		c.Set(bodyKey, b)
		c.Next()
		// The server judges what is left of the body by its own type.
		r.Body = b.body
	}
}

// upload declares the request's body an upload: from now on it is held
// to the minimum rate (after the grace period) rather than the JSON
// deadline. Call it before reading the body.
func (s *Server) upload(c *gin.Context) {
	if b, ok := c.Get(bodyKey); ok {
		b.(*deadlineBody).setRate(s.minUploadRate, s.uploadGrace)
	}
}

// bodyTimeoutError returns the 408 of a request whose body was cut off
// for arriving too slowly, whatever error its handler made of the failed
// read (the server also cancels the request's context then).
func bodyTimeoutError(c *gin.Context) error {
	if b, ok := c.Get(bodyKey); ok {
		return b.(*deadlineBody).timeoutError()
	}
	return nil
}

// deadlineBody is a request body read under a deadline.
type deadlineBody struct {
	body    io.ReadCloser
	rc      *http.ResponseController
	start   time.Time
	timeout time.Duration // the whole body's, when rate is 0

	mu       sync.Mutex
	rate     int64 // bytes a second; 0 = the JSON deadline
	grace    time.Duration
	n        int64     // bytes read so far
	set      time.Time // the deadline last set
	done     bool      // read to its end: the deadline is lifted
	timedOut bool
}

func (b *deadlineBody) setRate(rate int64, grace time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rate, b.grace = rate, grace
}

// deadline is when the body must have sent its next byte: the JSON
// deadline, or for an upload the time by which the bytes read so far
// would keep the average rate, counted after the grace period.
func (b *deadlineBody) deadline() time.Time {
	if b.rate <= 0 {
		return b.start.Add(b.timeout)
	}
	return b.start.Add(b.grace + time.Duration(float64(b.n)/float64(b.rate)*float64(time.Second)))
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	if b.done {
		b.mu.Unlock()
		return b.body.Read(p)
	}
	if d := b.deadline(); !d.Equal(b.set) {
		// A writer that is not a server connection's (a test recorder)
		// does not support deadlines: the body is then read without.
		_ = b.rc.SetReadDeadline(d)
		b.set = d
	}
	b.mu.Unlock()

	n, err := b.body.Read(p)

	b.mu.Lock()
	defer b.mu.Unlock()
	b.n += int64(n)
	switch {
	case errors.Is(err, io.EOF):
		b.done = true
		_ = b.rc.SetReadDeadline(time.Time{})
	case errors.Is(err, os.ErrDeadlineExceeded):
		b.timedOut = true
		return n, b.timeoutErrorLocked()
	}
	return n, err
}

func (b *deadlineBody) Close() error { return b.body.Close() }

func (b *deadlineBody) timeoutError() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.timedOut {
		return nil
	}
	return b.timeoutErrorLocked()
}

func (b *deadlineBody) timeoutErrorLocked() error {
	if b.rate <= 0 {
		return camera.Errorf(camera.ETIMEOUT, "body", "did not arrive within %v: the connection was closed", b.timeout)
	}
	return camera.Errorf(camera.ETIMEOUT, "body", "arrived slower than %d bytes a second (after the first %v): the connection was closed, nothing was stored", b.rate, b.grace)
}
