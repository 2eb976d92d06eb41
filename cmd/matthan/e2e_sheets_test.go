package main

import (
	"bytes"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestExportCamerasXLSXBinary: the real binary exports the cameras of a
// real daemon as a workbook — the CSV's columns, typed, no credentials —
// and as a CSV with a byte order mark on --bom.
func TestExportCamerasXLSXBinary(t *testing.T) {
	dir := t.TempDir()
	d := startDaemon(t, []string{"MATTHAN_ADMIN_TOKEN=" + e2eAdminToken}, "serve", "--db", filepath.Join(dir, "x.db"), "--listen", "127.0.0.1:0")
	body := `{"id":"CG-X-0001","name":"Ngã tư Chợ Gạo","lat":10.3541,"lon":106.4632,"commune":"Thị trấn Chợ Gạo",` +
		`"road_class":"national","site":"intersection","direction_deg":45,"fov_deg":90,"range_m":60,` +
		`"rtsp_url":"rtsp://` + e2eUser + `:` + e2ePassword + `@10.20.30.40:554/101","installed_on":"2024-03-15","cost_vnd":4500000}`
	mustCall(t, http.StatusCreated, http.MethodPost, d.URL+"/api/v1/cameras", e2eAdminToken, "application/json", []byte(body))

	file := filepath.Join(dir, "cameras.xlsx")
	if _, errOut, code := runBinary(t, nil, "export", "cameras", "--format", "xlsx", "-o", file, "--server", d.URL, "--token", e2eAdminToken); code != 0 {
		t.Fatalf("export: exit %d: %s", code, errOut)
	}
	f, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("cameras", excelize.Options{RawCellValue: true})
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows %v, %v", rows, err)
	}
	if got := strings.Join(rows[0], ","); got != "id,name,lat,lon,commune,district,province,road_class,site,direction_deg,fov_deg,range_m,rtsp_url,installed_on,cost_vnd" {
		t.Errorf("header %s", got)
	}
	if rows[1][1] != "Ngã tư Chợ Gạo" || rows[1][12] != "rtsp://10.20.30.40:554/101" || rows[1][13] != "45366" || rows[1][14] != "4500000" {
		t.Errorf("row %q", rows[1])
	}
	for _, r := range rows[1] {
		if strings.Contains(r, e2ePassword) || strings.Contains(r, e2eUser) {
			t.Errorf("credentials exported: %q", r)
		}
	}

	out, errOut, code := runBinary(t, nil, "export", "cameras", "--bom", "--server", d.URL, "--token", e2eAdminToken)
	if code != 0 || !strings.HasPrefix(out, "\xEF\xBB\xBFid,name,") {
		t.Errorf("export --bom: exit %d, %q, %s", code, out[:min(len(out), 20)], errOut)
	}
	plain, _, _ := runBinary(t, nil, "export", "cameras", "--server", d.URL, "--token", e2eAdminToken)
	if !bytes.Equal([]byte(out), append([]byte("\xEF\xBB\xBF"), plain...)) {
		t.Errorf("export --bom is not the byte order mark and the CSV")
	}
}
