package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestCreateDonationDuplicate(t *testing.T) {
	e := newDonationEnv(t)
	first := e.donate("Nguyễn Văn An", 500_000, "2024-05-01", "CG-0001", "")
	again := map[string]any{"donor": "  nguyen van AN ", "amount_vnd": 500_000, "received_on": "2024-05-01", "camera_id": "CG-0001"}

	st, raw, h := e.do(e.fundraiser(), "POST", "/api/v1/donations", "application/json", strings.NewReader(mustJSON(t, again)))
	var p struct {
		Type, Detail string
		Status       int
		ExistingID   string `json:"existing_id"`
	}
	if err := json.Unmarshal(raw, &p); err != nil || st != http.StatusConflict || h.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("second POST: %d %s (%v)", st, raw, err)
	}
	if p.Type != "urn:matthan:problem:conflict" || p.ExistingID != first.ID || !strings.Contains(p.Detail, first.ID) || !strings.Contains(p.Detail, "duplicates=allow") {
		t.Errorf("conflict problem %+v", p)
	}
	e.problem(e.fundraiser(), "POST", "/api/v1/donations?duplicates=maybe", again, http.StatusBadRequest)
	e.doJSON(e.fundraiser(), "POST", "/api/v1/donations?duplicates=allow", again, http.StatusCreated, nil)
	e.problem(e.fundraiser(), "POST", "/api/v1/donations?duplicates=reject", again, http.StatusConflict)
}

func TestImportDonationDuplicates(t *testing.T) {
	e := newDonationEnv(t)
	stored := e.donate("Nguyễn Văn An", 500_000, "2024-05-01", "CG-0001", "")
	sheet := donationCSV(
		"Lê Thị Bình,200000,2024-05-01,,Song Bình,quỹ xã",            // line 2: new
		"NGUYEN VAN AN,500000,2024-05-01,CG-0001,,",                  // line 3: the stored gift
		"le thi binh,200000,2024-05-01,,song binh,lần hai",           // line 4: repeats line 2
		"Trần Văn Cường,1.5,2024-05-01,CG-0002,,",                    // line 5: bad amount
		"Trần Văn Cường,100000,2024-05-01,CG-0002,,",                 // line 6: new
		"Trần Văn Cường,100000,2024-05-01,CG-0002,Thị trấn Chợ Gạo,", // line 7: repeats line 6
	)
	for _, q := range []string{"?atomic=true", "?atomic=true&duplicates=reject"} {
		e.problem(e.fundraiser(), "POST", "/api/v1/donations/import"+q, string(sheet), http.StatusBadRequest)
	}
	e.problem(e.fundraiser(), "POST", "/api/v1/donations/import?duplicates=yes", string(sheet), http.StatusBadRequest)

	rep := e.importDonations("", sheet, http.StatusOK)
	if rep.Created != 2 || rep.TotalVND != 300_000 || rep.Rejected != 4 || rep.Duplicates != 3 || len(rep.Rejections) != 4 {
		t.Fatalf("import: %+v", rep)
	}
	for i, want := range []struct {
		line         int
		field, cause string
	}{{3, "", "repeats donation " + stored.ID}, {4, "", "repeats line 2"}, {5, "amount_vnd", "whole number"}, {7, "", "repeats line 6"}} {
		r := rep.Rejections[i]
		if r.Line != want.line || r.Field != want.field || !strings.Contains(r.Reason, want.cause) {
			t.Errorf("rejection %d = %+v, want line %d, field %q, %q", i, r, want.line, want.field, want.cause)
		}
	}

	// The same sheet again: every valid row is a duplicate now.
	again := e.importDonations("", sheet, http.StatusOK)
	if again.Created != 0 || again.Duplicates != 5 || again.Rejected != 6 {
		t.Errorf("second import: %+v", again)
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
	if len(list.Items) != 1+2+5 {
		t.Errorf("%d donations stored, want 8", len(list.Items))
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
