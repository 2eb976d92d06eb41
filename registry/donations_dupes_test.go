package registry_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// reject is the option of the duplicate tests; skip is the API's: the
// repeats are left out and the rest stored.
var (
	reject = registry.DonationOptions{RejectDuplicates: true}
	skip   = registry.DonationOptions{RejectDuplicates: true, SkipDuplicates: true}
)

// newGift is a donation of the duplicate tests: to a camera of communeStore,
// or to Bình Ninh's pool when cameraID is empty.
func newGift(donor string, amount int64, date, cameraID, ref string) *camera.Donation {
	d := &camera.Donation{Donor: donor, AmountVND: amount, ReceivedOn: date, CameraID: cameraID, Ref: ref}
	if cameraID == "" {
		d.Commune = "Bình Ninh"
	}
	return d
}

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
		{Donor: "Nguyễn Văn Ân", AmountVND: 500_000, ReceivedOn: "2024-05-01", CameraID: "CG-0002", Commune: "Chợ Gạo"},  // 3 again: a second gift
		{Donor: "Lê Thị Bình", AmountVND: 200_000, ReceivedOn: "2024-05-01", Commune: "binh ninh"},                       // 5: stored[1]
		{Donor: "Lê Thị Bình", AmountVND: 200_000, ReceivedOn: "2024-05-01", Commune: "Chợ Gạo"},                         // commune
		{Donor: "Lê Thị Bình", AmountVND: 200_000, ReceivedOn: "2024-05-01", CameraID: "BN-0001", Commune: "Bình Ninh"},  // a camera, not the pool
		{Donor: "le thi binh", AmountVND: 200_000, ReceivedOn: "2024-05-01", Commune: "Bình Ninh"},                       // 5 again: one more than stored
	}
	got, err := s.FindDuplicates(ctx, ds)
	if err != nil {
		t.Fatal(err)
	}
	want := []registry.Duplicate{
		{Index: 0, Existing: stored[0].ID, Earlier: -1},
		{Index: 5, Existing: stored[1].ID, Earlier: -1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FindDuplicates = %+v, want %+v", got, want)
	}
}

// importStep is one import of a sequence, and what it must do.
type importStep struct {
	sheet   []*camera.Donation
	created int
	repeats []registry.Duplicate
}

// runImports imports each sheet in turn as the API does (repeats left
// out) and checks what each stored and left out, then the ledger's
// count and sum.
func runImports(t *testing.T, s *registry.Store, steps []importStep, count int, total int64) {
	t.Helper()
	ctx := context.Background()
	for i, st := range steps {
		res, err := s.ImportDonationsWith(ctx, st.sheet, fundraiser, skip)
		if err != nil {
			t.Fatalf("import %d: %v", i+1, err)
		}
		if res.Created != st.created || !reflect.DeepEqual(res.Repeats, st.repeats) {
			t.Errorf("import %d: created %d, repeats %+v; want %d, %+v", i+1, res.Created, res.Repeats, st.created, st.repeats)
		}
	}
	if n, sum, err := s.CountDonations(ctx); err != nil || n != count || sum != total {
		t.Errorf("ledger: %d donations of %s (%v); want %d of %s", n, camera.FormatVND(sum), err, count, camera.FormatVND(total))
	}
}

// repeat is a row left out as a repeat of a stored donation.
func repeat(index int, existing string, byRef bool) registry.Duplicate {
	return registry.Duplicate{Index: index, Existing: existing, Earlier: -1, ByRef: byRef}
}

func id(seq int) string { return camera.FormatDonationID(uint64(seq)) }

// TestImportDonationsMultiset: each gift key counts as many times as the
// sheet holds it, less the times the ledger does.
func TestImportDonationsMultiset(t *testing.T) {
	union := func() *camera.Donation {
		return newGift("Hội Liên hiệp Phụ nữ xã Bình Ninh", 2_000_000, "2024-04-06", "", "")
	}
	cash := func() *camera.Donation { return newGift("Ẩn danh", 500_000, "2024-04-10", "CG-0001", "") }
	// The bank's statement of 1–15 April, and the rows of 16–30 April a
	// statement of the whole month adds to it.
	early := func() []*camera.Donation {
		return []*camera.Donation{
			newGift("Nguyễn Văn An", 500_000, "2024-04-01", "CG-0001", ""),
			union(), union(), // the union paid twice that day
			cash(), cash(), cash(), // three anonymous gifts of 500.000 ₫
		}
	}
	late := func() []*camera.Donation {
		return []*camera.Donation{
			newGift("nguyen van an", 500_000, "2024-04-28", "CG-0001", ""),
			newGift("Hội Liên hiệp Phụ nữ xã Bình Ninh", 2_000_000, "2024-04-29", "", ""),
			newGift("Ẩn danh", 500_000, "2024-04-30", "CG-0001", ""),
		}
	}
	month := func() []*camera.Donation { return append(early(), late()...) }
	const earlyVND = 500_000 + 2*2_000_000 + 3*500_000
	const lateVND = 500_000 + 2_000_000 + 500_000
	// every returns the rows 0..n-1 as repeats of DN-0000001.. in order.
	every := func(n int) []registry.Duplicate {
		var out []registry.Duplicate
		for i := range n {
			out = append(out, repeat(i, id(i+1), false))
		}
		return out
	}
	tests := []struct {
		name  string
		steps []importStep
		count int
		total int64
	}{
		{"a sheet with identical gifts keeps them all", []importStep{{early(), 6, nil}}, 6, earlyVND},
		{"the same sheet twice adds nothing", []importStep{{early(), 6, nil}, {early(), 0, every(6)}}, 6, earlyVND},
		{"half a month, then the month, adds the second half", []importStep{
			{early(), 6, nil},
			{month(), 3, every(6)},
			{month(), 0, every(9)},
		}, 9, earlyVND + lateVND},
		{"the first rows of a key are the repeats", []importStep{
			{[]*camera.Donation{cash(), union()}, 2, nil},
			{early(), 4, []registry.Duplicate{repeat(1, id(2), false), repeat(3, id(1), false)}},
		}, 6, earlyVND},
		{"a sheet with fewer of a gift than the ledger adds nothing", []importStep{
			{early(), 6, nil},
			{[]*camera.Donation{cash()}, 0, []registry.Duplicate{repeat(0, id(4), false)}},
		}, 6, earlyVND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runImports(t, communeStore(t), tt.steps, tt.count, tt.total)
		})
	}
}

// TestImportDonationsRefs: a ref is the bank's word on which transaction
// a row is.
func TestImportDonationsRefs(t *testing.T) {
	an := func(ref string) *camera.Donation {
		return newGift("Nguyễn Văn An", 500_000, "2024-04-01", "CG-0001", ref)
	}
	tests := []struct {
		name  string
		steps []importStep
		count int
		total int64
	}{
		{"two refs are two gifts, stored once", []importStep{
			{[]*camera.Donation{an("FT001"), an("FT002")}, 2, nil},
			{[]*camera.Donation{an("ft001"), an(" FT002 ")}, 0, []registry.Duplicate{repeat(0, id(1), true), repeat(1, id(2), true)}},
		}, 2, 1_000_000},
		{"a stored ref repeats whatever else the row says", []importStep{
			{[]*camera.Donation{an("FT001")}, 1, nil},
			{[]*camera.Donation{newGift("Lê Thị Bình", 200_000, "2024-04-02", "", "FT001")}, 0, []registry.Duplicate{repeat(0, id(1), true)}},
		}, 1, 500_000},
		{"a ref twice in a sheet: the later row repeats the earlier", []importStep{
			{[]*camera.Donation{an("FT001"), an("FT002"), newGift("Lê Thị Bình", 200_000, "2024-04-02", "", "FT001")}, 2, []registry.Duplicate{{Index: 2, Earlier: 0, ByRef: true}}},
		}, 2, 1_000_000},
		{"another ref of a stored gift is another gift", []importStep{
			{[]*camera.Donation{an("FT001")}, 1, nil},
			{[]*camera.Donation{an("FT001"), an("FT003")}, 1, []registry.Duplicate{repeat(0, id(1), true)}},
		}, 2, 1_000_000},
		{"a ledger without refs, then the statement with them", []importStep{
			{[]*camera.Donation{an(""), an("")}, 2, nil},
			{[]*camera.Donation{an("FT001"), an("FT002"), an("FT003")}, 1, []registry.Duplicate{repeat(0, id(1), false), repeat(1, id(2), false)}},
			{[]*camera.Donation{an("FT001"), an("FT002"), an("FT003")}, 0, []registry.Duplicate{repeat(0, id(1), false), repeat(1, id(2), false), repeat(2, id(3), true)}},
		}, 3, 1_500_000},
		{"a ledger with refs, then a sheet without them", []importStep{
			{[]*camera.Donation{an("FT001"), an("FT002")}, 2, nil},
			{[]*camera.Donation{an(""), an(""), an("")}, 1, []registry.Duplicate{repeat(0, id(1), false), repeat(1, id(2), false)}},
		}, 3, 1_500_000},
		{"as many pairs as there can be", []importStep{
			{[]*camera.Donation{an(""), an("FT001")}, 2, nil},
			// The row without a ref takes FT001's gift, so that the row
			// with FT009 can take the one without a ref.
			{[]*camera.Donation{an("FT009"), an("")}, 0, []registry.Duplicate{repeat(0, id(1), false), repeat(1, id(2), false)}},
		}, 2, 1_000_000},
		{"a stored gift whose ref is in the sheet is that row's", []importStep{
			{[]*camera.Donation{an("FT001")}, 1, nil},
			{[]*camera.Donation{an(""), an("FT001")}, 1, []registry.Duplicate{repeat(1, id(1), true)}},
		}, 2, 1_000_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runImports(t, communeStore(t), tt.steps, tt.count, tt.total)
		})
	}
}

func TestCreateDonationDuplicates(t *testing.T) {
	ctx := context.Background()
	s := communeStore(t)
	an := func() *camera.Donation {
		return &camera.Donation{Donor: " Nguyễn Văn An ", AmountVND: 500_000, ReceivedOn: "2024-05-01", CameraID: "CG-0003"}
	}
	first := an()
	if err := s.CreateDonationWith(ctx, first, fundraiser, reject); err != nil {
		t.Fatal(err)
	}
	again := an()
	again.Donor = "nguyen van an"
	err := s.CreateDonationWith(ctx, again, fundraiser, reject)
	var dup *registry.DuplicateError
	if !errors.As(err, &dup) || camera.ErrorCode(err) != camera.ECONFLICT || dup.Existing != first.ID || dup.ByRef || camera.ErrorField(err) != "" {
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
		if err := s.CreateDonationWith(ctx, an(), fundraiser, reject); camera.ErrorCode(err) != camera.ECONFLICT {
			t.Fatalf("create while %s is stored: %v, want a conflict", id, err)
		}
		if _, err := s.DeleteDonation(ctx, id, "nhập trùng", fundraiser); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateDonationWith(ctx, an(), fundraiser, reject); err != nil {
		t.Errorf("create after both were deleted: %v", err)
	}
}

// TestCreateDonationRefs: one gift with a ref not stored is stored, even
// when a gift without a ref looks the same; a stored ref is refused
// unless duplicates are allowed; a deleted gift's ref is free again.
func TestCreateDonationRefs(t *testing.T) {
	ctx := context.Background()
	s := communeStore(t)
	create := func(ref string, o registry.DonationOptions) (*camera.Donation, error) {
		d := newGift("Nguyễn Văn An", 500_000, "2024-05-01", "CG-0001", ref)
		return d, s.CreateDonationWith(ctx, d, fundraiser, o)
	}
	hand, err := create("", reject)
	if err != nil {
		t.Fatal(err)
	}
	withRef, err := create("FT24122 0001", reject)
	if err != nil || withRef.Ref != "FT24122 0001" {
		t.Fatalf("create with a new ref beside %s: %+v, %v", hand.ID, withRef, err)
	}
	if _, err := create("FT24122 0002", reject); err != nil {
		t.Fatalf("create with another ref: %v", err)
	}
	// The ref stored, whatever else the gift says.
	other := newGift("Lê Thị Bình", 200_000, "2024-05-02", "", "ft24122  0001")
	err = s.CreateDonationWith(ctx, other, fundraiser, reject)
	var dup *registry.DuplicateError
	if !errors.As(err, &dup) || dup.Existing != withRef.ID || !dup.ByRef || camera.ErrorCode(err) != camera.ECONFLICT {
		t.Fatalf("create with a stored ref: %v, want a conflict naming %s by ref", err, withRef.ID)
	}
	// Without a ref, it repeats one of the three.
	if _, err := create("", reject); camera.ErrorCode(err) != camera.ECONFLICT {
		t.Fatalf("create without a ref: %v, want a conflict", err)
	}
	// Allowed, a stored ref is stored again (another bank's numbering).
	if err := s.CreateDonation(ctx, other, fundraiser); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{withRef.ID, other.ID} {
		if _, err := s.DeleteDonation(ctx, id, "sai số tham chiếu", fundraiser); err != nil {
			t.Fatal(err)
		}
	}
	if d, err := create("FT24122 0001", reject); err != nil {
		t.Errorf("create after the ref's gifts were deleted: %v", err)
	} else if got, err := s.GetDonation(ctx, d.ID); err != nil || got.Ref != "FT24122 0001" {
		t.Errorf("GetDonation = %+v, %v", got, err)
	}
}

// TestImportDonationsDuplicates: refused rather than left out, a repeat
// fails the whole import.
func TestImportDonationsDuplicates(t *testing.T) {
	ctx := context.Background()
	s := communeStore(t)
	sheet := func() []*camera.Donation {
		return []*camera.Donation{
			{Donor: "A", AmountVND: 1, ReceivedOn: "2024-01-01", CameraID: "CG-0001", Ref: "FT1"},
			{Donor: "B", AmountVND: 2, ReceivedOn: "2024-01-01", Commune: "Bình Ninh"},
			{Donor: "C", AmountVND: 3, ReceivedOn: "2024-01-01", CameraID: "BN-0001"},
			{Donor: "b", AmountVND: 2, ReceivedOn: "2024-01-01", Commune: "binh ninh"}, // a second gift
		}
	}
	inCall := append(sheet(), &camera.Donation{Donor: "D", AmountVND: 4, ReceivedOn: "2024-01-02", CameraID: "CG-0002", Ref: "ft1"})
	_, err := s.ImportDonationsWith(ctx, inCall, fundraiser, reject)
	var dup *registry.DuplicateError
	if !errors.As(err, &dup) || camera.ErrorField(err) != "donations[4]" || dup.Earlier != 0 || dup.Existing != "" || !dup.ByRef {
		t.Fatalf("import repeating a ref: %v, want a conflict of donations[4] with donations[0]", err)
	}
	if n, _, _ := s.CountDonations(ctx); n != 0 {
		t.Fatalf("%d donations stored after a refusal", n)
	}
	if res, err := s.ImportDonationsWith(ctx, sheet(), fundraiser, reject); err != nil || res.Created != 4 {
		t.Fatalf("first import: %+v, %v", res, err)
	}
	_, err = s.ImportDonationsWith(ctx, sheet(), fundraiser, reject)
	if !errors.As(err, &dup) || camera.ErrorField(err) != "donations[0]" || dup.Existing != "DN-0000001" {
		t.Fatalf("second import of the sheet: %v, want a conflict of donations[0] with DN-0000001", err)
	}
	if res, err := s.ImportDonations(ctx, sheet(), fundraiser); err != nil || res.Created != 4 {
		t.Fatalf("import with duplicates allowed: %+v, %v", res, err)
	}
	if n, total, _ := s.CountDonations(ctx); n != 8 || total != 16 {
		t.Errorf("%d donations of %d đồng, want 8 of 16", n, total)
	}
}

// TestImportDonationsDuplicatesRace imports one sheet — two identical
// gifts among others — from several goroutines at once, refusing and
// leaving out repeats: the ledger ends with the sheet once.
func TestImportDonationsDuplicatesRace(t *testing.T) {
	for _, o := range []registry.DonationOptions{reject, skip} {
		t.Run(fmt.Sprintf("skip=%v", o.SkipDuplicates), func(t *testing.T) {
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
						{Donor: "A", AmountVND: 1, ReceivedOn: "2024-01-01", CameraID: "CG-0001"},
						{Donor: "B", AmountVND: 2, ReceivedOn: "2024-01-02", Commune: "Bình Ninh", Ref: "FT9"},
					}
					_, errs[i] = s.ImportDonationsWith(ctx, ds, fundraiser, o)
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if code := camera.ErrorCode(err); code != "" && code != camera.ECONFLICT {
					t.Errorf("import: %v", err)
				}
			}
			if n, total, _ := s.CountDonations(ctx); n != 3 || total != 4 {
				t.Errorf("%d donations of %d đồng, want the sheet once: 3 of 4", n, total)
			}
		})
	}
}
