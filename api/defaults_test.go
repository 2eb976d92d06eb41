package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/gendata"
)

// A field with a default takes it only when absent: an explicit value — a
// 0 field of view or range, an empty site, road class or status — is
// validated as given, on POST, PUT and PATCH, and leaves the stored camera
// as it was.
func TestCameraExplicitZeroIsNotAbsent(t *testing.T) {
	e := newEnv(t)
	police := e.tokens[camera.RolePolice]
	e.doJSON(police, "POST", "/api/v1/cameras", cameraJSON("CG-0001"), http.StatusCreated, nil)
	given := []struct {
		field string
		value any
	}{
		{"fov_deg", 0},
		{"fov_deg", 0.0},
		{"range_m", 0},
		{"site", ""},
		{"road_class", ""},
		{"status", ""},
	}
	for _, g := range given {
		for _, method := range []string{"POST", "PUT", "PATCH"} {
			t.Run(fmt.Sprintf("%s %s=%#v", method, g.field, g.value), func(t *testing.T) {
				e := e.on(t)
				body, path := cameraJSON("CG-0002"), "/api/v1/cameras"
				switch method {
				case "PUT":
					path = "/api/v1/cameras/CG-0001"
					body["id"] = "CG-0001"
				case "PATCH":
					path, body = "/api/v1/cameras/CG-0001", map[string]any{}
				}
				body[g.field] = g.value
				p := e.problem(police, method, path, body, http.StatusBadRequest)
				if p.Field != g.field {
					t.Errorf("field %q, want %q (%s)", p.Field, g.field, p.Detail)
				}
			})
		}
	}
	stored, err := e.store.GetCamera(t.Context(), "CG-0001")
	if err != nil {
		t.Fatal(err)
	}
	if stored.FOVDeg != 90 || stored.RangeM != 60 || stored.Site != camera.SiteIntersection || stored.RoadClass != camera.RoadNational || stored.Status != camera.StatusActive {
		t.Errorf("refused writes changed the camera: %+v", stored)
	}
	if _, err := e.store.GetCamera(t.Context(), "CG-0002"); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Errorf("a refused POST stored CG-0002: %v", err)
	}

	// Absent (or null) takes the default on POST and PUT; PATCH keeps the
	// stored value.
	defaulted := []string{"fov_deg", "range_m", "site", "road_class", "status"}
	want := func(t *testing.T, got cameraOut, what string) {
		t.Helper()
		if got.FOVDeg != 360 || got.RangeM != camera.DefaultRangeM || got.Site != camera.SiteOther || got.RoadClass != camera.RoadOther || got.Status != camera.StatusActive {
			t.Errorf("%s: fov %v range %v site %q road_class %q status %q, want the defaults", what, got.FOVDeg, got.RangeM, got.Site, got.RoadClass, got.Status)
		}
	}
	for _, null := range []bool{false, true} {
		body := cameraJSON("CG-0003")
		for _, f := range defaulted {
			delete(body, f)
			if null {
				body[f] = nil
			}
		}
		var got cameraOut
		e.doJSON(police, "PUT", "/api/v1/cameras/CG-0003", body, http.StatusCreated, &got)
		want(t, got, "PUT of a new camera")
		e.doJSON(police, "DELETE", "/api/v1/cameras/CG-0003", nil, http.StatusNoContent, nil)
		e.doJSON(police, "POST", "/api/v1/cameras", body, http.StatusCreated, &got)
		want(t, got, "POST")
		e.doJSON(police, "DELETE", "/api/v1/cameras/CG-0003", nil, http.StatusNoContent, nil)
	}
	put := cameraJSON("CG-0001")
	for _, f := range defaulted {
		delete(put, f)
	}
	var got cameraOut
	e.doJSON(police, "PUT", "/api/v1/cameras/CG-0001", put, http.StatusOK, &got)
	want(t, got, "PUT of a stored camera")
	e.doJSON(police, "PATCH", "/api/v1/cameras/CG-0001", `{"fov_deg":45,"range_m":30}`, http.StatusOK, &got)
	e.doJSON(police, "PATCH", "/api/v1/cameras/CG-0001", `{"fov_deg":null,"name":"Ngã ba"}`, http.StatusOK, &got)
	if got.FOVDeg != 45 || got.RangeM != 30 || got.Name != "Ngã ba" {
		t.Errorf("PATCH without fov_deg: fov %v range %v name %q, want 45, 30, Ngã ba", got.FOVDeg, got.RangeM, got.Name)
	}
}

// The same rule in the CSV and GeoJSON imports: an empty cell, an absent
// property, "" or null takes the default; a 0 is refused naming its
// column. A re-import of the export of those cameras changes nothing.
func TestImportExplicitZeroIsNotAbsent(t *testing.T) {
	e := newEnv(t)
	csv := gendata.CSVHeader + `
Z-01,Ngã tư,10.35,106.46,Song Bình,Chợ Gạo,Tiền Giang,national,intersection,45,0,60,,,0
Z-02,Ngã tư,10.35,106.46,Song Bình,Chợ Gạo,Tiền Giang,national,intersection,45,90,0,,,0
Z-03,Ngã tư,10.35,106.46,Song Bình,Chợ Gạo,Tiền Giang,national,intersection,45,0.0,60,,,0
D-01,Ngã tư,10.35,106.46,Song Bình,Chợ Gạo,Tiền Giang,,,0,,,,,
`
	out := e.importBody("/api/v1/cameras/import", "text/csv", []byte(csv), 200)
	wantRejections(t, out, []string{"fov_deg", "range_m", "fov_deg"})
	if out.Created != 1 {
		t.Errorf("csv: created %d, want 1 (D-01)", out.Created)
	}

	feature := func(id string, props string) string {
		return `{"type":"Feature","geometry":{"type":"Point","coordinates":[106.46,10.35]},"properties":{"id":"` + id + `","name":"Ngã tư"` + props + `}}`
	}
	features := []string{
		feature("G-01", `,"fov_deg":0`),
		feature("G-02", `,"range_m":0`),
		feature("G-03", `,"fov_deg":"0"`),
		feature("G-04", `,"range_m":-0`),
		feature("D-02", ``),
		feature("D-03", `,"fov_deg":null,"range_m":"","site":"","road_class":null,"status":""`),
	}
	geo := `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
	out = e.importBody("/api/v1/cameras/import", "application/geo+json", []byte(geo), 200)
	wantRejections(t, out, []string{"fov_deg", "range_m", "fov_deg", "range_m"})
	if out.Created != 2 {
		t.Errorf("geojson: created %d, want 2 (D-02, D-03)", out.Created)
	}
	for _, id := range []string{"D-01", "D-02", "D-03"} {
		c, err := e.store.GetCamera(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if c.FOVDeg != 360 || c.RangeM != camera.DefaultRangeM || c.Site != camera.SiteOther || c.RoadClass != camera.RoadOther || c.Status != camera.StatusActive {
			t.Errorf("%s: %+v, want the defaults", id, c)
		}
	}
	for _, format := range []string{"csv", "geojson"} {
		_, exported, _ := e.do(adminToken, "GET", "/api/v1/cameras/export?format="+format, "", nil)
		ct := map[string]string{"csv": "text/csv", "geojson": "application/geo+json"}[format]
		out := e.importBody("/api/v1/cameras/import", ct, exported, 200)
		if out.Unchanged != 3 || out.Created+out.Updated+out.Rejected != 0 {
			t.Errorf("re-import of the %s export: %+v, want 3 unchanged", format, out)
		}
	}
}

func wantRejections(t *testing.T, out importOut, fields []string) {
	t.Helper()
	var got []string
	for _, r := range out.Rejections {
		got = append(got, r.Field)
		if !strings.Contains(r.Reason, "0 (leave it out if unknown)") {
			t.Errorf("rejection %+v does not say the 0 given and what to do", r)
		}
	}
	if strings.Join(got, ",") != strings.Join(fields, ",") {
		t.Errorf("rejected fields %v, want %v", got, fields)
	}
}

// An incident's handling defaults to none only when absent: "" is refused,
// on create, import and PATCH.
func TestIncidentExplicitHandling(t *testing.T) {
	e := newIncidentEnv(t)
	e.addCamera("CG-0001", 10.3541, 106.4612, "")
	in := incidentJSON("CG-0001", t0)
	delete(in, "handling")
	if got := e.createIncident(in); got.Handling != camera.HandlingNone {
		t.Errorf("absent handling: %q, want none", got.Handling)
	}
	in["handling"] = nil
	if got := e.createIncident(in); got.Handling != camera.HandlingNone {
		t.Errorf("null handling: %q, want none", got.Handling)
	}
	in["handling"] = ""
	if p := e.problem(e.police(), "POST", "/api/v1/incidents", in, http.StatusBadRequest); p.Field != "handling" {
		t.Errorf("POST handling \"\": field %q (%s)", p.Field, p.Detail)
	}
	var rep struct {
		Created    int
		Rejections []struct{ Field string }
	}
	raw, err := json.Marshal([]any{in})
	if err != nil {
		t.Fatal(err)
	}
	e.doJSON(e.police(), "POST", "/api/v1/incidents/import", raw, http.StatusOK, &rep)
	if rep.Created != 0 || len(rep.Rejections) != 1 || rep.Rejections[0].Field != "handling" {
		t.Errorf("import of handling \"\": %+v", rep)
	}
	stored := e.createIncident(incidentJSON("CG-0001", t0))
	if p := e.problem(e.police(), "PATCH", "/api/v1/incidents/"+stored.ID, `{"handling":""}`, http.StatusBadRequest); p.Field != "handling" {
		t.Errorf("PATCH handling \"\": field %q (%s)", p.Field, p.Detail)
	}
	var got camera.Incident
	e.doJSON(e.police(), "GET", "/api/v1/incidents/"+stored.ID, nil, http.StatusOK, &got)
	if got.Handling != camera.HandlingCriminal {
		t.Errorf("after the refused PATCH: handling %q, want criminal", got.Handling)
	}
}
