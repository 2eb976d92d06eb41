package registry

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

var migrateClock = time.Date(2024, 5, 2, 8, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// openInternal opens a store at path for the tests of this package,
// which cannot use registrytest (it imports registry).
func openInternal(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path, Options{Now: func() time.Time { return migrateClock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// donationFixture stores two cameras and four donations, two of them the
// same gift.
func donationFixture(t *testing.T, s *Store) []*camera.Donation {
	t.Helper()
	ctx := context.Background()
	for _, id := range []string{"CG-0001", "CG-0002"} {
		c := &camera.Camera{ID: id, Name: "Ngã tư", Lat: 10.35, Lon: 106.46, Commune: "Chợ Gạo"}
		c.ApplyDefaults()
		if err := s.CreateCamera(ctx, c, camera.SystemActor); err != nil {
			t.Fatal(err)
		}
	}
	ds := []*camera.Donation{
		{Donor: "Nguyễn Văn An", AmountVND: 500_000, ReceivedOn: "2024-05-01", CameraID: "CG-0001"},
		{Donor: "Nguyễn Văn An", AmountVND: 500_000, ReceivedOn: "2024-05-01", CameraID: "CG-0001"},
		{Donor: "Lê Thị Bình", AmountVND: 200_000, ReceivedOn: "2024-04-01", Commune: "cho gao"},
		{Donor: "Trần Văn Cường", AmountVND: 100_000, ReceivedOn: "2024-03-01", CameraID: "CG-0002"},
	}
	if _, err := s.ImportDonations(ctx, ds, camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	return ds
}

// TestMigrateGiftIndex opens a database as a schema-1 program left it —
// donations, no duplicate index — and checks that opening it builds the
// index: every stored gift is found, the version is the current one, and
// a half-built index left by a migration cut off is built again.
func TestMigrateGiftIndex(t *testing.T) {
	for _, tt := range []struct {
		name  string
		leave func(tx *bolt.Tx) error // what the old program left of the index
	}{
		{"no index", func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketDonByGift) }},
		{"half an index", func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketDonByGift)
			c := b.Cursor()
			k, _ := c.First()
			if err := b.Delete(k); err != nil {
				return err
			}
			return b.Put([]byte("0123456789abcdef"), []byte{}) // an entry of no donation
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "matthan.db")
			s, err := Open(path, Options{Now: func() time.Time { return migrateClock }})
			if err != nil {
				t.Fatal(err)
			}
			ds := donationFixture(t, s)
			err = s.db.Update(func(tx *bolt.Tx) error {
				if err := tt.leave(tx); err != nil {
					return err
				}
				return tx.Bucket(bucketMeta).Put(keySchema, []byte(strconv.Itoa(1)))
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}

			s = openInternal(t, path)
			if v, err := s.SchemaVersion(); err != nil || v != SchemaVersion {
				t.Fatalf("schema version after open: %d, %v; want %d", v, err, SchemaVersion)
			}
			dups, err := s.FindDuplicates(context.Background(), ds)
			if err != nil {
				t.Fatal(err)
			}
			if len(dups) != len(ds) {
				t.Errorf("FindDuplicates after the migration found %d of the %d stored gifts: %+v", len(dups), len(ds), dups)
			}
			var entries int
			if err := s.db.View(func(tx *bolt.Tx) error {
				entries = tx.Bucket(bucketDonByGift).Stats().KeyN
				return nil
			}); err != nil || entries != len(ds) {
				t.Errorf("the index holds %d entries (%v), want %d", entries, err, len(ds))
			}
			if err := s.Check(); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestCheckStoredInWrite checks the duplicate check of the write
// transaction itself, which catches a gift stored after the snapshot an
// import was checked against.
func TestCheckStoredInWrite(t *testing.T) {
	s := openInternal(t, filepath.Join(t.TempDir(), "matthan.db"))
	ds := donationFixture(t, s)
	again := []*camera.Donation{
		{Donor: "Phạm Thị Dung", AmountVND: 1, ReceivedOn: "2024-01-01", CameraID: "CG-0002"},
		{Donor: "tran van cuong", AmountVND: 100_000, ReceivedOn: "2024-03-01", CameraID: "CG-0002"},
	}
	p := prepareBatch(again, []string{"Chợ Gạo", "Chợ Gạo"}, 5, camera.SystemActor, migrateClock)
	p.reject = true
	err := s.db.Update(func(tx *bolt.Tx) error { return p.write(context.Background(), tx, true) })
	var dup *DuplicateError
	if !errors.As(err, &dup) || dup.Index != 6 || dup.Existing != ds[3].ID || camera.ErrorField(err) != "donations[6]" {
		t.Fatalf("write: %v, want a conflict of donations[6] with %s", err, ds[3].ID)
	}
	if n, _, _ := s.CountDonations(context.Background()); n != len(ds) {
		t.Errorf("%d donations after the refused batch, want %d", n, len(ds))
	}
}
