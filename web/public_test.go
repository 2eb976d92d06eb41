package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
)

// TestPublicStatementPage: a commune's public statement is served without
// a session, and the same to a signed-in user: no navigation, no name,
// role or CSRF token of whoever opens it. The fundraisers' own pages
// still need a session.
func TestPublicStatementPage(t *testing.T) {
	for _, user := range []*camera.User{nil, {Name: "quantri", FullName: "Quản trị viên", Role: camera.RoleAdmin}} {
		srv := serve(t, fakeAssets(), user)
		res, body := get(t, srv.URL+"/cong-khai/song-binh")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "public-statement-AAAA.js") || !strings.Contains(body, `"slug":"song-binh"`) {
			t.Errorf("GET /cong-khai/song-binh (user %v): %d\n%s", user, res.StatusCode, body)
		}
		for _, leak := range []string{`id="nav"`, "Quản trị viên", "csrf", `"user"`} {
			if strings.Contains(body, leak) {
				t.Errorf("the public page (user %v) holds %q", user, leak)
			}
		}
		if !strings.HasPrefix(res.Header.Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("the public page has no CSP")
		}
	}
	srv := serve(t, fakeAssets(), nil)
	for _, p := range []string{"/funding", "/donations", "/donations/import"} {
		if res, _ := get(t, srv.URL+p); res.StatusCode != http.StatusSeeOther {
			t.Errorf("GET %s without a session: %d, want a redirect to sign-in", p, res.StatusCode)
		}
	}
	for _, role := range []camera.Role{camera.RolePolice, camera.RolePlanner} {
		srv := serve(t, fakeAssets(), &camera.User{Name: "u", Role: role})
		for _, p := range []string{"/funding", "/donations", "/donations/import"} {
			if res, _ := get(t, srv.URL+p); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403", role, p, res.StatusCode)
			}
		}
	}
}
