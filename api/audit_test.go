package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// auditPage is an answer of GET /api/v1/audit.
type auditPage struct {
	Items []registry.AuditEntry `json:"items"`
	Next  string                `json:"next_cursor"`
}

// auditActions lists "action target" of the entries the query answers,
// following every page.
func (e *env) auditActions(query string) []string {
	e.t.Helper()
	var out []string
	cursor := ""
	for {
		var p auditPage
		e.doJSON(adminToken, "GET", "/api/v1/audit?"+query+"&limit=2&cursor="+cursor, nil, http.StatusOK, &p)
		for _, it := range p.Items {
			out = append(out, it.Action+" "+it.Target)
		}
		if p.Next == "" {
			return out
		}
		cursor = p.Next
	}
}

// TestAuditFilters: the audit log is filtered by actor, action, target
// and time, paged, for admins only; a bad filter is refused naming it.
func TestAuditFilters(t *testing.T) {
	e := newEnv(t) // token.create of police-1, planner-1, fundraiser-1
	e.doJSON(e.tokens[camera.RolePolice], "POST", "/api/v1/cameras", cameraJSON("CG-0001"), http.StatusCreated, nil)
	e.mustUser("ca.songbinh", camera.RolePolice, "mật khẩu song bình")
	var toks struct {
		Items []registry.Token `json:"items"`
	}
	e.doJSON(adminToken, "GET", "/api/v1/tokens", nil, http.StatusOK, &toks)
	e.doJSON(adminToken, "DELETE", "/api/v1/tokens/"+toks.Items[1].ID, nil, http.StatusNoContent, nil)
	// Days of the log (UTC, the env's zone), from its entries: a test
	// run across midnight has entries on two days.
	var log auditPage
	e.doJSON(adminToken, "GET", "/api/v1/audit", nil, http.StatusOK, &log)
	first, last := log.Items[len(log.Items)-1].At.UTC(), log.Items[0].At.UTC()
	today := first.Format(time.DateOnly)
	yesterday := first.AddDate(0, 0, -1).Format(time.DateOnly)
	lastDay := last.Format(time.DateOnly)
	later := url.QueryEscape(last.Add(time.Second).Format(time.RFC3339))

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"token.revoke planner-1", "user.create ca.songbinh", "camera.create CG-0001", "token.create fundraiser-1", "token.create planner-1", "token.create police-1"}},
		{"action=token.*", []string{"token.revoke planner-1", "token.create fundraiser-1", "token.create planner-1", "token.create police-1"}},
		{"action=user.create,camera.*", []string{"user.create ca.songbinh", "camera.create CG-0001"}},
		{"actor=POLICE", []string{"camera.create CG-0001"}},
		{"actor=env-admin&target=planner", []string{"token.revoke planner-1", "token.create planner-1"}},
		{"target=" + url.QueryEscape("CG-0001"), []string{"camera.create CG-0001"}},
		{"from=" + today, []string{"token.revoke planner-1", "user.create ca.songbinh", "camera.create CG-0001", "token.create fundraiser-1", "token.create planner-1", "token.create police-1"}},
		{"to=" + yesterday, nil},
		{"from=" + yesterday + "&to=" + lastDay + "&action=camera.*", []string{"camera.create CG-0001"}},
		{"from=" + later, nil},
	} {
		t.Run(tc.query, func(t *testing.T) {
			if got := e.on(t).auditActions(tc.query); !slices.Equal(got, tc.want) {
				t.Errorf("entries %q, want %q", got, tc.want)
			}
		})
	}

	for _, tc := range []struct{ query, field string }{
		{"action=User.Create", "action"},
		{"action=camera.*.create", "action"},
		{"action=" + strings.Repeat("a,", 21), "action"},
		{"actor=" + strings.Repeat("x", 201), "actor"},
		{"target=" + strings.Repeat("đ", 201), "target"},
		{"from=yesterday", "from"},
		{"to=2026-13-01", "to"},
		{"from=" + today + "&to=" + yesterday, "to"},
		{"who=admin", "who"},
	} {
		t.Run("refused "+tc.query, func(t *testing.T) {
			if p := e.on(t).problem(adminToken, "GET", "/api/v1/audit?"+tc.query, nil, http.StatusBadRequest); p.Field != tc.field {
				t.Errorf("field %q, want %q (%s)", p.Field, tc.field, p.Detail)
			}
		})
	}
	for _, role := range []camera.Role{camera.RolePolice, camera.RolePlanner, camera.RoleFundraiser} {
		if role == camera.RolePlanner {
			continue // its token was revoked above
		}
		e.problem(e.tokens[role], "GET", "/api/v1/audit?action=token.*", nil, http.StatusForbidden)
	}
}

// TestBackupRecorded: a backup streamed to the end is in the audit log
// with who took it and its size, and sets the metric of the last backup.
func TestBackupRecorded(t *testing.T) {
	e := newEnv(t)
	const metric = "\nmatthan_backup_last_success_timestamp_seconds "
	if _, m, _ := e.do("", "GET", "/metrics", "", nil); strings.Contains(string(m), metric) {
		t.Fatalf("the last backup's metric exists before any backup")
	}
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/backup", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK || n == 0 {
		t.Fatalf("backup: %d, %d bytes, %v", res.StatusCode, n, err)
	}
	var p auditPage
	e.doJSON(adminToken, "GET", "/api/v1/audit?action=backup.download&limit=1", nil, http.StatusOK, &p)
	if len(p.Items) != 1 {
		t.Fatalf("no backup in the audit log: %+v", p)
	}
	got := p.Items[0]
	_, params, _ := strings.Cut(res.Header.Get("Content-Disposition"), "filename=")
	if got.Actor.Name != "env-admin" || got.Target != strings.Trim(params, `"`) || !slices.Equal(got.Changes, []string{"bytes: " + res.Header.Get("Content-Length")}) {
		t.Errorf("backup entry %+v; Content-Disposition %s, Content-Length %s", got, res.Header.Get("Content-Disposition"), res.Header.Get("Content-Length"))
	}
	if _, m, _ := e.do("", "GET", "/metrics", "", nil); !strings.Contains(string(m), metric) {
		t.Errorf("no metric of the last backup after a backup")
	}
}

// TestSettingsRoute: the settings the daemon prepared are answered to
// admins only, and the route is absent when the daemon gives none.
func TestSettingsRoute(t *testing.T) {
	e := newEnv(t)
	e.problem(adminToken, "GET", "/api/v1/settings", nil, http.StatusNotFound)

	calls := 0
	a := mustNew(t, api.Options{Store: e.store, Capabilities: allCapabilities(e.store), AdminToken: adminToken, Settings: func() any {
		calls++
		return map[string]any{"settings": []map[string]any{{"key": "listen", "value": "127.0.0.1:8080", "from": "default"}}, "secrets": []map[string]any{}}
	}})
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	e.srv = srv
	var got struct {
		Settings []struct{ Key, Value, From string } `json:"settings"`
	}
	_, body, h := e.do(adminToken, "GET", "/api/v1/settings", "", nil)
	if err := json.Unmarshal(body, &got); err != nil || len(got.Settings) != 1 || got.Settings[0].Key != "listen" || calls != 1 {
		t.Errorf("settings %s (%v), %d calls", body, err, calls)
	}
	if h.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", h.Get("Cache-Control"))
	}
	e.problem(e.tokens[camera.RolePolice], "GET", "/api/v1/settings", nil, http.StatusForbidden)
	if p := e.problem(adminToken, "GET", "/api/v1/settings?key=listen", nil, http.StatusBadRequest); p.Field != "key" {
		t.Errorf("unknown parameter: field %q", p.Field)
	}
}
