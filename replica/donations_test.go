package replica_test

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// Donations taken on both nodes at once get the same ids everywhere, and
// the funding reports of the two nodes agree to the đồng.
func TestFundingEqualOnEveryNode(t *testing.T) {
	nodes := startCluster(t, 2)
	a, b := nodes[0], nodes[1]
	ctx := ctxT(t)
	ids := cameraIDs("CG", 4)
	cams := make([]*camera.Camera, len(ids))
	for i, id := range ids {
		cams[i] = testCamera(id)
	}
	if _, err := a.st.Import(ctx, cams, registry.ImportOptions{Atomic: true}, police); err != nil {
		t.Fatal(err)
	}
	catchUp(t, a, b)

	var want int64
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i, n := range nodes {
		for j := range 12 {
			amount := int64(1_000_000*(i+1) + 1_000*j + 7)
			want += amount
			wg.Go(func() {
				d := &camera.Donation{Donor: fmt.Sprintf("Nhà hảo tâm %s%d", n.id, j), AmountVND: amount, ReceivedOn: "2026-03-01", CameraID: ids[j%len(ids)]}
				if err := n.st.CreateDonation(ctx, d, police); err != nil {
					errs <- err
				} else if d.ID == "" {
					errs <- fmt.Errorf("donation on %s has no id", n.id)
				}
			})
		}
	}
	// An import of several, on B, beside them.
	imp := []*camera.Donation{
		{Donor: "Hợp tác xã", AmountVND: 2_500_000, ReceivedOn: "2026-03-02", Commune: "Thị trấn Chợ Gạo"},
		{Donor: "Trường THCS", AmountVND: 300_000, ReceivedOn: "2026-03-03", CameraID: ids[1]},
	}
	want += 2_800_000
	res, err := b.st.ImportDonations(ctx, imp, police)
	if err != nil || res.Created != 2 || res.TotalVND != 2_800_000 || imp[0].ID == "" {
		t.Fatalf("import: %+v, %v, first id %q", res, err, imp[0].ID)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	catchUp(t, a, b)

	w := registry.Window{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	var reports []string
	for _, n := range nodes {
		count, total, err := n.st.CountDonations(ctx)
		if err != nil || count != 26 || total != want {
			t.Errorf("node %s: %d donations, %d ₫ (%v); want 26, %d ₫", n.id, count, total, err, want)
		}
		rep, err := n.st.Funding(ctx, registry.GroupByCommune, w)
		if err != nil {
			t.Fatal(err)
		}
		j, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, string(j))
	}
	if reports[0] != reports[1] {
		t.Errorf("funding differs:\nA %s\nB %s", reports[0], reports[1])
	}

	// Delete and consent through the log.
	list, _, err := a.st.ListDonations(ctx, registry.DonationFilter{}, "", 100)
	if err != nil || len(list) == 0 {
		t.Fatalf("list: %d, %v", len(list), err)
	}
	if _, err := b.st.SetDonationPublic(ctx, list[0].ID, true, police); err != nil {
		t.Fatal(err)
	}
	if _, err := a.st.DeleteDonation(ctx, list[1].ID, "nhập nhầm", police); err != nil {
		t.Fatal(err)
	}
	if _, err := b.st.DeleteDonation(ctx, list[1].ID, "nhập nhầm", police); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Errorf("second delete: %v, want not found", err)
	}
	checkEqual(t, a, b)
}
