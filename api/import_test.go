package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/matthan/matthan/internal/gendata"
)

type importOut struct {
	Created, Updated, Unchanged, Rejected int
	Rejections                            []struct {
		Line    int
		Feature *int
		ID      string
		Field   string
		Reason  string
	}
}

func (e *env) importBody(path, contentType string, body []byte, want int) importOut {
	e.t.Helper()
	st, raw, _ := e.do(adminToken, "POST", path, contentType, bytes.NewReader(body))
	if st != want {
		e.t.Fatalf("POST %s: status %d, want %d: %s", path, st, want, raw)
	}
	var out importOut
	if err := json.Unmarshal(raw, &out); err != nil {
		e.t.Fatalf("decode %s: %v", raw, err)
	}
	return out
}

const goodCSV = gendata.CSVHeader + `
CG-0001,Ngã tư Chợ Gạo,10.3541,106.4612,Thị trấn Chợ Gạo,Chợ Gạo,Tiền Giang,national,intersection,45,90,60,rtsp://admin:Matkhau123@192.0.2.1/s,2022-03-15,4500000
CG-0002,Bến đò Quơn Long,10.3301,106.5012,Quơn Long,Chợ Gạo,Tiền Giang,commune,other,180,360,40,,2021-01-02,3000000
`

func TestImportCSV(t *testing.T) {
	e := newEnv(t)
	body := goodCSV + `CG-0003,Bad lat,95,106.46,Song Bình,Chợ Gạo,Tiền Giang,district,road,10,90,50,,,100
CG-0001,Dup,10.35,106.46,Song Bình,Chợ Gạo,Tiền Giang,district,road,10,90,50,,,100
CG-0004,Bad cost,10.35,106.46,Song Bình,Chợ Gạo,Tiền Giang,district,road,10,90,50,,,1.5
`
	// Atomic: one bad row and nothing is stored.
	st, raw, h := e.do(adminToken, "POST", "/api/v1/cameras/import?atomic=true", "text/csv", strings.NewReader(body))
	if st != 400 || h.Get("Content-Type") != "application/problem+json" || !bytes.Contains(raw, []byte(`"rejected":3`)) {
		t.Fatalf("atomic import with bad rows: %d %s", st, raw)
	}
	if n, _ := e.store.CountCameras(t.Context()); n != 0 {
		t.Fatalf("atomic import stored %d cameras", n)
	}

	out := e.importBody("/api/v1/cameras/import", "text/csv", []byte(body), 200)
	if out.Created != 2 || out.Rejected != 3 || len(out.Rejections) != 3 {
		t.Fatalf("import: %+v", out)
	}
	wants := []struct {
		line  int
		field string
	}{{4, "lat"}, {5, "id"}, {6, "cost_vnd"}}
	for i, w := range wants {
		r := out.Rejections[i]
		if r.Line != w.line || r.Field != w.field || r.Reason == "" {
			t.Errorf("rejection %d: got %+v, want line %d field %s", i, r, w.line, w.field)
		}
	}
	got, err := e.store.GetCamera(t.Context(), "CG-0001")
	if err != nil || got.Credentials.Password != "Matkhau123" || strings.Contains(got.RTSPURL, "Matkhau") {
		t.Errorf("credentials split: %+v %v", got, err)
	}

	// Again: every row is unchanged.
	out = e.importBody("/api/v1/cameras/import", "text/csv", []byte(goodCSV), 200)
	if out.Unchanged != 2 || out.Created != 0 {
		t.Errorf("re-import: %+v", out)
	}
}

func TestImportGeoJSONOSM(t *testing.T) {
	e := newEnv(t)
	body := `{"type":"FeatureCollection","features":[
	 {"type":"Feature","id":"node/123","geometry":{"type":"Point","coordinates":[106.4612,10.3541]},
	  "properties":{"man_made":"surveillance","surveillance:type":"camera","camera:type":"dome","name":"Chợ Gạo market","operator":"Công an xã"}},
	 {"type":"Feature","geometry":{"type":"LineString","coordinates":[[106.4,10.3],[106.5,10.4]]},"properties":{"id":"X"}}
	]}`
	out := e.importBody("/api/v1/cameras/import", "application/geo+json", []byte(body), 200)
	if out.Created != 1 || out.Rejected != 1 || out.Rejections[0].Feature == nil || *out.Rejections[0].Feature != 1 {
		t.Fatalf("geojson import: %+v", out)
	}
	var l struct{ Items []cameraOut }
	e.doJSON(adminToken, "GET", "/api/v1/cameras", nil, 200, &l)
	if len(l.Items) != 1 || l.Items[0].FOVDeg != 360 || l.Items[0].Lat != 10.3541 {
		t.Errorf("osm camera: %+v", l.Items)
	}
}

func TestExportRoundTrip(t *testing.T) {
	for _, format := range []string{"csv", "geojson"} {
		t.Run(format, func(t *testing.T) {
			a := newEnv(t)
			// Credentials are write-only and never exported (a backup
			// carries them), so the round trip is of cameras without any.
			a.importBody("/api/v1/cameras/import", "text/csv", gendata.CSV(gendata.Rows(500, 3, "RT", gendata.ChoGao)), 200)
			a.importBody("/api/v1/cameras/import", "text/csv", []byte(strings.ReplaceAll(goodCSV, "admin:Matkhau123@", "")), 200)
			st, first, _ := a.do(adminToken, "GET", "/api/v1/cameras/export?format="+format, "", nil)
			if st != 200 {
				t.Fatalf("export: %d", st)
			}
			b := newEnv(t)
			ct := "text/csv"
			if format == "geojson" {
				ct = "application/geo+json"
			}
			out := b.importBody("/api/v1/cameras/import", ct, first, 200)
			if out.Created != 502 || out.Rejected != 0 {
				t.Fatalf("re-import: %+v", out)
			}
			_, second, _ := b.do(adminToken, "GET", "/api/v1/cameras/export?format="+format, "", nil)
			if !bytes.Equal(first, second) {
				t.Errorf("export → import → export differs (%d vs %d bytes)", len(first), len(second))
			}
		})
	}
}

func TestImportBadBodies(t *testing.T) {
	e := newEnv(t)
	e.importBody("/api/v1/cameras/import", "text/csv", []byte(goodCSV), 200)
	tests := []struct {
		name, ct, query string
		body            []byte
		want            int
		field           string
	}{
		{"empty", "text/csv", "", nil, 400, "header"},
		{"bad header", "text/csv", "", []byte("id,name,colour\nA,B,C\n"), 400, "colour"},
		{"too large", "text/csv", "", gendata.CSV(gendata.Rows(60_000, 9, "BIG", gendata.ChoGao)), 413, "body"},
		{"not a collection", "application/geo+json", "", []byte(`{"type":"Point","coordinates":[1,2]}`), 400, ""},
		{"wrong media type", "image/png", "", []byte("x"), 400, "Content-Type"},
		{"bad atomic", "text/csv", "?atomic=maybe", []byte(goodCSV), 400, "atomic"},
		{"bad format", "text/csv", "?format=xml", []byte(goodCSV), 400, "format"},
		{"cut off json", "application/geo+json", "", []byte(`{"type":"FeatureCollection","features":[{"type":"Feature",`), 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, raw, _ := e.do(adminToken, "POST", "/api/v1/cameras/import"+tt.query, tt.ct, bytes.NewReader(tt.body))
			if st != tt.want {
				t.Fatalf("status %d, want %d: %s", st, tt.want, raw)
			}
			var p struct{ Field, Detail string }
			_ = json.Unmarshal(raw, &p)
			if tt.field != "" && p.Field != tt.field {
				t.Errorf("field %q, want %q (%s)", p.Field, tt.field, p.Detail)
			}
		})
	}
	if n, _ := e.store.CountCameras(t.Context()); n != 2 {
		t.Errorf("cameras after bad imports: %d, want 2", n)
	}
	for _, f := range []string{"csv", "geojson"} {
		_, out, _ := e.do(adminToken, "GET", "/api/v1/cameras/export?format="+f, "", nil)
		if bytes.Contains(out, []byte("Matkhau123")) || bytes.Contains(out, []byte("admin@")) {
			t.Errorf("%s export carries credentials", f)
		}
	}
	st, _, _ := e.do(adminToken, "GET", "/api/v1/cameras/export?format=kml", "", nil)
	if st != http.StatusBadRequest {
		t.Errorf("export kml: %d", st)
	}
}

// Re-importing an export (which has no status or notes column) keeps a
// retired camera retired and its notes.
func TestImportKeepsStatusAndNotes(t *testing.T) {
	e := newEnv(t)
	e.importBody("/api/v1/cameras/import", "text/csv", []byte(goodCSV), 200)
	e.doJSON(adminToken, "PATCH", "/api/v1/cameras/CG-0002", `{"status":"retired","notes":"cột điện bị đổ"}`, 200, nil)
	_, exported, _ := e.do(adminToken, "GET", "/api/v1/cameras/export?format=csv", "", nil)
	e.importBody("/api/v1/cameras/import", "text/csv", exported, 200)
	got, _ := e.store.GetCamera(t.Context(), "CG-0002")
	if got.Status != "retired" || got.Notes != "cột điện bị đổ" {
		t.Errorf("after re-import: status %q notes %q", got.Status, got.Notes)
	}
}
