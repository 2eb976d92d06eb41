package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/evidence"
	"github.com/matthan/matthan/registry"
)

// clipDB makes a database with one incident and two clips, their files in
// the directory "clips" next to it, and returns the clip ids.
func clipDB(t *testing.T, db string) []string {
	t.Helper()
	ctx := context.Background()
	store, err := registry.Open(db, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cam := &camera.Camera{ID: "CG-0001", Name: "Ngã tư Chợ Gạo", Lat: 10.3541, Lon: 106.4612, Commune: "Thị trấn Chợ Gạo"}
	cam.ApplyDefaults()
	if err := store.CreateCamera(ctx, cam, camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 24, 14, 40, 0, 0, time.UTC)
	in := &camera.Incident{CameraIDs: []string{"CG-0001"}, Start: start, End: start.Add(time.Hour), Category: camera.CategoryTheft}
	if err := store.CreateIncident(ctx, in, camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	files, err := evidence.NewClipStore(filepath.Join(filepath.Dir(db), "clips"))
	if err != nil {
		t.Fatal(err)
	}
	clips := &evidence.Clips{Store: store, Files: files}
	var ids []string
	for _, body := range []string{"first clip bytes", "second clip bytes"} {
		clip, err := clips.Upload(ctx, in.ID, strings.NewReader(body), 1<<20, "x.mp4", camera.SystemActor)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, clip.ID)
	}
	return ids
}

func TestVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "matthan.db")
	ids := clipDB(t, db)

	out, errOut, code := runCLI(t, nil, "verify", "--db", db)
	if code != 0 || errOut != "" {
		t.Fatalf("verify of intact clips: exit %d, stderr %q", code, errOut)
	}
	for _, id := range ids {
		if !strings.Contains(out, "ok        "+id) {
			t.Errorf("output does not say %s is ok:\n%s", id, out)
		}
	}
	if !strings.Contains(out, "2 clips verified in "+filepath.Join(dir, "clips")) || !strings.Contains(out, "2 ok, 0 altered, 0 missing") {
		t.Errorf("summary:\n%s", out)
	}

	// One altered, one gone.
	altered := filepath.Join(dir, "clips", ids[0][:2], ids[0])
	if err := os.Chmod(altered, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(altered, []byte("first clip bytez"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "clips", ids[1][:2], ids[1])); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runCLI(t, map[string]string{"MATTHAN_DB": db}, "verify")
	if code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	for _, want := range []string{"MISMATCH  " + ids[0], "MISSING   " + ids[1], "0 ok, 1 altered, 1 missing"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "2 of 2 clips do not match") {
		t.Errorf("stderr %q", errOut)
	}

	// Every run is in the custody chains.
	store, err := registry.Open(db, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	chain, _, err := store.ListCustody(context.Background(), ids[0], 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(chain); n != 3 || chain[1].Result != camera.VerifyMatch || chain[2].Result != camera.VerifyMismatch {
		t.Errorf("custody %+v", chain)
	}

	// A running daemon holds the database: verify says what to do.
	_, errOut, code = runCLI(t, nil, "verify", "--db", db)
	store.Close()
	if code != exitFailure || !strings.Contains(errOut, "stop the daemon first") {
		t.Errorf("verify of a locked database: exit %d, stderr %q", code, errOut)
	}
}
