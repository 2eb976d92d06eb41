package exchange

import (
	"testing"

	"github.com/matthan/matthan/camera"
)

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		contentType string
		body        string
		want        Format
		field       string // error for this field, "" if none
	}{
		{"text/csv", "{", FormatCSV, ""},
		{"text/csv; charset=utf-8", "", FormatCSV, ""},
		{"application/geo+json", "id,name", FormatGeoJSON, ""},
		{"application/json", "", FormatGeoJSON, ""},
		{"Application/GEO+JSON; charset=utf-8", "", FormatGeoJSON, ""},
		{"", "id,name,lat", FormatCSV, ""},
		{"", "  \r\n\t{\"type\"", FormatGeoJSON, ""},
		{"", "\xEF\xBB\xBF{", FormatGeoJSON, ""},
		{"", "\xEF\xBB\xBFid,name", FormatCSV, ""},
		{"", "[]", FormatGeoJSON, ""},
		{"text/plain", "{}", FormatGeoJSON, ""},
		{"application/octet-stream", "id", FormatCSV, ""},
		{"application/x-www-form-urlencoded", "id,name", FormatCSV, ""}, // curl --data-binary
		{"", "", "", "body"},
		{"", "   \n", "", "body"},
		{"image/png", "\x89PNG", "", "Content-Type"},
		{"multipart/form-data; boundary=x", "--x", "", "Content-Type"},
		{"text/csv; charset", "", "", "Content-Type"},
	}
	for _, tt := range tests {
		t.Run(tt.contentType+"|"+tt.body, func(t *testing.T) {
			got, err := DetectFormat(tt.contentType, []byte(tt.body))
			if tt.field != "" {
				if camera.ErrorCode(err) != camera.EINVALID || camera.ErrorField(err) != tt.field {
					t.Errorf("DetectFormat error = %v, want one for %s", err, tt.field)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("DetectFormat = %q, %v, want %q", got, err, tt.want)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"csv": FormatCSV, "GeoJSON": FormatGeoJSON, " geojson ": FormatGeoJSON, "XLSX": FormatXLSX} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v, want %q", in, got, err, want)
		}
	}
	if _, err := ParseFormat("kml"); camera.ErrorField(err) != "format" {
		t.Errorf("ParseFormat(kml) error = %v, want one for format", err)
	}
	if _, err := NewDecoder("kml", nil); camera.ErrorField(err) != "format" {
		t.Errorf("NewDecoder(kml) error = %v, want one for format", err)
	}
	if got, want := FormatGeoJSON.ContentType(), "application/geo+json"; got != want {
		t.Errorf("ContentType = %q, want %q", got, want)
	}
	if got, want := FormatCSV.ContentType(), "text/csv; charset=utf-8"; got != want {
		t.Errorf("ContentType = %q, want %q", got, want)
	}
	if got, want := FormatXLSX.ContentType(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"; got != want {
		t.Errorf("ContentType = %q, want %q", got, want)
	}
	if _, err := NewDecoder(FormatXLSX, nil); camera.ErrorField(err) != "format" {
		t.Errorf("NewDecoder(xlsx) error = %v, want one for format: cameras do not import from a workbook", err)
	}
}
