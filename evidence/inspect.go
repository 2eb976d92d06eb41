package evidence

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/deepch/vdk/av"
	"github.com/deepch/vdk/codec/h264parser"
	"github.com/deepch/vdk/format/mp4"
	"github.com/deepch/vdk/format/mp4/mp4io"
)

// Bounds of an inspection. An MP4's metadata (the moov box) is a few
// hundred kilobytes for an hour of video; vdk refuses boxes over 5 MiB
// anyway, and a file of more than maxBoxes top-level boxes is not a
// camera's.
const (
	maxMoov  = 5 << 20
	maxBoxes = 4096
)

// Inspection is what reading an MP4 file found. OK is false when the file
// is not a readable MP4 with an H.264 or H.265 video track; Error then
// says why, and the file is kept all the same.
type Inspection struct {
	OK       bool
	Error    string
	Codec    string  // "h264", "h265"
	Width    int     // pixels, from the SPS (H.264)
	Height   int     //
	Duration float64 // seconds, of the video track
}

// InspectFile inspects the MP4 file at path; see Inspect.
func InspectFile(path string) Inspection {
	f, err := os.Open(path)
	if err != nil {
		return Inspection{Error: "cannot open the file: " + err.Error()}
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return Inspection{Error: "cannot read the file: " + err.Error()}
	}
	return Inspect(f, info.Size())
}

// Inspect reads the codec, picture size and duration of an MP4 of size
// bytes. It walks the top-level boxes itself (reading only their
// headers), reads the moov box alone into memory (at most 5 MiB), and
// hands that to vdk's demuxer: the media data is never read, so a 500 MB
// file costs the same as a small one, and vdk's own 5 MiB limit on every
// box, mdat included, does not refuse real files. The box tree is checked
// first (see checkBoxTree) against what makes vdk loop or allocate without
// bound; a panic inside vdk, on bytes crafted to cause one, is recovered
// and reported as unreadable.
//
// Why by hand: vdk trusts its input (inspect_boxes.go), and mediacommon
// (v2.9.3, already a dependency through gortsplib) reads neither the
// daemon's own captures nor safely. Its presentation reader
// (pmp4.Presentation.Unmarshal) wants an ftyp box first and an edit list
// in every track: a capture, which vdk writes as mdat then moov with
// neither, answers "unexpected box 'moov'", and with an ftyp put in front
// "unexpected box 'mdia'". Its other reader (fmp4.Init) reads the header
// of fragmented files, refuses the same captures and gives no duration.
// And on the layout it reads (its own: ftyp, moov, mdat) it builds every
// sample before checking the tables against each other: a 24-byte stts
// claiming 5,000,000 samples cost 364 MB and 2 s before "invalid stco",
// where Inspect answers any corruption in 8 KiB and under a millisecond.
// TestMediacommonCannotInspect shows the refusals and fails once
// mediacommon reads these files.
func Inspect(r io.ReaderAt, size int64) (ins Inspection) {
	moov, err := findMoov(r, size)
	if err != nil {
		return Inspection{Error: err.Error()}
	}
	if err := checkBoxTree(moov, 0); err != nil {
		return Inspection{Error: "the MP4 metadata is corrupt: " + err.Error()}
	}
	defer func() {
		if p := recover(); p != nil {
			ins = Inspection{Error: fmt.Sprintf("the MP4 metadata cannot be read (the parser failed: %v)", p)}
		}
	}()
	return inspectMoov(moov)
}

// firstBoxes are the boxes an MP4 file may start with.
var firstBoxes = map[string]bool{
	"ftyp": true, "styp": true, "mdat": true, "moov": true, "free": true, "skip": true,
	"wide": true, "pdin": true, "uuid": true, "sidx": true, "moof": true, "meta": true,
}

// cleanType is a box type as printable text.
func cleanType(typ []byte) string {
	b := make([]byte, len(typ))
	for i, c := range typ {
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		b[i] = c
	}
	return string(b)
}

// findMoov returns the bytes of the moov box, after checking that the file
// is a sequence of well-formed boxes with media data.
func findMoov(r io.ReaderAt, size int64) ([]byte, error) {
	var moovAt, moovLen int64 = -1, 0
	mdat := false
	var hdr [16]byte
	off := int64(0)
	for i := 0; off < size; i++ {
		if i == maxBoxes {
			return nil, fmt.Errorf("not an MP4 file: more than %d top-level boxes", maxBoxes)
		}
		if size-off < 8 {
			return nil, fmt.Errorf("not an MP4 file: %d stray bytes at the end", size-off)
		}
		if _, err := r.ReadAt(hdr[:8], off); err != nil {
			return nil, fmt.Errorf("cannot read the file: %w", err)
		}
		boxLen := int64(binary.BigEndian.Uint32(hdr[:4]))
		typ := hdr[4:8]
		for _, c := range typ {
			if c < 0x20 || c > 0x7e {
				if i == 0 {
					return nil, errors.New("not an MP4 file: it does not start with an MP4 box")
				}
				return nil, fmt.Errorf("not an MP4 file: corrupt box at byte %d", off)
			}
		}
		if i == 0 && !firstBoxes[string(typ)] {
			return nil, fmt.Errorf("not an MP4 file: it starts with %q, not an MP4 box", cleanType(typ))
		}
		hl := int64(8)
		switch boxLen {
		case 0: // to the end of the file
			boxLen = size - off
		case 1: // 64-bit size follows
			if _, err := r.ReadAt(hdr[8:16], off+8); err != nil {
				return nil, fmt.Errorf("cannot read the file: %w", err)
			}
			u := binary.BigEndian.Uint64(hdr[8:16])
			if u > math.MaxInt64 {
				return nil, fmt.Errorf("not an MP4 file: box at byte %d claims %d bytes", off, u)
			}
			boxLen, hl = int64(u), 16
		}
		if boxLen < hl || boxLen > size-off {
			return nil, fmt.Errorf("not a complete MP4 file: the %q box at byte %d claims %d bytes, %d remain", typ, off, boxLen, size-off)
		}
		switch string(typ) {
		case "moov":
			if moovAt < 0 {
				moovAt, moovLen = off, boxLen
			}
		case "mdat":
			mdat = true
		}
		off += boxLen
	}
	switch {
	case moovAt < 0:
		return nil, errors.New("not a readable MP4 file: no moov box (a recording that was not finished?)")
	case !mdat:
		return nil, errors.New("not a readable MP4 file: no media data (mdat box)")
	case moovLen > maxMoov:
		return nil, fmt.Errorf("the MP4 metadata is %d bytes, more than the %d this server reads", moovLen, maxMoov)
	}
	moov := make([]byte, moovLen)
	if _, err := r.ReadAt(moov, moovAt); err != nil {
		return nil, fmt.Errorf("cannot read the file: %w", err)
	}
	if moovLen > 0xffffffff-1 || binary.BigEndian.Uint32(moov[:4]) == 1 {
		// vdk reads 32-bit box sizes only.
		return nil, errors.New("the MP4 metadata box uses a 64-bit size, which this server does not read")
	}
	return moov, nil
}

// inspectMoov reads a moov box with vdk: the demuxer for the codec data
// (and h264parser for the picture size in its SPS), the box tree for the
// duration and for codecs the demuxer does not know.
func inspectMoov(moov []byte) Inspection {
	atoms, err := mp4io.ReadFileAtoms(bytes.NewReader(moov))
	if err != nil || len(atoms) != 1 {
		return Inspection{Error: "the MP4 metadata cannot be read: " + errText(err)}
	}
	movie, ok := atoms[0].(*mp4io.Movie)
	if !ok {
		return Inspection{Error: "the MP4 metadata cannot be read"}
	}
	var video *mp4io.Track
	codec := ""
	for _, t := range movie.Tracks {
		if t.Media == nil || t.Media.Info == nil || t.Media.Info.Sample == nil || t.Media.Info.Sample.SampleDesc == nil {
			continue
		}
		switch sd := t.Media.Info.Sample.SampleDesc; {
		case sd.AVC1Desc != nil:
			video, codec = t, "h264"
		case sd.HV1Desc != nil:
			video, codec = t, "h265"
		}
		if video != nil {
			break
		}
	}
	if video == nil {
		return Inspection{Error: "the MP4 file has no H.264 or H.265 video track"}
	}
	ins := Inspection{OK: true, Codec: codec, Duration: trackSeconds(movie, video)}
	if codec != "h264" {
		if d := video.Media.Info.Sample.SampleDesc.HV1Desc; d != nil {
			ins.Width, ins.Height = int(d.Width), int(d.Height)
		}
		return ins
	}
	streams, err := mp4.NewDemuxer(bytes.NewReader(moov)).Streams()
	if err != nil {
		return Inspection{Codec: codec, Duration: ins.Duration, Error: "the H.264 configuration cannot be read: " + err.Error()}
	}
	for _, s := range streams {
		if s.Type() != av.H264 {
			continue
		}
		if cd, ok := s.(h264parser.CodecData); ok {
			ins.Width, ins.Height = cd.Width(), cd.Height()
			return ins
		}
	}
	return Inspection{Codec: codec, Duration: ins.Duration, Error: "the H.264 track has no usable configuration (SPS and PPS)"}
}

// trackSeconds is the duration of a track from its media header, or the
// movie's when the track gives none.
func trackSeconds(m *mp4io.Movie, t *mp4io.Track) float64 {
	if h := t.Media.Header; h != nil && h.TimeScale > 0 && h.Duration > 0 {
		return float64(h.Duration) / float64(h.TimeScale)
	}
	if h := m.Header; h != nil && h.TimeScale > 0 && h.Duration > 0 {
		return float64(h.Duration) / float64(h.TimeScale)
	}
	return 0
}

func errText(err error) string {
	if err == nil {
		return "unexpected structure"
	}
	return err.Error()
}
