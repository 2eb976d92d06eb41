package exchange

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
)

func TestCSVDecoderSample(t *testing.T) {
	cams, rejects := decodeFile(t, FormatCSV, "cameras.csv")
	checkRejections(t, rejects, nil)
	checkCameras(t, cams, []*camera.Camera{
		{
			ID: "CG-0001", Name: "Ngã tư Chợ Gạo (QL50)", Lat: 10.3521, Lon: 106.4612,
			Commune: "Thị trấn Chợ Gạo", District: "Chợ Gạo", Province: "Tiền Giang",
			RoadClass: camera.RoadNational, Site: camera.SiteIntersection,
			DirectionDeg: 45, FOVDeg: 90, RangeM: 60,
			// The password had an escaped '@' (%40): it comes out decoded.
			RTSPURL:     "rtsp://10.20.0.11:554/Streaming/Channels/101",
			Credentials: camera.Credentials{Username: "admin", Password: "Mk@t2024"},
			InstalledOn: "2023-05-12", CostVND: 4500000, Status: camera.StatusActive,
		},
		{
			ID: "CG-0002", Name: "Cầu Chợ Gạo, đầu phía Bắc", Lat: 10.3587, Lon: 106.4655,
			Commune: "Thị trấn Chợ Gạo", District: "Chợ Gạo", Province: "Tiền Giang",
			RoadClass: camera.RoadNational, Site: camera.SiteRoad,
			DirectionDeg: 180, FOVDeg: 75.5, RangeM: 80, RTSPURL: "rtsp://10.20.0.12/live",
			InstalledOn: "2023-05-12", CostVND: 3800000, Status: camera.StatusActive,
		},
		{
			// The row is in NFD in the file (decomposed diacritics).
			ID: "CG-0003", Name: "Ngã ba Bình Phan", Lat: 10.3302, Lon: 106.4801,
			Commune: "Bình Phan", District: "Chợ Gạo", Province: "Tiền Giang",
			RoadClass: camera.RoadProvincial, Site: camera.SiteIntersection,
			DirectionDeg: 270, FOVDeg: 360, RangeM: 40,
			InstalledOn: "2023-06-01", CostVND: 2950000, Status: camera.StatusActive,
		},
		{
			// Empty fov, range and cost: the defaults, and 0 đồng.
			ID: "CG-0004", Name: `Trường "Hòa Định" cổng chính`, Lat: 10.3412, Lon: 106.4503,
			Commune: "Hòa Định", District: "Chợ Gạo", Province: "Tiền Giang",
			RoadClass: camera.RoadDistrict, Site: camera.SiteRoad,
			DirectionDeg: 0, FOVDeg: 360, RangeM: camera.DefaultRangeM,
			InstalledOn: "2023-07-15", Status: camera.StatusActive,
		},
		{
			ID: "CG-0005", Name: "Chợ Song Bình, lối vào chợ", Lat: 10.3701, Lon: 106.4402,
			Commune: "Song Bình", District: "Chợ Gạo", Province: "Tiền Giang",
			RoadClass: camera.RoadCommune, Site: camera.SiteOther,
			DirectionDeg: 135.25, FOVDeg: 100, RangeM: 35.5, RTSPURL: "rtsp://cam5.example.vn/h264",
			InstalledOn: "2024-01-20", CostVND: 2500000, Status: camera.StatusActive,
		},
		{
			// "District" and "Road" are lower-cased; a user without password.
			ID: "CG-0006", Name: "Đường huyện 24 - Lương Hòa Lạc", Lat: 10.3805, Lon: 106.4951,
			Commune: "Lương Hòa Lạc", District: "Chợ Gạo", Province: "Tiền Giang",
			RoadClass: camera.RoadDistrict, Site: camera.SiteRoad,
			DirectionDeg: 315, FOVDeg: 60, RangeM: 120,
			RTSPURL:     "rtsps://cam6.example.vn:322/main",
			Credentials: camera.Credentials{Username: "user"},
			CostVND:     1200000, Status: camera.StatusActive,
		},
	})
}

func TestCSVDecoderNFC(t *testing.T) {
	in := CSVHeader + "\nN-1,Cho\u031b\u0323 Ga\u0323o,10.35,106.46,Bi\u0300nh Phu\u0323c Nhu\u031b\u0301t,,,,,,,,,,\n"
	cams, _ := decodeBytes(t, FormatCSV, []byte(in))
	if len(cams) != 1 {
		t.Fatalf("got %d cameras, want 1", len(cams))
	}
	if got, want := cams[0].Name, "Chợ Gạo"; got != want {
		t.Errorf("name = %q, want %q", got, want)
	}
	if got, want := cams[0].Commune, "Bình Phục Nhứt"; got != want {
		t.Errorf("commune = %q, want %q", got, want)
	}
}

// excel.csv is what a spreadsheet saves as "CSV UTF-8": a byte order mark,
// CRLF line endings, here with the columns in another order and the
// optional status and notes.
func TestCSVDecoderExcel(t *testing.T) {
	cams, rejects := decodeFile(t, FormatCSV, "excel.csv")
	checkRejections(t, rejects, nil)
	checkCameras(t, cams, []*camera.Camera{
		{
			ID: "CG-0101", Name: "Ngã tư An Thạnh Thủy", Lat: 10.3205, Lon: 106.5102,
			Commune: "An Thạnh Thủy", District: "Chợ Gạo", Province: "Tiền Giang",
			RoadClass: camera.RoadProvincial, Site: camera.SiteIntersection,
			DirectionDeg: 90, FOVDeg: 90, RangeM: 50,
			RTSPURL: "rtsp://192.168.1.64/", Credentials: camera.Credentials{Username: "admin", Password: "12345"},
			InstalledOn: "2022-11-30", CostVND: 3100000, Status: camera.StatusActive,
			Notes: "Mặt trận xã góp 2.000.000 ₫\ncòn lại do Hội Nông dân",
		},
		{
			ID: "CG-0102", Name: "Bến phà Tân Thuận Bình", Lat: 10.3411, Lon: 106.5233,
			Commune: "Tân Thuận Bình", District: "Chợ Gạo", Province: "Tiền Giang",
			RoadClass: camera.RoadDistrict, Site: camera.SiteRoad,
			DirectionDeg: 200, FOVDeg: 70, RangeM: 60,
			InstalledOn: "2021-03-08", CostVND: 2800000, Status: camera.StatusRetired,
			Notes: "hỏng nguồn 2024",
		},
	})
	cols, err := NewCSVDecoder(bytes.NewReader(readTestdata(t, "excel.csv"))).Columns()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(cols, ","), "name,id,lon,lat,commune,district,province,road_class,site,direction_deg,fov_deg,range_m,rtsp_url,installed_on,cost_vnd,status,notes"; got != want {
		t.Errorf("Columns() = %s, want %s", got, want)
	}
}

// multiline.csv has quoted fields over several lines, a blank line, a row
// of empty fields and CRLF inside quotes: rows keep their physical line.
func TestCSVDecoderLineNumbers(t *testing.T) {
	d := NewCSVDecoder(bytes.NewReader(readTestdata(t, "multiline.csv")))
	type row struct {
		line  int
		id    string
		notes string
	}
	want := []row{
		{2, "M-1", "one\ntwo\nthree"},
		{6, "M-2", "plain"},
		{7, "M-3", "a, b\nc"},
		{9, "M-4", `he said "hi"`},
		{11, "M-5", ""}, // rejected: a line break in the name
		{13, "M-6", "last"},
	}
	var got []row
	for {
		r, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if r.Reject != nil {
			if r.Reject.Field != "name" {
				t.Errorf("line %d rejected for %v, want for its name", r.Line, r.Reject)
			}
			got = append(got, row{r.Line, r.Reject.ID, ""})
			continue
		}
		got = append(got, row{r.Line, r.Camera.ID, r.Camera.Notes})
	}
	if len(got) != len(want) {
		t.Fatalf("got rows %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// rejects.csv holds one row per reason a row can be rejected.
func TestCSVDecoderRejections(t *testing.T) {
	cams, rejects := decodeFile(t, FormatCSV, "rejects.csv")
	if len(cams) != 1 || cams[0].ID != "R-OK" {
		t.Errorf("got %d cameras, want only R-OK", len(cams))
	}
	r := func(line int, id, field, reason string) Rejection {
		return Rejection{Line: line, Feature: -1, ID: id, Field: field, Reason: reason}
	}
	checkRejections(t, rejects, []Rejection{
		r(3, "", "id", "must not be empty"),
		r(4, "R/04", "id", "must not contain '/'"),
		r(5, "R-05", "name", "must not be empty"),
		r(6, "R-06", "lat", "is required"),
		r(7, "R-07", "lat", `must be a decimal number such as 10.35, got "abc"`),
		r(8, "R-08", "lat", `must use '.' as the decimal separator, got "10,35"`),
		r(9, "R-09", "lat", "must be a number from -90 to 90, got 91"),
		r(10, "R-10", "lon", "must be a number from -180 to 180, got 181"),
		r(11, "R-11", "lat", `must be a decimal number such as 10.35, got "1e1"`),
		r(12, "R-12", "lat", `must be a decimal number such as 10.35, got "NaN"`),
		r(13, "R-13", "road_class", `got "highway"`),
		r(14, "R-14", "site", `got "bridge"`),
		r(15, "R-15", "direction_deg", "must be from 0 to 359"),
		r(16, "R-16", "fov_deg", "must be from 1 to 360, got 0 (leave it out if unknown)"),
		r(17, "R-17", "fov_deg", "must be from 1 to 360, got 400"),
		r(18, "R-18", "range_m", "must be more than 0 and at most 5000 metres, got 0 (leave it out if unknown)"),
		r(19, "R-19", "range_m", "at most 5000 metres, got 6000"),
		r(20, "R-20", "rtsp_url", "must start with rtsp:// or rtsps://"),
		r(21, "R-21", "rtsp_url", "must name a host"),
		r(22, "R-22", "rtsp_url", "password must not contain control characters"),
		r(23, "R-23", "installed_on", `must be a date YYYY-MM-DD, got "12/05/2023"`),
		r(24, "R-24", "cost_vnd", `must be a whole number of đồng without decimals, got "1.5"`),
		r(25, "R-25", "cost_vnd", `must be a whole number of đồng, got "abc"`),
		r(26, "R-26", "cost_vnd", "must be 0 or more đồng, got -100"),
		r(27, "R-27", "cost_vnd", "is too large"),
		r(28, "R-28", "status", `must be active or retired, got "broken"`),
		r(29, "R-29", "name", "must not contain control characters"),
		r(30, "R-30", "commune", "is not valid UTF-8"),
		r(31, "R-31", "", "has a different number of fields than the header's 17"),
		r(32, "R-32", "name", `has a " inside a field that is not quoted (line 32, byte 10)`),
		r(33, "R-33", "name", `a stray " after one (line 33, byte 10)`),
		r(34, "R-OK", "id", "repeats the id of line 2"),
		r(35, "R-35", "name", "must be at most 200 characters"),
		r(36, "R-36", "direction_deg", "got -1"),
		r(37, "R-37", "range_m", "got -5"),
		r(38, "R-38", "rtsp_url", "is not a valid URL"),
		r(39, "R-39", "name", "quoted field that is not closed"),
	})
	for _, rej := range rejects {
		for _, secret := range []string{"s3cret", "pa%0Ass", "pa\nss"} {
			if strings.Contains(rej.Error(), secret) {
				t.Errorf("rejection %q repeats a password", rej.Error())
			}
		}
	}
}

// Header errors are fatal and name the column, like the invalid configs of
// blackbox_exporter: one file per case, with its exact error.
func TestCSVDecoderHeaderErrors(t *testing.T) {
	tests := []struct {
		file  string
		field string
		msg   string
	}{
		{"header-missing.csv", "cost_vnd", "missing column in the header; the columns are " + CSVHeader},
		{"header-unknown.csv", "camera_type", "unknown column in the header; the columns are " + CSVHeader + ", optionally with status and notes"},
		{"header-duplicate.csv", "name", "duplicate column in the header"},
		{"header-unnamed.csv", "header", "column 16 of the header has no name; the columns are " + CSVHeader},
		{"header-semicolon.csv", "header", "the columns are separated by ';': save the file with ',' between columns"},
		{"header-empty.csv", "header", "the file is empty: its first line must be the header " + CSVHeader},
		{"header-blank.csv", "header", "the file is empty: its first line must be the header " + CSVHeader},
		{"header-quote.csv", "header", `line 1: has a " inside a field that is not quoted (line 1, byte 6): quote the whole field and double the " inside it`},
		{"header-utf8.csv", "header", "line 1 is not valid UTF-8: save the file as CSV UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			err := fatalError(t, FormatCSV, readTestdata(t, tt.file))
			var e *camera.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not a *camera.Error", err)
			}
			if e.Code != camera.EINVALID || e.Field != tt.field || e.Message != tt.msg {
				t.Errorf("error = %q %q %q,\nwant %q %q %q", e.Code, e.Field, e.Message, camera.EINVALID, tt.field, tt.msg)
			}
		})
	}
}

// Header names are trimmed and matched in any case; status values too.
func TestCSVDecoderLooseHeader(t *testing.T) {
	cams, rejects := decodeFile(t, FormatCSV, "header-loose.csv")
	checkRejections(t, rejects, nil)
	if len(cams) != 1 || cams[0].Status != camera.StatusRetired {
		t.Fatalf("got %+v, want one retired camera", cams)
	}
}

func TestCSVDecoderNumbers(t *testing.T) {
	tests := []struct {
		lat, cost string
		wantLat   float64
		wantCost  int64
		field     string // rejected for this field, "" if accepted
	}{
		{"10.35", "", 10.35, 0, ""},
		{" 10.35 ", " 1300000000 ", 10.35, 1300000000, ""},
		{"+10", "+5", 10, 5, ""},
		{".5", "0", 0.5, 0, ""},
		{"-0", "-0", 0, 0, ""},
		{"10.", "10000000000000", 10, 10_000_000_000_000, ""}, // camera.MaxVND
		{"10", "10000000000001", 0, 0, "cost_vnd"},
		{"10", "9223372036854775807", 0, 0, "cost_vnd"},
		{"10,35", "", 0, 0, "lat"},
		{"1e1", "", 0, 0, "lat"},
		{"0x10", "", 0, 0, "lat"},
		{"Inf", "", 0, 0, "lat"},
		{"1_0", "", 0, 0, "lat"},
		{".", "", 0, 0, "lat"},
		{"-", "", 0, 0, "lat"},
		{"10.3.5", "", 0, 0, "lat"},
		{"10", "1.5", 0, 0, "cost_vnd"},
		{"10", "1.300.000", 10, 1300000, ""},
		{"10", "1,300,000", 10, 1300000, ""},
		{"10", "1.300.000 ₫", 10, 1300000, ""},
		{"10", "1.300,5", 0, 0, "cost_vnd"},
		{"10", "abc", 0, 0, "cost_vnd"},
		{"10", "-1", 0, 0, "cost_vnd"},
		{"10", "1e6", 0, 0, "cost_vnd"},
		{"10", "9223372036854775808", 0, 0, "cost_vnd"},
	}
	for _, tt := range tests {
		t.Run(tt.lat+"/"+tt.cost, func(t *testing.T) {
			in := CSVHeader + "\nN-1,n,\"" + tt.lat + "\",106,,,,,,,,,,,\"" + tt.cost + "\"\n"
			cams, rejects := decodeBytes(t, FormatCSV, []byte(in))
			if tt.field != "" {
				if len(rejects) != 1 || rejects[0].Field != tt.field {
					t.Fatalf("rejects = %+v, want one for %s", rejects, tt.field)
				}
				return
			}
			if len(cams) != 1 {
				t.Fatalf("rejects = %+v, want a camera", rejects)
			}
			if cams[0].Lat != tt.wantLat || cams[0].CostVND != tt.wantCost {
				t.Errorf("lat, cost = %v, %d, want %v, %d", cams[0].Lat, cams[0].CostVND, tt.wantLat, tt.wantCost)
			}
		})
	}
}

// Whatever the column, a field that is not UTF-8 rejects the row with that
// reason (the check is lazy: see CSVDecoder.row).
func TestCSVDecoderInvalidUTF8(t *testing.T) {
	valid := []string{"U-1", "name", "10.35", "106.46", "commune", "district", "province", "national", "road", "90", "90", "50", "rtsp://h/x", "2024-01-02", "5", "active", "notes"}
	header := CSVHeader + ",status,notes"
	// Without the bad byte the row is valid: the cases below test UTF-8 only.
	if cams, _ := decodeBytes(t, FormatCSV, []byte(header+"\n"+strings.Join(valid, ",")+"\n")); len(cams) != 1 {
		t.Fatal("the valid row is not valid")
	}
	for i, col := range strings.Split(header, ",") {
		t.Run(col, func(t *testing.T) {
			rec := append([]string(nil), valid...)
			rec[i] = rec[i][:1] + "\xff" + rec[i][1:]
			_, rejects := decodeBytes(t, FormatCSV, []byte(header+"\n"+strings.Join(rec, ",")+"\n"))
			if len(rejects) != 1 || rejects[0].Field != col || rejects[0].Reason != "is not valid UTF-8: save the file as CSV UTF-8" || rejects[0].Line != 2 {
				t.Errorf("rejects = %+v, want one on line 2 for %s not being UTF-8", rejects, col)
			}
		})
	}
}

// RTSP URLs keep their form through a round trip, including those with an
// '@' that SplitRTSPURL re-serialises.
func TestCSVDecoderRTSPURL(t *testing.T) {
	tests := []struct {
		in, url, user, pass string
	}{
		{"rtsp://10.0.0.1/ch1", "rtsp://10.0.0.1/ch1", "", ""},
		{"RTSP://Cam.Example.VN:554/a b", "RTSP://Cam.Example.VN:554/a b", "", ""}, // kept as given
		{"rtsp://admin:12345@10.0.0.1:554/Streaming/Channels/101?transportmode=unicast", "rtsp://10.0.0.1:554/Streaming/Channels/101?transportmode=unicast", "admin", "12345"},
		{"rtsp://admin:p%40ss%3Aw0rd@h/x", "rtsp://h/x", "admin", "p@ss:w0rd"},
		{"rtsp://admin@h/", "rtsp://h/", "admin", ""},
		{"rtsp://@h/", "rtsp://h/", "", ""},
		{"rtsp://h/a@b?c=@#d@", "rtsp://h/a@b?c=@#d@", "", ""},
		{"rtsps://u:p@[fe80::1]:322/x", "rtsps://[fe80::1]:322/x", "u", "p"},
		{"rtsp://u:p@h/a b@c", "rtsp://h/a%20b@c", "u", "p"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			in := CSVHeader + "\nU-1,n,1,2,,,,,,,,,\"" + tt.in + "\",,\n"
			cams, rejects := decodeBytes(t, FormatCSV, []byte(in))
			if len(cams) != 1 {
				t.Fatalf("rejects = %+v", rejects)
			}
			c := cams[0]
			if c.RTSPURL != tt.url || c.Credentials.Username != tt.user || c.Credentials.Password != tt.pass {
				t.Errorf("url, user, password = %q, %q, %q, want %q, %q, %q", c.RTSPURL, c.Credentials.Username, c.Credentials.Password, tt.url, tt.user, tt.pass)
			}
			checkRoundTrip(t, cams, func(r io.Reader) Decoder { return NewCSVDecoder(r) }, func(w io.Writer, cams []*camera.Camera) error {
				return WriteCSV(w, slices.Values(cams))
			})
		})
	}
}
