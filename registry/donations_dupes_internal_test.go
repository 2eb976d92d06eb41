package registry

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestGiftHashCollisions gives different gifts one hash, as a collision
// of FNV-1a would: none is taken for another, in the call or stored, and
// each key is counted on its own.
func TestGiftHashCollisions(t *testing.T) {
	s := openInternal(t, filepath.Join(t.TempDir(), "matthan.db"))
	ds := donationFixture(t, s)
	f := folder{}
	stored := giftKeyOf(f, ds[3])
	twice := giftKeyOf(f, ds[0]) // ds[0] and ds[1] are one gift, stored twice
	other := stored
	other.donor = "someone else" // same date and hash, another gift
	twin := twice
	twin.hash, twin.date = stored.hash, stored.date // twice's key under stored's hash: not stored

	keys := []giftKey{
		{donor: "a", date: stored.date, hash: stored.hash},
		{donor: "b", date: stored.date, hash: stored.hash},
		{donor: "b", date: stored.date, hash: stored.hash},
		{donor: "a", date: stored.date, hash: stored.hash},
		other,
		stored, // 5: ds[3]
		stored, // 6: one more than stored: new
		twin,
		twice, // 8: ds[0]
		twice, // 9: ds[1]
		twice, // 10: new
	}
	rows := make([]giftRow, len(keys))
	for i, k := range keys {
		rows[i] = giftRow{key: k}
	}
	var got []Duplicate
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		got, err = findDuplicates(context.Background(), tx, f, rows, true)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Duplicate{
		{Index: 5, Existing: ds[3].ID, Earlier: -1},
		{Index: 8, Existing: ds[0].ID, Earlier: -1},
		{Index: 9, Existing: ds[1].ID, Earlier: -1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findDuplicates = %+v, want %+v", got, want)
	}
}
