package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
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

// donationCSV builds a donation CSV body from rows of its six columns.
func donationCSV(rows ...string) []byte {
	return []byte("donor,amount_vnd,received_on,camera_id,commune,note\n" + strings.Join(rows, "\n") + "\n")
}

// importOfDonations is the answer to a donation import.
type importOfDonations struct {
	Created    int
	TotalVND   int64 `json:"total_vnd"`
	Rejected   int
	Duplicates int
	Rejections []struct {
		Line          int
		ID            string
		Field, Reason string
	}
}

// importDonations posts a donation CSV and checks the status.
func (e *env) importDonations(query string, body []byte, want int) importOfDonations {
	e.t.Helper()
	st, raw, _ := e.do(e.fundraiser(), "POST", "/api/v1/donations/import"+query, "text/csv", bytes.NewReader(body))
	if st != want {
		e.t.Fatalf("import%s: status %d, want %d; %s", query, st, want, raw)
	}
	var out importOfDonations
	if err := json.Unmarshal(raw, &out); err != nil {
		e.t.Fatalf("import%s: %v in %s", query, err, raw)
	}
	return out
}
