package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp/rtsptest"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/internal/sample"
)

// newFullEnv is a server with every part the daemon gives it: the store,
// the spatial index, incidents and clips, and the settings. set, when
// not nil, changes the options before the server is built.
func newFullEnv(t *testing.T, set func(*api.Options)) *incEnv {
	t.Helper()
	return newIncidentEnvWith(t, func(o *api.Options) {
		o.Geo = geo.NewIndex()
		o.Settings = func() any {
			return map[string]any{
				"settings": []map[string]any{{"key": "listen", "value": "127.0.0.1:0", "from": "default"}},
				"secrets":  []map[string]any{{"env": "MATTHAN_ADMIN_TOKEN", "set": true}},
			}
		}
		o.Tips, o.TipSealer = o.Store.(api.TipStore), newTestSealer(t)
		o.Snapshots = testTickets{testTicket: "node-b"}
		if set != nil {
			set(o)
		}
	})
}

// call sends a request with the body as it is, requires the status and
// returns the body; env.do has checked the answer against the
// description.
func (e *incEnv) call(token, method, path, ctype string, body []byte, want int) []byte {
	e.t.Helper()
	status, got, _ := e.do(token, method, path, ctype, bytes.NewReader(body))
	if status != want {
		e.t.Fatalf("%s %s: %d, want %d: %s", method, path, status, want, got)
	}
	return got
}

// TestOpenAPIEveryRoute calls every operation of the description at
// least once with an answer of success, on a server with every part and
// the sample district, and checks each answer against the description
// (env.do does). The end-to-end tests check what they call too; this one
// makes sure no operation is left unchecked.
func TestOpenAPIEveryRoute(t *testing.T) {
	e := newFullEnv(t, nil)
	police, planner, fundraiser := e.police(), e.tokens[camera.RolePlanner], e.tokens[camera.RoleFundraiser]
	const csv, geoJSON, xlsx = "text/csv", "application/geo+json", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

	// The layers and the cameras of the sample district, each import
	// checked first.
	e.call(planner, "POST", "/api/v1/communes/import?dry_run=true", geoJSON, sample.Communes(), 200)
	e.call(planner, "POST", "/api/v1/communes/import", geoJSON, sample.Communes(), 200)
	e.call(planner, "POST", "/api/v1/intersections/import?dry_run=true", geoJSON, sample.Roads(), 200)
	e.call(planner, "POST", "/api/v1/intersections/import", geoJSON, sample.Roads(), 200)
	e.call(police, "POST", "/api/v1/cameras/import", csv, sample.Cameras(), 200)
	e.call(police, "POST", "/api/v1/cameras/import?atomic=true", geoJSON, e.call(police, "GET", "/api/v1/cameras/export?format=geojson", "", nil, 200), 200)

	// Cameras: one that streams (for a capture), one written three ways
	// and deleted.
	cam, err := rtsptest.Start(rtsptest.Options{Username: "admin", Password: "Cam-pw-1", Width: 640, Height: 480})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cam.Close)
	oa := cameraJSON("CG-OA-1")
	oa["rtsp_url"] = cam.URLWithCredentials("admin", "Cam-pw-1")
	e.doJSON(police, "POST", "/api/v1/cameras", oa, 201, nil)
	e.doJSON(police, "PUT", "/api/v1/cameras/CG-OA-2", cameraJSON("CG-OA-2"), 201, nil)
	e.doJSON(police, "PUT", "/api/v1/cameras/CG-OA-2", cameraJSON("CG-OA-2"), 200, nil)
	e.doJSON(police, "PATCH", "/api/v1/cameras/CG-OA-2", map[string]any{"cost_vnd": 5000000}, 200, nil)
	e.doJSON(police, "POST", "/api/v1/cameras/CG-OA-2/retire", nil, 200, nil)
	e.doJSON(police, "DELETE", "/api/v1/cameras/CG-OA-2", nil, 204, nil)
	e.call(fundraiser, "GET", "/api/v1/cameras/CG-0001", "", nil, 200)
	e.call(fundraiser, "GET", "/api/v1/cameras?q=cho+gao&limit=5", "", nil, 200)
	for _, f := range []string{"csv&bom=true", "geojson", "xlsx"} {
		e.call(planner, "GET", "/api/v1/cameras/export?format="+f, "", nil, 200)
	}

	// Health.
	since := time.Now().Add(-2 * time.Hour).Truncate(time.Second)
	e.setHealth("CG-OA-1", camera.StateUp, camera.ReasonOK, since)
	e.setHealth("CG-0001", camera.StateDown, camera.ReasonRefused, since)
	at := url.QueryEscape(since.Add(time.Hour).Format(time.RFC3339))
	e.call(planner, "GET", "/api/v1/cameras/CG-0001/health?at="+at+"&from="+url.QueryEscape(since.Format(time.RFC3339)), "", nil, 200)
	e.call(planner, "GET", "/api/v1/health?state=down,up", "", nil, 200)
	e.call(fundraiser, "GET", "/api/v1/health/summary", "", nil, 200)

	// The map, as a planner and as a fundraiser (who sees no state).
	const here = "lat=10.323653&lon=106.433280"
	const box = "bbox=106.35,10.25,106.55,10.45"
	polygon := []byte(`{"type":"Polygon","coordinates":[[[106.35,10.25],[106.55,10.25],[106.55,10.45],[106.35,10.45],[106.35,10.25]]]}`)
	for _, token := range []string{planner, fundraiser} {
		for _, f := range []string{"json", "geojson"} {
			e.call(token, "GET", "/api/v1/cameras/near?"+here+"&radius_m=3000&format="+f, "", nil, 200)
			e.call(token, "GET", "/api/v1/cameras/nearest?"+here+"&k=3&format="+f, "", nil, 200)
			e.call(token, "GET", "/api/v1/cameras/within?"+box+"&limit=5&format="+f, "", nil, 200)
			e.call(token, "POST", "/api/v1/cameras/within?limit=5&format="+f, geoJSON, polygon, 200)
		}
		e.call(token, "GET", "/api/v1/cameras.geojson?"+box, "", nil, 200)
		e.call(token, "GET", "/api/v1/fov.geojson?"+box, "", nil, 200)
		e.call(token, "GET", "/tiles/13/6518/3858.mvt", "", nil, 200)
		e.call(token, "GET", "/api/v1/map", "", nil, 200)
		e.call(token, "GET", "/api/v1/communes?q=binh", "", nil, 200)
		e.call(token, "GET", "/api/v1/coverage?mode=live", "", nil, 200)
	}
	e.call(police, "GET", "/api/v1/cameras/seeing?"+here+"&at="+at, "", nil, 200)

	// Coverage: gaps a page and as files, suggestions, junctions.
	var gaps struct {
		NextCursor string `json:"next_cursor"`
	}
	unmarshalT(t, e.call(planner, "GET", "/api/v1/coverage/gaps?limit=2", "", nil, 200), &gaps)
	if gaps.NextCursor == "" {
		t.Fatal("the sample district has more than two gaps, yet no next_cursor")
	}
	e.call(planner, "GET", "/api/v1/coverage/gaps?limit=2&cursor="+gaps.NextCursor, "", nil, 200)
	for _, f := range []string{"geojson", "csv&bom=true", "xlsx"} {
		e.call(planner, "GET", "/api/v1/coverage/gaps?road_class=national,provincial&format="+f, "", nil, 200)
	}
	for _, f := range []string{"json", "geojson"} {
		e.call(planner, "GET", "/api/v1/coverage/suggest?n=3&format="+f, "", nil, 200)
	}
	e.call(planner, "GET", "/api/v1/intersections?covered=false&limit=3", "", nil, 200)

	// Incidents, and clips: an upload and a capture.
	in := e.createIncident(incidentJSON("CG-OA-1", t0))
	e.doJSON(police, "PATCH", "/api/v1/incidents/"+in.ID, map[string]any{"hold": true}, 200, nil)
	e.call(police, "GET", "/api/v1/incidents/"+in.ID, "", nil, 200)
	e.call(police, "GET", "/api/v1/incidents?"+here+"&radius_m=5000", "", nil, 200)
	e.call(police, "POST", "/api/v1/incidents/import", "application/json", sample.Incidents(), 200)
	e.call(fundraiser, "GET", "/api/v1/incidents/counts", "", nil, 200)
	body, ctype := multipartBody(t, "file", "nga-tu.mp4", bytes.Repeat([]byte("không phải mp4 "), 1000))
	e.call(police, "POST", "/api/v1/incidents/"+in.ID+"/clips", ctype, body, 201)
	var clip camera.Clip
	unmarshalT(t, e.call(police, "POST", "/api/v1/incidents/"+in.ID+"/clips", "application/json", []byte(`{"camera_id":"CG-OA-1","capture_seconds":1}`), 201), &clip)
	if !clip.Inspected {
		t.Errorf("the captured clip was not inspected: %+v", clip)
	}
	e.call(police, "GET", "/api/v1/incidents/"+in.ID+"/clips", "", nil, 200)
	e.call(police, "GET", "/api/v1/clips/"+clip.ID+"?reason="+url.QueryEscape("kiểm tra mô tả API"), "", nil, 200)
	e.call(police, "GET", "/api/v1/clips/"+clip.ID+"/verify", "", nil, 200)
	e.call(police, "GET", "/api/v1/clips/"+clip.ID+"/custody?limit=2", "", nil, 200)
	var grant struct{ URL string }
	unmarshalT(t, e.call(police, "POST", "/api/v1/clips/"+clip.ID+"/playback", "application/json", []byte(`{"reason":"xem lại"}`), 201), &grant)
	e.call(police, "GET", grant.URL, "", nil, 200)
	e.call(police, "HEAD", grant.URL, "", nil, 200)
	for rng, want := range map[string]int{"bytes=0-99": http.StatusPartialContent, "bytes=999999999-": http.StatusRequestedRangeNotSatisfiable} {
		req, err := http.NewRequest("GET", e.srv.URL+grant.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+police)
		req.Header.Set("Range", rng)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		checkOpenAPI(t, res, got)
		if res.StatusCode != want {
			t.Errorf("Range %s: %d, want %d", rng, res.StatusCode, want)
		}
	}

	// Tips: one with an informant on a camera's place, its outcome, the
	// cameras that could have seen it, its sealed informant, the counts.
	var tip camera.Tip
	e.doJSON(police, "POST", "/api/v1/tips", map[string]any{
		"received_at": t0.Format(time.RFC3339), "channel": "hotline", "lat": 10.323653, "lon": 106.433280,
		"category": "theft", "summary": "nhóm thanh niên lạ lảng vảng gần ngã tư",
		"informant": map[string]any{"name": "Người báo tin", "phone": "0900000000"},
	}, 201, &tip)
	e.doJSON(police, "PATCH", "/api/v1/tips/"+tip.ID, map[string]any{"outcome": "criminal", "people": 2, "incident_ids": []string{in.ID}}, 200, nil)
	e.call(police, "GET", "/api/v1/tips/"+tip.ID, "", nil, 200)
	e.call(police, "GET", "/api/v1/tips?"+here+"&radius_m=5000&channel=hotline", "", nil, 200)
	e.call(police, "GET", "/api/v1/tips/"+tip.ID+"/seeing", "", nil, 200)
	e.call(police, "POST", "/api/v1/tips/"+tip.ID+"/informant", "application/json", []byte(`{"reason":"lấy lời khai bổ sung"}`), 200)
	e.call(fundraiser, "GET", "/api/v1/tips/counts", "", nil, 200)

	// Donations, funding and the public statement.
	var gift camera.Donation
	e.doJSON(fundraiser, "POST", "/api/v1/donations", map[string]any{"donor": "Nguyễn Văn An", "amount_vnd": 500000, "received_on": time.Now().AddDate(0, 0, -7).Format(time.DateOnly), "camera_id": "CG-0001"}, 201, &gift)
	e.call(fundraiser, "POST", "/api/v1/donations/import?dry_run=true", csv, sample.Donations(), 200)
	e.call(fundraiser, "POST", "/api/v1/donations/import", csv, sample.Donations(), 200)
	e.call(fundraiser, "GET", "/api/v1/donations/"+gift.ID, "", nil, 200)
	e.doJSON(fundraiser, "PATCH", "/api/v1/donations/"+gift.ID, map[string]any{"public": true}, 200, nil)
	for _, f := range []string{"json&limit=5", "csv&bom=true", "xlsx"} {
		e.call(fundraiser, "GET", "/api/v1/donations?commune=trung+hoa&format="+f, "", nil, 200)
	}
	e.call(fundraiser, "GET", "/api/v1/donations/series?interval=year", "", nil, 200)
	for _, g := range []string{"camera", "commune", "donor"} {
		e.call(fundraiser, "GET", "/api/v1/funding?group_by="+g+"&limit=5", "", nil, 200)
	}
	e.call(fundraiser, "GET", "/api/v1/funding?group_by=commune&format=csv", "", nil, 200)
	e.call(fundraiser, "GET", "/api/v1/funding?group_by=camera&format=xlsx", "", nil, 200)
	var pub struct{ Slug string }
	unmarshalT(t, e.call(adminToken, "PUT", "/api/v1/statements/"+url.PathEscape("Trung Hòa"), "", nil, 201), &pub)
	e.call(fundraiser, "GET", "/api/v1/statements", "", nil, 200)
	e.call("", "GET", "/api/v1/public/statements/"+pub.Slug, "", nil, 200)
	e.call(adminToken, "DELETE", "/api/v1/statements/"+pub.Slug, "", nil, 200)
	e.call(fundraiser, "DELETE", "/api/v1/donations/"+gift.ID+"?reason="+url.QueryEscape("nhập trùng"), "", nil, 200)

	// The summary.
	e.call(planner, "GET", "/api/v1/reports/summary", "", nil, 200)
	e.call(planner, "GET", "/api/v1/reports/summary?format=xlsx&from="+url.QueryEscape(t0.Add(-24*time.Hour).Format(time.RFC3339)), "", nil, 200)

	// Users and a session in the console.
	e.doJSON(adminToken, "POST", "/api/v1/users", map[string]any{"name": "ca.songbinh", "full_name": "Nguyễn Văn An", "role": "police", "password": "mật khẩu dài đủ"}, 201, nil)
	e.call(adminToken, "GET", "/api/v1/users", "", nil, 200)
	e.call(adminToken, "GET", "/api/v1/users/ca.songbinh", "", nil, 200)
	e.doJSON(adminToken, "PATCH", "/api/v1/users/ca.songbinh", map[string]any{"full_name": "Nguyễn Văn Ân"}, 200, nil)
	b := e.browser(t)
	if st := b.signIn("ca.songbinh", "mật khẩu dài đủ"); st != 200 {
		t.Fatalf("sign-in: %d", st)
	}
	if st, got, _ := b.send("GET", "/api/v1/session", "", nil); st != 200 {
		t.Fatalf("GET /api/v1/session: %d %s", st, got)
	}
	if st, got, _ := b.send("DELETE", "/api/v1/session", "", map[string]string{"X-CSRF-Token": b.csrf}); st != 204 {
		t.Fatalf("DELETE /api/v1/session: %d %s", st, got)
	}

	// Tokens and the admin's routes.
	var tok struct{ ID string }
	e.doJSON(adminToken, "POST", "/api/v1/tokens", map[string]any{"name": "oa", "role": "planner", "expires_in": "30d"}, 201, &tok)
	e.call(adminToken, "GET", "/api/v1/tokens?limit=2", "", nil, 200)
	e.call(adminToken, "DELETE", "/api/v1/tokens/"+tok.ID, "", nil, 204)
	e.call(adminToken, "GET", "/api/v1/audit?action=camera.*&limit=5", "", nil, 200)
	e.call(adminToken, "GET", "/api/v1/backup", "", nil, 200)
	e.call(testTicket, "GET", "/api/v1/cluster/snapshot", "", nil, 200)
	e.call(adminToken, "GET", "/api/v1/settings", "", nil, 200)
	e.call("", "GET", "/api/v1/openapi.json", "", nil, 200)

	// Every operation answered with success, by this test.
	v, err := openapiChecks()
	if err != nil {
		t.Fatal(err)
	}
	seen := v.Seen()
	for _, op := range v.Operations() {
		ok := false
		for status, names := range seen[op] {
			ok = ok || status < 300 && slices.Contains(names, t.Name())
		}
		if !ok {
			t.Errorf("%s was not called with success here", op)
		}
	}
}

// TestOpenAPIRoles checks each operation's x-roles: every role it
// lists gets past the role check (whatever the handler then answers to
// an empty request), every other role is 403, and a request without
// credentials is 401 — but on the open operations (security: []). Every
// answer is checked against the description too.
func TestOpenAPIRoles(t *testing.T) {
	// Sixty requests without credentials must not be throttled.
	e := newFullEnv(t, func(o *api.Options) { o.AuthFailureLimit = 1000 })
	v, err := openapiChecks()
	if err != nil {
		t.Fatal(err)
	}
	params := strings.NewReplacer("{id}", "openapi-roles", "{grant}", "openapi-roles", "{name}", "openapi-roles",
		"{commune}", "openapi-roles", "{slug}", "openapi-roles", "{z}", "0", "{x}", "0", "{y}", "0.mvt")
	for path, item := range v.Doc().Paths.Map() {
		for method, op := range item.Operations() {
			roles, err := xRoles(op)
			if err != nil {
				t.Errorf("%s %s: %v", method, path, err)
				continue
			}
			open := op.Security != nil && len(*op.Security) == 0
			_, nodes := op.Extensions["x-nodes"]
			if open == nodes && open != (roles == nil) || nodes && roles != nil {
				t.Errorf("%s %s: x-roles %v, open %v, x-nodes %v: an operation is open, for nodes, or has roles", method, path, roles, open, nodes)
			}
			p := params.Replace(path)
			if st, _, _ := e.do("", method, p, "", nil); (st == http.StatusUnauthorized) == open {
				t.Errorf("%s %s without credentials: %d (open: %v)", method, p, st, open)
			}
			if nodes {
				// A node's ticket only: no user's token opens it.
				for _, r := range camera.Roles {
					if st, got, _ := e.do(e.tokens[r], method, p, "", nil); st != http.StatusUnauthorized {
						t.Errorf("%s %s as %s: %d %s, want 401: the operation is for the cluster's nodes", method, p, r, st, got)
					}
				}
				continue
			}
			for _, r := range camera.Roles {
				st, got, _ := e.do(e.tokens[r], method, p, "", nil)
				if want := slices.Contains(roles, r) || open; (st != http.StatusForbidden) != want {
					t.Errorf("%s %s as %s: %d %s; the description says the role may: %v", method, p, r, st, got, want)
				}
			}
		}
	}
}

// xRoles reads an operation's x-roles; nil when it has none.
func xRoles(op *openapi3.Operation) ([]camera.Role, error) {
	raw, found := op.Extensions["x-roles"]
	if !found {
		return nil, nil
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	var roles []camera.Role
	if err := json.Unmarshal(b, &roles); err != nil {
		return nil, fmt.Errorf("x-roles: %w", err)
	}
	for _, r := range roles {
		if !r.Valid() {
			return nil, fmt.Errorf("x-roles: no role %q", r)
		}
	}
	return roles, nil
}
