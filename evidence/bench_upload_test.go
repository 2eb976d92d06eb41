package evidence

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry/registrytest"
)

// BenchmarkUpload500MB uploads 500 MB, generated on the fly, through
// Clips.Upload (stream to a temporary file, hash, fsync, inspect, record)
// and reports what one upload cost in memory: the bytes allocated in
// total (alloc_MB) and the growth of the heap in use (heap_growth_MB),
// for a 500 MB file; and its rate (MB/s, the disk's). Target: memory
// bounded, far below the file's size. One op is one upload.
func BenchmarkUpload500MB(b *testing.B) {
	const size = 500 << 20
	ctx := context.Background()
	store := registrytest.OpenAt(b, filepath.Join(b.TempDir(), "m.db"), nil)
	registrytest.AddCameras(b, store, registrytest.Camera("CG-0001", "Song Bình"))
	start := time.Date(2026, 11, 27, 21, 40, 0, 0, time.UTC)
	in := &camera.Incident{CameraIDs: []string{"CG-0001"}, Start: start, End: start.Add(time.Hour), Category: camera.CategoryTheft}
	if err := store.CreateIncident(ctx, in, police); err != nil {
		b.Fatal(err)
	}
	files, err := NewClipStore(filepath.Join(b.TempDir(), "clips"))
	if err != nil {
		b.Fatal(err)
	}
	clips := &Clips{Store: store, Files: files}
	var alloc, growth, secs float64
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		t0 := time.Now()
		clip, err := clips.Upload(ctx, in.ID, newPatternReader(size), size, "big.mp4", police)
		secs += time.Since(t0).Seconds()
		runtime.ReadMemStats(&after)
		if err != nil {
			b.Fatal(err)
		}
		alloc = max(alloc, float64(after.TotalAlloc-before.TotalAlloc)/(1<<20))
		growth = max(growth, (float64(after.HeapInuse)-float64(before.HeapInuse))/(1<<20))
		// The next upload of the same bytes must store them again: remove
		// the file, not the record (re-attaching repairs it).
		if err := os.Remove(files.Path(clip.ID)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(alloc, "alloc_MB")
	b.ReportMetric(growth, "heap_growth_MB")
	b.ReportMetric(float64(b.N)*size/(1<<20)/secs, "MB/s")
}
