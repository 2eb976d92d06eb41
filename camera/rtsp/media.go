package rtsp

import (
	"sort"
	"strconv"
	"strings"

	"github.com/bluenviron/gortsplib/v5/pkg/description"
	"github.com/bluenviron/gortsplib/v5/pkg/format"
)

// videoInfo is the video track a probe looks at: the first video media of
// the SDP that is not a back channel, and its first format.
type videoInfo struct {
	media  *description.Media
	format format.Format
	codec  string
	width  int // 0 when the SDP does not tell
	height int
}

// String describes the track for a detail: "h264 1920x1080".
func (v *videoInfo) String() string {
	if v.width > 0 && v.height > 0 {
		return v.codec + " " + strconv.Itoa(v.width) + "x" + strconv.Itoa(v.height)
	}
	return v.codec
}

// findVideo returns the video track of desc, or nil when it has none.
// Cameras list video first; when a camera offers several video formats in
// one media, the first is the one it prefers (RFC 4566).
func findVideo(desc *description.Session) *videoInfo {
	if desc == nil {
		return nil
	}
	for _, m := range desc.Medias {
		if m.Type != description.MediaTypeVideo || m.IsBackChannel || len(m.Formats) == 0 {
			continue
		}
		f := m.Formats[0]
		v := &videoInfo{media: m, format: f, codec: codecName(f)}
		v.width, v.height = sizeFromSDP(f)
		return v
	}
	return nil
}

// codecName is the short lowercase codec name stored in ProbeResult.Codec.
func codecName(f format.Format) string {
	switch f.(type) {
	case *format.H264:
		return "h264"
	case *format.H265:
		return "h265"
	case *format.MJPEG:
		return "mjpeg"
	case *format.MPEG4Video:
		return "mpeg4"
	case *format.MPEG1Video:
		return "mpeg2"
	case *format.AV1:
		return "av1"
	case *format.VP8:
		return "vp8"
	case *format.VP9:
		return "vp9"
	}
	// A format gortsplib does not know: use the encoding name of its
	// rtpmap ("H266/90000" → "h266").
	name, _, _ := strings.Cut(f.RTPMap(), "/")
	if name = cleanEcho(strings.ToLower(name)); name == "" {
		return "unknown"
	}
	return name
}

// describeMedias lists the media types of desc for a detail: "audio, application".
func describeMedias(desc *description.Session) string {
	if desc == nil || len(desc.Medias) == 0 {
		return "no media"
	}
	seen := map[string]bool{}
	for _, m := range desc.Medias {
		seen[cleanEcho(string(m.Type))] = true
	}
	var kinds []string
	for k := range seen {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return strings.Join(kinds, ", ") + " media"
}
