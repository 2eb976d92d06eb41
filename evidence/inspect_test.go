package evidence

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestInspect(t *testing.T) {
	good := testMP4(t, 26, 40*time.Millisecond)
	ins := Inspect(bytes.NewReader(good), int64(len(good)))
	if !ins.OK || ins.Codec != "h264" || ins.Width != 640 || ins.Height != 480 || ins.Duration != 1 {
		t.Errorf("good file: %+v", ins)
	}

	// mdat over vdk's own 5 MiB box limit: still read, moov alone is parsed.
	big := bigMdat(t, good, 6<<20)
	if ins := Inspect(bytes.NewReader(big), int64(len(big))); !ins.OK || ins.Width != 640 {
		t.Errorf("file with a 6 MiB mdat: %+v", ins)
	}

	bad := []struct {
		name, data, want string
	}{
		{"empty", "", "no moov"},
		{"text", "hello, this is not a video at all", "not an MP4"},
		{"tiny", "\x00\x00", "stray bytes"},
		{"truncated", string(good[:len(good)-10]), "not a complete MP4"},
		{"no moov", string(good[:len(good)-moovLen(good)]), "no moov"},
		{"huge box", "\x00\x00\x00\x08ftyp\xff\xff\xff\xffmdat", "not a complete MP4"},
	}
	// What makes vdk spin or allocate without bound is refused before
	// vdk sees it.
	zeroChild := patchBox(t, good, "mdia", 0, 0) // a child of size 0 in trak
	countBomb := patchBox(t, good, "stts", 12, 0xffffffff)
	bad = append(bad, struct{ name, data, want string }{"child of size 0", string(zeroChild), "claims 0 bytes"},
		struct{ name, data, want string }{"entry count bomb", string(countBomb), "claims 4294967295 entries"})
	for _, b := range bad {
		ins := Inspect(strings.NewReader(b.data), int64(len(b.data)))
		if ins.OK || !strings.Contains(ins.Error, b.want) {
			t.Errorf("%s: %+v, want an error containing %q", b.name, ins, b.want)
		}
	}
}

// TestInspectSurvivesCorruption flips bytes of the metadata of a valid
// file, 2000 times, and holds Inspect to what an upload relies on: it
// returns (a panic or a hang fails the test), a file it refuses gets one
// of its sentences for people, a file it reads gets a bounded answer, and
// no file costs more than maxInspectAlloc of memory.
func TestInspectSurvivesCorruption(t *testing.T) {
	const maxInspectAlloc = 1 << 20 // the moov is 1 KiB; a good read takes 8 KiB
	good := testMP4(t, 26, 40*time.Millisecond)
	moovAt := len(good) - moovLen(good)
	rng := rand.New(rand.NewPCG(1, 2))
	refused, read := 0, 0
	for n := range 2000 {
		b := append([]byte(nil), good...)
		for range 1 + rng.IntN(4) {
			i := moovAt + 8 + rng.IntN(len(good)-moovAt-8)
			if rng.IntN(2) == 0 && i+4 <= len(b) {
				// A box size or a count: zero, tiny or huge.
				binary.BigEndian.PutUint32(b[i:], []uint32{0, 1, 7, 0xffffffff, uint32(rng.IntN(1 << 20))}[rng.IntN(5)])
				continue
			}
			b[i] = byte(rng.IntN(256))
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		ins := Inspect(bytes.NewReader(b), int64(len(b)))
		runtime.ReadMemStats(&after)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > maxInspectAlloc {
			t.Errorf("file %d: inspecting a %d-byte file allocated %d bytes, want at most %d", n, len(b), alloc, maxInspectAlloc)
		}
		if msg := inspectionFault(ins); msg != "" {
			t.Errorf("file %d: %s", n, msg)
		}
		if ins.OK {
			read++
		} else {
			refused++
		}
	}
	// Both ways out are taken, or the corruption tested nothing.
	if refused == 0 || read == 0 {
		t.Errorf("%d corrupted files refused, %d read: want some of each", refused, read)
	}
}

// inspectionFault says what is wrong with an inspection's answer, "" when
// it is what an upload relies on: a refusal in one of Inspect's sentences
// for people, or a bounded reading (H.264 or H.265, a size that is not
// negative, a finite duration that is not negative).
func inspectionFault(ins Inspection) string {
	if !ins.OK {
		if !slices.ContainsFunc(inspectErrors, func(p string) bool { return strings.HasPrefix(ins.Error, p) }) {
			return fmt.Sprintf("refused with %q, not one of Inspect's sentences", ins.Error)
		}
		return ""
	}
	if ins.Error != "" || (ins.Codec != "h264" && ins.Codec != "h265") || ins.Width < 0 || ins.Height < 0 ||
		math.IsNaN(ins.Duration) || math.IsInf(ins.Duration, 0) || ins.Duration < 0 {
		return fmt.Sprintf("read as %+v", ins)
	}
	return ""
}

// inspectErrors are how Inspect's refusals begin.
var inspectErrors = []string{
	"cannot open the file", "cannot read the file", "not an MP4 file", "not a complete MP4 file",
	"not a readable MP4 file", "the MP4 metadata", "the MP4 file has no H.264 or H.265 video track",
	"the H.264 configuration cannot be read", "the H.264 track has no usable configuration",
}

// patchBox writes v as a 32-bit value at offset off of the first box of
// type typ.
func patchBox(t testing.TB, mp4 []byte, typ string, off int, v uint32) []byte {
	t.Helper()
	i := bytes.Index(mp4, []byte(typ))
	if i < 4 {
		t.Fatalf("no %s box", typ)
	}
	b := append([]byte(nil), mp4...)
	binary.BigEndian.PutUint32(b[i-4+off:], v)
	return b
}

// moovLen is the size of the last box of an MP4 written by vdk: its moov.
func moovLen(mp4 []byte) int {
	for off := 0; off+8 <= len(mp4); {
		n := int(binary.BigEndian.Uint32(mp4[off:]))
		if string(mp4[off+4:off+8]) == "moov" {
			return n
		}
		off += n
	}
	return 0
}

// bigMdat returns the file with padding appended to its mdat box (which
// vdk writes first), the moov after it.
func bigMdat(t *testing.T, mp4 []byte, pad int) []byte {
	t.Helper()
	if string(mp4[4:8]) != "mdat" {
		t.Fatalf("vdk's file does not start with mdat: %q", mp4[4:8])
	}
	n := int(binary.BigEndian.Uint32(mp4))
	out := make([]byte, 0, len(mp4)+pad)
	out = binary.BigEndian.AppendUint32(out, uint32(n+pad))
	out = append(out, mp4[4:n]...)
	out = append(out, make([]byte, pad)...)
	// The sample offsets in moov are not moved: the inspection reads
	// metadata only, which is the point.
	return append(out, mp4[n:]...)
}

// FuzzInspect: whatever the bytes, Inspect returns, refusing in one of
// its sentences or reading a bounded answer (run with go test -fuzz
// FuzzInspect ./evidence). The seeds are a capture, the layouts of
// TestMediacommonCannotInspect and the hostile files of TestInspect.
func FuzzInspect(f *testing.F) {
	good := testMP4(f, 26, 40*time.Millisecond)
	f.Add([]byte("\x00\x00\x00\x08ftyp"))
	f.Add(good)
	f.Add(append(ftypBox(), good...))
	f.Add(mediacommonMP4(f, 50))
	f.Add(patchBox(f, good, "mdia", 0, 0))
	f.Add(patchBox(f, good, "stts", 12, 0xffffffff))
	f.Add(patchBox(f, good, "stts", 16, 5_000_000)) // the first entry's count
	f.Fuzz(func(t *testing.T, b []byte) {
		if msg := inspectionFault(Inspect(bytes.NewReader(b), int64(len(b)))); msg != "" {
			t.Error(msg)
		}
	})
}
