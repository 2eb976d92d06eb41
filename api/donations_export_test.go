package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
)

// exportSheet has what a CSV must carry through: Vietnamese text, commas,
// quotes and line breaks in notes, pool gifts, one gift twice.
var exportSheet = donationCSV(
	`Nguyễn Văn An,500000,2024-05-01,CG-0001,,"Ủng hộ, lần 1"`,
	`Lê Thị Bình,200000,2024-03-15,,song binh,"Quỹ xã ""Song Bình""`+"\n"+`dòng hai"`,
	`Công ty TNHH Hưng Phước,10000000,2024-04-30,SB-0001,,`,
	`Nguyễn Văn An,500000,2024-05-01,CG-0001,,"Ủng hộ, lần 1"`,
	`Trần Văn Cường,100000,2023-12-31,CG-0002,Thị trấn Chợ Gạo,`,
)

// exportCSV answers GET /api/v1/donations?format=csv&query.
func (e *env) exportCSV(query string) []byte {
	e.t.Helper()
	st, raw, h := e.do(e.fundraiser(), "GET", "/api/v1/donations?format=csv"+query, "", nil)
	if st != http.StatusOK || h.Get("Content-Type") != "text/csv; charset=utf-8" {
		e.t.Fatalf("export%s: %d %s %s", query, st, h.Get("Content-Type"), raw)
	}
	return raw
}

func TestExportDonationsRoundTrip(t *testing.T) {
	e := newDonationEnv(t)
	if rep := e.importDonations("?duplicates=allow", exportSheet, http.StatusOK); rep.Created != 5 {
		t.Fatalf("import: %+v", rep)
	}
	all := e.exportCSV("")
	lines := strings.Split(string(all), "\n")
	if lines[0] != "donor,amount_vnd,received_on,camera_id,commune,note,ref,public" || !strings.HasPrefix(lines[1], "Trần Văn Cường,100000,2023-12-31,CG-0002,Thị trấn Chợ Gạo,") {
		t.Fatalf("export does not start with the header and the oldest gift:\n%s", all)
	}
	// Song Bình: the pool gift (a note of two lines) and SB-0001's.
	if got := e.exportCSV("&commune=song+binh&to=2024-04-30"); !bytes.Contains(got, []byte("Lê Thị Bình")) || !bytes.Contains(got, []byte("Hưng Phước")) || bytes.Count(got, []byte("\n")) != 4 {
		t.Errorf("export of Song Bình is not its two gifts:\n%s", got)
	}
	if got := e.exportCSV("&camera_id=CG-0001&donor=nguyen"); bytes.Count(got, []byte("Nguyễn Văn An,500000,2024-05-01,CG-0001,Thị trấn Chợ Gạo,\"Ủng hộ, lần 1\",,no\n")) != 2 {
		t.Errorf("export of CG-0001 by Nguyễn is not the gift twice:\n%s", got)
	}

	// Into a daemon with the same cameras: the same gifts, the same
	// funding, and its export is the same file.
	fresh := newDonationEnv(t)
	if rep := fresh.importDonations("?duplicates=allow", all, http.StatusOK); rep.Created != 5 || rep.Rejected != 0 {
		t.Fatalf("import of the export: %+v", rep)
	}
	if again := fresh.exportCSV(""); !bytes.Equal(again, all) {
		t.Errorf("export after the round trip:\n%s\nwant\n%s", again, all)
	}
	for _, g := range []string{"camera", "commune", "donor"} {
		_, want, _ := e.do(e.fundraiser(), "GET", "/api/v1/funding?format=csv&group_by="+g, "", nil)
		_, got, _ := fresh.do(fresh.fundraiser(), "GET", "/api/v1/funding?format=csv&group_by="+g, "", nil)
		if !bytes.Equal(got, want) {
			t.Errorf("funding by %s after the round trip:\n%s\nwant\n%s", g, got, want)
		}
	}
	// Without duplicates=allow, the gift given twice is two gifts of the
	// file: all of it is stored in an empty ledger, none of it in the
	// ledger it came from.
	if rep := newDonationEnv(t).importDonations("", all, http.StatusOK); rep.Created != 5 || rep.Duplicates != 0 {
		t.Errorf("import of the export into an empty ledger: %+v", rep)
	}
	if rep := e.importDonations("", all, http.StatusOK); rep.Created != 0 || rep.Duplicates != 5 {
		t.Errorf("import of the export into its ledger: %+v", rep)
	}
}

func TestExportDonationsBadInput(t *testing.T) {
	e := newDonationEnv(t)
	for _, tt := range []struct{ query, field string }{
		{"?format=xml", "format"},
		{"?format=CSV", "format"},
		{"?format=csv&limit=10", "limit"},
		{"?format=csv&cursor=abc", "cursor"},
		{"?format=csv&from=2024-13-01", "from"},
		{"?format=csv&comune=x", "comune"},
	} {
		t.Run(tt.query, func(t *testing.T) {
			if p := e.on(t).problem(e.fundraiser(), "GET", "/api/v1/donations"+tt.query, nil, http.StatusBadRequest); p.Field != tt.field {
				t.Errorf("field %q, want %q", p.Field, tt.field)
			}
		})
	}
	e.problem(e.tokens[camera.RolePlanner], "GET", "/api/v1/donations?format=csv", nil, http.StatusForbidden)
	if got := e.exportCSV(""); string(got) != "donor,amount_vnd,received_on,camera_id,commune,note,ref,public\n" {
		t.Errorf("export of no donations = %q, want the header alone", got)
	}
	var page struct{ Items []camera.Donation }
	e.doJSON(e.fundraiser(), "GET", "/api/v1/donations?format=json&limit=5", nil, http.StatusOK, &page)
}
