package demo

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/sample"
	"github.com/matthan/matthan/registry"
)

// TestPrepareDir: the demo wipes its own directory, and only that.
func TestPrepareDir(t *testing.T) {
	write := func(t *testing.T, path string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name    string
		setup   func(t *testing.T, dir string)
		wantErr string // "" when the directory is made ready
		kept    string // a file that must survive, relative to dir
	}{
		{"missing", func(*testing.T, string) {}, "", ""},
		{"empty", func(t *testing.T, dir string) {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				t.Fatal(err)
			}
		}, "", ""},
		{"the demo's own", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, marker))
			write(t, filepath.Join(dir, "old", "leftover"))
		}, "", ""},
		{"someone else's", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "important.txt"))
		}, "refusing to wipe", "important.txt"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "demo")
			c.setup(t, dir)
			err := PrepareDir(dir, filepath.Join(dir, "matthan.db"))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("got %v, want an error containing %q", err, c.wantErr)
				}
				if _, err := os.Stat(filepath.Join(dir, c.kept)); err != nil {
					t.Errorf("the demo deleted a file it did not make: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 || entries[0].Name() != marker {
				t.Errorf("the prepared directory holds %v, want only the marker", entries)
			}
		})
	}
}

// TestPrepareDirRunningDemo: a demo still running on the directory holds
// its database, and nothing is removed under it.
func TestPrepareDirRunningDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	if err := PrepareDir(dir, filepath.Join(dir, "matthan.db")); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "matthan.db")
	s, err := registry.Open(db, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := PrepareDir(dir, db); err == nil {
		t.Error("the directory of a running demo was wiped")
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("the running demo's database: %v", err)
	}
}

// TestPickCaptures: the clips are taken from incidents whose camera plays
// no fault, one per picture size, so that no two are the same bytes.
func TestPickCaptures(t *testing.T) {
	plan := samplePlan(t)
	caps, err := PickCaptures(sample.Incidents(), plan, ClipCount)
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) != ClipCount {
		t.Fatalf("%d captures, want %d", len(caps), ClipCount)
	}
	size := map[string]int{} // camera id → its brand
	for i, r := range plan.roles {
		size[r.id] = i % len(simBrands)
	}
	seen := map[int]bool{}
	for _, c := range caps {
		if k, ok := plan.Fault(c.CameraID); !ok || k != FaultNone {
			t.Errorf("capture %+v: the camera plays fault %d", c, k)
		}
		b := simBrands[size[c.CameraID]]
		if seen[b.width<<16|b.height] {
			t.Errorf("capture %+v: a second camera of %dx%d", c, b.width, b.height)
		}
		seen[b.width<<16|b.height] = true
	}
	if _, err := PickCaptures([]byte("{"), plan, ClipCount); err == nil {
		t.Error("broken incidents JSON: no error")
	}
}

// TestHistory: the made-up month is the same at every start, ends before
// now, covers every camera but the metered one, and every outage ends.
func TestHistory(t *testing.T) {
	plan := samplePlan(t)
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	ts := historyFor(plan, now)
	if again := historyFor(plan, now); !slices.Equal(ts, again) {
		t.Error("the history differs between two starts")
	}
	last := map[string]camera.Transition{}
	outages := 0
	for _, tr := range ts {
		if !tr.At.Before(now) || tr.At.Before(now.Add(-history-24*time.Hour)) {
			t.Errorf("%s at %v: outside the month before %v", tr.CameraID, tr.At, now)
		}
		prev, ok := last[tr.CameraID]
		switch {
		case !ok && (tr.From != camera.StateUnknown || tr.To != camera.StateUp):
			t.Errorf("%s starts with %s→%s, want unknown→up", tr.CameraID, tr.From, tr.To)
		case ok && (prev.To != tr.From || !prev.At.Before(tr.At)):
			t.Errorf("%s: %s→%s at %v follows %s→%s at %v", tr.CameraID, tr.From, tr.To, tr.At, prev.From, prev.To, prev.At)
		}
		if tr.To != camera.StateUp {
			outages++
		}
		last[tr.CameraID] = tr
	}
	for _, id := range plan.IDs(FaultMetered) {
		if _, ok := last[id]; ok {
			t.Errorf("the metered camera %s has a history", id)
		}
	}
	if n := len(last); n != plan.Len()-len(plan.IDs(FaultMetered)) {
		t.Errorf("%d cameras have a history, want %d", n, plan.Len()-len(plan.IDs(FaultMetered)))
	}
	for id, tr := range last {
		if tr.To != camera.StateUp {
			t.Errorf("%s ends the month %s", id, tr.To)
		}
	}
	if outages < plan.Len()/12 || outages > plan.Len()/3 {
		t.Errorf("%d outages among %d cameras, want about one in six", outages, plan.Len())
	}
}
