package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
)

// unreachableError is a request that got no answer from the daemon: one
// sentence saying where the client looked, what happened and what to
// check, instead of Go's "Get ...: dial tcp 127.0.0.1:8080: connect:
// connection refused".
type unreachableError struct {
	url  string // redacted: a URL may carry a password
	what string
	hint string
	err  error
}

func (e *unreachableError) Error() string {
	return fmt.Sprintf("cannot reach the daemon at %s: %s — %s", e.url, e.what, e.hint)
}

func (e *unreachableError) Unwrap() error { return e.err }

// where says how to point the client elsewhere.
const where = "(set --server or " + envServer + ")"

// unreachable explains a failed request to the daemon at base.
func unreachable(base *url.URL, err error) error {
	e := &unreachableError{url: base.Redacted(), err: err}
	var (
		dns  *net.DNSError
		cert *tls.CertificateVerificationError
		rec  tls.RecordHeaderError
		nerr net.Error
	)
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		e.what, e.hint = "connection refused", `is "matthan serve" running there? `+where
	case errors.As(err, &dns):
		e.what, e.hint = fmt.Sprintf("the host name %q does not resolve", dns.Name), "check its spelling "+where
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		e.what, e.hint = "no route to the host", "check the network and the address "+where
	case errors.Is(err, http.ErrSchemeMismatch):
		e.what, e.hint = "it answers plain HTTP, not HTTPS", "write the URL with http:// "+where
	case errors.As(err, &rec):
		e.what, e.hint = "what answers there does not speak TLS", "is https:// right, and is it a matthan daemon? "+where
	case errors.As(err, &cert):
		e.what, e.hint = "its TLS certificate is not trusted ("+cert.Err.Error()+")", "check the name in the URL, or the certificate "+where
	case errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &nerr) && nerr.Timeout():
		e.what, e.hint = "no answer in time", "is the address right, and does a firewall let it through? "+where
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		e.what, e.hint = "the connection was closed without an answer", "is it a matthan daemon, and is http:// or https:// right? "+where
	default:
		// Without the url.Error wrapping, which repeats the method and URL.
		inner := err
		var ue *url.Error
		if errors.As(err, &ue) {
			inner = ue.Err
		}
		e.what, e.hint = inner.Error(), "check the address "+where
	}
	return e
}
