package registry

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestGiftHashCollisions gives different gifts one hash, as a collision
// of FNV-1a would: none is taken for another, in the call or stored.
func TestGiftHashCollisions(t *testing.T) {
	s := openInternal(t, filepath.Join(t.TempDir(), "matthan.db"))
	ds := donationFixture(t, s)
	f := folder{}
	stored := giftKeyOf(f, ds[3])
	other := stored
	other.donor = "someone else" // same date and hash, another gift

	keys := []giftKey{
		{donor: "a", date: stored.date, hash: stored.hash},
		{donor: "b", date: stored.date, hash: stored.hash},
		{donor: "b", date: stored.date, hash: stored.hash},
		{donor: "a", date: stored.date, hash: stored.hash},
		{donor: "c", date: stored.date, hash: stored.hash},
		other,
		stored,
	}
	var got []Duplicate
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		got, err = findDuplicates(context.Background(), tx, f, keys)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Duplicate{{Index: 2, Earlier: 1}, {Index: 3, Earlier: 0}, {Index: 6, Existing: ds[3].ID, Earlier: -1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findDuplicates = %+v, want %+v", got, want)
	}
}
