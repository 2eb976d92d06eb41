package registry_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// lastAudit returns the newest audit entry.
func lastAudit(t *testing.T, s *registry.Store) registry.AuditEntry {
	t.Helper()
	es, _, err := s.ListAudit(context.Background(), 0, 1)
	if err != nil || len(es) != 1 {
		t.Fatalf("ListAudit: %v, %v", es, err)
	}
	return es[0]
}

// TestSetDonationPublic: consent is recorded and withdrawn on a stored
// gift, audited with what it was, and nothing else of the gift changes.
func TestSetDonationPublic(t *testing.T) {
	ctx := context.Background()
	s := communeStore(t)
	d := &camera.Donation{Donor: "Nguyễn Văn An", AmountVND: 500_000, ReceivedOn: "2024-05-01", CameraID: "CG-0001", Ref: "FT1"}
	if err := s.CreateDonation(ctx, d, fundraiser); err != nil {
		t.Fatal(err)
	}
	if d.Public {
		t.Fatal("a gift is public by default")
	}
	got, err := s.SetDonationPublic(ctx, d.ID, true, fundraiser)
	want := *d
	want.Public = true
	if err != nil || *got != want {
		t.Fatalf("SetDonationPublic = %+v, %v; want %+v", got, err, want)
	}
	if e := lastAudit(t, s); e.Action != "donation.public" || e.Target != d.ID || !slices.Equal(e.Changes, []string{"public: false → true"}) || e.Actor != fundraiser {
		t.Errorf("audit entry %+v", e)
	}
	if stored, _ := s.GetDonation(ctx, d.ID); *stored != want {
		t.Errorf("stored %+v, want %+v", stored, want)
	}
	// Setting what is stored writes nothing.
	if _, err := s.SetDonationPublic(ctx, d.ID, true, admin); err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, s); e.Actor != fundraiser {
		t.Errorf("setting consent again wrote an audit entry: %+v", e)
	}
	if got, err := s.SetDonationPublic(ctx, d.ID, false, admin); err != nil || got.Public {
		t.Errorf("withdrawal: %+v, %v", got, err)
	}
	if e := lastAudit(t, s); !slices.Equal(e.Changes, []string{"public: true → false"}) {
		t.Errorf("audit entry of the withdrawal %+v", e)
	}
	for _, id := range []string{"DN-0000404", "nope"} {
		if _, err := s.SetDonationPublic(ctx, id, true, admin); camera.ErrorCode(err) != camera.ENOTFOUND {
			t.Errorf("SetDonationPublic(%s): %v, want not found", id, err)
		}
	}
	// Consent given at entry is kept, and a repeat of the gift is the
	// same gift whatever its consent.
	pub := &camera.Donation{Donor: "Lê Thị Bình", AmountVND: 200_000, ReceivedOn: "2024-05-02", Commune: "binh ninh", Public: true}
	if err := s.CreateDonation(ctx, pub, fundraiser); err != nil || !pub.Public {
		t.Fatalf("create with consent: %+v, %v", pub, err)
	}
	again := *pub
	again.ID, again.Public = "", false
	dups, err := s.FindDuplicates(ctx, []*camera.Donation{&again})
	if err != nil || len(dups) != 1 || dups[0].Existing != pub.ID {
		t.Errorf("FindDuplicates of the gift without consent: %+v, %v; want a repeat of %s", dups, err, pub.ID)
	}
	if err := s.Check(); err != nil {
		t.Error(err)
	}
}

// TestPublish: a commune with cameras is published under its slug, once;
// names that match none or several are refused naming commune; its
// statement is gone when it is unpublished; every change is audited.
func TestPublish(t *testing.T) {
	ctx := context.Background()
	s := communeStore(t) // Chợ Gạo (and "Cho Gao"), Bình Ninh, a camera without commune
	cam := testCamera("TT-0001")
	cam.Commune = "Thị trấn Bình Ninh"
	if err := s.CreateCamera(ctx, cam, camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	pub, created, err := s.Publish(ctx, "CHO GAO", admin)
	if err != nil || !created || pub.Commune != "Chợ Gạo" || pub.Slug != "cho-gao" || pub.PublishedBy != admin || !pub.PublishedAt.Equal(donationClock) {
		t.Fatalf("Publish(CHO GAO) = %+v, %v, %v", pub, created, err)
	}
	if e := lastAudit(t, s); e.Action != "public.publish" || e.Target != "Chợ Gạo" {
		t.Errorf("audit entry %+v", e)
	}
	again, created, err := s.Publish(ctx, "chợ gạo", camera.SystemActor)
	if err != nil || created || again != pub {
		t.Errorf("publishing again: %+v, %v, %v; want the publication unchanged", again, created, err)
	}
	for _, tt := range []struct{ name, code string }{
		{"", camera.EINVALID},
		{"Mỹ Tho", camera.EINVALID},       // no camera there
		{"xã bình ninh", camera.EINVALID}, // Bình Ninh and Thị trấn Bình Ninh
	} {
		if _, _, err := s.Publish(ctx, tt.name, admin); camera.ErrorCode(err) != tt.code || camera.ErrorField(err) != "commune" {
			t.Errorf("Publish(%q): %v, want %s naming commune", tt.name, err, tt.code)
		}
	}
	if _, _, err := s.Publish(ctx, "thị trấn bình ninh", admin); err != nil {
		t.Fatal(err)
	}
	pubs, err := s.Publications(ctx)
	if err != nil || len(pubs) != 2 || pubs[0].Slug != "cho-gao" || pubs[1].Slug != "thi-tran-binh-ninh" {
		t.Fatalf("Publications = %+v, %v", pubs, err)
	}
	if p, err := s.PublicationBySlug(ctx, "thi-tran-binh-ninh"); err != nil || p.Commune != "Thị trấn Bình Ninh" {
		t.Errorf("PublicationBySlug = %+v, %v", p, err)
	}
	// Unpublished by slug or by name.
	if p, err := s.Unpublish(ctx, "thi-tran-binh-ninh", admin); err != nil || p.Commune != "Thị trấn Bình Ninh" {
		t.Errorf("Unpublish by slug: %+v, %v", p, err)
	}
	if e := lastAudit(t, s); e.Action != "public.unpublish" || e.Target != "Thị trấn Bình Ninh" {
		t.Errorf("audit entry %+v", e)
	}
	if _, err := s.Unpublish(ctx, "Chợ Gạo", admin); err != nil {
		t.Error(err)
	}
	for _, slug := range []string{"cho-gao", "thi-tran-binh-ninh", ""} {
		if _, err := s.PublicStatement(ctx, slug); camera.ErrorCode(err) != camera.ENOTFOUND {
			t.Errorf("PublicStatement(%q) after unpublishing: %v, want not found", slug, err)
		}
	}
	if _, err := s.Unpublish(ctx, "Chợ Gạo", admin); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Errorf("unpublishing twice: %v, want not found", err)
	}
}

// TestPublicStatement: the statement of a commune has its cameras with
// their cost, gifts and up time, its money, and its gifts with the names
// of the donors who consented only; nothing of another commune, even one
// whose name differs only by the word for its kind.
func TestPublicStatement(t *testing.T) {
	ctx := context.Background()
	s := communeStore(t)
	town := testCamera("TT-0001")
	town.Commune, town.CostVND = "Thị trấn Chợ Gạo", 9_000_000
	if err := s.CreateCamera(ctx, town, camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateCamera(ctx, "CG-0003", "retire", camera.SystemActor, func(c *camera.Camera) error { c.Status = camera.StatusRetired; return nil }); err != nil {
		t.Fatal(err)
	}
	// CG-0001 up for the last 12 hours of the window.
	if err := s.RecordHealth(ctx, nil, []camera.Transition{{CameraID: "CG-0001", At: donationClock.Add(-12 * time.Hour), From: camera.StateUnknown, To: camera.StateUp}}); err != nil {
		t.Fatal(err)
	}
	gifts := []*camera.Donation{
		{Donor: "Nguyễn Văn An", AmountVND: 500_000, ReceivedOn: "2024-03-01", CameraID: "CG-0001", Public: true, Note: "ghi chú riêng", Ref: "FT-SECRET"},
		{Donor: "Lê Thị Bình", AmountVND: 300_000, ReceivedOn: "2024-03-02", CameraID: "CG-0002"},
		{Donor: "Hội Phụ nữ", AmountVND: 1_000_000, ReceivedOn: "2024-02-01", Commune: "cho gao", Public: true},
		{Donor: "Trần Văn Cường", AmountVND: 7_000_000, ReceivedOn: "2024-03-03", CameraID: "TT-0001", Public: true},
		{Donor: "Phạm Văn Dũng", AmountVND: 400_000, ReceivedOn: "2024-03-04", CameraID: "BN-0001", Public: true},
	}
	if _, err := s.ImportDonations(ctx, gifts, fundraiser); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Publish(ctx, "Chợ Gạo", admin); err != nil {
		t.Fatal(err)
	}
	st, err := s.PublicStatement(ctx, "cho-gao")
	if err != nil {
		t.Fatal(err)
	}
	if st.Commune != "Chợ Gạo" || !st.To.Equal(donationClock) || st.To.Sub(st.From) != registry.StatementWindow {
		t.Errorf("statement of %q over %s..%s", st.Commune, st.From, st.To)
	}
	wantCams := []registry.StatementCamera{
		{ID: "CG-0001", Name: "Ngã tư Chợ Gạo CG-0001", CostVND: 4_000_000, DonatedVND: 500_000, UpMillis: (12 * time.Hour).Milliseconds()},
		{ID: "CG-0002", Name: "Ngã tư Chợ Gạo CG-0002", CostVND: 4_000_000, DonatedVND: 300_000},
		{ID: "CG-0003", Name: "Ngã tư Chợ Gạo CG-0003", CostVND: 4_000_000, Retired: true},
	}
	if !slices.Equal(st.Cameras, wantCams) {
		t.Errorf("cameras:\n%+v\nwant\n%+v", st.Cameras, wantCams)
	}
	if tot := st.Totals; tot.CostVND != 12_000_000 || tot.DonatedVND != 1_800_000 || tot.PoolVND != 1_000_000 || tot.BalanceVND != -10_200_000 || tot.Donors != 3 || tot.Donations != 3 || tot.Cameras != 3 {
		t.Errorf("totals %+v", tot)
	}
	wantGifts := []registry.StatementGift{
		{ReceivedOn: "2024-02-01", AmountVND: 1_000_000, Donor: "Hội Phụ nữ"},
		{ReceivedOn: "2024-03-01", AmountVND: 500_000, Donor: "Nguyễn Văn An", CameraID: "CG-0001"},
		{ReceivedOn: "2024-03-02", AmountVND: 300_000, CameraID: "CG-0002"},
	}
	if !slices.Equal(st.Gifts, wantGifts) {
		t.Errorf("gifts:\n%+v\nwant\n%+v", st.Gifts, wantGifts)
	}
}
