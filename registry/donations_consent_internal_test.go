package registry

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// TestDonationRecordConsent: a donation without consent is written as a
// version 2 record, exactly as a program from before consent wrote it,
// so that such a program still reads the ledger; one with consent is a
// version 3 record with its flag; both read back as stored. A flag this
// program does not know makes the record damaged, not silently public
// or private.
func TestDonationRecordConsent(t *testing.T) {
	d := &camera.Donation{Donor: "Nguyễn Văn An", AmountVND: 500_000, ReceivedOn: "2024-05-01", CameraID: "CG-0001", Commune: "Chợ Gạo",
		Ref: "FT1", CreatedBy: camera.SystemActor, CreatedAt: migrateClock}
	private := appendDonation(nil, d)
	if private[0] != 2 {
		t.Errorf("a record without consent is version %d, want 2", private[0])
	}
	d.Public = true
	public := appendDonation(nil, d)
	if public[0] != 3 || public[len(public)-1] != flagPublic || len(public) != len(private)+1 {
		t.Errorf("a record with consent: version %d, last byte %x, %d bytes (without: %d); want version 3 ending in the flag", public[0], public[len(public)-1], len(public), len(private))
	}
	for _, tt := range []struct {
		name   string
		rec    []byte
		public bool
	}{{"version 2", private, false}, {"version 3", public, true}} {
		got, err := decodeDonation(7, tt.rec)
		if err != nil || got.Public != tt.public || got.Donor != d.Donor || got.Ref != d.Ref {
			t.Errorf("%s: %+v, %v; want public %v", tt.name, got, err, tt.public)
		}
	}
	unknown := append([]byte(nil), public...)
	unknown[len(unknown)-1] |= 0x80
	if _, err := decodeDonation(7, unknown); !errors.Is(err, errDonationRecord) {
		t.Errorf("a record with an unknown flag: %v, want damaged", err)
	}
	if _, err := decodeDonation(7, public[:len(public)-1]); !errors.Is(err, errDonationRecord) {
		t.Errorf("a version 3 record without its flags: %v, want damaged", err)
	}
}

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
