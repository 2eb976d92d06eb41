package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/exchange"
)

// TestCSVBOM: every CSV export takes ?bom=true and then starts with a
// UTF-8 byte order mark — what makes a spreadsheet program opened with
// its defaults read "Nguyễn" rather than "Nguyá»…n" — and is otherwise
// the same file; without it, or with bom=false, nothing changes.
func TestCSVBOM(t *testing.T) {
	e := newDonationEnv(t)
	e.importDonations("?duplicates=allow", exportSheet, http.StatusOK)
	get := func(path string) []byte {
		t.Helper()
		st, raw, h := e.do(e.tokens[camera.RoleAdmin], "GET", path, "", nil)
		if st != http.StatusOK || h.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("GET %s: %d %s %s", path, st, h.Get("Content-Type"), raw)
		}
		return raw
	}
	for _, path := range []string{
		"/api/v1/cameras/export",
		"/api/v1/cameras/export?format=csv",
		"/api/v1/donations?format=csv",
		"/api/v1/funding?group_by=donor&format=csv",
	} {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		plain := get(path)
		if bytes.HasPrefix(plain, []byte(exchange.BOM)) || !bytes.Contains(plain, []byte("Chợ Gạo")) && !bytes.Contains(plain, []byte("Nguyễn")) {
			t.Errorf("%s: starts with a byte order mark, or lacks the Vietnamese text:\n%s", path, plain)
		}
		if with := get(path + sep + "bom=true"); !bytes.Equal(with, append([]byte(exchange.BOM), plain...)) {
			t.Errorf("%s with bom=true is not the byte order mark and the same CSV:\n%q", path, with)
		}
		if off := get(path + sep + "bom=false"); !bytes.Equal(off, plain) {
			t.Errorf("%s with bom=false differs", path)
		}
		if p := e.problem(adminToken, "GET", path+sep+"bom=yes", nil, http.StatusBadRequest); p.Field != "bom" {
			t.Errorf("%s bom=yes: field %q, want bom", path, p.Field)
		}
	}
	// Only a CSV has one.
	for _, path := range []string{
		"/api/v1/cameras/export?format=geojson&bom=true",
		"/api/v1/cameras/export?format=xlsx&bom=true",
		"/api/v1/donations?bom=true",
		"/api/v1/donations?format=xlsx&bom=true",
		"/api/v1/funding?group_by=donor&bom=true",
		"/api/v1/funding?group_by=donor&format=xlsx&bom=true",
	} {
		if p := e.problem(adminToken, "GET", path, nil, http.StatusBadRequest); p.Field != "bom" {
			t.Errorf("%s: field %q, want bom", path, p.Field)
		}
	}
	// A CSV with the mark imports as one without.
	fresh := newDonationEnv(t)
	fresh.importDonations("?duplicates=allow", get("/api/v1/donations?format=csv&bom=true"), http.StatusOK)
	if got, want := fresh.exportCSV(""), e.exportCSV(""); !bytes.Equal(got, want) {
		t.Errorf("import of the CSV with a byte order mark:\n%s\nwant\n%s", got, want)
	}
}
