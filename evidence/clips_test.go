package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/metricstest"
)

func TestSaveLimitsAndFailures(t *testing.T) {
	ctx := context.Background()
	r := newClipsRig(t)

	t.Run("over the limit", func(t *testing.T) {
		_, _, _, err := r.files.Save(ctx, newPatternReader(1<<20+1), 1<<20)
		if camera.ErrorCode(err) != camera.ETOOLARGE {
			t.Fatalf("got %v, want too_large", err)
		}
		if got := r.list(t); len(got) != 0 {
			t.Errorf("files left: %v", got)
		}
	})
	t.Run("cut halfway", func(t *testing.T) {
		pr := newPatternReader(10 << 20)
		pr.failAt, pr.err = 5<<20, errCut
		_, _, _, err := r.files.Save(ctx, pr, 100<<20)
		if !errors.Is(err, errCut) {
			t.Fatalf("got %v, want the reader's error", err)
		}
		if got := r.list(t); len(got) != 0 {
			t.Errorf("files left: %v", got)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, _, _, err := r.files.Save(cctx, newPatternReader(1<<20), 2<<20); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want canceled", err)
		}
		if got := r.list(t); len(got) != 0 {
			t.Errorf("files left: %v", got)
		}
	})
	t.Run("exactly the limit", func(t *testing.T) {
		body := bytes.Repeat([]byte("x"), 1000)
		sha, n, path, err := r.files.Save(ctx, bytes.NewReader(body), 1000)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(body)
		if want := hex.EncodeToString(sum[:]); sha != want || n != 1000 || path != filepath.Join(r.files.Dir(), want[:2], want) {
			t.Errorf("got %s %d %s", sha, n, path)
		}
		info, err := os.Stat(path)
		if err != nil || info.Mode().Perm() != 0o440 {
			t.Errorf("stored file: %v %v, want mode 0440", info, err)
		}
		if got := r.list(t); len(got) != 1 {
			t.Errorf("files: %v", got)
		}
	})
}

func TestUploadRecordsClip(t *testing.T) {
	ctx := context.Background()
	r := newClipsRig(t)
	body := testMP4(t, 50, 40*time.Millisecond) // 50 pictures at 25 fps
	in := r.inc[0]

	clip, err := r.clips.Upload(ctx, in.ID, bytes.NewReader(body), 10<<20, "C:\\fakepath\\..\\Camera chợ\x1b.mp4", police)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	if clip.ID != hex.EncodeToString(sum[:]) || clip.Bytes != int64(len(body)) || clip.Source != camera.ClipUpload {
		t.Errorf("clip %+v", clip)
	}
	if !clip.Inspected || clip.Codec != "h264" || clip.Width != 640 || clip.Height != 480 || clip.Duration < 1.9 || clip.Duration > 2.0 {
		t.Errorf("inspection: %+v", clip)
	}
	if clip.Filename != "Camera chợ.mp4" {
		t.Errorf("filename %q", clip.Filename)
	}
	for _, f := range r.list(t) {
		if strings.Contains(f, "Camera") || strings.Contains(f, "..") || strings.HasPrefix(filepath.Base(f), tempPrefix) {
			t.Errorf("file %q: the client's name reached the file system, or a temporary file was left", f)
		}
	}
	custody, _, err := r.store.ListCustody(ctx, clip.ID, 0, 10)
	if err != nil || len(custody) != 1 || custody[0].Action != camera.CustodyCreate || custody[0].Actor != police {
		t.Errorf("custody %+v %v", custody, err)
	}
	if v := metricstest.Value(t, r.reg, "matthan_clip_bytes", nil); v != float64(len(body)) {
		t.Errorf("matthan_clip_bytes = %v, want %d", v, len(body))
	}

	// The same bytes for the second incident: one file, two references.
	again, err := r.clips.Upload(ctx, r.inc[1].ID, bytes.NewReader(body), 10<<20, "other.mp4", police)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.IncidentIDs) != 2 || again.Filename != clip.Filename {
		t.Errorf("shared clip %+v", again)
	}
	if got := r.list(t); len(got) != 1 {
		t.Errorf("files %v, want one", got)
	}
	if v := metricstest.Value(t, r.reg, "matthan_clip_bytes", nil); v != float64(len(body)) {
		t.Errorf("matthan_clip_bytes = %v, want %d (one file)", v, len(body))
	}

	// A download is logged before the file is handed out.
	f, got, err := r.clips.Open(ctx, clip.ID, camera.CustodyDownload, "court hearing 12/12", police)
	if err != nil {
		t.Fatal(err)
	}
	read, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(read, body) || got.ID != clip.ID {
		t.Error("downloaded bytes differ")
	}
	custody, _, _ = r.store.ListCustody(ctx, clip.ID, 0, 10)
	if last := custody[len(custody)-1]; last.Action != camera.CustodyDownload || last.Reason != "court hearing 12/12" {
		t.Errorf("last custody entry %+v", last)
	}
}

func TestUploadFailuresLeaveNothing(t *testing.T) {
	ctx := context.Background()
	r := newClipsRig(t)
	if _, err := r.clips.Upload(ctx, "INC-nope", newPatternReader(100), 1000, "a.mp4", police); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Errorf("unknown incident: %v", err)
	}
	pr := newPatternReader(1 << 20)
	pr.failAt, pr.err = 300_000, errCut
	if _, err := r.clips.Upload(ctx, r.inc[0].ID, pr, 10<<20, "a.mp4", police); !errors.Is(err, errCut) {
		t.Errorf("cut upload: %v", err)
	}
	if _, err := r.clips.Upload(ctx, r.inc[0].ID, newPatternReader(2000), 1000, "a.mp4", police); camera.ErrorCode(err) != camera.ETOOLARGE {
		t.Errorf("too large: %v", err)
	}
	if got := r.list(t); len(got) != 0 {
		t.Errorf("files left: %v", got)
	}
	if n, _, _ := r.store.ClipTotals(ctx); n != 0 {
		t.Errorf("%d clip records after failed uploads", n)
	}

	// A file that is not an MP4 is kept, flagged.
	clip, err := r.clips.Upload(ctx, r.inc[0].ID, strings.NewReader("<html>not a video</html>"), 1000, "x.mp4", police)
	if err != nil {
		t.Fatal(err)
	}
	if clip.Inspected || clip.InspectError == "" || clip.Codec != "" {
		t.Errorf("garbage clip %+v", clip)
	}
}

// TestSaveLargeStreamBoundedMemory saves 500 MB generated on the fly and
// checks that the heap grew by far less than the file: everything the
// save allocated, in total, must stay under 32 MB.
func TestSaveLargeStreamBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 500 MB")
	}
	const size = 500 << 20
	r := newClipsRig(t)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	sha, n, path, err := r.files.Save(context.Background(), newPatternReader(size), size)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("saving 500 MB: %d KiB allocated in total, heap in use %d → %d KiB",
		(after.TotalAlloc-before.TotalAlloc)>>10, before.HeapInuse>>10, after.HeapInuse>>10)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 32<<20 {
		t.Errorf("saving 500 MB allocated %d MB, want at most 32", grew>>20)
	}
	if after.HeapInuse > before.HeapInuse+32<<20 {
		t.Errorf("heap in use grew from %d to %d MB", before.HeapInuse>>20, after.HeapInuse>>20)
	}
	h := sha256.New()
	if _, err := io.Copy(h, newPatternReader(size)); err != nil {
		t.Fatal(err)
	}
	if n != size || sha != hex.EncodeToString(h.Sum(nil)) {
		t.Errorf("saved %d bytes with hash %s", n, sha)
	}
	if err := os.Remove(path); err != nil { // 500 MB need not wait for the cleanup
		t.Error(err)
	}
}
