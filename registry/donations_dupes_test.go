package registry_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// reject is the option of the duplicate tests.
var reject = registry.DonationOptions{RejectDuplicates: true}

func TestFindDuplicates(t *testing.T) {
	ctx := context.Background()
	s := communeStore(t)
	stored := []*camera.Donation{
		{Donor: "Nguyễn Văn An", AmountVND: 500_000, ReceivedOn: "2024-05-01", CameraID: "CG-0001"},
		{Donor: "Lê Thị Bình", AmountVND: 200_000, ReceivedOn: "2024-05-01", Commune: "Bình Ninh"},
	}
	if _, err := s.ImportDonations(ctx, stored, fundraiser); err != nil {
		t.Fatal(err)
	}
	// As a decoder gives them: cleaned and resolved.
	ds := []*camera.Donation{
		{Donor: "NGUYEN  van an", AmountVND: 500_000, ReceivedOn: "2024-05-01", CameraID: "CG-0001", Commune: "Chợ Gạo"}, // 0: stored[0]
		{Donor: "Nguyễn Văn An", AmountVND: 500_001, ReceivedOn: "2024-05-01", CameraID: "CG-0001", Commune: "Chợ Gạo"},  // amount
		{Donor: "Nguyễn Văn An", AmountVND: 500_000, ReceivedOn: "2024-05-02", CameraID: "CG-0001", Commune: "Chợ Gạo"},  // date
		{Donor: "Nguyễn Văn An", AmountVND: 500_000, ReceivedOn: "2024-05-01", CameraID: "CG-0002", Commune: "Chợ Gạo"},  // camera
		{Donor: "Nguyễn Văn Ân", AmountVND: 500_000, ReceivedOn: "2024-05-01", CameraID: "CG-0002", Commune: "Chợ Gạo"},  // 4: repeats 3
		{Donor: "Lê Thị Bình", AmountVND: 200_000, ReceivedOn: "2024-05-01", Commune: "binh ninh"},                       // 5: stored[1]
		{Donor: "Lê Thị Bình", AmountVND: 200_000, ReceivedOn: "2024-05-01", Commune: "Chợ Gạo"},                         // commune
		{Donor: "Lê Thị Bình", AmountVND: 200_000, ReceivedOn: "2024-05-01", CameraID: "BN-0001", Commune: "Bình Ninh"},  // a camera, not the pool
		{Donor: "le thi binh", AmountVND: 200_000, ReceivedOn: "2024-05-01", Commune: "Bình Ninh"},                       // 8: stored[1], not 5
	}
	got, err := s.FindDuplicates(ctx, ds)
	if err != nil {
		t.Fatal(err)
	}
	want := []registry.Duplicate{
		{Index: 0, Existing: stored[0].ID, Earlier: -1},
		{Index: 4, Earlier: 3},
		{Index: 5, Existing: stored[1].ID, Earlier: -1},
		{Index: 8, Existing: stored[1].ID, Earlier: -1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FindDuplicates = %+v, want %+v", got, want)
	}
}

func TestCreateDonationDuplicates(t *testing.T) {
	ctx := context.Background()
	s := communeStore(t)
	gift := func() *camera.Donation {
		return &camera.Donation{Donor: " Nguyễn Văn An ", AmountVND: 500_000, ReceivedOn: "2024-05-01", CameraID: "CG-0003"}
	}
	first := gift()
	if err := s.CreateDonationWith(ctx, first, fundraiser, reject); err != nil {
		t.Fatal(err)
	}
	again := gift()
	again.Donor = "nguyen van an"
	err := s.CreateDonationWith(ctx, again, fundraiser, reject)
	var dup *registry.DuplicateError
	if !errors.As(err, &dup) || camera.ErrorCode(err) != camera.ECONFLICT || dup.Existing != first.ID || camera.ErrorField(err) != "" {
		t.Fatalf("second create: %v, want a conflict naming %s", err, first.ID)
	}
	if again.ID != "" || again.Donor != "nguyen van an" {
		t.Errorf("refused donation was changed: %+v", *again)
	}
	// Allowed, it is stored; deleting both frees the gift again.
	if err := s.CreateDonation(ctx, again, fundraiser); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := s.CountDonations(ctx); n != 2 {
		t.Fatalf("%d donations, want 2", n)
	}
	for _, id := range []string{first.ID, again.ID} {
		if err := s.CreateDonationWith(ctx, gift(), fundraiser, reject); camera.ErrorCode(err) != camera.ECONFLICT {
			t.Fatalf("create while %s is stored: %v, want a conflict", id, err)
		}
		if _, err := s.DeleteDonation(ctx, id, "nhập trùng", fundraiser); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateDonationWith(ctx, gift(), fundraiser, reject); err != nil {
		t.Errorf("create after both were deleted: %v", err)
	}
}

func TestImportDonationsDuplicates(t *testing.T) {
	ctx := context.Background()
	s := communeStore(t)
	sheet := func() []*camera.Donation {
		return []*camera.Donation{
			{Donor: "A", AmountVND: 1, ReceivedOn: "2024-01-01", CameraID: "CG-0001"},
			{Donor: "B", AmountVND: 2, ReceivedOn: "2024-01-01", Commune: "Bình Ninh"},
			{Donor: "C", AmountVND: 3, ReceivedOn: "2024-01-01", CameraID: "BN-0001"},
		}
	}
	inCall := append(sheet(), &camera.Donation{Donor: "b", AmountVND: 2, ReceivedOn: "2024-01-01", Commune: "binh ninh"})
	_, err := s.ImportDonationsWith(ctx, inCall, fundraiser, reject)
	var dup *registry.DuplicateError
	if !errors.As(err, &dup) || camera.ErrorField(err) != "donations[3]" || dup.Earlier != 1 || dup.Existing != "" {
		t.Fatalf("import repeating a row: %v, want a conflict of donations[3] with donations[1]", err)
	}
	if n, _, _ := s.CountDonations(ctx); n != 0 {
		t.Fatalf("%d donations stored after a refusal", n)
	}
	if _, err := s.ImportDonationsWith(ctx, sheet(), fundraiser, reject); err != nil {
		t.Fatal(err)
	}
	_, err = s.ImportDonationsWith(ctx, sheet(), fundraiser, reject)
	if !errors.As(err, &dup) || camera.ErrorField(err) != "donations[0]" || dup.Existing != "DN-0000001" {
		t.Fatalf("second import of the sheet: %v, want a conflict of donations[0] with DN-0000001", err)
	}
	if res, err := s.ImportDonations(ctx, sheet(), fundraiser); err != nil || res.Created != 3 {
		t.Fatalf("import with duplicates allowed: %+v, %v", res, err)
	}
	if n, total, _ := s.CountDonations(ctx); n != 6 || total != 12 {
		t.Errorf("%d donations of %d đồng, want 6 of 12", n, total)
	}
}

// TestImportDonationsDuplicatesRace imports one sheet from several
// goroutines at once: exactly one import may store it.
func TestImportDonationsDuplicatesRace(t *testing.T) {
	ctx := context.Background()
	s := communeStore(t)
	const tries = 4
	errs := make([]error, tries)
	var wg sync.WaitGroup
	for i := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ds := []*camera.Donation{
				{Donor: "A", AmountVND: 1, ReceivedOn: "2024-01-01", CameraID: "CG-0001"},
				{Donor: "B", AmountVND: 2, ReceivedOn: "2024-01-02", Commune: "Bình Ninh"},
			}
			_, errs[i] = s.ImportDonationsWith(ctx, ds, fundraiser, reject)
		}()
	}
	wg.Wait()
	stored := 0
	for _, err := range errs {
		switch camera.ErrorCode(err) {
		case "":
			stored++
		case camera.ECONFLICT:
		default:
			t.Errorf("import: %v", err)
		}
	}
	if n, _, _ := s.CountDonations(ctx); stored != 1 || n != 2 {
		t.Errorf("%d imports stored, %d donations; want 1 and 2", stored, n)
	}
}
