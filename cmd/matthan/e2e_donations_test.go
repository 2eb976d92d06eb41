package main

import (
	"net/http"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/sample"
)

// TestDonationSheetTwice: through the binary, a district's bank sheet
// whose gifts look alike in places (pool gifts paid twice the same day,
// pairs of anonymous cash gifts) imported twice, the second time into a
// daemon restarted on the same file, keeps every gift once: the district
// summary says the sheet's total to the đồng.
func TestDonationSheetTwice(t *testing.T) {
	db := filepath.Join(t.TempDir(), "matthan.db")
	env := []string{"MATTHAN_ADMIN_TOKEN=" + e2eAdminToken}
	serve := func() *proc { return startDaemon(t, env, "serve", "--db", db, "--listen", "127.0.0.1:0") }
	sheet, rows, total := sample.RepeatedGiftsSheet()
	type answer struct {
		Created    int
		TotalVND   int64 `json:"total_vnd"`
		Duplicates int
		Rejected   int
	}
	importSheet := func(d *proc) answer {
		t.Helper()
		var a answer
		unmarshal(t, mustCall(t, http.StatusOK, http.MethodPost, d.URL+"/api/v1/donations/import", e2eAdminToken, "text/csv", sheet), &a)
		return a
	}
	funding := func(d *proc) int64 {
		t.Helper()
		var sum struct {
			Total struct {
				FundingVND int64 `json:"funding_vnd"`
			}
		}
		unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/reports/summary", e2eAdminToken, "", nil), &sum)
		return sum.Total.FundingVND
	}

	d := serve()
	importCSV(t, d.URL, e2eAdminToken, sample.Cameras())
	if a := importSheet(d); a.Created != rows || a.TotalVND != total || a.Rejected != 0 {
		t.Fatalf("first import: %+v, want %d rows of %s", a, rows, camera.FormatVND(total))
	}
	if code := d.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code %d", code)
	}

	d = serve()
	if a := importSheet(d); a.Created != 0 || a.Duplicates != rows || a.Rejected != rows {
		t.Errorf("second import: %+v, want all %d rows repeats", a, rows)
	}
	if got := funding(d); got != total {
		t.Errorf("district funding %s, want the sheet's %s", camera.FormatVND(got), camera.FormatVND(total))
	}
	if code := d.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}
