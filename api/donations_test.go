package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
)

func TestGetDonation(t *testing.T) {
	e := newDonationEnv(t)
	d := e.donate("Nguyễn Văn An", 500_000, "2024-05-01", "CG-0001", "")

	var got camera.Donation
	e.doJSON(adminToken, "GET", "/api/v1/donations/"+d.ID, nil, http.StatusOK, &got)
	if got != d {
		t.Errorf("GET %s = %+v, want %+v", d.ID, got, d)
	}
	for _, id := range []string{"DN-0000002", "DN-1", "CG-0001"} {
		p := e.problem(e.fundraiser(), "GET", "/api/v1/donations/"+id, nil, http.StatusNotFound)
		if p.Field != "id" {
			t.Errorf("GET %s: field %q, want id", id, p.Field)
		}
	}
	e.problem(e.fundraiser(), "GET", "/api/v1/donations/"+d.ID+"?x=1", nil, http.StatusBadRequest)
	for _, r := range []camera.Role{camera.RolePolice, camera.RolePlanner} {
		e.problem(e.tokens[r], "GET", "/api/v1/donations/"+d.ID, nil, http.StatusForbidden)
	}
}

func TestDeleteDonation(t *testing.T) {
	e := newDonationEnv(t)
	keep := e.donate("Nguyễn Văn An", 500_000, "2024-05-01", "CG-0001", "")
	twice := e.donate("Nguyễn Văn An", 300_000, "2024-05-01", "", "song binh")
	path := "/api/v1/donations/" + twice.ID

	for _, tt := range []struct {
		name, token, query, field string
		status                    int
	}{
		{"no reason", e.fundraiser(), "", "reason", http.StatusBadRequest},
		{"empty reason", e.fundraiser(), "?reason=", "reason", http.StatusBadRequest},
		{"unknown parameter", e.fundraiser(), "?reason=x&why=y", "why", http.StatusBadRequest},
		{"police", e.tokens[camera.RolePolice], "?reason=x", "", http.StatusForbidden},
		{"planner", e.tokens[camera.RolePlanner], "?reason=x", "", http.StatusForbidden},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := e.on(t).problem(tt.token, "DELETE", path+tt.query, nil, tt.status)
			if p.Field != tt.field {
				t.Errorf("field %q, want %q", p.Field, tt.field)
			}
		})
	}
	e.problem(e.fundraiser(), "DELETE", "/api/v1/donations/DN-0000009?reason=typo", nil, http.StatusNotFound)

	var got camera.Donation
	e.doJSON(e.fundraiser(), "DELETE", path+"?reason="+url.QueryEscape("nhập trùng"), nil, http.StatusOK, &got)
	if got != twice {
		t.Errorf("deleted %+v, want %+v", got, twice)
	}
	e.problem(e.fundraiser(), "GET", path, nil, http.StatusNotFound)
	e.problem(adminToken, "DELETE", path+"?reason=again", nil, http.StatusNotFound)

	var list struct{ Items []camera.Donation }
	e.doJSON(e.fundraiser(), "GET", "/api/v1/donations?donor=nguyen", nil, http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0] != keep {
		t.Errorf("list after delete: %+v", list.Items)
	}
	var funding struct {
		Totals struct {
			DonatedVND int64 `json:"donated_vnd"`
			Donations  int
		}
	}
	e.doJSON(e.fundraiser(), "GET", "/api/v1/funding?group_by=commune", nil, http.StatusOK, &funding)
	if funding.Totals.DonatedVND != 500_000 || funding.Totals.Donations != 1 {
		t.Errorf("funding totals after delete: %+v", funding.Totals)
	}
	var audit struct {
		Items []struct {
			Action, Target string
			Changes        []string
		}
	}
	e.doJSON(adminToken, "GET", "/api/v1/audit", nil, http.StatusOK, &audit)
	if a := audit.Items[0]; a.Action != "donation.delete" || a.Target != twice.ID || len(a.Changes) != 2 || a.Changes[0] != "reason: nhập trùng" || !strings.Contains(a.Changes[1], `"amount_vnd":300000`) {
		t.Errorf("audit entry %+v", a)
	}
}
