package registry_test

import (
	"context"
	"maps"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

// The cost of the cameras by commune is kept as running sums by every
// camera write: create, replace, patch, import, delete. Each step's
// totals are checked here, and registrytest's Check (on cleanup) holds
// the sums to a recount of the records.
func TestCostTotalsFollowCameraWrites(t *testing.T) {
	ctx := context.Background()
	s := registrytest.Open(t)
	step := func(name string, want map[string]int64) {
		t.Helper()
		got, err := s.CostTotals(ctx)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !maps.Equal(got, want) {
			t.Fatalf("%s: cost totals %v, want %v", name, got, want)
		}
		if err := s.Check(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	step("empty", map[string]int64{})

	a, b := testCamera("CG-0001"), testCamera("CG-0002")
	b.CostVND = 6_000_000
	for _, c := range []*camera.Camera{a, b} {
		if err := s.CreateCamera(ctx, c, police); err != nil {
			t.Fatal(err)
		}
	}
	step("create", map[string]int64{"Thị trấn Chợ Gạo": 10_500_000})

	moved := testCamera("CG-0002")
	moved.Commune, moved.CostVND = "Song Bình", 7_000_000
	if _, err := s.ReplaceCamera(ctx, moved, true, police); err != nil {
		t.Fatal(err)
	}
	step("replace into another commune", map[string]int64{"Thị trấn Chợ Gạo": 4_500_000, "Song Bình": 7_000_000})

	if _, err := s.UpdateCamera(ctx, "CG-0001", "camera.patch", police, func(c *camera.Camera) error {
		c.CostVND = 5_000_000
		c.Status = camera.StatusRetired // retired cameras' money was spent: they count
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	step("patch and retire", map[string]int64{"Thị trấn Chợ Gạo": 5_000_000, "Song Bình": 7_000_000})

	// An import that updates one camera, adds one written without
	// accents and another with them (the canonical spelling is the one
	// most cameras carry), and leaves one unchanged.
	up, plain, more, same := testCamera("CG-0002"), testCamera("CG-0003"), testCamera("CG-0004"), testCamera("CG-0001")
	up.Commune, up.CostVND = "Song Bình", 8_000_000
	plain.Commune, plain.CostVND = "SONG BINH", 1_000_000
	more.Commune, more.CostVND = "Song Bình", 2_000_000
	same.CostVND, same.Status = 5_000_000, camera.StatusRetired
	if _, err := s.Import(ctx, []*camera.Camera{up, plain, more, same}, registry.ImportOptions{}, police); err != nil {
		t.Fatal(err)
	}
	step("import", map[string]int64{"Thị trấn Chợ Gạo": 5_000_000, "Song Bình": 11_000_000})

	if err := s.DeleteCamera(ctx, "CG-0002", police); err != nil {
		t.Fatal(err)
	}
	// One camera each way: the tie goes to the spelling that sorts first.
	step("delete", map[string]int64{"Thị trấn Chợ Gạo": 5_000_000, "SONG BINH": 3_000_000})
	for _, id := range []string{"CG-0003", "CG-0004"} {
		if err := s.DeleteCamera(ctx, id, police); err != nil {
			t.Fatal(err)
		}
	}
	step("delete the last of a commune", map[string]int64{"Thị trấn Chợ Gạo": 5_000_000})
}

// A database written before the commune and camera facts existed
// (schema 2) gets them when it is opened.
func TestMigrateSchema2Facts(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v2.db")
	s, err := registry.Open(path, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, commune := range []string{"Song Bình", "Song Bình", "Bình Phan", ""} {
		c := testCamera("CG-000" + strconv.Itoa(i+1))
		c.Commune = commune
		if err := s.CreateCamera(ctx, c, police); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	downgrade(t, path, 2, dropFacts) // what schema 2 wrote

	s = registrytest.OpenAt(t, path, nil) // Check on cleanup recounts both
	if v, err := s.SchemaVersion(); err != nil || v != registry.SchemaVersion {
		t.Fatalf("schema version %d, %v; want %d", v, err, registry.SchemaVersion)
	}
	got, err := s.CostTotals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"Song Bình": 9_000_000, "Bình Phan": 4_500_000, "": 4_500_000}
	if !maps.Equal(got, want) {
		t.Fatalf("cost totals after migration %v, want %v", got, want)
	}
	rep, err := s.Funding(ctx, registry.GroupByCamera, registry.Window{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 4 || rep.Rows[0].Key != "CG-0001" || rep.Rows[0].Commune != "Song Bình" || rep.Totals.CostVND != 18_000_000 {
		t.Fatalf("funding by camera after migration: %+v", rep)
	}
}

// Check finds running sums that have drifted from the records.
func TestCheckFindsDriftedFacts(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ bucket, key, want string }{
		{"camera_facts", "CG-0001", `camera facts of "CG-0001"`},
		{"commune_facts", "cThị trấn Chợ Gạo", `commune facts "Thị trấn Chợ Gạo"`},
	} {
		t.Run(tc.bucket, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "drift.db")
			s, err := registry.Open(path, registry.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.CreateCamera(ctx, testCamera("CG-0001"), police); err != nil {
				t.Fatal(err)
			}
			if err := s.Check(); err != nil {
				t.Fatalf("check before the drift: %v", err)
			}
			_ = s.Close()
			// A record that says one camera of 1 đồng, in either layout.
			drift := map[string][]byte{"camera_facts": {1, 1, 0, 0, 0}, "commune_facts": {1, 1}}[tc.bucket]
			editFile(t, path, func(tx *bolt.Tx) error { return tx.Bucket([]byte(tc.bucket)).Put([]byte(tc.key), drift) })
			s, err = registry.Open(path, registry.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.Check(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("check after the drift: %v, want an error about %s", err, tc.want)
			}
		})
	}
}

// editFile changes the closed database file at path with bbolt itself,
// behind the store's back.
func editFile(t *testing.T, path string, edit func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(edit); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// downgrade makes the file at path look as schema version v wrote it,
// after edit has changed its buckets as an older program might.
func downgrade(t *testing.T, path string, v int, edit func(tx *bolt.Tx) error) {
	t.Helper()
	editFile(t, path, func(tx *bolt.Tx) error {
		if err := edit(tx); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), []byte(strconv.Itoa(v)))
	})
}

// dropFacts removes the buckets schema 3 and 4 added.
func dropFacts(tx *bolt.Tx) error {
	for _, b := range []string{"commune_facts", "camera_facts"} {
		if err := tx.DeleteBucket([]byte(b)); err != nil {
			return err
		}
	}
	return nil
}

// A migration that runs again — cut off before it wrote the version, then
// an older program deleted a camera without knowing of the facts —
// rebuilds the facts from the records, not on top of the leftovers.
func TestMigrationRebuildsOverLeftovers(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "leftovers.db")
	s, err := registry.Open(path, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, commune := range []string{"Song Bình", "Bình Phan"} {
		c := testCamera("CG-000" + strconv.Itoa(i+1))
		c.Commune = commune
		if err := s.CreateCamera(ctx, c, police); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.Close()
	downgrade(t, path, 2, func(tx *bolt.Tx) error { return tx.Bucket([]byte("cameras")).Delete([]byte("CG-0002")) })

	s = registrytest.OpenAt(t, path, nil) // Check on cleanup recounts both
	got, err := s.CostTotals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int64{"Song Bình": 4_500_000}; !maps.Equal(got, want) {
		t.Fatalf("cost totals %v, want %v: the deleted camera's facts were kept", got, want)
	}
}

// A file of an older schema opened read-only (matthan backup checks the
// copy an older daemon sent) is not migrated: Check passes over the
// buckets it does not have, and a view that needs them says why instead
// of crashing.
func TestReadOnlyOlderSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := registry.Open(path, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateCamera(ctx, testCamera("CG-0001"), police); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	downgrade(t, path, 2, dropFacts)
	s, err = registry.Open(path, registry.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Check(); err != nil {
		t.Errorf("check of an older file: %v", err)
	}
	if _, err := s.Funding(ctx, registry.GroupByCamera, registry.Window{}); err == nil || !strings.Contains(err.Error(), "migrate") {
		t.Errorf("funding view of an older file opened read-only: %v, want an error that says to migrate", err)
	}
	if _, err := s.CostTotals(ctx); err == nil {
		t.Error("cost totals of an older file opened read-only: no error")
	}
}
