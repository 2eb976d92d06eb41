package rtsp

import (
	"bufio"
	"context"
	"strconv"
	"strings"

	"github.com/bluenviron/gortsplib/v5/pkg/auth"
	"github.com/bluenviron/gortsplib/v5/pkg/base"
	"github.com/bluenviron/gortsplib/v5/pkg/conn"
	"github.com/bluenviron/gortsplib/v5/pkg/description"
	"github.com/bluenviron/gortsplib/v5/pkg/liberrors"
	"github.com/bluenviron/gortsplib/v5/pkg/sdpunmarshaler"
)

// The shallow probe — connect, OPTIONS, DESCRIBE, read the SDP — is what
// the poller runs on every camera every interval, so its CPU is the
// daemon's. It speaks through gortsplib's protocol packages (conn, base,
// auth, sdp, description) on the caller's goroutine, not through
// gortsplib.Client: the client starts a goroutine of its own and a reader
// goroutine per connection and hands every request and answer between
// them over channels, which on a node probing 400 cameras a second made
// a quarter of its CPU the Go scheduler's. The exchange is the client's,
// message for message (the same headers, CSeq, authentication retry, the
// same answers accepted and refused, the same errors, which classify
// reads), and BenchmarkProbeDescribe and BenchmarkProbeCPU measure what
// it saves (docs/performance.md). The deep probe and capture, which
// stream, keep the client.

// shallow runs OPTIONS and DESCRIBE on one connection and returns what
// they found.
func (r *run) shallow() *outcome {
	nc, err := r.dial(r.ctx, "tcp", r.t.hostPort)
	if err != nil {
		return r.classify(err)
	}
	// The deadline bounds every read and write; closing the connection
	// is what ends a pending one when the caller cancels.
	if deadline, ok := r.ctx.Deadline(); ok {
		_ = nc.SetDeadline(deadline)
	}
	stop := context.AfterFunc(r.ctx, func() { _ = nc.Close() })
	defer func() {
		stop()
		_ = nc.Close()
	}()
	x := &exchange{r: r, conn: conn.NewConn(bufio.NewReader(nc), nc)}

	res, err := x.do(base.Options, nil)
	if err != nil {
		return r.classify(err)
	}
	// As gortsplib: OPTIONS is not implemented by every camera, so a 404
	// is no failure.
	if res.StatusCode != base.StatusOK && res.StatusCode != base.StatusNotFound {
		return r.classify(liberrors.ErrClientBadStatusCode{Code: res.StatusCode, Message: res.StatusMessage})
	}

	r.setStep(stepDescribe)
	res, err = x.do(base.Describe, base.Header{"Accept": base.HeaderValue{"application/sdp"}})
	latency := r.latency()
	if err != nil {
		return r.classify(err)
	}
	desc, err := describeAnswer(res)
	if err != nil {
		return r.classify(err)
	}
	v := findVideo(desc)
	if v == nil {
		return r.noVideo(desc, latency)
	}
	return r.up(v, latency, "")
}

// exchange is the requests of one shallow probe on its connection.
type exchange struct {
	r      *run
	conn   *conn.Conn
	cseq   int
	sender *auth.Sender // once the camera asked for credentials
}

// do sends a request and returns its answer. A 401 is answered once with
// the URL's credentials, as gortsplib does; a failure to read the
// camera's WWW-Authenticate is ErrClientAuthSetup.
func (x *exchange) do(method base.Method, header base.Header) (*base.Response, error) {
	for {
		req := &base.Request{Method: method, URL: x.r.t.url, Header: base.Header{}}
		for k, v := range header {
			req.Header[k] = v
		}
		x.cseq++
		cseq := strconv.Itoa(x.cseq)
		req.Header["CSeq"] = base.HeaderValue{cseq}
		req.Header["User-Agent"] = base.HeaderValue{x.r.p.userAgent()}
		if x.sender != nil {
			x.sender.AddAuthorization(req)
		}
		if err := x.conn.WriteRequest(req); err != nil {
			return nil, err
		}
		res, err := x.answer(cseq)
		if err != nil {
			return nil, err
		}
		if res.StatusCode != base.StatusUnauthorized || x.r.t.url.User == nil || x.sender != nil {
			return res, nil
		}
		pass, _ := x.r.t.url.User.Password()
		sender := &auth.Sender{WWWAuth: res.Header["WWW-Authenticate"], User: x.r.t.url.User.Username(), Pass: pass}
		if err := sender.Initialize(); err != nil {
			return nil, liberrors.ErrClientAuthSetup{Err: err}
		}
		x.sender = sender
	}
}

// answer reads until the answer to the request numbered cseq: an answer
// with another CSeq is skipped, one without any is taken (as gortsplib
// does); a request from the camera is answered 200 when it is OPTIONS (a
// keep-alive) and ends the probe otherwise; interleaved data is refused.
func (x *exchange) answer(cseq string) (*base.Response, error) {
	for {
		what, err := x.conn.Read()
		if err != nil {
			return nil, err
		}
		switch what := what.(type) {
		case *base.Response:
			x.r.onResponse(what)
			if v, ok := what.Header["CSeq"]; !ok || len(v) != 1 || strings.TrimSpace(v[0]) == cseq {
				return what, nil
			}
		case *base.Request:
			if what.Method != base.Options {
				return nil, liberrors.ErrClientUnhandledMethod{Method: what.Method}
			}
			h := base.Header{"User-Agent": base.HeaderValue{x.r.p.userAgent()}}
			if v, ok := what.Header["CSeq"]; ok {
				h["CSeq"] = v
			}
			if err := x.conn.WriteResponse(&base.Response{StatusCode: base.StatusOK, Header: h}); err != nil {
				return nil, err
			}
		case *base.InterleavedFrame:
			return nil, liberrors.ErrClientUnexpectedFrame{}
		}
	}
}

// describeAnswer reads the session out of a DESCRIBE answer, refusing
// what gortsplib refuses: a status other than 200 (a redirect among
// them: classify reports it, and the probe does not follow it), no SDP,
// an SDP that cannot be read.
func describeAnswer(res *base.Response) (*description.Session, error) {
	if res.StatusCode != base.StatusOK {
		if res.StatusCode >= base.StatusMovedPermanently && res.StatusCode <= base.StatusUseProxy && len(res.Header["Location"]) == 1 {
			return nil, errRedial
		}
		return nil, liberrors.ErrClientBadStatusCode{Code: res.StatusCode, Message: res.StatusMessage}
	}
	ct, ok := res.Header["Content-Type"]
	if !ok || len(ct) != 1 {
		return nil, liberrors.ErrClientContentTypeMissing{}
	}
	if t := strings.Split(ct[0], ";")[0]; t != "application/sdp" {
		return nil, liberrors.ErrClientContentTypeUnsupported{CT: base.HeaderValue{t}}
	}
	ssd, err := sdpunmarshaler.Unmarshal(res.Body)
	if err != nil {
		return nil, liberrors.ErrClientSDPInvalid{Err: err}
	}
	var desc description.Session
	if err := desc.Unmarshal2(ssd); err != nil {
		return nil, liberrors.ErrClientSDPInvalid{Err: err}
	}
	return &desc, nil
}
