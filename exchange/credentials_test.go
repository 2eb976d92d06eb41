package exchange

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
)

// Credentials in the query of rtsp_url (rtsp://h/cam?channel=1&password=X)
// are split off on import, as those of the user information are, and no
// export carries them.
func TestQueryCredentialsImport(t *testing.T) {
	const (
		raw    = "rtsp://10.0.0.9:554/cam/realmonitor?channel=1&user=admin&password=Qs3cr3t-77&subtype=0"
		public = "rtsp://10.0.0.9:554/cam/realmonitor?channel=1&subtype=0"
	)
	inputs := map[Format]string{
		FormatCSV: CSVHeader + "\nQ-1,Cổng chợ,10.35,106.46,,,,,,,,,\"" + raw + "\",,4500000\n",
		FormatGeoJSON: `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[106.46,10.35]},` +
			`"properties":{"id":"Q-1","name":"Cổng chợ","rtsp_url":"` + raw + `","cost_vnd":4500000}}]}`,
	}
	for f, in := range inputs {
		t.Run(string(f), func(t *testing.T) {
			cams, rejects := decodeBytes(t, f, []byte(in))
			if len(cams) != 1 {
				t.Fatalf("rejects = %+v", rejects)
			}
			c := cams[0]
			if c.RTSPURL != public || !c.HasCredentials() || c.StreamURL() != raw {
				t.Errorf("rtsp_url %q, has credentials %v, stream URL %q; want %q, true, the URL as given", c.RTSPURL, c.HasCredentials(), c.StreamURL(), public)
			}
			for name, write := range map[string]func(*bytes.Buffer) error{
				"csv":     func(b *bytes.Buffer) error { return WriteCSV(b, slices.Values(cams)) },
				"geojson": func(b *bytes.Buffer) error { return WriteGeoJSON(b, slices.Values(cams)) },
			} {
				var b bytes.Buffer
				if err := write(&b); err != nil {
					t.Fatal(err)
				}
				if strings.Contains(b.String(), "Qs3cr3t-77") || !strings.Contains(b.String(), public) {
					t.Errorf("%s export:\n%s", name, b.String())
				}
				if name == "geojson" && !strings.Contains(b.String(), `"has_credentials":true`) {
					t.Errorf("geojson export does not say has_credentials: %s", b.String())
				}
			}
		})
	}
}

// exportURL strips query credentials from a URL that was never split, and
// drops one it cannot parse.
func TestExportURLQueryCredentials(t *testing.T) {
	for in, want := range map[string]string{
		"rtsp://h/cam?channel=1&password=p-1":   "rtsp://h/cam?channel=1",
		"rtsp://h/cam?channel=1":                "rtsp://h/cam?channel=1",
		"rtsp://h:x/cam?channel=1&password=p-1": "",
	} {
		if got := exportURL(in); got != want {
			t.Errorf("exportURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// cost_vnd is bounded by camera.MaxVND on every input path: CSV, GeoJSON,
// and GeoJSON tagged the OpenStreetMap way.
func TestCostBound(t *testing.T) {
	feature := func(props string) string {
		return `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[106.46,10.35]},"properties":{` + props + `}}]}`
	}
	for _, tt := range []struct {
		name   string
		f      Format
		in     func(cost string) string
		reject string
	}{
		{"csv", FormatCSV, func(cost string) string { return CSVHeader + "\nB-1,n,10.35,106.46,,,,,,,,,,," + cost + "\n" }, ""},
		{"geojson", FormatGeoJSON, func(cost string) string { return feature(`"id":"B-1","name":"n","cost_vnd":` + cost) }, ""},
		{"osm", FormatGeoJSON, func(cost string) string {
			return feature(`"@id":"node/77","man_made":"surveillance","surveillance:type":"camera","cost_vnd":` + cost)
		}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cams, rejects := decodeBytes(t, tt.f, []byte(tt.in("10000000000000")))
			if len(cams) != 1 || cams[0].CostVND != camera.MaxVND {
				t.Fatalf("the bound itself: cameras %d, rejects %+v", len(cams), rejects)
			}
			for cost, reason := range map[string]string{
				"10000000000001":      "must be at most 10.000.000.000.000 ₫",
				"9223372036854775807": "must be at most 10.000.000.000.000 ₫",
				"9223372036854775808": "is too large",
			} {
				cams, rejects := decodeBytes(t, tt.f, []byte(tt.in(cost)))
				if len(cams) != 0 || len(rejects) != 1 || rejects[0].Field != "cost_vnd" || !strings.Contains(rejects[0].Reason, reason) {
					t.Errorf("cost %s: cameras %d, rejects %+v; want one rejection naming cost_vnd: %s", cost, len(cams), rejects, reason)
				}
			}
		})
	}
}
