package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
)

type cameraOut struct {
	camera.Camera
	HasCredentials bool `json:"has_credentials"`
}

func TestCameraCRUD(t *testing.T) {
	e := newEnv(t)
	police := e.tokens[camera.RolePolice]
	var got cameraOut
	raw := e.doJSON(police, "POST", "/api/v1/cameras", cameraJSON("CG-0001"), http.StatusCreated, &got)
	if bytes.Contains(raw, []byte("Matkhau123")) || bytes.Contains(raw, []byte("admin@")) {
		t.Fatalf("credentials in response: %s", raw)
	}
	if !got.HasCredentials || got.RTSPURL != "rtsp://192.0.2.10:554/Streaming/Channels/101" {
		t.Errorf("created: has_credentials %v url %q", got.HasCredentials, got.RTSPURL)
	}
	stored, _ := e.store.GetCamera(t.Context(), "CG-0001")
	if stored.Credentials.Username != "admin" || stored.Credentials.Password != "Matkhau123" {
		t.Errorf("stored credentials: %+v", stored.Credentials)
	}

	e.problem(police, "POST", "/api/v1/cameras", cameraJSON("CG-0001"), http.StatusConflict)

	e.doJSON(e.tokens[camera.RolePlanner], "GET", "/api/v1/cameras/CG-0001", nil, 200, &got)
	if got.Name != "Ngã tư Chợ Gạo" || got.CostVND != 4500000 {
		t.Errorf("get: %+v", got)
	}

	// PATCH one field; credentials and the rest stay.
	e.doJSON(police, "PATCH", "/api/v1/cameras/CG-0001", `{"name":"Ngã ba Bình Phan","cost_vnd":5000000}`, 200, &got)
	if got.Name != "Ngã ba Bình Phan" || got.CostVND != 5000000 || got.Lat != 10.3541 || !got.HasCredentials {
		t.Errorf("patch: %+v", got)
	}
	e.problem(police, "PATCH", "/api/v1/cameras/CG-0001", `{"fov_deg":0.5}`, 400)

	// PUT replaces, keeps credentials when none given.
	put := cameraJSON("CG-0001")
	delete(put, "rtsp_url")
	put["name"] = "Cổng trường THCS Song Bình"
	e.doJSON(police, "PUT", "/api/v1/cameras/CG-0001", put, 200, &got)
	if got.Name != "Cổng trường THCS Song Bình" || !got.HasCredentials || got.RTSPURL != "" {
		t.Errorf("put: %+v", got)
	}
	// PUT of a new id creates.
	e.doJSON(police, "PUT", "/api/v1/cameras/CG-0002", cameraJSON("CG-0002"), 201, nil)

	e.doJSON(police, "POST", "/api/v1/cameras/CG-0002/retire", nil, 200, &got)
	if got.Status != camera.StatusRetired {
		t.Errorf("retire: status %q", got.Status)
	}
	e.doJSON(police, "DELETE", "/api/v1/cameras/CG-0002", nil, 204, nil)
	e.problem(police, "GET", "/api/v1/cameras/CG-0002", nil, 404)

	// The audit log records who did what, admins only.
	var audit struct {
		Items []struct {
			Action string
			Target string
			Actor  camera.Actor
		}
	}
	e.doJSON(adminToken, "GET", "/api/v1/audit", nil, 200, &audit)
	if len(audit.Items) < 6 || audit.Items[0].Action != "camera.delete" || audit.Items[0].Actor.Name != "police-1" {
		t.Errorf("audit: %+v", audit.Items)
	}
	e.problem(police, "GET", "/api/v1/audit", nil, 403)
}

func TestListFilters(t *testing.T) {
	e := newEnv(t)
	admin := adminToken
	communes := []string{"Thị trấn Chợ Gạo", "Đăng Hưng Phước", "Bình Phục Nhứt"}
	for i := range 30 {
		c := cameraJSON(fmt.Sprintf("CG-%04d", i))
		c["commune"] = communes[i%3]
		c["name"] = "Camera " + communes[i%3]
		if i%5 == 0 {
			c["road_class"] = "commune"
		}
		e.doJSON(admin, "POST", "/api/v1/cameras", c, 201, nil)
	}
	type list struct {
		Items      []cameraOut
		NextCursor string `json:"next_cursor"`
	}
	tests := []struct {
		query string
		want  int
	}{
		{"q=" + url.QueryEscape("cho gao"), 10},
		{"q=dang hung", 10},
		{"commune=" + url.QueryEscape("dang hung phuoc"), 10},
		{"commune=" + url.QueryEscape("Bình Phục Nhứt") + "&road_class=commune", 2},
		{"status=retired", 0},
		{"q=CG-001", 10},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var l list
			e.on(t).doJSON(admin, "GET", "/api/v1/cameras?"+strings.ReplaceAll(tt.query, " ", "+"), nil, 200, &l)
			if len(l.Items) != tt.want {
				t.Errorf("got %d items, want %d", len(l.Items), tt.want)
			}
		})
	}
	// Pagination with an opaque cursor walks every camera once.
	seen := map[string]bool{}
	path := "/api/v1/cameras?limit=7"
	for {
		var l list
		e.doJSON(admin, "GET", path, nil, 200, &l)
		for _, c := range l.Items {
			if seen[c.ID] {
				t.Fatalf("%s seen twice", c.ID)
			}
			seen[c.ID] = true
		}
		if l.NextCursor == "" {
			break
		}
		path = "/api/v1/cameras?limit=7&cursor=" + l.NextCursor
	}
	if len(seen) != 30 {
		t.Errorf("paged through %d cameras, want 30", len(seen))
	}
}

func TestRoles(t *testing.T) {
	e := newEnv(t)
	e.doJSON(adminToken, "POST", "/api/v1/cameras", cameraJSON("CG-0001"), 201, nil)
	tests := []struct {
		role   camera.Role
		method string
		path   string
		body   any
		want   int
	}{
		{camera.RolePlanner, "GET", "/api/v1/cameras", nil, 200},
		{camera.RoleFundraiser, "GET", "/api/v1/cameras/CG-0001", nil, 200},
		{camera.RolePlanner, "POST", "/api/v1/cameras", cameraJSON("X"), 403},
		{camera.RoleFundraiser, "PATCH", "/api/v1/cameras/CG-0001", `{"name":"x"}`, 403},
		{camera.RolePlanner, "DELETE", "/api/v1/cameras/CG-0001", nil, 403},
		{camera.RolePolice, "POST", "/api/v1/tokens", `{"name":"x","role":"admin"}`, 403},
		{camera.RolePolice, "GET", "/api/v1/backup", nil, 403},
		{camera.RoleFundraiser, "POST", "/api/v1/cameras/import", "", 403},
		{"", "GET", "/api/v1/cameras", nil, 401},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %s %s", tt.role, tt.method, tt.path), func(t *testing.T) {
			tok := e.tokens[tt.role]
			e.on(t).doJSON(tok, tt.method, tt.path, tt.body, tt.want, nil)
		})
	}
	// Unknown token, malformed header.
	e.problem("mt_nope", "GET", "/api/v1/cameras", nil, 401)
	st, _, h := e.do("", "GET", "/api/v1/cameras", "", nil)
	if st != 401 || h.Get("WWW-Authenticate") == "" {
		t.Errorf("no token: %d %v", st, h)
	}
}

func TestBadInput(t *testing.T) {
	e := newEnv(t)
	police := e.tokens[camera.RolePolice]
	e.doJSON(police, "POST", "/api/v1/cameras", cameraJSON("KEEP"), 201, nil)
	with := func(k string, v any) map[string]any {
		c := cameraJSON("CG-BAD")
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	tests := []struct {
		name      string
		body      any
		wantField string
		want      int
	}{
		{"lat out of range", with("lat", 91), "lat", 400},
		{"lon out of range", with("lon", -181), "lon", 400},
		{"lat missing", with("lat", nil), "lat", 400},
		{"lat a string", with("lat", "10.3"), "lat", 400},
		{"direction 360", with("direction_deg", 360), "direction_deg", 400},
		{"fov 0", with("fov_deg", 0.2), "fov_deg", 400},
		{"range negative", with("range_m", -1), "range_m", 400},
		{"road class", with("road_class", "highway"), "road_class", 400},
		{"site", with("site", "roof"), "site", 400},
		{"status", with("status", "broken"), "status", 400},
		{"cost negative", with("cost_vnd", -5), "cost_vnd", 400},
		{"cost fraction", with("cost_vnd", 1.5), "cost_vnd", 400},
		{"date", with("installed_on", "15/03/2022"), "installed_on", 400},
		{"url scheme", with("rtsp_url", "http://x/y"), "rtsp_url", 400},
		{"id slash", with("id", "a/b"), "id", 400},
		{"id too long", with("id", strings.Repeat("x", 65)), "id", 400},
		{"id empty", with("id", ""), "id", 400},
		{"unknown field", with("colour", "red"), "colour", 400},
		{"malformed", `{"id": "x",`, "body", 400},
		{"not an object", `[1,2]`, "body", 400},
		{"empty", ``, "body", 400},
		{"trailing", `{"id":"a"} {}`, "body", 400},
		{"invalid utf-8", "{\"id\":\"a\xff\"}", "body", 400},
		{"huge", `{"notes":"` + strings.Repeat("a", 100<<10) + `"}`, "body", 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := e.on(t).problem(police, "POST", "/api/v1/cameras", tt.body, tt.want)
			if p.Field != tt.wantField {
				t.Errorf("field: got %q, want %q (detail %q)", p.Field, tt.wantField, p.Detail)
			}
		})
	}
	queries := []struct{ query, field string }{
		{"limit=0", "limit"}, {"limit=1001", "limit"}, {"limit=abc", "limit"},
		{"cursor=!!!", "cursor"}, {"status=x", "status"}, {"road_class=x", "road_class"},
		{"comune=x", "comune"}, {"q=a&q=b", "q"},
	}
	for _, tt := range queries {
		t.Run(tt.query, func(t *testing.T) {
			p := e.on(t).problem(police, "GET", "/api/v1/cameras?"+tt.query, nil, 400)
			if p.Field != tt.field {
				t.Errorf("field: got %q, want %q", p.Field, tt.field)
			}
		})
	}
	// Nothing stored was lost, nothing bad was stored.
	var l struct{ Items []cameraOut }
	e.doJSON(police, "GET", "/api/v1/cameras", nil, 200, &l)
	if len(l.Items) != 1 || l.Items[0].ID != "KEEP" {
		t.Errorf("after bad input: %+v", l.Items)
	}
	st, body, h := e.do(police, "GET", "/api/v1/nowhere", "", nil)
	if st != 404 || h.Get("Content-Type") != "application/problem+json" {
		t.Errorf("unknown route: %d %s %s", st, h.Get("Content-Type"), body)
	}
}
