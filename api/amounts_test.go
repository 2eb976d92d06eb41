package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/gendata"
)

// TestImportVietnameseAmounts: amounts written the Vietnamese way import
// as whole đồng, in a donation CSV and in a camera's cost_vnd; anything
// that could hold decimals, or has groups not of three digits, is refused
// naming the field.
func TestImportVietnameseAmounts(t *testing.T) {
	e := newDonationEnv(t)
	rep := e.importDonations("", donationCSV(
		`An,4.500.000,2024-05-01,CG-0001,,`,            // line 2
		`Bình,4 500 000,2024-05-01,CG-0002,,`,          // line 3
		"Chi,4\u00a0500\u00a0000,2024-05-01,SB-0001,,", // line 4: no-break spaces
		`Dũng,4.500.000 ₫,2024-05-01,,song binh,`,      // line 5
		`Em,4.500.000đ,2024-05-02,CG-0001,,`,           // line 6
		`Giang,4500000 VND,2024-05-02,CG-0002,,`,       // line 7
		`Hà,"4,500,000",02/05/2024,SB-0001,,`,          // line 8: and a day-first date
		`Khoa,"4.500,50",2024-05-01,CG-0001,,`,         // line 9
		`Lan,4.5,2024-05-01,CG-0001,,`,                 // line 10
		`Minh,45.00.000,2024-05-01,CG-0001,,`,          // line 11
	), http.StatusOK)
	if rep.Created != 7 || rep.TotalVND != 7*4_500_000 || rep.Rejected != 3 {
		t.Fatalf("import: %+v", rep)
	}
	for i, r := range rep.Rejections {
		if r.Line != 9+i || r.Field != "amount_vnd" || !strings.Contains(r.Reason, "whole number of đồng") && !strings.Contains(r.Reason, "groups of three") {
			t.Errorf("rejection %+v, want line %d naming amount_vnd", r, 9+i)
		}
	}
	if got := e.donated(); got != 31_500_000 {
		t.Errorf("donated %s, want 31.500.000 ₫", camera.FormatVND(got))
	}

	cams := gendata.CSVHeader + "\n" +
		`CG-0101,Ngã ba,10.35,106.46,Thị trấn Chợ Gạo,,,national,intersection,0,90,60,,2022-03-15,"4.500.000 ₫"` + "\n" +
		`CG-0102,Ngã tư,10.36,106.46,Thị trấn Chợ Gạo,,,national,intersection,0,90,60,,2022-03-15,"4.500,5"` + "\n"
	out := e.importBody("/api/v1/cameras/import", "text/csv", []byte(cams), http.StatusOK)
	if out.Rejected != 1 || out.Rejections[0].Field != "cost_vnd" {
		t.Fatalf("camera import: %+v", out)
	}
	var cam struct {
		CostVND int64 `json:"cost_vnd"`
	}
	e.doJSON(adminToken, "GET", "/api/v1/cameras/CG-0101", nil, http.StatusOK, &cam)
	if cam.CostVND != 4_500_000 {
		t.Errorf("cost_vnd %d, want 4500000", cam.CostVND)
	}
}
