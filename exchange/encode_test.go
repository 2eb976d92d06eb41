package exchange

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
)

// The export of each sample is a golden file; importing it gives the same
// cameras (less credentials) and exporting those gives the same bytes.
func TestExportGolden(t *testing.T) {
	tests := []struct {
		in     string
		format Format
		golden string
	}{
		{"cameras.csv", FormatCSV, "cameras.export.csv"},
		{"cameras.csv", FormatGeoJSON, "cameras.export.geojson"},
		{"osm.geojson", FormatGeoJSON, "osm.export.geojson"},
		{"excel.csv", FormatCSV, "excel.export.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			cams, _ := decodeFile(t, formatOf(tt.in), tt.in)
			var out bytes.Buffer
			var err error
			if tt.format == FormatCSV {
				err = WriteCSV(&out, slices.Values(cams))
			} else {
				err = WriteGeoJSON(&out, slices.Values(cams))
			}
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tt.golden, out.Bytes())
			checkNoCredentials(t, out.Bytes(), cams)
		})
	}
}

// Round trips of every sample through both formats, with the checks of the
// fuzz targets.
func TestRoundTrip(t *testing.T) {
	for _, in := range []string{"cameras.csv", "excel.csv", "multiline.csv", "rejects.csv", "cameras.geojson", "osm.geojson", "rejects.geojson"} {
		cams, _ := decodeFile(t, formatOf(in), in)
		t.Run(in+"/csv", func(t *testing.T) {
			checkRoundTrip(t, cams, func(r io.Reader) Decoder { return NewCSVDecoder(r) }, func(w io.Writer, cams []*camera.Camera) error {
				enc := NewCSVEncoder(w)
				enc.StatusAndNotes = true
				for _, c := range cams {
					if err := enc.Encode(c); err != nil {
						return err
					}
				}
				return enc.Close()
			})
		})
		t.Run(in+"/geojson", func(t *testing.T) {
			checkRoundTrip(t, cams, func(r io.Reader) Decoder { return NewGeoJSONDecoder(r) }, func(w io.Writer, cams []*camera.Camera) error {
				return WriteGeoJSON(w, slices.Values(cams))
			})
		})
	}
}

// checkNoCredentials fails if an export holds a password or a user name.
func checkNoCredentials(t *testing.T, out []byte, cams []*camera.Camera) {
	t.Helper()
	for _, c := range cams {
		for _, secret := range []string{c.Credentials.Password, c.Credentials.Username + ":", c.Credentials.Username + "@"} {
			if len(secret) > 1 && bytes.Contains(out, []byte(secret)) {
				t.Errorf("export of %s contains its credentials %q", c.ID, secret)
			}
		}
	}
}

func TestCSVEncoderColumns(t *testing.T) {
	if got, want := strings.Join(CSVColumns(), ","), CSVHeader; got != want {
		t.Errorf("CSVColumns = %s, want %s", got, want)
	}
	var out bytes.Buffer
	if err := WriteCSV(&out, slices.Values([]*camera.Camera(nil))); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), CSVHeader+"\n"; got != want {
		t.Errorf("empty export = %q, want %q", got, want)
	}
	out.Reset()
	enc := NewCSVEncoder(&out)
	enc.StatusAndNotes = true
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), CSVHeader+",status,notes\n"; got != want {
		t.Errorf("empty export with status and notes = %q, want %q", got, want)
	}
}

// A camera that somehow still has credentials in its URL (it was not
// validated) is exported without them.
func TestExportStripsCredentials(t *testing.T) {
	c := &camera.Camera{ID: "X-1", Name: "x", Lat: 1, Lon: 2, FOVDeg: 360, RangeM: 50, RTSPURL: "rtsp://admin:hunter22@10.0.0.1/ch1"}
	bad := &camera.Camera{ID: "X-2", Name: "y", FOVDeg: 360, RangeM: 50, RTSPURL: "rtsp://admin:hunter22@[::1/ch1"}
	for _, f := range []Format{FormatCSV, FormatGeoJSON} {
		var out bytes.Buffer
		var err error
		if f == FormatCSV {
			err = WriteCSV(&out, slices.Values([]*camera.Camera{c, bad}))
		} else {
			err = WriteGeoJSON(&out, slices.Values([]*camera.Camera{c, bad}))
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(out.Bytes(), []byte("hunter22")) || bytes.Contains(out.Bytes(), []byte("admin")) {
			t.Errorf("%s export holds credentials:\n%s", f, out.Bytes())
		}
		if !bytes.Contains(out.Bytes(), []byte("rtsp://10.0.0.1/ch1")) {
			t.Errorf("%s export lost the URL:\n%s", f, out.Bytes())
		}
	}
}

func TestExportRefusesNaN(t *testing.T) {
	c := &camera.Camera{ID: "X-1", Name: "x", Lat: math.NaN()}
	if err := WriteCSV(io.Discard, slices.Values([]*camera.Camera{c})); err == nil {
		t.Error("WriteCSV wrote a NaN")
	}
	if err := WriteGeoJSON(io.Discard, slices.Values([]*camera.Camera{c})); err == nil {
		t.Error("WriteGeoJSON wrote a NaN")
	}
}

func TestGeoJSONEncoderIsJSON(t *testing.T) {
	c := &camera.Camera{
		ID: "J-1", Name: "a\"b\\c\u2028d\u2029e\x01f", Lat: -0.000001, Lon: 1e-300, FOVDeg: 360, RangeM: 50,
		Notes: "line\nbreak\ttab\r\u00e9 \U0001F600 \xff",
	}
	var out bytes.Buffer
	if err := WriteGeoJSON(&out, slices.Values([]*camera.Camera{c})); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			ID       string `json:"id"`
			Geometry struct {
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(out.Bytes(), &fc); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, out.Bytes())
	}
	f := fc.Features[0]
	if f.ID != c.ID || f.Properties["name"] != c.Name || f.Properties["notes"] != strings.ToValidUTF8(c.Notes, "\uFFFD") {
		t.Errorf("feature = %+v", f)
	}
	if f.Geometry.Coordinates[0] != c.Lon || f.Geometry.Coordinates[1] != c.Lat {
		t.Errorf("coordinates = %v", f.Geometry.Coordinates)
	}
	if bytes.Contains(out.Bytes(), []byte("\u2028")) {
		t.Error("U+2028 not escaped")
	}
}

func formatOf(name string) Format {
	if strings.HasSuffix(name, ".csv") {
		return FormatCSV
	}
	return FormatGeoJSON
}
