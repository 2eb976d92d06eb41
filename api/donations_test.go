package api_test

import (
	"net/http"
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
