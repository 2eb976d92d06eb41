package exchange

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
)

// cameras.geojson has "type" after "features", a foreign member, numeric
// strings, an altitude, decomposed text given as JSON escapes, lat/lon
// properties that the geometry overrides, and a numeric feature id.
func TestGeoJSONDecoderSample(t *testing.T) {
	cams, rejects := decodeFile(t, FormatGeoJSON, "cameras.geojson")
	checkRejections(t, rejects, nil)
	checkCameras(t, cams, []*camera.Camera{
		{
			ID: "CG-0201", Name: "Ngã tư Chợ Gạo (QL50)", Lat: 10.3521, Lon: 106.4612,
			Commune: "Thị trấn Chợ Gạo", District: "Chợ Gạo", Province: "Tiền Giang",
			RoadClass: camera.RoadNational, Site: camera.SiteIntersection,
			DirectionDeg: 45, FOVDeg: 90, RangeM: 60,
			RTSPURL:     "rtsp://10.20.0.11:554/Streaming/Channels/101",
			Credentials: camera.Credentials{Username: "admin", Password: "Mk@t2024"},
			InstalledOn: "2023-05-12", CostVND: 4500000, Status: camera.StatusActive,
			Notes: "Mặt trận xã góp 2.000.000 ₫",
		},
		{
			ID: "CG-0202", Name: "Chợ Song Bình", Lat: 10.3701, Lon: 106.4402,
			Commune: "Song Bình", RoadClass: camera.RoadCommune, Site: camera.SiteOther,
			DirectionDeg: 135.25, FOVDeg: 100, RangeM: 35.5,
			CostVND: 2500000, Status: camera.StatusActive,
		},
		{
			ID: "203", Name: "Feature id as a number", Lat: 1e-7, Lon: 106.4701,
			RoadClass: camera.RoadOther, Site: camera.SiteOther,
			FOVDeg: 360, RangeM: camera.DefaultRangeM, Status: camera.StatusActive,
		},
	})
}

// rejects.geojson holds one feature per reason a feature can be rejected,
// after a valid one (index 0).
func TestGeoJSONDecoderRejections(t *testing.T) {
	cams, rejects := decodeFile(t, FormatGeoJSON, "rejects.geojson")
	if len(cams) != 1 || cams[0].ID != "R-OK" {
		t.Errorf("got %d cameras, want only R-OK", len(cams))
	}
	r := func(i int, id, field, reason string) Rejection {
		return Rejection{Feature: i, ID: id, Field: field, Reason: reason}
	}
	checkRejections(t, rejects, []Rejection{
		r(1, "R-00", "geometry", `must be a Point, got "LineString"`),
		r(2, "R-01", "geometry", "is required: a Point with [lon, lat] coordinates"),
		r(3, "R-02", "geometry", "coordinates must be [lon, lat] or [lon, lat, altitude], got 1 numbers"),
		r(4, "R-03", "geometry", "got 4 numbers"),
		r(5, "R-04", "lat", "must be a number from -90 to 90, got 95"),
		r(6, "R-05", "lon", "must be a number from -180 to 180, got 200"),
		r(7, "R-06", "geometry", "coordinates must be an array of numbers [lon, lat]"),
		r(8, "", "properties", "must be an object"),
		r(9, "R-08", "type", "must be Feature"),
		r(10, "R-09", "name", "must be a string, got a number"),
		r(11, "R-10", "cost_vnd", `must be a whole number of đồng, got "1.5"`),
		r(12, "R-11", "cost_vnd", `got "abc"`),
		r(13, "R-12", "cost_vnd", "must be 0 or more đồng, got -1"),
		r(14, "R-13", "direction_deg", `must be a decimal number such as 10.35, got "NE"`),
		r(15, "R-14", "direction_deg", "must be a string or a number"),
		r(16, "R-15", "camera:direction", `or a compass direction such as NE, got "upwards"`),
		r(17, "R-16", "camera:type", `must be fixed, dome or panning, got "bullet"`),
		r(18, "R-17", "man_made", `must be surveillance, got "tower"`),
		r(19, "R-18", "surveillance:type", `must be camera or ALPR, got "guard"`),
		r(20, "R-19", "fov_deg", "must be from 1 to 360, got 0 (leave it out if unknown)"),
		r(21, "R-20", "rtsp_url", "must start with rtsp:// or rtsps://"),
		r(22, "", "id", "must not be empty"),
		r(23, "R/22", "id", "must not contain '/'"),
		r(24, "R-OK", "id", "repeats the id of feature 0"),
		r(25, "", "", "must be a GeoJSON Feature object"),
		r(26, "R-25", "name", "is not valid UTF-8"),
		r(27, "R-26", "geometry", "has a coordinate out of range"),
		r(28, "R-27", "installed_on", `must be a date YYYY-MM-DD, got "2024-13-01"`),
		r(29, "R-28", "status", `must be active or retired, got "gone"`),
		r(30, "R-29", "site", `got "bridge"`),
	})
}

// Bodies that are not a FeatureCollection are fatal errors naming what is
// wrong.
func TestGeoJSONDecoderFatal(t *testing.T) {
	const point = `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"id":"A","name":"a"}}`
	tests := []struct {
		name  string
		body  string
		rows  int // rows returned before the error
		field string
		msg   string
	}{
		{"empty", "", 0, "body", "is empty: send a GeoJSON FeatureCollection"},
		{"spaces", " \n ", 0, "body", "is empty: send a GeoJSON FeatureCollection"},
		{"not json", "id,name\n", 0, "body", "is not valid JSON at byte 1"},
		{"array", `[1]`, 0, "body", "must be a GeoJSON FeatureCollection object, got an array"},
		{"string", `"x"`, 0, "body", "must be a GeoJSON FeatureCollection object, got a string"},
		{"feature", point, 0, "type", `must be FeatureCollection, got "Feature" (put the feature in a FeatureCollection)`},
		{"geometry", `{"type":"Point","coordinates":[1,2]}`, 0, "type", `must be FeatureCollection, got "Point"`},
		{"type not a string", `{"type":1,"features":[]}`, 0, "type", "must be the string FeatureCollection"},
		{"no type", `{"features":[]}`, 0, "type", "is missing: the body must be a GeoJSON FeatureCollection"},
		{"no features", `{"type":"FeatureCollection"}`, 0, "features", "is missing: the FeatureCollection has no features array"},
		{"features null", `{"type":"FeatureCollection","features":null}`, 0, "features", "must be an array, got null"},
		{"features object", `{"type":"FeatureCollection","features":{}}`, 0, "features", "must be an array, got an object"},
		{"features twice", `{"type":"FeatureCollection","features":[],"features":[]}`, 0, "features", "appears twice"},
		{"truncated", `{"type":"FeatureCollection","features":[` + point + `,{"type":`, 1, "body", "ends in the middle of the JSON (in feature 1)"},
		{"syntax in feature", `{"type":"FeatureCollection","features":[` + point + `,{"type" "Feature"}]}`, 1, "body", "is not valid JSON at byte"},
		{"trailing data", `{"type":"FeatureCollection","features":[]} {}`, 0, "body", "has data after the FeatureCollection"},
		{"wrong type after features", `{"features":[` + point + `],"type":"GeometryCollection"}`, 1, "type", `must be FeatureCollection, got "GeometryCollection"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewGeoJSONDecoder(strings.NewReader(tt.body))
			rows := 0
			for {
				_, err := d.Next()
				if err == nil {
					rows++
					continue
				}
				if errors.Is(err, io.EOF) {
					t.Fatal("no error")
				}
				if rows != tt.rows {
					t.Errorf("got %d rows before the error, want %d", rows, tt.rows)
				}
				var e *camera.Error
				if !errors.As(err, &e) {
					t.Fatalf("error %v is not a *camera.Error", err)
				}
				if e.Code != camera.EINVALID || e.Field != tt.field || !strings.HasPrefix(e.Message, tt.msg) {
					t.Errorf("error = %q %q %q,\nwant %q %q %q...", e.Code, e.Field, e.Message, camera.EINVALID, tt.field, tt.msg)
				}
				if _, again := d.Next(); again != err {
					t.Errorf("Next after the error = %v, want the same error", again)
				}
				return
			}
		})
	}
}

func TestGeoJSONDecoderFeatureTooLarge(t *testing.T) {
	const point = `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"id":"A","name":"a"}}`
	big := `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"id":"B","name":"b","x":"` + strings.Repeat("x", MaxFeatureBytes) + `"}}`
	tests := []struct {
		name  string
		body  string
		field string
	}{
		{"feature", `{"type":"FeatureCollection","features":[` + point + "," + big + `]}`, "feature 1"},
		{"unclosed string", `{"type":"FeatureCollection","features":[` + point + `,{"type":"` + strings.Repeat("x", 2*MaxFeatureBytes), "feature 1"},
		{"foreign member", `{"type":"FeatureCollection","junk":"` + strings.Repeat("x", MaxFeatureBytes) + `","features":[]}`, "junk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := fatalError(t, FormatGeoJSON, []byte(tt.body))
			if camera.ErrorField(err) != tt.field || !strings.Contains(err.Error(), "larger than") {
				t.Errorf("error = %v, want %s: is larger than ...", err, tt.field)
			}
		})
	}
}

// The decoder streams: it returns the first feature before the rest of the
// body has been read.
func TestGeoJSONDecoderStreams(t *testing.T) {
	const head = `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"id":"A","name":"a"}},`
	errBoom := errors.New("boom")
	d := NewGeoJSONDecoder(io.MultiReader(strings.NewReader(head), &errReader{errBoom}))
	if row, err := d.Next(); err != nil || row.Camera == nil || row.Camera.ID != "A" {
		t.Fatalf("first row = %+v, %v; want camera A", row, err)
	}
	if _, err := d.Next(); !errors.Is(err, errBoom) {
		t.Errorf("error = %v, want it to wrap %v", err, errBoom)
	}
}

func TestGeoJSONDecoderProperties(t *testing.T) {
	tests := []struct {
		name  string
		props string
		check func(*camera.Camera) bool
		field string // rejected for this field, "" if accepted
	}{
		{"numeric strings", `"direction_deg":"90","fov_deg":" 45.5 ","range_m":"30","cost_vnd":"1000"`,
			func(c *camera.Camera) bool {
				return c.DirectionDeg == 90 && c.FOVDeg == 45.5 && c.RangeM == 30 && c.CostVND == 1000
			}, ""},
		{"exponent number", `"range_m":1.5e2`, func(c *camera.Camera) bool { return c.RangeM == 150 }, ""},
		{"exponent string", `"range_m":"1.5e2"`, nil, "range_m"},
		{"null is absent", `"fov_deg":null,"commune":null`, func(c *camera.Camera) bool { return c.FOVDeg == 360 && c.Commune == "" }, ""},
		{"escapes", `"notes":"a\tb\r\nc \u00e9"`, func(c *camera.Camera) bool { return c.Notes == "a\tb\nc é" }, ""},
		{"numeric id wins over nothing", `"id":42`, func(c *camera.Camera) bool { return c.ID == "42" }, ""},
		{"bool text", `"commune":true`, nil, "commune"},
		{"object number", `"range_m":{}`, nil, "range_m"},
		{"huge number", `"range_m":1e400`, nil, "range_m"},
		{"credentials", `"rtsp_url":"rtsp://u:p@h/x"`, func(c *camera.Camera) bool {
			return c.RTSPURL == "rtsp://h/x" && c.Credentials == camera.Credentials{Username: "u", Password: "p"}
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[106,10]},"properties":{"id":"P-1","name":"p",` + tt.props + `}}]}`
			cams, rejects := decodeBytes(t, FormatGeoJSON, []byte(body))
			if tt.field != "" {
				if len(rejects) != 1 || rejects[0].Field != tt.field {
					t.Fatalf("rejects = %+v, want one for %s", rejects, tt.field)
				}
				return
			}
			if len(cams) != 1 {
				t.Fatalf("rejects = %+v, want a camera", rejects)
			}
			if !tt.check(cams[0]) {
				t.Errorf("camera = %+v", *cams[0])
			}
		})
	}
}

// A reused featureJSON must not leak one feature's properties into the
// next.
func TestGeoJSONDecoderNoLeak(t *testing.T) {
	body := `{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"id":"A","name":"a","commune":"Song Bình","cost_vnd":5,"camera:type":"dome"}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"id":"B","name":"b","direction_deg":90}}]}`
	cams, _ := decodeBytes(t, FormatGeoJSON, []byte(body))
	if len(cams) != 2 {
		t.Fatalf("got %d cameras, want 2", len(cams))
	}
	if b := cams[1]; b.Commune != "" || b.CostVND != 0 || b.FOVDeg != 360 || b.DirectionDeg != 90 {
		t.Errorf("second camera = %+v, want nothing of the first", *b)
	}
	if !bytes.Contains([]byte(body), []byte("Song Bình")) {
		t.Fatal("test body changed")
	}
}
