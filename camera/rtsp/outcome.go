package rtsp

import (
	"time"

	"github.com/matthan/matthan/camera"
)

// outcome is what a probe concluded, before it is copied into a
// camera.ProbeResult.
type outcome struct {
	state   camera.HealthState
	reason  string
	detail  string
	latency time.Duration
	codec   string
	width   int
	height  int
	server  string
}

// fill copies o into res. The detail is scrubbed of the URL's credentials
// here, once, whatever path produced it. t is nil when the URL did not parse;
// such details never quote the URL.
func (o *outcome) fill(res *camera.ProbeResult, t *target) {
	res.State = o.state
	res.Reason = o.reason
	res.Latency = o.latency
	res.Codec = o.codec
	res.Width = o.width
	res.Height = o.height
	res.Server = o.server
	res.Detail = o.detail
	if t != nil {
		res.Detail = scrub(res.Detail, t.secrets)
		res.Server = scrub(res.Server, t.secrets)
	}
}
