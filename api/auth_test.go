package api_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

// testClock is a settable clock shared by a store and a server.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// logBuffer collects a server's log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// lines returns the lines that contain sub.
func (l *logBuffer) lines(sub string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for line := range strings.Lines(l.b.String()) {
		if strings.Contains(line, sub) {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return out
}

// authEnv is env on a store and a server sharing a settable clock, with
// the server's log and metrics at hand.
type authEnv struct {
	*env
	clock *testClock
	log   *logBuffer
	reg   *prometheus.Registry
}

// newAuthEnv builds the server with o (Store, Registry, Logger, Now and
// AdminToken are filled in).
func newAuthEnv(t *testing.T, o api.Options) *authEnv {
	t.Helper()
	clk := &testClock{t: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)}
	store := registrytest.OpenAt(t, filepath.Join(t.TempDir(), "matthan.db"), clk.now)
	logs := &logBuffer{}
	reg := prometheus.NewRegistry()
	o.Store, o.Capabilities, o.Registry, o.AdminToken, o.Now = store, allCapabilities(store), reg, adminToken, clk.now
	o.Logger = slog.New(slog.NewTextHandler(logs, nil))
	a := mustNew(t, o)
	a.SetReady(true)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, store: store, api: a, tokens: map[camera.Role]string{camera.RoleAdmin: adminToken}}
	return &authEnv{env: e, clock: clk, log: logs, reg: reg}
}

// counter returns a counter's value by its labels, 0 when absent.
func counter(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metrics:
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if v, ok := labels[l.GetName()]; ok && v != l.GetValue() {
					continue metrics
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

type tokenOut struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Role       string    `json:"role"`
	CreatedAt  time.Time `json:"created_at"`
	CreatedBy  string    `json:"created_by"`
	ExpiresAt  time.Time `json:"expires_at"`
	LastUsedAt time.Time `json:"last_used_at"`
	Token      string    `json:"token"`
}

// TestTokenRoutes: tokens are created with an optional lifetime, listed
// without secrets, revoked at once, and only by an admin.
func TestTokenRoutes(t *testing.T) {
	e := newAuthEnv(t, api.Options{})
	var police, temp tokenOut
	e.doJSON(adminToken, "POST", "/api/v1/tokens", map[string]string{"name": "Công an xã Song Bình", "role": "police"}, http.StatusCreated, &police)
	e.clock.advance(time.Second)
	e.doJSON(adminToken, "POST", "/api/v1/tokens", map[string]string{"name": "nhà thầu", "role": "planner", "expires_in": "90d"}, http.StatusCreated, &temp)
	e.clock.advance(time.Second)
	var dated tokenOut
	e.doJSON(adminToken, "POST", "/api/v1/tokens", map[string]string{"name": "hội", "role": "fundraiser", "expires_at": "2027-01-01T00:00:00+07:00"}, http.StatusCreated, &dated)
	if !registry.ValidTokenID(police.ID) || !strings.HasPrefix(police.Token, registry.TokenPrefix) || police.Role != "police" || police.CreatedBy != "env-admin" {
		t.Errorf("created = %+v", police)
	}
	if want := temp.CreatedAt.Add(90 * 24 * time.Hour); !temp.ExpiresAt.Equal(want) {
		t.Errorf("expires_in 90d: expires_at %v, want %v", temp.ExpiresAt, want)
	}
	if want := time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC); !dated.ExpiresAt.Equal(want) {
		t.Errorf("expires_at: %v, want %v", dated.ExpiresAt, want)
	}
	e.doJSON(police.Token, "GET", "/api/v1/cameras", nil, http.StatusOK, nil)

	// The list: every field but the secret.
	var list struct {
		Items      []tokenOut `json:"items"`
		NextCursor string     `json:"next_cursor"`
	}
	raw := e.doJSON(adminToken, "GET", "/api/v1/tokens", nil, http.StatusOK, &list)
	if len(list.Items) != 3 || list.Items[0].ID != police.ID || list.Items[1].ID != temp.ID || list.Items[2].ID != dated.ID {
		t.Fatalf("list = %s", raw)
	}
	for _, secret := range []string{police.Token, temp.Token, dated.Token} {
		if bytes.Contains(raw, []byte(secret)) || bytes.Contains(raw, []byte(registry.HashToken(secret))) {
			t.Errorf("the list shows a secret or its hash: %s", raw)
		}
	}
	if got := list.Items[0]; got.LastUsedAt.IsZero() || got.Name != "Công an xã Song Bình" || got.Token != "" {
		t.Errorf("police in the list = %+v; want its last use and no secret", got)
	}
	// Pages.
	var p1, p2 struct {
		Items      []tokenOut `json:"items"`
		NextCursor string     `json:"next_cursor"`
	}
	e.doJSON(adminToken, "GET", "/api/v1/tokens?limit=2", nil, http.StatusOK, &p1)
	if len(p1.Items) != 2 || p1.NextCursor == "" {
		t.Fatalf("page 1 = %+v", p1)
	}
	e.doJSON(adminToken, "GET", "/api/v1/tokens?limit=2&cursor="+p1.NextCursor, nil, http.StatusOK, &p2)
	if len(p2.Items) != 1 || p2.Items[0].ID != dated.ID || p2.NextCursor != "" {
		t.Errorf("page 2 = %+v", p2)
	}

	// Only an admin lists or revokes.
	e.problem(police.Token, "GET", "/api/v1/tokens", nil, http.StatusForbidden)
	e.problem(police.Token, "DELETE", "/api/v1/tokens/"+temp.ID, nil, http.StatusForbidden)

	// Revocation takes effect on the next request.
	if st, body, _ := e.do(adminToken, "DELETE", "/api/v1/tokens/"+police.ID, "", nil); st != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", st, body)
	}
	if p := e.problem(police.Token, "GET", "/api/v1/cameras", nil, http.StatusUnauthorized); p.Detail != "Authorization: unknown token" {
		t.Errorf("revoked token: %+v", p)
	}
	e.problem(adminToken, "DELETE", "/api/v1/tokens/"+police.ID, nil, http.StatusNotFound)
	if p := e.problem(adminToken, "DELETE", "/api/v1/tokens/not-an-id", nil, http.StatusBadRequest); p.Field != "id" {
		t.Errorf("bad id: %+v", p)
	}

	// Bad lifetimes name their field.
	for _, tc := range []struct {
		body  string
		field string
	}{
		{`{"name":"x","role":"police","expires_in":"soon"}`, "expires_in"},
		{`{"name":"x","role":"police","expires_in":"-1h"}`, "expires_in"},
		{`{"name":"x","role":"police","expires_in":"0d"}`, "expires_in"},
		{`{"name":"x","role":"police","expires_at":"tomorrow"}`, "expires_at"},
		{`{"name":"x","role":"police","expires_at":"2020-01-01T00:00:00Z"}`, "expires_at"},
		{`{"name":"x","role":"police","expires_in":"1h","expires_at":"2030-01-01T00:00:00Z"}`, "expires_in"},
	} {
		if p := e.problem(adminToken, "POST", "/api/v1/tokens", tc.body, http.StatusBadRequest); p.Field != tc.field {
			t.Errorf("%s: field %q, want %q (%s)", tc.body, p.Field, tc.field, p.Detail)
		}
	}

	// Both writes are in the audit log, without secrets.
	var audit struct {
		Items []registry.AuditEntry `json:"items"`
	}
	raw = e.doJSON(adminToken, "GET", "/api/v1/audit", nil, http.StatusOK, &audit)
	if len(audit.Items) == 0 || audit.Items[0].Action != "token.revoke" || audit.Items[0].Target != "Công an xã Song Bình" {
		t.Errorf("audit = %s", raw)
	}
	if bytes.Contains(raw, []byte(police.Token)) {
		t.Errorf("the audit log shows a secret")
	}
}

// TestTokenExpiry: an expired token answers 401 "token expired", counted
// as such.
func TestTokenExpiry(t *testing.T) {
	e := newAuthEnv(t, api.Options{})
	var tok tokenOut
	e.doJSON(adminToken, "POST", "/api/v1/tokens", map[string]string{"name": "tạm", "role": "police", "expires_in": "1h"}, http.StatusCreated, &tok)
	e.doJSON(tok.Token, "GET", "/api/v1/cameras", nil, http.StatusOK, nil)
	e.clock.advance(time.Hour)
	p := e.problem(tok.Token, "GET", "/api/v1/cameras", nil, http.StatusUnauthorized)
	if p.Detail != "Authorization: token expired" || p.Field != "Authorization" {
		t.Errorf("expired: %+v", p)
	}
	if n := counter(t, e.reg, "matthan_auth_failures_total", map[string]string{"reason": "expired"}); n != 1 {
		t.Errorf("expired failures = %v, want 1", n)
	}
}

// TestAuthThrottle: past 20 failures a minute from one address, every
// request from it is answered 429 with Retry-After before its token is
// looked at, valid or not; other addresses are not affected; failures are
// counted by reason and logged at most once a minute per address, never
// with the token.
func TestAuthThrottle(t *testing.T) {
	e := newAuthEnv(t, api.Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	var good tokenOut
	e.doJSON(adminToken, "POST", "/api/v1/tokens", map[string]string{"name": "n", "role": "police"}, http.StatusCreated, &good)
	const guess = "mt_guessing-0123456789abcdef"
	from := func(addr, token string) (int, http.Header) {
		t.Helper()
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/cameras", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		req.Header.Set("X-Forwarded-For", addr)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header
	}
	for i := range api.DefaultAuthFailureLimit {
		tok := guess
		if i == 0 {
			tok = "" // missing counts too
		}
		if st, _ := from("203.0.113.7", tok); st != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d, want 401", i+1, st)
		}
	}
	e.clock.advance(15 * time.Second)
	for _, tok := range []string{guess, good.Token} {
		st, h := from("203.0.113.7", tok)
		if st != http.StatusTooManyRequests || h.Get("Retry-After") != "45" {
			t.Errorf("after 20 failures: %d, Retry-After %q; want 429, 45", st, h.Get("Retry-After"))
		}
	}
	// Another address, and another /64 of IPv6, are not throttled; the
	// same /64 is.
	if st, _ := from("198.51.100.1", good.Token); st != http.StatusOK {
		t.Errorf("another address: %d", st)
	}
	for range api.DefaultAuthFailureLimit {
		from("2001:db8:1:2::1", guess)
	}
	if st, _ := from("2001:db8:1:2:ffff::9", good.Token); st != http.StatusTooManyRequests {
		t.Errorf("same /64: %d, want 429", st)
	}
	if st, _ := from("2001:db8:1:3::1", good.Token); st != http.StatusOK {
		t.Errorf("another /64: %d", st)
	}

	for reason, want := range map[string]float64{"missing": 1, "unknown": 39, "throttled": 3, "expired": 0, "malformed": 0} {
		if got := counter(t, e.reg, "matthan_auth_failures_total", map[string]string{"reason": reason}); got != want {
			t.Errorf("matthan_auth_failures_total{reason=%q} = %v, want %v", reason, got, want)
		}
	}
	lines := e.log.lines("client=203.0.113.7")
	if len(lines) != 1 || !strings.Contains(lines[0], "authentication failed") || !strings.Contains(lines[0], "failures=1") {
		t.Errorf("log lines for the address within a minute: %q; want one", lines)
	}

	// A minute after the window started, the address may try again; the
	// next line counts every failure and refusal since the last.
	e.clock.advance(45 * time.Second)
	if st, _ := from("203.0.113.7", good.Token); st != http.StatusOK {
		t.Errorf("after the window: %d, want 200", st)
	}
	if st, _ := from("203.0.113.7", guess); st != http.StatusUnauthorized {
		t.Errorf("a failure after the window: %d, want 401", st)
	}
	lines = e.log.lines("client=203.0.113.7")
	if len(lines) != 2 || !strings.Contains(lines[1], "failures=22") {
		t.Errorf("log lines: %q; want a second one counting 19 failures, 2 refusals and this one", lines)
	}
	for _, line := range e.log.lines("") {
		if strings.Contains(line, guess) || strings.Contains(line, good.Token) {
			t.Errorf("a log line shows a token: %s", line)
		}
	}

	mfs, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if problems, err := promlint.NewWithMetricFamilies(mfs).Lint(); err != nil || len(problems) != 0 {
		t.Errorf("promlint: %v %v", problems, err)
	}
}

// TestForwardedForUntrusted: without a trusted proxy, X-Forwarded-For is
// the client's own claim and changes nothing: a client cannot escape the
// throttle by naming a new address on every try.
func TestForwardedForUntrusted(t *testing.T) {
	e := newAuthEnv(t, api.Options{})
	for i := range api.DefaultAuthFailureLimit + 1 {
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/cameras", nil)
		req.Header.Set("Authorization", "Bearer mt_nope")
		req.Header.Set("X-Forwarded-For", netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}).String())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if want := http.StatusUnauthorized; i == api.DefaultAuthFailureLimit {
			if resp.StatusCode != http.StatusTooManyRequests {
				t.Errorf("try %d with a made-up X-Forwarded-For: %d, want 429", i+1, resp.StatusCode)
			}
		} else if resp.StatusCode != want {
			t.Fatalf("try %d: %d", i+1, resp.StatusCode)
		}
	}
	if lines := e.log.lines("authentication failed"); len(lines) != 1 || !strings.Contains(lines[0], "client=127.0.0.1") {
		t.Errorf("log: %q; want one line for 127.0.0.1", lines)
	}
}
