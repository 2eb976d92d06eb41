package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// defaultServer is where client commands look for the daemon: serve's
// default listen address.
const defaultServer = "http://" + defaultListen

// client talks to a running daemon's HTTP API on behalf of the import,
// export and backup commands.
type client struct {
	base  *url.URL
	token string
	http  *http.Client
}

// clientFlags adds --server, --token and --ca-file to a client command's
// flags. Their defaults come from MATTHAN_SERVER, MATTHAN_TOKEN and
// MATTHAN_CA_FILE; the token's value is never shown in usage.
func (c *cli) clientFlags(fs *flagSet) (server, token *string) {
	server = fs.String("server", "", "base `URL` of the daemon (default $"+envServer+", else "+defaultServer+")")
	token = fs.String("token", "", "API `TOKEN` (default $"+envToken+")")
	fs.String("ca-file", "", "PEM `FILE` of the certificate (or its CA) an https:// daemon must present, e.g. its self-signed certificate (default $"+envCAFile+", else the system's CAs)")
	return server, token
}

// newClient checks the server URL and picks the token.
func (c *cli) newClient(fs *flagSet, server, token string) (*client, error) {
	if server == "" {
		server = c.getenv(envServer)
	}
	if server == "" {
		server = defaultServer
	}
	u, err := url.Parse(strings.TrimRight(server, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &usageError{msg: fmt.Sprintf("--server must be an http:// or https:// URL, got %q", server), usage: fs.Usage}
	}
	if token == "" {
		token = c.getenv(envToken)
	}
	if token == "" {
		return nil, &usageError{msg: "no token: give --token or set " + envToken, usage: fs.Usage}
	}
	hc, err := c.httpClient(fs)
	if err != nil {
		return nil, err
	}
	return &client{base: u, token: token, http: hc}, nil
}

// httpClient is the client's HTTP client, trusting the certificates of
// --ca-file (or MATTHAN_CA_FILE) besides the system's. No overall
// timeout: imports, exports and backups take as long as their data; ctx
// (Ctrl-C) ends them.
func (c *cli) httpClient(fs *flagSet) (*http.Client, error) {
	file := ""
	if f := fs.Lookup("ca-file"); f != nil {
		file = f.Value.String()
	}
	if file == "" {
		file = c.getenv(envCAFile)
	}
	if file == "" {
		return &http.Client{}, nil
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("--ca-file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca-file: %s holds no PEM certificate", file)
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: t}, nil
}

// request describes one API call.
type request struct {
	method      string
	path        string     // under the base URL, e.g. /api/v1/cameras/import
	query       url.Values // may be nil
	body        io.Reader  // may be nil
	length      int64      // body length; -1 = unknown
	contentType string
	accept      string
}

// do sends the request and returns the response when its status is 2xx.
// Any other status is returned as a *problemError carrying the server's
// problem details; the body has been read and closed.
func (cl *client) do(ctx context.Context, r request) (*http.Response, error) {
	u := *cl.base
	u.Path = strings.TrimRight(u.Path, "/") + r.path
	u.RawQuery = r.query.Encode()
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), r.body)
	if err != nil {
		return nil, err
	}
	if r.body != nil {
		req.ContentLength = r.length
		// NewRequest sets GetBody only for in-memory readers; the client
		// must not retry a streamed body anyway.
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if r.accept != "" {
		req.Header.Set("Accept", r.accept)
	}
	req.Header.Set("Authorization", "Bearer "+cl.token)
	req.Header.Set("User-Agent", "matthan/"+versionString())
	resp, err := cl.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err // Ctrl-C: nothing to explain
		}
		return nil, unreachable(cl.base, err)
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, readProblem(resp)
}

// problem is an RFC 9457 problem details body, with the import's list of
// rejected rows that an atomic import may answer with.
type problem struct {
	Type       string      `json:"type"`
	Title      string      `json:"title"`
	Status     int         `json:"status"`
	Detail     string      `json:"detail"`
	Field      string      `json:"field"`
	Rejections []rejection `json:"rejections"`
}

// problemError is a non-2xx answer of the daemon.
type problemError struct {
	status  int
	problem problem
}

func (e *problemError) Error() string {
	p := e.problem
	msg := p.Detail
	if msg == "" {
		msg = p.Title
	}
	if msg == "" {
		msg = http.StatusText(e.status)
	}
	if p.Field != "" && !strings.HasPrefix(msg, p.Field+":") {
		msg = p.Field + ": " + msg
	}
	return fmt.Sprintf("server answered %d %s: %s", e.status, http.StatusText(e.status), msg)
}

// readProblem reads an error response. A body that is not problem+json
// (a proxy's HTML page) is summarised by its status alone.
func readProblem(resp *http.Response) error {
	e := &problemError{status: resp.StatusCode}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt == "application/problem+json" || mt == "application/json" {
		_ = json.Unmarshal(body, &e.problem)
	}
	return e
}

// isProblem reports whether err is a server answer (as opposed to a
// network failure).
func isProblem(err error) (*problemError, bool) {
	var pe *problemError
	ok := errors.As(err, &pe)
	return pe, ok
}
