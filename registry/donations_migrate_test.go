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
	"github.com/matthan/matthan/registry/record"
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
// import was checked against (since), and only such a gift: not one
// stored before it, nor one the import stored itself.
func TestCheckStoredInWrite(t *testing.T) {
	cuong := camera.Donation{Donor: "tran van cuong", AmountVND: 100_000, ReceivedOn: "2024-03-01", CameraID: "CG-0002"} // ds[3], DN-0000004
	em := camera.Donation{Donor: "Võ Văn Em", AmountVND: 300_000, ReceivedOn: "2024-04-15", CameraID: "CG-0001"}         // DN-0000005, ref FT001
	withRef := func(d camera.Donation, ref string) camera.Donation { d.Ref = ref; return d }
	for _, tt := range []struct {
		name     string
		d        camera.Donation
		since    uint64
		own      [][2]uint64
		bulk     bool
		existing string // "" = stored
		byRef    bool
	}{
		{"gift stored since", cuong, 3, nil, true, "DN-0000004", false},
		{"gift stored before", cuong, 4, nil, true, "", false},
		{"gift stored by the call", cuong, 3, [][2]uint64{{4, 4}}, true, "", false},
		{"ref stored since", withRef(camera.Donation{Donor: "X", AmountVND: 1, ReceivedOn: "2024-01-01", CameraID: "CG-0002"}, " ft001"), 4, nil, true, "DN-0000005", true},
		{"row with a ref, gift without one stored since", withRef(cuong, "FT999"), 3, nil, true, "DN-0000004", false},
		{"one gift with a ref, gift without one stored since", withRef(cuong, "FT999"), 3, nil, false, "", false},
		{"row without a ref, gift with one stored since", em, 4, nil, true, "DN-0000005", false},
		{"row with another ref, gift with one stored since", withRef(em, "FT002"), 4, nil, true, "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := openInternal(t, filepath.Join(t.TempDir(), "matthan.db"))
			ds := donationFixture(t, s)
			stored := em
			stored.Ref = "FT001"
			if err := s.CreateDonation(context.Background(), &stored, camera.SystemActor); err != nil || stored.ID != "DN-0000005" {
				t.Fatalf("create %+v: %v", stored, err)
			}
			d := tt.d
			cleanDonation(&d)
			p := prepareBatch([]*camera.Donation{&d}, []string{"Chợ Gạo"}, 6, nil, camera.SystemActor, migrateClock)
			p.reject, p.since, p.own = true, tt.since, tt.own
			err := s.db.Update(func(tx *bolt.Tx) error { return p.write(context.Background(), tx, tt.bulk) })
			n, _, _ := s.CountDonations(context.Background())
			if tt.existing == "" {
				if err != nil || n != len(ds)+2 {
					t.Errorf("write: %v, %d donations; want it stored", err, n)
				}
				return
			}
			var dup *DuplicateError
			field := ""
			if tt.bulk {
				field = "donations[6]"
			}
			if !errors.As(err, &dup) || dup.Index != 6 || dup.Existing != tt.existing || dup.ByRef != tt.byRef || camera.ErrorField(err) != field {
				t.Fatalf("write: %v (%+v), want a conflict of donations[6] with %s", err, dup, tt.existing)
			}
			if n != len(ds)+1 {
				t.Errorf("%d donations after the refused batch, want %d", n, len(ds)+1)
			}
		})
	}
}

// TestMigrateRefIndex opens a database as a schema-4 program left it —
// records of version 1, without a ref, and no ref index — with one
// record of the new version beside them and a damaged index, as a
// migration cut off would leave it: every donation reads as it was
// stored, and the index is built from the records again.
func TestMigrateRefIndex(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "matthan.db")
	s, err := Open(path, Options{Now: func() time.Time { return migrateClock }})
	if err != nil {
		t.Fatal(err)
	}
	ds := donationFixture(t, s)
	withRef := &camera.Donation{Donor: "Võ Văn Em", AmountVND: 300_000, ReceivedOn: "2024-04-15", CameraID: "CG-0001", Ref: "FT001"}
	if err := s.CreateDonation(ctx, withRef, camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	want := map[string]*camera.Donation{}
	err = s.db.Update(func(tx *bolt.Tx) error {
		recs := tx.Bucket(bucketDonations)
		for _, d := range append(ds, withRef) {
			seq, _ := camera.ParseDonationID(d.ID)
			got, err := record.DecodeDonation(seq, recs.Get(itob(seq)))
			if err != nil {
				return err
			}
			want[d.ID] = got
			if d.Ref != "" {
				continue
			}
			// The record as version 1 wrote it: no ref at the end.
			v := record.AppendDonation(nil, got)
			if v[len(v)-1] != 0 {
				t.Fatalf("record of %s does not end with an empty ref: %x", d.ID, v)
			}
			v[0] = 1
			if err := recs.Put(itob(seq), v[:len(v)-1]); err != nil {
				return err
			}
		}
		refs := tx.Bucket(bucketDonByRef)
		if err := refs.Delete(refEntry(nil, "ft001", 5)); err != nil {
			return err
		}
		if err := refs.Put(refEntry(nil, "ft404", 404), []byte{}); err != nil { // an entry of no donation
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchema, []byte("4"))
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
	for id, w := range want {
		if got, err := s.GetDonation(ctx, id); err != nil || *got != *w {
			t.Errorf("GetDonation(%s) = %+v, %v; want %+v", id, got, err, w)
		}
	}
	var keys []string
	if err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDonByRef).ForEach(func(k, _ []byte) error {
			keys = append(keys, string(k))
			return nil
		})
	}); err != nil || len(keys) != 1 || keys[0] != string(refEntry(nil, "ft001", 5)) {
		t.Errorf("ref index after the migration: %q, %v; want FT001's entry alone", keys, err)
	}
	dups, err := s.FindDuplicates(ctx, []*camera.Donation{{Donor: "X", AmountVND: 1, ReceivedOn: "2024-01-01", CameraID: "CG-0002", Commune: "Chợ Gạo", Ref: "ft001"}})
	if err != nil || len(dups) != 1 || dups[0].Existing != withRef.ID || !dups[0].ByRef {
		t.Errorf("FindDuplicates of FT001 after the migration: %+v, %v", dups, err)
	}
	if err := s.Check(); err != nil {
		t.Error(err)
	}
}
