package registry_test

import (
	"context"
	"encoding/binary"
	"math"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

// wantMoneyError fails t unless err is a domain error of code naming
// field whose message holds each of parts.
func wantMoneyError(t *testing.T, what string, err error, code, field string, parts ...string) {
	t.Helper()
	if camera.ErrorCode(err) != code || camera.ErrorField(err) != field {
		t.Fatalf("%s: %v (code %q, field %q), want code %q naming %q", what, err, camera.ErrorCode(err), camera.ErrorField(err), code, field)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %q lacks %q", what, err, p)
		}
	}
}

// The commune facts refuse a camera write that would take a commune's
// cost past the int64 range, and take one that lowers it; the sums of
// the views answer an error naming the camera at fault. The store takes
// any cost (the API bounds it at camera.MaxVND), as a camera stored
// before that bound may have.
func TestCostSumsNeverWrap(t *testing.T) {
	ctx := context.Background()
	s := registrytest.Open(t) // Check on cleanup: the facts match the records
	big := testCamera("CG-BIG")
	big.Commune, big.CostVND = "Song Bình", math.MaxInt64
	other := testCamera("CG-OTHER")
	other.Commune, other.CostVND = "Bình Phan", 5_000_000
	for _, c := range []*camera.Camera{big, other} {
		if err := s.CreateCamera(ctx, c, police); err != nil {
			t.Fatal(err)
		}
	}

	one := testCamera("CG-ONE")
	one.Commune, one.CostVND = "Song Bình", 1
	wantMoneyError(t, "create", s.CreateCamera(ctx, one, police), camera.EINVALID, "cost_vnd", `"CG-ONE"`, `commune "Song Bình"`, "9.223.372.036.854.775.807 ₫")
	if _, err := s.GetCamera(ctx, "CG-ONE"); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Errorf("the refused camera was stored: %v", err)
	}
	_, err := s.ReplaceCamera(ctx, one, true, police)
	wantMoneyError(t, "replace (create)", err, camera.EINVALID, "cost_vnd")
	_, err = s.ImportCameras(ctx, []*camera.Camera{one}, true, police)
	wantMoneyError(t, "import", err, camera.EINVALID, "cost_vnd")
	moved := other.Clone()
	moved.Commune = "Song Bình"
	_, err = s.ReplaceCamera(ctx, moved, true, police)
	wantMoneyError(t, "move into the commune", err, camera.EINVALID, "cost_vnd")
	_, err = s.UpdateCamera(ctx, "CG-OTHER", "camera.patch", police, func(c *camera.Camera) error {
		c.CostVND++
		return nil
	})
	if err != nil {
		t.Errorf("a commune below the bound refused a raise: %v", err)
	}

	// The views that sum the big cost with another answer an error
	// naming it; one that holds it alone still reads.
	_, err = s.CostTotals(ctx)
	wantMoneyError(t, "cost totals", err, camera.EINTERNAL, "cost_vnd", "CG-BIG (9.223.372.036.854.775.807 ₫)", "correct their cost_vnd")
	for _, g := range []registry.GroupBy{registry.GroupByCamera, registry.GroupByCommune, registry.GroupByDonor} {
		_, err := s.Funding(ctx, g, registry.Window{})
		wantMoneyError(t, "funding by "+string(g), err, camera.EINTERNAL, "cost_vnd", "CG-BIG")
	}

	// A lower cost is taken, in the commune and out of it.
	if _, err := s.UpdateCamera(ctx, "CG-BIG", "camera.patch", police, func(c *camera.Camera) error {
		c.CostVND = math.MaxInt64 - 10
		return nil
	}); err != nil {
		t.Fatalf("lowering the cost: %v", err)
	}
	fixed := big.Clone()
	fixed.CostVND = 7_000_000
	if _, err := s.ReplaceCamera(ctx, fixed, true, police); err != nil {
		t.Fatalf("correcting the cost: %v", err)
	}
	totals, err := s.CostTotals(ctx)
	if err != nil || totals["Song Bình"] != 7_000_000 || totals["Bình Phan"] != 5_000_001 {
		t.Fatalf("cost totals after the correction: %v, %v", totals, err)
	}
	rep, err := s.Funding(ctx, registry.GroupByCommune, registry.Window{})
	if err != nil || rep.Totals.CostVND != 12_000_001 {
		t.Fatalf("funding after the correction: %+v, %v", rep, err)
	}
	if err := s.CreateCamera(ctx, one, police); err != nil {
		t.Errorf("a camera after the correction: %v", err)
	}
}

// setTotal overwrites the running donation total of a folded commune in
// the closed database at path: what a store that had taken ~922,000
// gifts at the bound would hold.
func setTotal(t *testing.T, path, fold string, total int64) {
	t.Helper()
	editFile(t, path, func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("donation_totals"))
		v := append([]byte(nil), b.Get([]byte(fold))...)
		if len(v) < 24 {
			t.Fatalf("no totals for %q", fold)
		}
		binary.BigEndian.PutUint64(v, uint64(total))
		return b.Put([]byte(fold), v)
	})
}

// The donation totals refuse a gift that would take a commune's total
// past the int64 range, naming its amount_vnd and storing nothing, and
// the sums over communes answer an error rather than wrap.
func TestDonationSumsNeverWrap(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "d.db")
	s, err := registry.Open(path, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, commune := range []string{"Song Bình", "Bình Phan"} {
		c := testCamera("CG-" + string(rune('A'+i)))
		c.Commune = commune
		if err := s.CreateCamera(ctx, c, police); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateDonation(ctx, &camera.Donation{Donor: "An", AmountVND: 1_000_000, ReceivedOn: "2024-05-01", CameraID: c.ID}, fundraiser); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	setTotal(t, path, "song binh", math.MaxInt64-500_000)
	s = registrytest.OpenAt(t, path, nil)

	gift := func(amount int64, cam string) *camera.Donation {
		return &camera.Donation{Donor: "Bình", AmountVND: amount, ReceivedOn: "2024-05-02", CameraID: cam}
	}
	wantMoneyError(t, "one gift", s.CreateDonation(ctx, gift(1_000_000, "CG-A"), fundraiser), camera.EINVALID, "amount_vnd", `"Song Bình"`)
	_, err = s.ImportDonations(ctx, []*camera.Donation{gift(100_000, "CG-B"), gift(100_000, "CG-A"), gift(400_001, "CG-A")}, fundraiser)
	wantMoneyError(t, "import", err, camera.EINVALID, "donations[2].amount_vnd")
	items, _, err := s.ListDonations(ctx, registry.DonationFilter{}, "", 100)
	if err != nil || len(items) != 2 {
		t.Fatalf("donations after the refusals: %d, %v; want the 2 stored before", len(items), err)
	}
	if err := s.CreateDonation(ctx, gift(500_000, "CG-A"), fundraiser); err != nil {
		t.Fatalf("a gift that fills the total to the int64 maximum: %v", err)
	}
	_, err = s.DonationTotals(ctx)
	wantMoneyError(t, "totals of all communes", err, camera.EINTERNAL, "amount_vnd")
	for _, g := range []registry.GroupBy{registry.GroupByCamera, registry.GroupByCommune, registry.GroupByDonor} {
		_, err := s.Funding(ctx, g, registry.Window{})
		wantMoneyError(t, "funding by "+string(g), err, camera.EINTERNAL, "amount_vnd")
	}
}
