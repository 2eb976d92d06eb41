package rtsp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/bluenviron/gortsplib/v5/pkg/base"
	"github.com/bluenviron/gortsplib/v5/pkg/liberrors"

	"github.com/matthan/matthan/camera"
)

// classify maps the error that ended a probe to an outcome. The order
// matters: a definite answer from the camera (a status, a redirect, a
// non-RTSP banner) beats the deadline that may have passed while gortsplib
// was handing it back, and a cancelled probe is not a timed-out one.
//
// Every detail names the camera by host:port only.
func (r *run) classify(err error) *outcome {
	r.mu.Lock()
	redir, conn, st := r.redir, r.conn, r.step
	r.mu.Unlock()

	o := &outcome{state: camera.StateDown, server: r.serverHeader()}
	where := r.t.hostPort
	elapsed := time.Since(r.start).Round(time.Millisecond)

	var (
		status  liberrors.ErrClientBadStatusCode
		authErr liberrors.ErrClientAuthSetup
		sdpErr  liberrors.ErrClientSDPInvalid
		dnsErr  *net.DNSError
		denied  *camera.DeniedError
	)
	switch {
	case redir != nil:
		o.reason = camera.ReasonRedirect
		o.detail = fmt.Sprintf("%s answered %s with %d %s, a redirect", where, st.method(), redir.code, statusText(redir.code, ""))
		if redir.to != "" {
			o.detail += " to " + redir.to
		}
		o.detail += " that the probe does not follow"
		o.latency = r.latency()

	case errors.As(err, &denied):
		// Before any packet left: the probe learned nothing of what
		// listens there, and says nothing of it.
		o.reason = camera.ReasonDenied
		o.detail = fmt.Sprintf("the network policy forbids connecting to %s: %v", where, denied)

	case errors.As(err, &status):
		o.state, o.reason = statusReason(status.Code)
		o.detail = fmt.Sprintf("%s answered %s with %d %s", where, st.method(), status.Code, statusText(status.Code, status.Message))
		if status.Code == base.StatusUnauthorized {
			if r.t.creds {
				o.detail += ": the credentials were refused"
			} else {
				o.detail += ": it wants credentials and the URL has none"
			}
		}
		o.latency = r.latency()

	case errors.As(err, &dnsErr):
		o.reason = camera.ReasonDNS
		o.detail = fmt.Sprintf("cannot resolve the host name %q: %s", r.t.host, dnsErr.Err)

	case errors.Is(err, errNotRTSP):
		head := ""
		if conn != nil {
			_, head = conn.spoke()
		}
		o.reason = camera.ReasonNotRTSP
		o.detail = fmt.Sprintf("%s answered %q, which is not RTSP", where, cleanEcho(head))

	case errors.As(err, &authErr):
		o.state, o.reason = camera.StateAuthFailed, camera.ReasonAuthFailed
		o.detail = fmt.Sprintf("%s asks for an authentication the probe cannot give: %s", where, cleanEcho(authErr.Err.Error()))
		o.latency = r.latency()

	case errors.Is(r.ctx.Err(), context.Canceled):
		// The caller gave up (the daemon is stopping): the probe says
		// nothing about the camera.
		o.state, o.reason = camera.StateUnknown, camera.ReasonCanceled
		o.detail = fmt.Sprintf("the probe of %s was cancelled while %s", where, st)

	case r.ctx.Err() != nil || isTimeout(err):
		o.reason = camera.ReasonTimeout
		if st == stepConnect {
			o.detail = fmt.Sprintf("could not connect to %s within %v", where, elapsed)
		} else {
			o.detail = fmt.Sprintf("timed out after %v %s from %s", elapsed, st, where)
		}

	case errors.Is(err, syscall.ECONNREFUSED):
		o.reason = camera.ReasonRefused
		o.detail = where + " refused the connection"

	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, syscall.EADDRNOTAVAIL):
		o.reason = camera.ReasonUnreachable
		o.detail = fmt.Sprintf("%s is unreachable: %s", where, cleanEcho(rootCause(err).Error()))

	case isTLS(err):
		o.reason = camera.ReasonTLS
		o.detail = fmt.Sprintf("the TLS handshake with %s failed: %s", where, cleanEcho(rootCause(err).Error()))

	case isReset(err) || conn != nil && isReset(conn.lastReadErr()):
		o.reason = camera.ReasonReset
		o.detail = fmt.Sprintf("%s closed the connection while the probe was %s", where, st)

	case errors.As(err, &sdpErr):
		o.reason = camera.ReasonBadSDP
		o.detail = fmt.Sprintf("%s answered DESCRIBE with an SDP that cannot be read: %s", where, cleanEcho(sdpErr.Err.Error()))
		o.latency = r.latency()

	case isMalformed(err) || conn != nil && spokeRTSP(conn):
		// gortsplib's parser errors are untyped; anything else that
		// went wrong after the camera started an RTSP answer is the
		// answer's fault.
		o.reason = camera.ReasonBadResponse
		o.detail = fmt.Sprintf("%s sent a malformed RTSP answer while the probe was %s: %s", where, st, cleanEcho(err.Error()))

	default:
		o.reason = camera.ReasonError
		o.detail = fmt.Sprintf("the probe of %s failed while %s: %s", where, st, cleanEcho(fmt.Sprint(err)))
	}
	return o
}

// statusReason maps an RTSP status other than 200 to a state and reason.
func statusReason(code base.StatusCode) (camera.HealthState, string) {
	switch {
	case code == base.StatusUnauthorized:
		return camera.StateAuthFailed, camera.ReasonAuthFailed
	case code >= 300 && code < 400:
		return camera.StateDown, camera.ReasonRedirect
	default:
		return camera.StateDown, "status_" + strconv.Itoa(int(code))
	}
}

// statusText is the camera's own status message when it gave one, else the
// standard one.
func statusText(code base.StatusCode, msg string) string {
	if msg = cleanEcho(msg); msg != "" {
		return msg
	}
	if std, ok := base.StatusMessages[code]; ok {
		return std
	}
	return "(no message)"
}

// method is the RTSP request a step waits for.
func (s step) method() string {
	switch s {
	case stepOptions, stepConnect:
		return "OPTIONS"
	case stepDescribe:
		return "DESCRIBE"
	case stepSetup:
		return "SETUP"
	case stepPlay:
		return "PLAY"
	default:
		return "a request"
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, os.ErrDeadlineExceeded) ||
		errors.As(err, new(liberrors.ErrClientRequestTimedOut)) ||
		errors.As(err, new(liberrors.ErrClientTCPTimeout)) ||
		errors.As(err, &ne) && ne.Timeout()
}

func isReset(err error) bool {
	return errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, net.ErrClosed)
}

func isTLS(err error) bool {
	var (
		te  *tlsError
		rh  tls.RecordHeaderError
		ae  tls.AlertError
		cve *tls.CertificateVerificationError
		uae x509.UnknownAuthorityError
		hne x509.HostnameError
		cie x509.CertificateInvalidError
	)
	return errors.As(err, &te) || errors.As(err, &rh) || errors.As(err, &ae) ||
		errors.As(err, &cve) || errors.As(err, &uae) || errors.As(err, &hne) ||
		errors.As(err, &cie)
}

// isMalformed reports the typed gortsplib errors that mean "RTSP, but wrong".
func isMalformed(err error) bool {
	return errors.As(err, new(liberrors.ErrClientContentTypeMissing)) ||
		errors.As(err, new(liberrors.ErrClientContentTypeUnsupported)) ||
		errors.As(err, new(liberrors.ErrClientSessionHeaderInvalid)) ||
		errors.As(err, new(liberrors.ErrClientTransportHeaderInvalid)) ||
		errors.As(err, new(liberrors.ErrClientUnexpectedFrame)) ||
		errors.As(err, new(liberrors.ErrClientUnhandledMethod)) ||
		errors.As(err, new(liberrors.ErrClientRTPInfoInvalid))
}

func spokeRTSP(c *sniffConn) bool {
	ok, _ := c.spoke()
	return ok
}

// rootCause unwraps err to its innermost error, whose message is the most
// specific and carries no addresses.
func rootCause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}
