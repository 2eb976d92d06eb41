package evidence

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
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
// file: the inspection may fail, but never panics or hangs.
func TestInspectSurvivesCorruption(t *testing.T) {
	good := testMP4(t, 26, 40*time.Millisecond)
	moovAt := len(good) - moovLen(good)
	rng := rand.New(rand.NewPCG(1, 2))
	failed := 0
	for range 2000 {
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
		if ins := Inspect(bytes.NewReader(b), int64(len(b))); !ins.OK {
			failed++
		}
	}
	t.Logf("%d of 2000 corrupted files were refused, the rest read", failed)
}

// patchBox writes v as a 32-bit value at offset off of the first box of
// type typ.
func patchBox(t *testing.T, mp4 []byte, typ string, off int, v uint32) []byte {
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

// FuzzInspect: whatever the bytes, Inspect returns (run with
// go test -fuzz FuzzInspect ./evidence).
func FuzzInspect(f *testing.F) {
	f.Add([]byte("\x00\x00\x00\x08ftyp"))
	f.Add(testMP4(f, 26, 40*time.Millisecond))
	f.Fuzz(func(t *testing.T, b []byte) {
		ins := Inspect(bytes.NewReader(b), int64(len(b)))
		if ins.OK && ins.Codec == "" {
			t.Errorf("OK without a codec: %+v", ins)
		}
	})
}
