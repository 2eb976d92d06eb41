package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
)

// browserClient is an HTTP client with a cookie jar, as a browser signed
// in to the console is.
type browserClient struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func (e *env) browser(t *testing.T) *browserClient {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browserClient{t: t, base: e.srv.URL, c: &http.Client{Jar: jar}}
}

// send makes a request with the jar's cookies and the given headers.
func (b *browserClient) send(method, path, body string, headers map[string]string) (int, []byte, http.Header) {
	b.t.Helper()
	req, err := http.NewRequest(method, b.base+path, strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	checkOpenAPI(b.t, res, out)
	return res.StatusCode, out, res.Header
}

// signIn signs in and keeps the CSRF token.
func (b *browserClient) signIn(name, password string) int {
	b.t.Helper()
	body, _ := json.Marshal(map[string]string{"name": name, "password": password})
	st, out, _ := b.send("POST", "/api/v1/session", string(body), map[string]string{"Origin": b.base})
	if st == http.StatusOK {
		var s struct {
			CSRF string `json:"csrf_token"`
		}
		_ = json.Unmarshal(out, &s)
		b.csrf = s.CSRF
	}
	return st
}

func (e *env) mustUser(name string, role camera.Role, password string) {
	e.t.Helper()
	e.doJSON(adminToken, "POST", "/api/v1/users", map[string]any{"name": name, "full_name": "Nguyễn Văn An", "role": role, "password": password}, http.StatusCreated, nil)
}

func TestSessionCookie(t *testing.T) {
	e := newEnv(t)
	e.mustUser("ca.songbinh", camera.RolePolice, "mật khẩu đủ dài")
	b := e.browser(t)
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/session", strings.NewReader(`{"name":"ca.songbinh","password":"mật khẩu đủ dài"}`))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("sign-in: %d", res.StatusCode)
	}
	set := res.Header.Get("Set-Cookie")
	for _, want := range []string{"matthan_session=", "HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=604800"} {
		if !strings.Contains(set, want) {
			t.Errorf("Set-Cookie %q lacks %s", set, want)
		}
	}
	if st := b.signIn("CA.SongBinh", "mật khẩu đủ dài"); st != http.StatusOK {
		t.Fatalf("sign-in with the name in another case: %d", st)
	}
	st, out, _ := b.send("GET", "/api/v1/session", "", nil)
	if st != http.StatusOK || !strings.Contains(string(out), `"role":"police"`) || strings.Contains(string(out), "argon2") {
		t.Errorf("GET /session: %d %s", st, out)
	}
	// The session reads what police may, and not what they may not.
	if st, _, _ := b.send("GET", "/api/v1/cameras", "", nil); st != http.StatusOK {
		t.Errorf("police session GET /cameras: %d", st)
	}
	if st, _, _ := b.send("GET", "/api/v1/users", "", nil); st != http.StatusForbidden {
		t.Errorf("police session GET /users: %d, want 403", st)
	}
}

func TestSessionSignInRefusals(t *testing.T) {
	e := newEnv(t)
	e.mustUser("quy.hoach", camera.RolePlanner, "mật khẩu quy hoạch")
	for _, tc := range []struct {
		name, body string
		headers    map[string]string
		want       int
		field      string
	}{
		{"wrong password", `{"name":"quy.hoach","password":"sai rồi nhé"}`, nil, 401, "password"},
		{"unknown user", `{"name":"nobody","password":"mật khẩu quy hoạch"}`, nil, 401, "password"},
		{"no name", `{"name":" ","password":"x"}`, nil, 400, "name"},
		{"no password", `{"name":"quy.hoach"}`, nil, 400, "password"},
		{"unknown field", `{"name":"quy.hoach","password":"x","role":"admin"}`, nil, 400, "role"},
		{"from another site", `{"name":"quy.hoach","password":"mật khẩu quy hoạch"}`, map[string]string{"Origin": "https://evil.example"}, 403, "Origin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := e.browser(t)
			st, out, hdr := b.send("POST", "/api/v1/session", tc.body, tc.headers)
			if st != tc.want {
				t.Fatalf("status %d, want %d: %s", st, tc.want, out)
			}
			var p struct{ Field string }
			_ = json.Unmarshal(out, &p)
			if p.Field != tc.field {
				t.Errorf("field %q, want %q: %s", p.Field, tc.field, out)
			}
			if c := hdr.Get("Set-Cookie"); strings.Contains(c, "matthan_session=") && !strings.Contains(c, "Max-Age=0") {
				t.Errorf("a refused sign-in set a session cookie: %s", c)
			}
		})
	}
}

func TestSessionCSRF(t *testing.T) {
	e := newEnv(t)
	e.mustUser("ca.songbinh", camera.RolePolice, "mật khẩu đủ dài")
	b := e.browser(t)
	if st := b.signIn("ca.songbinh", "mật khẩu đủ dài"); st != http.StatusOK {
		t.Fatalf("sign-in: %d", st)
	}
	cam := `{"id":"CG-9001","name":"Ngã tư thử","lat":10.35,"lon":106.46}`
	for _, tc := range []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"no token", map[string]string{"Origin": e.srv.URL}, 403},
		{"wrong token", map[string]string{"Origin": e.srv.URL, "X-CSRF-Token": "guess"}, 403},
		{"right token from another site", map[string]string{"Origin": "https://evil.example", "X-CSRF-Token": b.csrf}, 403},
		{"right token, referer from another site", map[string]string{"Referer": "https://evil.example/page", "X-CSRF-Token": b.csrf}, 403},
		{"right token from this site", map[string]string{"Origin": e.srv.URL, "X-CSRF-Token": b.csrf}, 201},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, out, _ := b.send("POST", "/api/v1/cameras", cam, tc.headers)
			if st != tc.want {
				t.Errorf("POST /cameras: %d, want %d: %s", st, tc.want, out)
			}
		})
	}
	// Reads need no token: a GET changes nothing.
	if st, _, _ := b.send("GET", "/api/v1/cameras/CG-9001", "", nil); st != http.StatusOK {
		t.Errorf("GET without a CSRF token: %d", st)
	}
	// A bearer token is no cookie: no CSRF token is asked of a machine.
	e.doJSON(adminToken, "PATCH", "/api/v1/cameras/CG-9001", map[string]any{"name": "Đổi tên"}, http.StatusOK, nil)
}

func TestSessionEnds(t *testing.T) {
	e := newEnv(t)
	e.mustUser("gay.quy", camera.RoleFundraiser, "mật khẩu gây quỹ")
	b := e.browser(t)
	if st := b.signIn("gay.quy", "mật khẩu gây quỹ"); st != http.StatusOK {
		t.Fatalf("sign-in: %d", st)
	}
	// Sign-out is a change: it needs the token too.
	if st, _, _ := b.send("DELETE", "/api/v1/session", "", nil); st != http.StatusForbidden {
		t.Errorf("sign-out without the CSRF token: %d, want 403", st)
	}
	if st, _, _ := b.send("DELETE", "/api/v1/session", "", map[string]string{"X-CSRF-Token": b.csrf}); st != http.StatusNoContent {
		t.Fatalf("sign-out: %d", st)
	}
	if st, _, _ := b.send("GET", "/api/v1/cameras", "", nil); st != http.StatusUnauthorized {
		t.Errorf("after sign-out: %d, want 401", st)
	}

	// Disabling a user ends their sessions at once.
	c := e.browser(t)
	if st := c.signIn("gay.quy", "mật khẩu gây quỹ"); st != http.StatusOK {
		t.Fatalf("sign-in again: %d", st)
	}
	e.doJSON(adminToken, "PATCH", "/api/v1/users/gay.quy", map[string]any{"disabled": true}, http.StatusOK, nil)
	if st, _, _ := c.send("GET", "/api/v1/cameras", "", nil); st != http.StatusUnauthorized {
		t.Errorf("after the user was disabled: %d, want 401", st)
	}
	if st := c.signIn("gay.quy", "mật khẩu gây quỹ"); st != http.StatusUnauthorized {
		t.Errorf("a disabled user signs in: %d", st)
	}
}

func TestUsersAPI(t *testing.T) {
	e := newEnv(t)
	e.mustUser("ca.xuandong", camera.RolePolice, "mật khẩu xuân đông")
	for _, role := range []camera.Role{camera.RolePolice, camera.RolePlanner, camera.RoleFundraiser} {
		if st, _, _ := e.do(e.tokens[role], "GET", "/api/v1/users", "", nil); st != http.StatusForbidden {
			t.Errorf("%s GET /users: %d, want 403", role, st)
		}
	}
	var list struct {
		Items []map[string]any `json:"items"`
	}
	raw := e.doJSON(adminToken, "GET", "/api/v1/users", nil, http.StatusOK, &list)
	if len(list.Items) != 1 || strings.Contains(string(raw), "password") && !strings.Contains(string(raw), "password_changed_at") {
		t.Errorf("users: %s", raw)
	}
	if strings.Contains(string(raw), "argon2") {
		t.Errorf("the list carries a password hash: %s", raw)
	}
	p := e.problem(adminToken, "POST", "/api/v1/users", map[string]any{"name": "ca.xuandong", "role": "police", "password": "mật khẩu khác nữa"}, http.StatusConflict)
	if p.Field != "name" {
		t.Errorf("duplicate user: field %q", p.Field)
	}
	p = e.problem(adminToken, "POST", "/api/v1/users", map[string]any{"name": "ca.moi", "role": "police", "password": "ngắn"}, http.StatusBadRequest)
	if p.Field != "password" {
		t.Errorf("short password: field %q", p.Field)
	}
	p = e.problem(adminToken, "PATCH", "/api/v1/users/ca.xuandong", map[string]any{"role": "chief"}, http.StatusBadRequest)
	if p.Field != "role" {
		t.Errorf("unknown role: field %q", p.Field)
	}
	// A reset password signs in; the old one no longer does.
	e.doJSON(adminToken, "PATCH", "/api/v1/users/ca.xuandong", map[string]any{"password": "mật khẩu mới toanh"}, http.StatusOK, nil)
	b := e.browser(t)
	if st := b.signIn("ca.xuandong", "mật khẩu xuân đông"); st != http.StatusUnauthorized {
		t.Errorf("old password after a reset: %d", st)
	}
	if st := b.signIn("ca.xuandong", "mật khẩu mới toanh"); st != http.StatusOK {
		t.Errorf("new password after a reset: %d", st)
	}
}

// TestSignInThrottled: wrong passwords count against the address like
// bad tokens; past the limit even the right password waits, and the
// failures are counted in matthan_auth_failures_total{reason="password"}.
func TestSignInThrottled(t *testing.T) {
	e := newEnv(t)
	e.mustUser("ca.songbinh", camera.RolePolice, "mật khẩu đủ dài")
	b := e.browser(t)
	for i := range api.DefaultAuthFailureLimit {
		if st := b.signIn("ca.songbinh", "đoán mò lần nữa"); st != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d, want 401", i+1, st)
		}
	}
	st, out, hdr := b.send("POST", "/api/v1/session", `{"name":"ca.songbinh","password":"mật khẩu đủ dài"}`, map[string]string{"Origin": b.base})
	if st != http.StatusTooManyRequests || hdr.Get("Retry-After") == "" {
		t.Fatalf("right password after %d failures: %d, Retry-After %q: %s", api.DefaultAuthFailureLimit, st, hdr.Get("Retry-After"), out)
	}
	_, metrics, _ := e.do("", "GET", "/metrics", "", nil)
	if want := fmt.Sprintf(`matthan_auth_failures_total{reason="password"} %d`, api.DefaultAuthFailureLimit); !strings.Contains(string(metrics), want) {
		t.Errorf("/metrics lacks %s", want)
	}
}
