package main

import (
	"bytes"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rivo/uniseg"
	"golang.org/x/text/unicode/norm"
)

// longCommune is a commune name too long for its column, typed with
// combining marks (as some keyboards send it): the daemon stores it NFC.
const longCommune = "Xa\u0303 Đăng Hưng Phươ\u0301c Mở Rộng Ven Sông Tiền Thuộc Huyện Chợ Gạo Tỉnh Tiền Giang"

// reportDaemon starts the real daemon (poller off: the cameras' addresses
// are made up) with cameras in the test communes and one whose commune
// name is very long, gifts large enough for a province, and an incident
// near the end of a month in UTC that is the next month in Vietnam.
func reportDaemon(t *testing.T, env ...string) *proc {
	t.Helper()
	env = append(env, "MATTHAN_ADMIN_TOKEN="+e2eAdminToken, "MATTHAN_POLLER_ENABLED=false")
	d := startDaemon(t, env, "serve", "--db", filepath.Join(t.TempDir(), "r.db"), "--listen", "127.0.0.1:0")
	rows := cameraRows("RP", 0, 57, false)
	long := cameraRows("RL", 57, 1, false)[0]
	long[4] = longCommune
	importCSV(t, d.URL, e2eAdminToken, encodeCSV(t, append(rows, long)))
	today := time.Now().In(hoChiMinh(t)).Format("2006-01-02")
	for _, g := range []string{
		`{"donor":"Quỹ Tỉnh","amount_vnd":1234567890123,"received_on":"2024-05-01","camera_id":"RP-000000"}`,
		`{"donor":"Nguyễn Văn An","amount_vnd":500000,"received_on":"2024-05-02","camera_id":"RL-000057"}`,
		// "Today" is Vietnam's date, whatever the server's zone.
		`{"donor":"Trần Thị Bé","amount_vnd":300000,"received_on":"` + today + `","camera_id":"RP-000001"}`,
	} {
		mustCall(t, http.StatusCreated, http.MethodPost, d.URL+"/api/v1/donations", e2eAdminToken, "application/json", []byte(g))
	}
	mustCall(t, http.StatusCreated, http.MethodPost, d.URL+"/api/v1/incidents", e2eAdminToken, "application/json",
		[]byte(`{"camera_ids":["RP-000000"],"start":"2024-01-31T20:00:00Z","end":"2024-01-31T20:30:00Z",`+
			`"category":"robbery","case_ref":"CA-CG/2024/001","subjects":2,"handling":"criminal"}`))
	return d
}

func hoChiMinh(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// checkReportLines fails on a line wider than a 100-column terminal, and
// on text that is not NFC (a letter and its marks apart take more runes
// than columns, and some terminals draw them apart).
func checkReportLines(t *testing.T, what, out string) {
	t.Helper()
	if !norm.NFC.IsNormalString(out) {
		t.Errorf("%s: the report is not NFC", what)
	}
	for i, line := range strings.Split(out, "\n") {
		if w := uniseg.StringWidth(line); w > reportWidth {
			t.Errorf("%s: line %d is %d columns wide:\n%s", what, i+1, w, line)
		}
	}
}

// TestBinaryReport: "matthan report" fits a 100-column terminal in both
// languages, picks Vietnamese from --lang or the locale, and prints times
// in the configured zone with their offset.
func TestBinaryReport(t *testing.T) {
	d := reportDaemon(t)
	window := []string{"--from", "2024-01-01T00:00:00Z", "--to", "2024-06-01T00:00:00Z"}
	base := append([]string{"report", "--server", d.URL, "--token", e2eAdminToken}, window...)
	noLocale := []string{"LC_ALL=", "LC_MESSAGES=", "LANG=C.UTF-8", "MATTHAN_TIMEZONE="}
	tests := []struct {
		name string
		env  []string
		args []string
		want []string
	}{
		{"english by default", noLocale, nil, []string{
			"District summary as of ", "Uptime from 2024-01-01 07:00 +07:00 to 2024-06-01 07:00 +07:00.",
			"commune", "funding received", "criminal", "total", "1.234.567.890.123 ₫",
			"58 cameras, 1.234.568.690.123 ₫ received, 1 criminal cases with 2 suspects."}},
		{"--lang vi", noLocale, []string{"--lang", "vi"}, []string{
			"Báo cáo tổng hợp toàn huyện, lập lúc ", "Thời gian hoạt động tính từ 01/01/2024 07:00 +07:00 đến 01/06/2024 07:00 +07:00.",
			"Xã/phường", "Đang", "hoạt động", "Tiền nhận được", "Chi phí camera", "Vụ án", "hình sự", "Đối tượng", "Tổng cộng",
			"1.234.567.890.123 ₫", "đã nhận 1.234.568.690.123 ₫; 1 vụ án hình sự với 2 đối tượng."}},
		{"LANG=vi_VN.UTF-8", []string{"LC_ALL=", "LC_MESSAGES=", "LANG=vi_VN.UTF-8"}, nil, []string{"Xã/phường", "Tổng cộng"}},
		{"LC_ALL over LANG", []string{"LC_ALL=vi_VN.UTF-8", "LANG=en_US.UTF-8"}, nil, []string{"Xã/phường"}},
		{"--lang en over the locale", []string{"LC_ALL=", "LANG=vi_VN.UTF-8"}, []string{"--lang", "en"}, []string{"commune", "total"}},
		{"another zone", append(noLocale, "MATTHAN_TIMEZONE=Europe/Paris"), nil, []string{"Uptime from 2024-01-01 01:00 +01:00 to 2024-06-01 02:00 +02:00."}},
		{"--timezone", noLocale, []string{"--timezone", "UTC"}, []string{"Uptime from 2024-01-01 00:00 +00:00 to 2024-06-01 00:00 +00:00."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runBinary(t, tt.env, append(base, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			checkReportLines(t, tt.name, out)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("the report lacks %q:\n%s", w, out)
				}
			}
			// The long name is cut within its column, not wrapped.
			if !strings.Contains(out, "\nXã Đăng Hưng Phước") || !strings.Contains(out, "…") || strings.Contains(out, "Tỉnh Tiền Giang") {
				t.Errorf("the long commune name is not cut with an ellipsis:\n%s", out)
			}
		})
	}
	_, errOut, code := runBinary(t, noLocale, append(base, "--lang", "fr")...)
	if code != 2 || !strings.Contains(errOut, `--lang must be vi or en, got "fr"`) {
		t.Errorf("--lang fr: exit %d, %s", code, errOut)
	}
	_, errOut, code = runBinary(t, append(noLocale, "MATTHAN_TIMEZONE=Asia/Hanoi"), base...)
	if code != 1 || !strings.Contains(errOut, `MATTHAN_TIMEZONE: must be an IANA time zone such as Asia/Ho_Chi_Minh, got "Asia/Hanoi"`) {
		t.Errorf("a bad MATTHAN_TIMEZONE: exit %d, %s", code, errOut)
	}
}

// TestBinaryLocalTime: the daemon answers the summary's window in its
// zone with the offset, counts incidents in its months, and logs its
// times with the offset; the demo-style default is Asia/Ho_Chi_Minh.
func TestBinaryLocalTime(t *testing.T) {
	d := reportDaemon(t)
	q := url.Values{"from": {"2024-01-01T00:00:00Z"}, "to": {"2024-06-01T00:00:00Z"}}
	var sum struct {
		From        string `json:"from"`
		To          string `json:"to"`
		UptimeFrom  string `json:"uptime_from"`
		GeneratedAt string `json:"generated_at"`
	}
	unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/reports/summary?"+q.Encode(), e2eAdminToken, "", nil), &sum)
	if sum.From != "2024-01-01T07:00:00+07:00" || sum.To != "2024-06-01T07:00:00+07:00" || sum.UptimeFrom != sum.From || !strings.HasSuffix(sum.GeneratedAt, "+07:00") {
		t.Errorf("summary window %+v, want RFC 3339 times at +07:00", sum)
	}
	// 2024-01-31T20:00Z is 1 February in Vietnam.
	var counts struct {
		Rows []struct{ Month string } `json:"rows"`
	}
	unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/incidents/counts", e2eAdminToken, "", nil), &counts)
	if len(counts.Rows) != 1 || counts.Rows[0].Month != "2024-02" {
		t.Errorf("incident counts %+v, want one row in 2024-02, Vietnam's month", counts.Rows)
	}
	// A date that is already today east of Vietnam is not yet today here.
	tomorrow := time.Now().In(hoChiMinh(t)).AddDate(0, 0, 1).Format("2006-01-02")
	status, body := call(t, http.MethodPost, d.URL+"/api/v1/donations", e2eAdminToken, "application/json",
		[]byte(`{"donor":"Lê Văn Cư","amount_vnd":100000,"received_on":"`+tomorrow+`","camera_id":"RP-000002"}`))
	if status != http.StatusBadRequest || !bytes.Contains(body, []byte("received_on")) {
		t.Errorf("a gift dated tomorrow in Vietnam: %d %s", status, body)
	}
	if !strings.Contains(d.stderr.String(), "+07:00 level=") {
		t.Errorf("the log's times lack the +07:00 offset:\n%s", d.stderr.String())
	}
}

// TestBinaryEmbedsZoneData: Asia/Ho_Chi_Minh loads on a machine without
// a zone database (a container, a router), because the binary carries
// its own: the zone data package is linked into the real binary. (A
// machine without /usr/share/zoneinfo cannot be made in a test: Go looks
// there before the embedded copy.)
func TestBinaryEmbedsZoneData(t *testing.T) {
	out, err := exec.Command("go", "tool", "nm", binary(t)).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool nm: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte(" time/tzdata.")) {
		t.Error("the binary does not carry time/tzdata")
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"Song Bình", 20, "Song Bình"},
		{"Thị trấn Chợ Gạo", 10, "Thị trấn…"},
		{"Thi\u0323 tra\u0302\u0301n", 5, "Thi\u0323…"}, // a letter keeps its marks
		{"東京都庁舎", 5, "東京…"},                             // two columns each
		{"abc", 1, "…"},
	}
	for _, tt := range tests {
		got := truncate(tt.in, tt.width)
		if got != tt.want || uniseg.StringWidth(got) > tt.width {
			t.Errorf("truncate(%q, %d) = %q (%d columns), want %q", tt.in, tt.width, got, uniseg.StringWidth(got), tt.want)
		}
	}
}
