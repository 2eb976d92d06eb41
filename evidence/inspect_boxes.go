package evidence

import (
	"encoding/binary"
	"fmt"
)

// vdk's MP4 parser trusts the file: a child box of size 0 makes a
// container's loop spin for ever, appending to a slice until memory runs
// out, and a sample table's entry count is allocated before it is checked
// against the box (4 billion entries: tens of gigabytes). Neither can be
// recovered from, so the moov box is checked here, by the same rules vdk
// reads it by, before vdk sees it.

// containerHeader is, for each box vdk descends into, where its children
// start: after the box header, and for some after fixed fields (a full
// box's version and flags and entry count, a sample entry's fields).
var containerHeader = map[string]int{
	"moov": 8, "trak": 8, "mdia": 8, "minf": 8, "dinf": 8, "stbl": 8,
	"mvex": 8,
	"dref": 16, "stsd": 16,
	"avc1": 86, "hvc1": 86, // VisualSampleEntry
	"mp4a": 36, // AudioSampleEntry
}

// tableEntry is, for each sample table vdk reads, the size of one entry
// and where its entry count is.
var tableEntry = map[string]struct{ size, countAt int }{
	"stts": {8, 12}, "ctts": {8, 12}, "stsc": {12, 12}, "stss": {4, 12}, "stco": {4, 12},
	"stsz": {4, 16}, // after the constant sample size; entries only when it is 0
}

// maxBoxDepth bounds the nesting of boxes: a real moov is 8 deep.
const maxBoxDepth = 16

// checkBoxTree checks the box b (header included) and, recursively, the
// boxes vdk will parse inside it.
func checkBoxTree(b []byte, depth int) error {
	if depth > maxBoxDepth {
		return fmt.Errorf("boxes nested more than %d deep", maxBoxDepth)
	}
	typ := string(b[4:8])
	if t, ok := tableEntry[typ]; ok {
		return checkTable(typ, b, t.size, t.countAt)
	}
	start, ok := containerHeader[typ]
	if !ok {
		return nil // read as a whole by vdk, or not at all
	}
	if len(b) < start {
		return fmt.Errorf("the %q box is %d bytes, too short for its fields", typ, len(b))
	}
	for n := start; len(b)-n >= 8; {
		size := int(binary.BigEndian.Uint32(b[n:]))
		if size < 8 || size > len(b)-n {
			return fmt.Errorf("a box inside %q claims %d bytes where %d remain", typ, size, len(b)-n)
		}
		if err := checkBoxTree(b[n:n+size], depth+1); err != nil {
			return err
		}
		n += size
	}
	return nil
}

// checkTable checks that a sample table's entries fit in its box.
func checkTable(typ string, b []byte, entry, countAt int) error {
	if typ == "stsz" && len(b) >= 16 && binary.BigEndian.Uint32(b[12:]) != 0 {
		return nil // one size for every sample: no entries
	}
	if len(b) < countAt+4 {
		return fmt.Errorf("the %q box is %d bytes, too short for its fields", typ, len(b))
	}
	count := int64(binary.BigEndian.Uint32(b[countAt:]))
	if count*int64(entry) > int64(len(b)-countAt-4) {
		return fmt.Errorf("the %q box claims %d entries, more than its %d bytes hold", typ, count, len(b))
	}
	return nil
}
