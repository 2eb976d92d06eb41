package registry

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// TestConsentOnAnOldLedger opens a ledger a program from before consent
// wrote (records of versions 1 and 2, schema 5): every gift reads as not
// consented, consent is then recorded on one of them, and the others are
// left byte for byte as they were.
func TestConsentOnAnOldLedger(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "matthan.db")
	s, err := Open(path, Options{Now: func() time.Time { return migrateClock }})
	if err != nil {
		t.Fatal(err)
	}
	ds := donationFixture(t, s)
	old := map[uint64][]byte{}
	err = s.db.Update(func(tx *bolt.Tx) error {
		recs := tx.Bucket(bucketDonations)
		for i, d := range ds {
			seq, _ := camera.ParseDonationID(d.ID)
			v := append([]byte(nil), recs.Get(itob(seq))...)
			if i == 0 {
				v = v[:len(v)-1] // version 1: no ref
				v[0] = 1
			}
			old[seq] = v
			if err := recs.Put(itob(seq), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openInternal(t, path)
	for _, d := range ds {
		got, err := s.GetDonation(ctx, d.ID)
		if err != nil || got.Public {
			t.Errorf("%s of the old ledger: %+v, %v; want it read, without consent", d.ID, got, err)
		}
	}
	got, err := s.SetDonationPublic(ctx, ds[0].ID, true, camera.SystemActor)
	if err != nil || !got.Public || got.Donor != ds[0].Donor {
		t.Fatalf("SetDonationPublic on a version 1 record: %+v, %v", got, err)
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		recs := tx.Bucket(bucketDonations)
		for seq, v := range old {
			now := recs.Get(itob(seq))
			switch {
			case seq == 1 && now[0] != 3:
				t.Errorf("the consented record is version %d, want 3", now[0])
			case seq != 1 && string(now) != string(v):
				t.Errorf("record %d changed: %x, was %x", seq, now, v)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err != nil {
		t.Error(err)
	}
}
