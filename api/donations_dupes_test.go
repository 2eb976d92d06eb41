package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/sample"
)

// conflict is the 409 answer to a repeated donation.
type conflict struct {
	Type, Detail, Field string
	Status              int
	ExistingID          string `json:"existing_id"`
}

// postConflict posts one donation and expects a 409 problem.
func (e *env) postConflict(query string, in map[string]any) conflict {
	e.t.Helper()
	st, raw, h := e.do(e.fundraiser(), "POST", "/api/v1/donations"+query, "application/json", strings.NewReader(mustJSON(e.t, in)))
	var p conflict
	if err := json.Unmarshal(raw, &p); err != nil || st != http.StatusConflict || h.Get("Content-Type") != "application/problem+json" || p.Type != "urn:matthan:problem:conflict" {
		e.t.Fatalf("POST %v: %d %s (%v), want a conflict", in, st, raw, err)
	}
	return p
}

func TestCreateDonationDuplicate(t *testing.T) {
	e := newDonationEnv(t)
	first := e.donate("Nguyễn Văn An", 500_000, "2024-05-01", "CG-0001", "")
	again := map[string]any{"donor": "  nguyen van AN ", "amount_vnd": 500_000, "received_on": "2024-05-01", "camera_id": "CG-0001"}

	p := e.postConflict("", again)
	if p.ExistingID != first.ID || !strings.Contains(p.Detail, first.ID) || !strings.Contains(p.Detail, "duplicates=allow") {
		t.Errorf("conflict problem %+v", p)
	}
	e.problem(e.fundraiser(), "POST", "/api/v1/donations?duplicates=maybe", again, http.StatusBadRequest)
	e.doJSON(e.fundraiser(), "POST", "/api/v1/donations?duplicates=allow", again, http.StatusCreated, nil)
	e.problem(e.fundraiser(), "POST", "/api/v1/donations?duplicates=reject", again, http.StatusConflict)
}

// TestCreateDonationRef: one gift with a bank ref that is not stored is
// stored, though a gift without one looks the same; a stored ref is 409
// naming its donation, unless ?duplicates=allow.
func TestCreateDonationRef(t *testing.T) {
	e := newDonationEnv(t)
	e.donate("Nguyễn Văn An", 500_000, "2024-05-01", "CG-0001", "")
	in := map[string]any{"donor": "Nguyễn Văn An", "amount_vnd": 500_000, "received_on": "2024-05-01", "camera_id": "CG-0001", "ref": " FT24122 0001 "}
	var d camera.Donation
	e.doJSON(e.fundraiser(), "POST", "/api/v1/donations", in, http.StatusCreated, &d)
	if d.Ref != "FT24122 0001" {
		t.Errorf("stored ref %q, want it trimmed", d.Ref)
	}
	var got camera.Donation
	e.doJSON(e.fundraiser(), "GET", "/api/v1/donations/"+d.ID, nil, http.StatusOK, &got)
	if got != d {
		t.Errorf("GET %s = %+v, want %+v", d.ID, got, d)
	}
	// The same ref, whatever else the gift says.
	other := map[string]any{"donor": "Lê Thị Bình", "amount_vnd": 200_000, "received_on": "2024-05-02", "commune": "Song Bình", "ref": "ft24122  0001"}
	p := e.postConflict("", other)
	if p.ExistingID != d.ID || !strings.Contains(p.Detail, "same ref") {
		t.Errorf("conflict problem %+v, want the same ref as %s", p, d.ID)
	}
	e.doJSON(e.fundraiser(), "POST", "/api/v1/donations?duplicates=allow", other, http.StatusCreated, nil)
	for ref, field := range map[string]string{"---": "ref", strings.Repeat("9", 101): "ref"} {
		in["ref"] = ref
		if p := e.problem(e.fundraiser(), "POST", "/api/v1/donations", in, http.StatusBadRequest); p.Field != field {
			t.Errorf("ref %q: field %q, want %q", ref, p.Field, field)
		}
	}
}

func TestImportDonationDuplicates(t *testing.T) {
	e := newDonationEnv(t)
	stored := e.donate("Nguyễn Văn An", 500_000, "2024-05-01", "CG-0001", "")
	sheet := donationCSV(
		"Lê Thị Bình,200000,2024-05-01,,Song Bình,quỹ xã",            // line 2: new
		"NGUYEN VAN AN,500000,2024-05-01,CG-0001,,",                  // line 3: the stored gift
		"le thi binh,200000,2024-05-01,,song binh,lần hai",           // line 4: she gave twice: new
		"Trần Văn Cường,1.5,2024-05-01,CG-0002,,",                    // line 5: bad amount
		"Trần Văn Cường,100000,2024-05-01,CG-0002,,",                 // line 6: new
		"Trần Văn Cường,100000,2024-05-01,CG-0002,Thị trấn Chợ Gạo,", // line 7: a second gift: new
	)
	for _, q := range []string{"?atomic=true", "?atomic=true&duplicates=reject"} {
		e.problem(e.fundraiser(), "POST", "/api/v1/donations/import"+q, string(sheet), http.StatusBadRequest)
	}
	e.problem(e.fundraiser(), "POST", "/api/v1/donations/import?duplicates=yes", string(sheet), http.StatusBadRequest)

	rep := e.importDonations("", sheet, http.StatusOK)
	if rep.Created != 4 || rep.TotalVND != 600_000 || rep.Rejected != 2 || rep.Duplicates != 1 || len(rep.Rejections) != 2 {
		t.Fatalf("import: %+v", rep)
	}
	for i, want := range []struct {
		line         int
		field, cause string
	}{{3, "", "repeats donation " + stored.ID}, {5, "amount_vnd", "whole number"}} {
		r := rep.Rejections[i]
		if r.Line != want.line || r.Field != want.field || !strings.Contains(r.Reason, want.cause) {
			t.Errorf("rejection %d = %+v, want line %d, field %q, %q", i, r, want.line, want.field, want.cause)
		}
	}

	// The same sheet again: every valid row repeats a stored gift now,
	// each a different one.
	again := e.importDonations("", sheet, http.StatusOK)
	if again.Created != 0 || again.Duplicates != 5 || again.Rejected != 6 {
		t.Fatalf("second import: %+v", again)
	}
	named := map[string]bool{}
	for _, r := range again.Rejections {
		if id, ok := strings.CutPrefix(r.Reason, "repeats donation "); ok {
			named[strings.Fields(id)[0]] = true
		}
	}
	if len(named) != 5 {
		t.Errorf("second import names %d stored donations, want 5: %+v", len(named), again.Rejections)
	}
	p := e.problem(e.fundraiser(), "POST", "/api/v1/donations/import?atomic=true", string(donationCSV("Lê Thị Bình,200000,2024-05-01,,Song Bình,")), http.StatusConflict)
	if p.Field != "body" || !strings.Contains(p.Detail, "line 2: repeats donation") {
		t.Errorf("atomic import of a duplicate: %+v", p)
	}
	allowed := e.importDonations("?duplicates=allow", sheet, http.StatusOK)
	if allowed.Created != 5 || allowed.Rejected != 1 || allowed.Duplicates != 0 {
		t.Errorf("import with duplicates allowed: %+v", allowed)
	}
	var list struct{ Items []struct{ ID string } }
	e.doJSON(e.fundraiser(), "GET", "/api/v1/donations?limit=1000", nil, http.StatusOK, &list)
	if len(list.Items) != 1+4+5 {
		t.Errorf("%d donations stored, want 10", len(list.Items))
	}
}

// TestImportDonationRefs: the ref column of a bank statement.
func TestImportDonationRefs(t *testing.T) {
	e := newDonationEnv(t)
	// Typed in by hand before the statement came.
	hand := e.donate("Hội Liên hiệp Phụ nữ xã Song Bình", 2_000_000, "2024-04-06", "", "Song Bình")
	sheet := []byte("ref,donor,amount_vnd,received_on,commune,camera_id\n" +
		"FT001,Hội Liên hiệp Phụ nữ xã Song Bình,2000000,2024-04-06,Song Bình,\n" + // line 2: the gift typed in
		"FT002,Hội Liên hiệp Phụ nữ xã Song Bình,2000000,2024-04-06,Song Bình,\n" + // line 3: paid twice: new
		"FT003,Nguyễn Văn An,500000,2024-04-10,,CG-0001\n" + // line 4: new
		"ft003,Nguyễn Văn An,500000,2024-04-10,,CG-0001\n" + // line 5: the bank's line twice
		"FT004,Nguyễn Văn An,500000,2024-04-10,,CG-0001\n" + // line 6: another transfer: new
		"---,Trần Văn Cường,100000,2024-04-11,,CG-0002\n") // line 7: not a ref
	rep := e.importDonations("", sheet, http.StatusOK)
	if rep.Created != 3 || rep.TotalVND != 3_000_000 || rep.Duplicates != 2 || rep.Rejected != 3 {
		t.Fatalf("import: %+v", rep)
	}
	for i, want := range []struct {
		line         int
		field, cause string
	}{{2, "", "repeats donation " + hand.ID}, {5, "", `repeats line 4 (same ref "ft003"`}, {7, "ref", "letter or a digit"}} {
		r := rep.Rejections[i]
		if r.Line != want.line || r.Field != want.field || !strings.Contains(r.Reason, want.cause) {
			t.Errorf("rejection %d = %+v, want line %d, field %q, %q", i, r, want.line, want.field, want.cause)
		}
	}
	// Again: every transfer repeats its ref, the typed-in gift still
	// stands for FT001.
	again := e.importDonations("", sheet, http.StatusOK)
	if again.Created != 0 || again.Duplicates != 5 {
		t.Fatalf("second import: %+v", again)
	}
	if r := again.Rejections[1]; r.Line != 3 || !strings.Contains(r.Reason, `same ref "FT002"`) {
		t.Errorf("second import, line 3: %+v", r)
	}
	e.problem(e.fundraiser(), "POST", "/api/v1/donations/import?atomic=true", string(sheet), http.StatusBadRequest)

	// The export carries the refs, and adds nothing imported again.
	export := e.exportCSV("")
	if !bytes.HasPrefix(export, []byte("donor,amount_vnd,received_on,camera_id,commune,note,ref,public\n")) || !bytes.Contains(export, []byte(",FT002,no\n")) {
		t.Errorf("export:\n%s", export)
	}
	if rep := e.importDonations("", export, http.StatusOK); rep.Created != 0 || rep.Duplicates != 4 {
		t.Errorf("import of the export: %+v", rep)
	}
}

// TestImportDistrictSheetTwice imports a district's bank sheet in which
// some gifts look alike — pool gifts paid twice the same day, pairs of
// anonymous cash gifts of 500.000 ₫ — into the sample district, twice:
// every gift is kept, and the funding is the sheet's total to the đồng
// after either import.
func TestImportDistrictSheetTwice(t *testing.T) {
	e, _ := newGeoEnv(t)
	sheet, rows, total := sample.RepeatedGiftsSheet()
	funded := func() int64 {
		var sum struct {
			Total struct {
				FundingVND int64 `json:"funding_vnd"`
			}
		}
		e.doJSON(e.fundraiser(), "GET", "/api/v1/reports/summary", nil, http.StatusOK, &sum)
		var fund struct {
			Totals struct {
				DonatedVND int64 `json:"donated_vnd"`
				Donations  int
			}
		}
		e.doJSON(e.fundraiser(), "GET", "/api/v1/funding?group_by=commune", nil, http.StatusOK, &fund)
		if fund.Totals.DonatedVND != sum.Total.FundingVND || fund.Totals.Donations != rows {
			t.Errorf("funding view: %+v, summary %d đồng; want %d donations", fund.Totals, sum.Total.FundingVND, rows)
		}
		return sum.Total.FundingVND
	}

	first := e.importDonations("", sheet, http.StatusOK)
	if first.Created != rows || first.TotalVND != total || first.Rejected != 0 {
		t.Fatalf("first import: created %d of %d rows, %s of %s, %d rejected: %+v", first.Created, rows, camera.FormatVND(first.TotalVND), camera.FormatVND(total), first.Rejected, first.Rejections[:min(3, len(first.Rejections))])
	}
	if got := funded(); got != total {
		t.Errorf("funding after one import: %s, want %s", camera.FormatVND(got), camera.FormatVND(total))
	}
	second := e.importDonations("", sheet, http.StatusOK)
	if second.Created != 0 || second.Duplicates != rows || second.Rejected != rows {
		t.Errorf("second import: created %d, %d duplicates; want 0 and %d", second.Created, second.Duplicates, rows)
	}
	e.problem(e.fundraiser(), "POST", "/api/v1/donations/import?atomic=true", string(sheet), http.StatusConflict)
	if got := funded(); got != total {
		t.Errorf("funding after the sheet was imported again: %s, want %s", camera.FormatVND(got), camera.FormatVND(total))
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
