package camera_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
)

func validIncident() *camera.Incident {
	start := time.Date(2026, 11, 24, 21, 40, 0, 0, time.FixedZone("ICT", 7*3600))
	return &camera.Incident{
		CameraIDs: []string{"CG-0001", "CG-0002"}, Start: start, End: start.Add(20 * time.Minute),
		Category: camera.CategoryTheft, CaseRef: "HS-12/2026", Subjects: 2, Handling: camera.HandlingCriminal,
		Note: "Xe máy bị lấy trước chợ\nhai đối tượng",
	}
}

func TestIncidentValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*camera.Incident)
		field string // "" = valid
	}{
		{"valid", func(*camera.Incident) {}, ""},
		{"generated id", func(in *camera.Incident) { in.ID = "" }, ""},
		{"given id", func(in *camera.Incident) { in.ID = "CA-SB-2026-07" }, ""},
		{"id with slash", func(in *camera.Incident) { in.ID = "a/b" }, "id"},
		{"no camera", func(in *camera.Incident) { in.CameraIDs = nil }, "camera_ids"},
		{"bad camera id", func(in *camera.Incident) { in.CameraIDs = []string{"ok", " pad"} }, "camera_ids"},
		{"camera twice", func(in *camera.Incident) { in.CameraIDs = []string{"a", "a"} }, "camera_ids"},
		{"too many cameras", func(in *camera.Incident) {
			in.CameraIDs = nil
			for i := range camera.MaxIncidentCameras + 1 {
				in.CameraIDs = append(in.CameraIDs, strings.Repeat("c", i+1))
			}
		}, "camera_ids"},
		{"no start", func(in *camera.Incident) { in.Start = time.Time{} }, "start"},
		{"no end", func(in *camera.Incident) { in.End = time.Time{} }, "end"},
		{"end before start", func(in *camera.Incident) { in.End = in.Start.Add(-time.Second) }, "end"},
		{"end at start", func(in *camera.Incident) { in.End = in.Start }, "end"},
		{"a day exactly", func(in *camera.Incident) { in.End = in.Start.Add(24 * time.Hour) }, ""},
		{"over a day", func(in *camera.Incident) { in.End = in.Start.Add(24*time.Hour + time.Second) }, "end"},
		{"year 1900", func(in *camera.Incident) {
			in.Start = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
			in.End = in.Start.Add(time.Hour)
		}, "start"},
		{"unknown category", func(in *camera.Incident) { in.Category = "arson" }, "category"},
		{"empty category", func(in *camera.Incident) { in.Category = "" }, "category"},
		{"open-list category", func(in *camera.Incident) { in.Category = camera.CategoryMissingPerson }, ""},
		{"negative subjects", func(in *camera.Incident) { in.Subjects = -1 }, "subjects"},
		{"zero subjects", func(in *camera.Incident) { in.Subjects = 0 }, ""},
		{"unknown handling", func(in *camera.Incident) { in.Handling = "fine" }, "handling"},
		{"long case_ref", func(in *camera.Incident) { in.CaseRef = strings.Repeat("x", camera.MaxCaseRefLen+1) }, "case_ref"},
		{"case_ref control", func(in *camera.Incident) { in.CaseRef = "HS\x00" }, "case_ref"},
		{"case_ref spaces", func(in *camera.Incident) { in.CaseRef = " HS-1" }, "case_ref"},
		{"note invalid UTF-8", func(in *camera.Incident) { in.Note = "a\xffb" }, "note"},
		{"long note", func(in *camera.Incident) { in.Note = strings.Repeat("ợ", camera.MaxIncidentNoteLen+1) }, "note"},
		{"lat without lon", func(in *camera.Incident) { v := 10.3; in.Lat = &v }, "lon"},
		{"lon without lat", func(in *camera.Incident) { v := 106.4; in.Lon = &v }, "lat"},
		{"lat out of range", func(in *camera.Incident) { in.SetPlace(91, 106) }, "lat"},
		{"place", func(in *camera.Incident) { in.SetPlace(10.35, 106.46) }, ""},
		{"bad clip id", func(in *camera.Incident) { in.Clips = []string{"abc"} }, "clips"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validIncident()
			tt.edit(in)
			in.ApplyDefaults()
			err := in.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				return
			}
			if camera.ErrorCode(err) != camera.EINVALID || camera.ErrorField(err) != tt.field {
				t.Fatalf("got %v (field %q), want invalid %s", err, camera.ErrorField(err), tt.field)
			}
		})
	}
}

func TestIncidentDefaultsAndJSON(t *testing.T) {
	in := validIncident()
	in.Handling = ""
	in.ApplyDefaults()
	if in.Handling != camera.HandlingNone || in.Start.Location() != time.UTC {
		t.Errorf("defaults: handling %q, location %v", in.Handling, in.Start.Location())
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"id"`, `"camera_ids"`, `"start"`, `"end"`, `"category"`, `"case_ref"`, `"subjects"`, `"handling"`, `"note"`, `"hold"`, `"created_by"`, `"created_at"`, `"updated_at"`, `"clips":[]`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON %s lacks %s", b, key)
		}
	}
	if strings.Contains(string(b), `"lat"`) {
		t.Errorf("JSON of an incident without a place has lat: %s", b)
	}
	if got := camera.FormatIncidentID(time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC), 123); got != "INC-20261128-000123" {
		t.Errorf("FormatIncidentID: %q", got)
	}
	if got := camera.FormatIncidentID(time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC), 12345678); got != "INC-20261128-12345678" {
		t.Errorf("FormatIncidentID past a million: %q", got)
	}
}

func TestSanitizeFilename(t *testing.T) {
	tests := []struct{ in, want string }{
		{"clip.mp4", "clip.mp4"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\ca\Desktop\Camera Chợ Gạo.mp4`, "Camera Chợ Gạo.mp4"},
		{"..", ""},
		{"...hidden.mp4", "hidden.mp4"},
		{"a\x00b\r\n\x1b[31mc.mp4", "ab[31mc.mp4"},
		{"bad\xffutf8.mp4", "badutf8.mp4"},
		{"rtl\u202egnp.mp4", "rtlgnp.mp4"},
		{"  spaced .mp4  ", "spaced .mp4"},
		{strings.Repeat("ả", 300), strings.Repeat("ả", camera.MaxFilenameLen)},
	}
	for _, tt := range tests {
		if got := camera.SanitizeFilename(tt.in); got != tt.want {
			t.Errorf("SanitizeFilename(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestClipAndCustodyValidate(t *testing.T) {
	id := strings.Repeat("ab", 32)
	c := &camera.Clip{ID: id, SHA256: id, Bytes: 10, Source: camera.ClipUpload}
	if err := c.Validate(); err != nil {
		t.Errorf("valid clip: %v", err)
	}
	for _, tt := range []struct {
		edit  func(*camera.Clip)
		field string
	}{
		{func(c *camera.Clip) { c.ID = strings.ToUpper(id); c.SHA256 = c.ID }, "id"},
		{func(c *camera.Clip) { c.SHA256 = strings.Repeat("0", 64) }, "sha256"},
		{func(c *camera.Clip) { c.Bytes = -1 }, "bytes"},
		{func(c *camera.Clip) { c.Source = "fax" }, "source"},
		{func(c *camera.Clip) { c.CameraID = "a/b" }, "camera_id"},
		{func(c *camera.Clip) { c.Filename = "a\nb" }, "filename"},
	} {
		x := *c
		tt.edit(&x)
		if err := x.Validate(); camera.ErrorField(err) != tt.field {
			t.Errorf("got %v, want field %s", err, tt.field)
		}
	}
	e := camera.CustodyEntry{ClipID: id, Action: camera.CustodyExport, Reason: "gửi Viện kiểm sát"}
	if err := e.Validate(); err != nil {
		t.Errorf("valid entry: %v", err)
	}
	e.Action = "edit"
	if err := e.Validate(); camera.ErrorField(err) != "action" {
		t.Errorf("bad action: %v", err)
	}
}
