package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
)

// TestEvidencePagesByRole: the incident pages are the police's (and the
// admin's) — /incidents/new and /incidents/counts are pages of their
// own, not incidents named "new" or "counts" — and the counts page is
// everyone's, linked for every role.
func TestEvidencePagesByRole(t *testing.T) {
	pages := map[string]string{
		"/incidents": "page-incidents", "/incidents/new": "page-incident_new",
		"/incidents/INC-20261128-000001": "page-incident", "/incidents/counts": "page-counts",
	}
	for _, role := range camera.Roles {
		t.Run(string(role), func(t *testing.T) {
			srv := serve(t, fakeAssets(), &camera.User{Name: "u", Role: role})
			police := role == camera.RoleAdmin || role == camera.RolePolice
			for p, class := range pages {
				res, body := get(t, srv.URL+p)
				allowed := police || p == "/incidents/counts"
				switch {
				case allowed && (res.StatusCode != http.StatusOK || !strings.Contains(body, `class="`+class+`"`)):
					t.Errorf("GET %s: %d, want the page %s", p, res.StatusCode, class)
				case !allowed && res.StatusCode != http.StatusForbidden:
					t.Errorf("GET %s: %d, want 403", p, res.StatusCode)
				}
			}
			_, home := get(t, srv.URL+"/")
			if got := strings.Contains(home, `href="/incidents"`); got != police {
				t.Errorf("the navigation links /incidents: %v", got)
			}
			// The police reach the counts through the section's tabs,
			// the others straight from the navigation.
			_, counts := get(t, srv.URL+"/incidents/counts")
			if !strings.Contains(counts, `href="/incidents/counts"`) {
				t.Errorf("neither the navigation nor the tabs link /incidents/counts")
			}
		})
	}
	// The incident page's title names the incident.
	srv := serve(t, fakeAssets(), &camera.User{Name: "u", Role: camera.RolePolice})
	if _, body := get(t, srv.URL+"/incidents/INC-20261128-000001"); !strings.Contains(body, "<title>Vụ việc INC-20261128-000001 · Mắt Thần</title>") {
		t.Errorf("the incident page's title:\n%s", body[:min(len(body), 600)])
	}
}

// TestTipsPage: the Tin báo page is the police's, a tab of the Vụ việc
// section; a console of a daemon without tips neither serves it nor
// links it.
func TestTipsPage(t *testing.T) {
	for _, role := range camera.Roles {
		t.Run(string(role), func(t *testing.T) {
			srv := serve(t, fakeAssets(), &camera.User{Name: "u", Role: role})
			police := role == camera.RoleAdmin || role == camera.RolePolice
			res, body := get(t, srv.URL+"/tips")
			switch {
			case police && (res.StatusCode != http.StatusOK || !strings.Contains(body, `class="page-tips"`)):
				t.Errorf("GET /tips: %d, want the page", res.StatusCode)
			case !police && res.StatusCode != http.StatusForbidden:
				t.Errorf("GET /tips: %d, want 403", res.StatusCode)
			}
			_, incidents := get(t, srv.URL+"/incidents/counts")
			if got := strings.Contains(incidents, `href="/tips"`); got != police {
				t.Errorf("the section links /tips: %v, want %v", got, police)
			}
		})
	}
	srv := serveWith(t, Options{Assets: fakeAssets()}, &camera.User{Name: "u", Role: camera.RolePolice})
	if res, _ := get(t, srv.URL+"/tips"); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /tips without tips: %d, want 404", res.StatusCode)
	}
	if _, body := get(t, srv.URL+"/incidents"); strings.Contains(body, `href="/tips"`) {
		t.Error("a console without tips links /tips")
	}
}
