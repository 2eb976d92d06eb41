package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// csvHeader is the camera CSV header of docs/design.md.
var csvHeader = []string{"id", "name", "lat", "lon", "commune", "district", "province", "road_class", "site", "direction_deg", "fov_deg", "range_m", "rtsp_url", "installed_on", "cost_vnd"}

var testCommunes = []string{
	"Thị trấn Chợ Gạo", "Long Bình Điền", "Song Bình", "Xuân Đông", "Hòa Định", "Bình Ninh", "Mỹ Tịnh An",
	"Lương Hòa Lạc", "Tân Bình Thạnh", "Phú Kiết", "Thanh Bình", "Quơn Long", "Tân Thuận Bình",
	"Bình Phục Nhứt", "Bình Phan", "Hòa Tịnh", "An Thạnh Thủy", "Đăng Hưng Phước", "Trung Hòa",
}

var testPlaces = []string{"Ngã ba", "Ngã tư", "Cầu", "Chợ", "Trường THCS", "Bến đò", "Đường tỉnh 879"}

// cameraRows returns n camera CSV rows with ids PREFIX-000000 on from
// start: Vietnamese names, every road class and site, some rows without
// a URL, a date or a cost. withCreds puts credentials in some URLs.
func cameraRows(prefix string, start, n int, withCreds bool) [][]string {
	classes := []string{"national", "provincial", "district", "commune", "urban", "other"}
	sites := []string{"intersection", "road", "other"}
	day0 := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := make([][]string, 0, n)
	for i := start; i < start+n; i++ {
		commune := testCommunes[i%len(testCommunes)]
		url := fmt.Sprintf("rtsp://10.%d.%d.%d:554/Streaming/Channels/101", i/65536%256, i/256%256, i%256)
		switch {
		case i%11 == 0:
			url = ""
		case withCreds && i%3 == 0:
			url = fmt.Sprintf("rtsp://cam%d:pw-%d@10.%d.%d.%d/stream1", i, i*7919, i/65536%256, i/256%256, i%256)
		}
		installed := day0.AddDate(0, 0, i%900).Format("2006-01-02")
		if i%13 == 0 {
			installed = ""
		}
		rows = append(rows, []string{
			fmt.Sprintf("%s-%06d", prefix, i),
			fmt.Sprintf("%s %s %d", testPlaces[i%len(testPlaces)], strings.TrimPrefix(commune, "Thị trấn "), i),
			strconv.FormatFloat(10.25+float64(i%2000)*0.0001, 'f', 6, 64),
			strconv.FormatFloat(106.35+float64(i/2000%2000)*0.0001, 'f', 6, 64),
			commune, "Chợ Gạo", "Tiền Giang",
			classes[i%len(classes)], sites[i%len(sites)],
			strconv.Itoa(i % 360), strconv.Itoa([]int{60, 90, 110, 360}[i%4]), strconv.Itoa(30 + i%50),
			url, installed, strconv.Itoa(3_500_000 + (i%50)*100_000),
		})
	}
	return rows
}

// encodeCSV writes the header and rows.
func encodeCSV(t testing.TB, rows [][]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(csvHeader); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// decodeCSV parses a camera CSV into records by id, checking the header.
func decodeCSV(t *testing.T, data []byte) map[string]map[string]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("parse CSV: %v", err)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != strings.Join(csvHeader, ",") {
		t.Fatalf("CSV header = %v, want %v", recs[0], csvHeader)
	}
	out := make(map[string]map[string]string, len(recs)-1)
	for _, r := range recs[1:] {
		m := make(map[string]string, len(r))
		for i, v := range r {
			m[csvHeader[i]] = v
		}
		if _, dup := out[m["id"]]; dup {
			t.Fatalf("id %s appears twice", m["id"])
		}
		out[m["id"]] = m
	}
	return out
}

// numericColumns compare by value: the export may write 10.3 where the
// import said 10.300000.
var numericColumns = map[string]bool{"lat": true, "lon": true, "direction_deg": true, "fov_deg": true, "range_m": true, "cost_vnd": true}

// sameCamera reports the first column where the stored record differs
// from the row that was sent, "" when they agree. Credentials are not
// exported, so the sent URL is compared without them.
func sameCamera(sent []string, got map[string]string) string {
	for i, col := range csvHeader {
		want, have := sent[i], got[col]
		if col == "rtsp_url" {
			want = stripCreds(want)
		}
		if numericColumns[col] {
			a, err1 := strconv.ParseFloat(want, 64)
			b, err2 := strconv.ParseFloat(have, 64)
			if err1 != nil || err2 != nil || a != b {
				return fmt.Sprintf("%s: got %q, want %q", col, have, want)
			}
			continue
		}
		if want != have {
			return fmt.Sprintf("%s: got %q, want %q", col, have, want)
		}
	}
	return ""
}

func stripCreds(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	if at := strings.Index(rest, "@"); at >= 0 && at < strings.IndexByte(rest+"/", '/') {
		rest = rest[at+1:]
	}
	return scheme + "://" + rest
}

// call makes one HTTP request to a daemon and returns the status and
// body, having checked the answer against the OpenAPI description.
func call(t *testing.T, method, url, token, ctype string, body []byte) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	checkOpenAPI(t, resp, b)
	return resp.StatusCode, b
}

// mustCall is call that requires the wanted status.
func mustCall(t *testing.T, want int, method, url, token, ctype string, body []byte) []byte {
	t.Helper()
	status, b := call(t, method, url, token, ctype, body)
	if status != want {
		t.Fatalf("%s %s = %d, want %d: %s", method, url, status, want, b)
	}
	return b
}

// export fetches the export in a format.
func export(t *testing.T, base, token, format string) []byte {
	t.Helper()
	return mustCall(t, http.StatusOK, http.MethodGet, base+"/api/v1/cameras/export?format="+format, token, "", nil)
}

// importCSV posts a CSV and checks that nothing was rejected.
func importCSV(t *testing.T, base, token string, data []byte) importResult {
	t.Helper()
	b := mustCall(t, http.StatusOK, http.MethodPost, base+"/api/v1/cameras/import", token, "text/csv", data)
	var res importResult
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("import answer %s: %v", b, err)
	}
	if res.Rejected != 0 || len(res.Rejections) != 0 {
		t.Fatalf("import rejected %d rows: %+v", res.Rejected, res.Rejections)
	}
	return res
}

func unmarshal(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}
