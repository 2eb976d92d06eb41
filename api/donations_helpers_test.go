package api_test

import (
	"net/http"
	"testing"

	"github.com/matthan/matthan/camera"
)

// newDonationEnv is a server with three cameras: CG-0001 and CG-0002 in
// Thị trấn Chợ Gạo, SB-0001 in Song Bình.
func newDonationEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	for _, c := range []struct{ id, commune string }{{"CG-0001", "Thị trấn Chợ Gạo"}, {"CG-0002", "Thị trấn Chợ Gạo"}, {"SB-0001", "Song Bình"}} {
		cam := cameraJSON(c.id)
		cam["commune"] = c.commune
		e.doJSON(e.tokens[camera.RolePolice], "POST", "/api/v1/cameras", cam, http.StatusCreated, nil)
	}
	return e
}

// fundraiser returns the fundraiser's token.
func (e *env) fundraiser() string { return e.tokens[camera.RoleFundraiser] }

// donate stores one donation through the API and returns it.
func (e *env) donate(donor string, amount int64, date, cameraID, commune string) camera.Donation {
	e.t.Helper()
	var d camera.Donation
	in := map[string]any{"donor": donor, "amount_vnd": amount, "received_on": date, "camera_id": cameraID, "commune": commune}
	e.doJSON(e.fundraiser(), "POST", "/api/v1/donations", in, http.StatusCreated, &d)
	return d
}
