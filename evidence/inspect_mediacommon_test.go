package evidence

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/mp4/codecs"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/pmp4"
)

// TestMediacommonCannotInspect is why Inspect parses boxes itself rather
// than with mediacommon (go.mod's version, a dependency through
// gortsplib): neither of its MP4 readers reads the daemon's own captures,
// which Inspect reads, as it reads the ftyp/moov/mdat layout mediacommon
// writes. When this test fails, mediacommon has learnt these files: look
// again (and at what it allocates on a hostile sample table, see
// Inspect's doc comment).
func TestMediacommonCannotInspect(t *testing.T) {
	capture := testMP4(t, 26, 40*time.Millisecond) // mdat, moov: vdk's layout
	withFtyp := append(ftypBox(), capture...)
	ownLayout := mediacommonMP4(t, 50) // ftyp, moov (with edts), mdat

	for _, c := range []struct {
		name      string
		file      []byte
		presErr   string // pmp4.Presentation.Unmarshal's error, "" for none
		fmp4Error string // fmp4.Init.Unmarshal's error, "" for none
	}{
		{"a capture (mdat, moov)", capture, "unexpected box 'moov'", "unexpected box 'moov'"},
		// With an ftyp the presentation reader gets further, then wants
		// an edit list (edts) in the track, which vdk does not write; the
		// init segment reader reads the header but has no duration.
		{"a capture with an ftyp box", withFtyp, "unexpected box 'mdia'", ""},
		{"mediacommon's own layout", ownLayout, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var p pmp4.Presentation
			if err := p.Unmarshal(bytes.NewReader(c.file)); !errorIs(err, c.presErr) {
				t.Errorf("pmp4: got %v, want %q", err, c.presErr)
			}
			var init fmp4.Init
			if err := init.Unmarshal(bytes.NewReader(c.file)); !errorIs(err, c.fmp4Error) {
				t.Errorf("fmp4: got %v, want %q", err, c.fmp4Error)
			}
			ins := Inspect(bytes.NewReader(c.file), int64(len(c.file)))
			if !ins.OK || ins.Codec != "h264" || ins.Width != 640 || ins.Height != 480 || ins.Duration <= 0 {
				t.Errorf("Inspect: %+v, want a 640×480 H.264 clip with its duration", ins)
			}
		})
	}
}

// errorIs reports whether err is nil when want is "", or contains want.
func errorIs(err error, want string) bool {
	if want == "" {
		return err == nil
	}
	return err != nil && strings.Contains(err.Error(), want)
}

// ftypBox is an ftyp box of brand isom, as most writers put first.
func ftypBox() []byte {
	b := binary.BigEndian.AppendUint32(nil, 24)
	b = append(b, "ftypisom"...)
	b = binary.BigEndian.AppendUint32(b, 0x200)
	return append(b, "isomiso2"...)
}

// mediacommonMP4 is an MP4 of frames pictures at 25 fps written by
// mediacommon (ftyp, moov, mdat), a keyframe every 25.
func mediacommonMP4(t testing.TB, frames int) []byte {
	t.Helper()
	slice := []byte{0, 0, 0, byte(len(testP))}
	slice = append(slice, testP...)
	var samples []*pmp4.Sample
	for i := range frames {
		samples = append(samples, &pmp4.Sample{
			Duration: 3600, IsNonSyncSample: i%25 != 0, PayloadSize: uint32(len(slice)),
			GetPayload: func() ([]byte, error) { return slice, nil },
		})
	}
	p := pmp4.Presentation{Tracks: []*pmp4.Track{{ID: 1, TimeScale: 90000, Codec: &codecs.H264{SPS: testSPS, PPS: testPPS}, Samples: samples}}}
	var b bytes.Buffer
	if err := p.Marshal(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
