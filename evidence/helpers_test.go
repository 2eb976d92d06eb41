package evidence

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deepch/vdk/format/mp4"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// police is the actor of test writes.
var police = camera.Actor{Name: "ca-xa", Role: camera.RolePolice}

// waitFor polls cond until it holds or the deadline passes: the tests'
// only way to wait, never a bare sleep.
func waitFor(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// syncBuffer collects log output from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(s, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// H.264 parameter sets and slices of a 640×480 Baseline stream, as the
// fake cameras of rtsptest send them.
var (
	testSPS = mustHex("6742c028da0280f640")
	testPPS = mustHex("68ce3c80")
	testIDR = mustHex("6588840033fffef6f0fe05")
	testP   = mustHex("419a0010")
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// clipsRig is a store with one camera and two incidents, a clip store in
// a temporary directory, and the Clips service over them.
type clipsRig struct {
	store *registry.Store
	files *ClipStore
	clips *Clips
	reg   *prometheus.Registry
	now   time.Time
	inc   []*camera.Incident
}

func newClipsRig(t *testing.T) *clipsRig {
	t.Helper()
	r := &clipsRig{now: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)}
	r.store = registrytest.OpenAt(t, filepath.Join(t.TempDir(), "m.db"), func() time.Time { return r.now })
	cam := registrytest.Camera("CG-0001", "Song Bình")
	registrytest.AddCameras(t, r.store, cam)
	for i := range 2 {
		start := r.now.Add(-time.Duration(48+i) * time.Hour)
		in := &camera.Incident{CameraIDs: []string{cam.ID}, Start: start, End: start.Add(time.Hour), Category: camera.CategoryTheft}
		if err := r.store.CreateIncident(context.Background(), in, police); err != nil {
			t.Fatal(err)
		}
		r.inc = append(r.inc, in)
	}
	var err error
	if r.files, err = NewClipStore(filepath.Join(t.TempDir(), "clips")); err != nil {
		t.Fatal(err)
	}
	r.reg = prometheus.NewRegistry()
	m, err := NewIncidentMetrics(r.reg)
	if err != nil {
		t.Fatal(err)
	}
	r.clips = &Clips{Store: r.store, Files: r.files, Metrics: m, Now: func() time.Time { return r.now }}
	return r
}

// files lists every file under the clip store, temporary ones included,
// relative to its directory.
func (r *clipsRig) list(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(r.files.Dir(), func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(r.files.Dir(), path)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// testMP4 returns an MP4 of frames pictures every interval (a keyframe
// every 25), written by the capture's recorder.
func testMP4(t testing.TB, frames int, interval time.Duration) []byte {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "x.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rec := &mp4Recorder{mux: mp4.NewMuxer(f), limit: time.Hour, now: time.Now}
	track := camera.VideoTrack{Codec: "h264", SPS: testSPS, PPS: testPPS}
	for i := range frames {
		au := camera.AccessUnit{PTS: time.Duration(i) * interval, DTS: time.Duration(i) * interval, NALUs: [][]byte{testP}}
		if i%25 == 0 {
			au.KeyFrame, au.NALUs = true, [][]byte{testSPS, testPPS, testIDR}
		}
		if _, err := rec.onUnit(track, au); err != nil {
			t.Fatal(err)
		}
	}
	if err := rec.finish(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// patternReader produces size deterministic bytes without holding them,
// failing with err (when set) after failAt bytes.
type patternReader struct {
	size, off int64
	failAt    int64
	err       error
	pattern   []byte
}

func newPatternReader(size int64) *patternReader {
	p := make([]byte, 4093) // prime: the content does not repeat on buffer boundaries
	for i := range p {
		p[i] = byte(i*7 + i/13)
	}
	return &patternReader{size: size, pattern: p, failAt: -1}
}

func (r *patternReader) Read(b []byte) (int, error) {
	if r.err != nil && r.failAt >= 0 && r.off >= r.failAt {
		return 0, r.err
	}
	if r.off >= r.size {
		return 0, io.EOF
	}
	n := int64(len(b))
	if left := r.size - r.off; n > left {
		n = left
	}
	if r.failAt >= 0 && r.off < r.failAt && r.off+n > r.failAt {
		n = r.failAt - r.off
	}
	for i := int64(0); i < n; {
		j := (r.off + i) % int64(len(r.pattern))
		i += int64(copy(b[i:n], r.pattern[j:]))
	}
	r.off += n
	return int(n), nil
}

var errCut = errors.New("connection reset by peer")
