package registry

import (
	"context"
	"encoding/binary"
	"math"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// The write transaction checks the donation totals again (addTotals):
// what another writer stored after the call's own check can still not
// make a total wrap. A batch is written here past that check, as a race
// would; the batch's own sum overflowing is refused too.
func TestAddTotalsRefusesOverflow(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "x.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	actor := camera.Actor{Name: "t", Role: camera.RoleFundraiser}
	cam := &camera.Camera{ID: "CG-1", Name: "x", Commune: "Song Bình", Lat: 10, Lon: 106}
	cam.ApplyDefaults()
	if err := s.CreateCamera(ctx, cam, actor); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateDonation(ctx, &camera.Donation{Donor: "An", AmountVND: 1_000_000, ReceivedOn: "2024-05-01", CameraID: "CG-1"}, actor); err != nil {
		t.Fatal(err)
	}
	stored := func() uint64 {
		var n uint64
		_ = s.db.View(func(tx *bolt.Tx) error { n = tx.Bucket(bucketDonations).Sequence(); return nil })
		return n
	}
	write := func(communes []string, amounts ...int64) error {
		batch := make([]*camera.Donation, len(amounts))
		for i, a := range amounts {
			batch[i] = &camera.Donation{Donor: "Bình", AmountVND: a, ReceivedOn: "2024-05-02", CameraID: "CG-1", Commune: communes[i]}
		}
		p := prepareBatch(batch, communes, 0, nil, actor, time.Now().UTC())
		return s.db.Update(func(tx *bolt.Tx) error { return p.write(ctx, tx, true) })
	}

	// Another writer took the total near the int64 maximum.
	if err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDonTotals)
		v := append([]byte(nil), b.Get([]byte("song binh"))...)
		binary.BigEndian.PutUint64(v, uint64(math.MaxInt64-1_000_000))
		return b.Put([]byte("song binh"), v)
	}); err != nil {
		t.Fatal(err)
	}
	err = write([]string{"Song Bình", "Song Bình"}, 600_000, 500_000)
	if camera.ErrorCode(err) != camera.EINVALID || camera.ErrorField(err) != "donations[1].amount_vnd" {
		t.Errorf("a batch that overflows the stored total: %v, want donations[1].amount_vnd", err)
	}
	// A batch whose own sum overflows, in a commune with no total yet.
	err = write([]string{"Bình Phan", "Bình Phan", "Bình Phan"}, 1, math.MaxInt64/2+1, math.MaxInt64/2+1)
	if camera.ErrorCode(err) != camera.EINVALID || camera.ErrorField(err) != "donations[2].amount_vnd" {
		t.Errorf("a batch whose sum overflows: %v, want donations[2].amount_vnd", err)
	}
	if n := stored(); n != 1 {
		t.Errorf("%d donations stored, want the 1 before the refusals", n)
	}
	if err := write([]string{"Song Bình"}, 1_000_000); err != nil {
		t.Errorf("a batch that fills the total to the maximum: %v", err)
	}
}
