package registry_test

import (
	"context"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// TestPlanDonations: a plan stores nothing and says what the import
// would do — the rows it would store, the repeats it would leave out, the
// errors it would answer — and the import that follows does just that.
func TestPlanDonations(t *testing.T) {
	ctx := context.Background()
	s := communeStore(t)
	stored := &camera.Donation{Donor: "Nguyễn Văn An", AmountVND: 500_000, ReceivedOn: "2024-05-01", CameraID: "CG-0001"}
	if err := s.CreateDonation(ctx, stored, fundraiser); err != nil {
		t.Fatal(err)
	}
	sheet := func() []*camera.Donation {
		return []*camera.Donation{
			{Donor: "nguyen van an", AmountVND: 500_000, ReceivedOn: "2024-05-01", CameraID: "CG-0001"}, // the stored gift
			{Donor: "Lê Thị Bình", AmountVND: 200_000, ReceivedOn: "2024-05-01", Commune: "binh ninh"},
			{Donor: "Trần Văn Cường", AmountVND: 300_000, ReceivedOn: "2024-05-02", CameraID: "CG-0002", Public: true},
		}
	}
	o := registry.DonationOptions{RejectDuplicates: true, SkipDuplicates: true}
	plan, err := s.PlanDonations(ctx, sheet(), o)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Created != 2 || plan.TotalVND != 500_000 || len(plan.Repeats) != 1 || plan.Repeats[0].Index != 0 || plan.Repeats[0].Existing != stored.ID || plan.First != "" {
		t.Errorf("plan = %+v", plan)
	}
	if n, _, _ := s.CountDonations(ctx); n != 1 {
		t.Fatalf("%d donations after a plan, want 1: a plan stores nothing", n)
	}
	res, err := s.ImportDonationsWith(ctx, sheet(), fundraiser, o)
	if err != nil || res.Created != plan.Created || res.TotalVND != plan.TotalVND || len(res.Repeats) != 1 {
		t.Errorf("import after the plan: %+v, %v; the plan said %+v", res, err, plan)
	}
	// The plan answers the errors of the import.
	bad := sheet()
	bad[2].CameraID = "CG-0404"
	if _, err := s.PlanDonations(ctx, bad, registry.DonationOptions{}); camera.ErrorField(err) != "donations[2].camera_id" {
		t.Errorf("plan with an unknown camera: %v, want donations[2].camera_id", err)
	}
	if _, err := s.PlanDonations(ctx, sheet(), registry.DonationOptions{RejectDuplicates: true}); camera.ErrorCode(err) != camera.ECONFLICT {
		t.Errorf("plan refusing repeats: %v, want a conflict", err)
	}
}
