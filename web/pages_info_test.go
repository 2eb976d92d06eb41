package web

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
)

// TestPagesFromTheTable: Pages answers the console's own table, every
// role spelled out, and a change to its answer does not change the
// table.
func TestPagesFromTheTable(t *testing.T) {
	got := Pages()
	if len(got) != len(consolePages) {
		t.Fatalf("%d pages, the table has %d", len(got), len(consolePages))
	}
	for i, p := range got {
		cp := consolePages[i]
		if p.Name != cp.name || p.Path != cp.path || p.Nav != cp.nav || p.Reads != cp.reads {
			t.Errorf("page %d: %+v, table %+v", i, p, cp)
		}
		for _, r := range camera.Roles {
			if slices.Contains(p.Roles, r) != cp.allows(r) {
				t.Errorf("%s: roles %v, but allows(%s) = %v", p.Name, p.Roles, r, cp.allows(r))
			}
		}
	}
	got[0].Roles[0] = "nobody"
	if again := Pages(); again[0].Roles[0] == "nobody" {
		t.Errorf("Pages shares its slices with the table")
	}
}

// TestAdminPagesShareOneNavEntry: the administration is one entry of an
// admin's navigation, current on each of its pages, with tabs between
// them; other roles have neither the entry nor the pages.
func TestAdminPagesShareOneNavEntry(t *testing.T) {
	navLink := regexp.MustCompile(`<li><a href="([^"]+)"( aria-current="page")?>([^<]+)</a></li>`)
	srv := serve(t, fakeAssets(), &camera.User{Name: "quantri", Role: camera.RoleAdmin})
	for _, p := range []string{"/admin/users", "/admin/tokens", "/admin/audit", "/admin/backup", "/admin/settings"} {
		res, body := get(t, srv.URL+p)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", p, res.StatusCode)
		}
		var admin [][]string
		for _, m := range navLink.FindAllStringSubmatch(body, -1) {
			if strings.HasPrefix(m[1], "/admin/") {
				admin = append(admin, m)
			}
		}
		if len(admin) != 1 || admin[0][1] != "/admin/users" || admin[0][2] == "" || admin[0][3] != "Quản trị" {
			t.Errorf("GET %s: the navigation's administration entries %q, want one current entry Quản trị", p, admin)
		}
		if !strings.Contains(body, `<a href="`+p+`" aria-current="page">`) {
			t.Errorf("GET %s: its tab is not marked current", p)
		}
	}
	for _, role := range []camera.Role{camera.RolePolice, camera.RolePlanner, camera.RoleFundraiser} {
		srv := serve(t, fakeAssets(), &camera.User{Name: "u", Role: role})
		_, home := get(t, srv.URL+"/")
		if strings.Contains(home, `href="/admin/`) {
			t.Errorf("the navigation of %s links the administration", role)
		}
		for _, p := range []string{"/admin/users", "/admin/tokens", "/admin/audit", "/admin/backup", "/admin/settings"} {
			if res, _ := get(t, srv.URL+p); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403", role, p, res.StatusCode)
			}
		}
	}
}
