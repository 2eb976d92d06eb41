package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
)

var t0 = time.Date(2026, 11, 24, 21, 40, 0, 0, time.FixedZone("ICT", 7*3600))

func TestIncidentCreateGetPatch(t *testing.T) {
	e := newIncidentEnv(t)
	e.addCamera("CG-0001", 10.3541, 106.4612, "")

	in := e.createIncident(incidentJSON("CG-0001", t0))
	if !strings.HasPrefix(in.ID, camera.IncidentIDPrefix) || in.CreatedBy.Name != "police-1" || in.CreatedBy.Role != camera.RolePolice {
		t.Errorf("created %+v", in)
	}
	if !in.Start.Equal(t0) || in.Handling != camera.HandlingCriminal || in.Subjects != 2 || len(in.Clips) != 0 {
		t.Errorf("created %+v", in)
	}
	if !in.HasPlace() || *in.Lat != 10.3541 || *in.Lon != 106.4612 {
		t.Errorf("place %v, %v: want the camera's", in.Lat, in.Lon)
	}

	var got camera.Incident
	e.doJSON(e.police(), "GET", "/api/v1/incidents/"+in.ID, nil, 200, &got)
	if got.ID != in.ID || got.Note != in.Note || got.CaseRef != "CA-CG/2026/101" {
		t.Errorf("get %+v", got)
	}

	// PATCH: a legal hold and the handling decided; what is absent stays.
	var patched camera.Incident
	e.doJSON(adminToken, "PATCH", "/api/v1/incidents/"+in.ID, `{"hold":true,"handling":"administrative","note":"Đã xử phạt hành chính."}`, 200, &patched)
	if !patched.Hold || patched.Handling != camera.HandlingAdministrative || patched.Note != "Đã xử phạt hành chính." || patched.CaseRef != in.CaseRef || patched.Category != in.Category {
		t.Errorf("patched %+v", patched)
	}
	// A GET's answer sent back unchanged is a valid PATCH.
	raw := e.doJSON(e.police(), "GET", "/api/v1/incidents/"+in.ID, nil, 200, nil)
	e.doJSON(e.police(), "PATCH", "/api/v1/incidents/"+in.ID, raw, 200, nil)

	for _, tt := range []struct {
		name, body, field string
		status            int
	}{
		{"id mismatch", `{"id":"INC-OTHER"}`, "id", 400},
		{"end before start", `{"end":"2026-11-24T20:00:00+07:00"}`, "end", 400},
		{"bad handling", `{"handling":"jail"}`, "handling", 400},
		{"unknown field", `{"suspects":3}`, "suspects", 400},
		{"unknown camera added", `{"camera_ids":["CG-0001","CG-9999"]}`, "camera_ids", 400},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := e.on(t).problem(e.police(), "PATCH", "/api/v1/incidents/"+in.ID, tt.body, tt.status)
			if p.Field != tt.field {
				t.Errorf("field %q, want %q (%s)", p.Field, tt.field, p.Detail)
			}
		})
	}
	e.problem(e.police(), "GET", "/api/v1/incidents/INC-NONE", nil, 404)
	e.problem(e.police(), "PATCH", "/api/v1/incidents/INC-NONE", `{"hold":true}`, 404)

	// A given id is kept, and a taken one is a conflict.
	v := incidentJSON("CG-0001", t0)
	v["id"] = "CA-CG-2026-7"
	if got := e.createIncident(v); got.ID != "CA-CG-2026-7" {
		t.Errorf("given id became %q", got.ID)
	}
	e.problem(e.police(), "POST", "/api/v1/incidents", v, 409)

	// Each creation counts once in the metrics.
	theft := incidentsCounted(t, e, "theft")
	if theft != 2 {
		t.Errorf("matthan_incidents_total{category=theft} = %v, want 2", theft)
	}
}

// incidentsCounted reads matthan_incidents_total{category} back from the
// registry.
func incidentsCounted(t *testing.T, e *incEnv, category string) float64 {
	t.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "matthan_incidents_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "category" && l.GetValue() == category {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("no matthan_incidents_total{category=%q}", category)
	return 0
}

func TestIncidentValidation(t *testing.T) {
	e := newIncidentEnv(t)
	e.addCamera("CG-0001", 10.3541, 106.4612, "")
	with := func(k string, v any) map[string]any {
		m := incidentJSON("CG-0001", t0)
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name  string
		body  any
		field string
	}{
		{"end before start", with("end", t0.Add(-time.Minute).Format(time.RFC3339)), "end"},
		{"end equals start", with("end", t0.Format(time.RFC3339)), "end"},
		{"window over 24 h", with("end", t0.Add(25*time.Hour).Format(time.RFC3339)), "end"},
		{"unknown camera", with("camera_ids", []string{"CG-9999"}), "camera_ids"},
		{"no camera", with("camera_ids", []string{}), "camera_ids"},
		{"camera_ids missing", with("camera_ids", nil), "camera_ids"},
		{"camera twice", with("camera_ids", []string{"CG-0001", "CG-0001"}), "camera_ids"},
		{"subjects < 0", with("subjects", -1), "subjects"},
		{"subjects not a number", with("subjects", "two"), "subjects"},
		{"bad handling", with("handling", "jail"), "handling"},
		{"bad category", with("category", "mischief"), "category"},
		{"category missing", with("category", nil), "category"},
		{"start not a time", with("start", "last tuesday"), "start"},
		{"start missing", with("start", nil), "start"},
		{"lat without lon", with("lat", 10.35), "lon"},
		{"lat out of range", func() map[string]any { m := with("lat", 91); m["lon"] = 106.4; return m }(), "lat"},
		{"case_ref too long", with("case_ref", strings.Repeat("x", 101)), "case_ref"},
		{"unknown field", with("suspects", 2), "suspects"},
		{"not JSON", "{", "body"},
		{"empty", "", "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := e.on(t).problem(e.police(), "POST", "/api/v1/incidents", tt.body, 400)
			if p.Field != tt.field {
				t.Errorf("field %q, want %q (%s)", p.Field, tt.field, p.Detail)
			}
		})
	}
}

func TestIncidentListFilters(t *testing.T) {
	e := newIncidentEnv(t)
	e.addCamera("CG-0001", 10.3541, 106.4612, "")
	e.addCamera("CG-0002", 10.3000, 106.4000, "") // ~9.4 km away
	e.doJSON(adminToken, "PATCH", "/api/v1/cameras/CG-0002", map[string]string{"commune": "Xã Song Bình"}, 200, nil)
	cats := []string{"theft", "robbery", "traffic"}
	var all []camera.Incident
	for i := range 12 {
		cam := []string{"CG-0001", "CG-0002"}[i%2]
		v := incidentJSON(cam, t0.Add(time.Duration(i)*time.Hour))
		v["category"] = cats[i%3]
		v["case_ref"] = fmt.Sprintf("CA-CG/2026/%03d", i/2)
		all = append(all, e.createIncident(v))
	}
	list := func(query string) []camera.Incident {
		t.Helper()
		var out []camera.Incident
		path := "/api/v1/incidents?" + query
		for {
			var p struct {
				Items      []camera.Incident
				NextCursor string `json:"next_cursor"`
			}
			e.doJSON(e.police(), "GET", path, nil, 200, &p)
			out = append(out, p.Items...)
			if p.NextCursor == "" {
				return out
			}
			path = "/api/v1/incidents?" + query + "&cursor=" + url.QueryEscape(p.NextCursor)
		}
	}
	ids := func(ins []camera.Incident) string {
		var s []string
		for _, in := range ins {
			s = append(s, in.ID)
		}
		return strings.Join(s, ",")
	}
	want := func(keep func(i int) bool) string {
		var s []string
		for i := len(all) - 1; i >= 0; i-- { // newest first
			if keep(i) {
				s = append(s, all[i].ID)
			}
		}
		return strings.Join(s, ",")
	}
	rfc := func(t time.Time) string { return url.QueryEscape(t.Format(time.RFC3339)) }
	tests := []struct {
		name, query string
		keep        func(i int) bool
	}{
		{"all, paged by 5", "limit=5", func(int) bool { return true }},
		{"camera", "camera_id=CG-0002&limit=2", func(i int) bool { return i%2 == 1 }},
		{"category", "category=robbery", func(i int) bool { return i%3 == 1 }},
		{"case ref, any case", "case_ref=ca-cg%2F2026%2F002", func(i int) bool { return i/2 == 2 }},
		{"from to", "from=" + rfc(t0.Add(3*time.Hour)) + "&to=" + rfc(t0.Add(7*time.Hour)), func(i int) bool { return i >= 3 && i < 7 }},
		{"radius 2 km", "lat=10.3541&lon=106.4612&radius_m=2000&limit=1", func(i int) bool { return i%2 == 0 }},
		{"bbox", "bbox=106.39,10.29,106.41,10.31", func(i int) bool { return i%2 == 1 }},
		{"camera and day", "camera_id=CG-0001&from=" + rfc(t0) + "&to=" + rfc(t0.Add(24*time.Hour)), func(i int) bool { return i%2 == 0 }},
		{"nothing", "category=fraud", func(int) bool { return false }},
		{"commune, without accents or prefix", "commune=song+binh", func(i int) bool { return i%2 == 1 }},
		{"commune as written", "commune=" + url.QueryEscape("Thị trấn Chợ Gạo") + "&limit=2", func(i int) bool { return i%2 == 0 }},
		{"commune and category", "commune=cho+gao&category=robbery", func(i int) bool { return i%2 == 0 && i%3 == 1 }},
		{"another commune", "commune=" + url.QueryEscape("Hòa Định"), func(int) bool { return false }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, w := ids(list(tt.query)), want(tt.keep); got != w {
				t.Errorf("?%s =\n%s\nwant\n%s", tt.query, got, w)
			}
		})
	}
	// An empty list is an empty array, never null.
	body := e.doJSON(e.police(), "GET", "/api/v1/incidents?category=fraud", nil, 200, nil)
	if !bytes.Contains(body, []byte(`"items":[]`)) {
		t.Errorf("empty list %s", body)
	}

	bad := []struct{ query, field string }{
		{"radius_m=100", "lat"},
		{"lat=10.35&lon=106.46", "radius_m"},
		{"lat=10.35&lon=106.46&radius_m=0", "radius_m"},
		{"lat=95&lon=106.46&radius_m=10", "lat"},
		{"lat=10&lon=106&radius_m=600000", "radius_m"},
		{"bbox=106.5,10.3,106.4,10.4", "bbox"},
		{"from=yesterday", "from"},
		{"from=" + rfc(t0) + "&to=" + rfc(t0), "to"},
		{"category=mischief", "category"},
		{"limit=0", "limit"},
		{"limit=1001", "limit"},
		{"cursor=garbage", "cursor"},
		{"comune=x", "comune"},
	}
	for _, tt := range bad {
		t.Run("bad "+tt.query, func(t *testing.T) {
			p := e.on(t).problem(e.police(), "GET", "/api/v1/incidents?"+tt.query, nil, 400)
			if p.Field != tt.field {
				t.Errorf("field %q, want %q (%s)", p.Field, tt.field, p.Detail)
			}
		})
	}
	// A cursor of one query is refused by another.
	var p struct {
		NextCursor string `json:"next_cursor"`
	}
	e.doJSON(e.police(), "GET", "/api/v1/incidents?camera_id=CG-0001&limit=1", nil, 200, &p)
	if pr := e.problem(e.police(), "GET", "/api/v1/incidents?limit=1&category=theft&cursor="+url.QueryEscape(p.NextCursor), nil, 400); pr.Field != "cursor" {
		t.Errorf("foreign cursor: %+v", pr)
	}
}

// TestIncidentRoles: police and admin see incidents; planners and
// fundraisers see aggregated counts only.
func TestIncidentRoles(t *testing.T) {
	e := newIncidentEnv(t)
	e.addCamera("CG-0001", 10.3541, 106.4612, "")
	e.addCamera("CG-0002", 10.3000, 106.4000, "")
	in := e.createIncident(incidentJSON("CG-0001", t0))
	v := incidentJSON("CG-0002", t0.AddDate(0, 1, 0))
	v["handling"], v["category"], v["subjects"] = "education", "traffic", 1
	e.createIncident(v)
	clip := strings.Repeat("ab", 32)

	detailed := []struct{ method, path string }{
		{"GET", "/api/v1/incidents"},
		{"POST", "/api/v1/incidents"},
		{"POST", "/api/v1/incidents/import"},
		{"GET", "/api/v1/incidents/" + in.ID},
		{"PATCH", "/api/v1/incidents/" + in.ID},
		{"GET", "/api/v1/incidents/" + in.ID + "/clips"},
		{"POST", "/api/v1/incidents/" + in.ID + "/clips"},
		{"GET", "/api/v1/clips/" + clip + "?reason=audit"},
		{"GET", "/api/v1/clips/" + clip + "/verify"},
		{"GET", "/api/v1/clips/" + clip + "/custody"},
	}
	for _, role := range []camera.Role{camera.RolePlanner, camera.RoleFundraiser} {
		for _, r := range detailed {
			t.Run(string(role)+" "+r.method+" "+r.path, func(t *testing.T) {
				e.on(t).problem(e.tokens[role], r.method, r.path, `{}`, 403)
			})
		}
	}
	for _, role := range camera.Roles {
		t.Run(string(role)+" counts", func(t *testing.T) {
			var counts struct {
				Rows []struct {
					Commune, Category, Month string
					Incidents, Subjects      int
				}
				ByHandling []struct {
					Commune, Handling   string
					Incidents, Subjects int
				} `json:"by_handling"`
				Incidents, Subjects int
			}
			body := e.on(t).doJSON(e.tokens[role], "GET", "/api/v1/incidents/counts?from="+url.QueryEscape("2026-11-01T00:00:00+07:00"), nil, 200, &counts)
			if counts.Incidents != 2 || counts.Subjects != 3 || len(counts.Rows) != 2 || len(counts.ByHandling) != 2 {
				t.Errorf("counts %s", body)
			}
			if counts.Rows[0].Commune != "Thị trấn Chợ Gạo" || counts.Rows[0].Month != "2026-11" || counts.Rows[1].Month != "2026-12" {
				t.Errorf("rows %+v", counts.Rows)
			}
			for _, key := range []string{"id", "note", "case_ref", "clips", "camera_ids", "created_by"} {
				if hasField(body, key) {
					t.Errorf("counts carry %q: %s", key, body)
				}
			}
		})
	}
	e.problem(e.tokens[camera.RolePlanner], "GET", "/api/v1/incidents/counts?to=2020-01-01T00:00:00Z&from=2021-01-01T00:00:00Z", nil, 400)
	e.problem(e.tokens[camera.RolePlanner], "GET", "/api/v1/incidents/counts?since=2021", nil, 400)
}

func TestIncidentImport(t *testing.T) {
	e := newIncidentEnv(t)
	e.addCamera("CG-0001", 10.3541, 106.4612, "")
	existing := incidentJSON("CG-0001", t0)
	existing["id"] = "INC-OLD-1"
	e.createIncident(existing)

	item := func(id string, mod func(map[string]any)) map[string]any {
		m := incidentJSON("CG-0001", t0.Add(-time.Duration(len(id))*time.Hour))
		if id != "" {
			m["id"] = id
		}
		if mod != nil {
			mod(m)
		}
		return m
	}
	items := []any{
		item("INC-A", nil),
		item("INC-B", func(m map[string]any) { m["subjects"] = -1 }),                 // 1: subjects
		item("INC-C", func(m map[string]any) { m["camera_ids"] = []string{"CG-9"} }), // 2: unknown camera
		item("INC-A", nil),     // 3: twice
		item("INC-OLD-1", nil), // 4: exists
		item("INC-D", func(m map[string]any) { m["colour"] = "red" }),    // 5: unknown field
		item("INC-E", func(m map[string]any) { m["subjects"] = "many" }), // 6: type
		item("", func(m map[string]any) { m["category"] = "robbery" }),   // generated id
	}
	raw, err := json.Marshal(items)
	if err != nil {
		t.Fatal(err)
	}
	// Atomic: one bad item stores nothing.
	var ap struct {
		api.Problem
		Created    int
		Rejections []struct{ Index int }
	}
	e.doJSON(e.police(), "POST", "/api/v1/incidents/import?atomic=true", raw, 400, &ap)
	if ap.Created != 0 || len(ap.Rejections) != 6 {
		t.Errorf("atomic import: %+v", ap)
	}
	var rep struct {
		Created    int
		Rejected   int
		IDs        []string
		Rejections []struct {
			Index         int
			ID            string
			Field, Reason string
		}
	}
	e.doJSON(e.police(), "POST", "/api/v1/incidents/import", raw, 200, &rep)
	if rep.Created != 2 || rep.Rejected != 6 || len(rep.IDs) != 2 || rep.IDs[0] != "INC-A" {
		t.Fatalf("import: %+v", rep)
	}
	wantRej := []struct {
		index int
		field string
	}{{1, "subjects"}, {2, "camera_ids"}, {3, "id"}, {4, "id"}, {5, "colour"}, {6, "subjects"}}
	for i, w := range wantRej {
		if g := rep.Rejections[i]; g.Index != w.index || g.Field != w.field || g.Reason == "" {
			t.Errorf("rejection %d = %+v, want index %d field %s", i, g, w.index, w.field)
		}
	}
	e.doJSON(e.police(), "GET", "/api/v1/incidents/"+rep.IDs[1], nil, 200, nil)
	if got := incidentsCounted(t, e, "robbery"); got != 1 {
		t.Errorf("robbery incidents counted %v, want 1", got)
	}

	// A body that breaks off or is not an array stores nothing.
	cut := raw[:len(raw)/2]
	for _, body := range []string{string(cut), `{"id":"x"}`, ``, `[`, `[1,2]x`} {
		t.Run(fmt.Sprintf("bad body %.20q", body), func(t *testing.T) {
			e.on(t).problem(e.police(), "POST", "/api/v1/incidents/import", body, 400)
		})
	}
	var l struct{ Items []camera.Incident }
	e.doJSON(e.police(), "GET", "/api/v1/incidents", nil, 200, &l)
	if len(l.Items) != 3 {
		t.Errorf("%d incidents stored, want 3", len(l.Items))
	}
}
