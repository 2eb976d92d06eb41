package camera

import "time"

// HealthState is what the last confirmed probes say about a camera.
type HealthState string

// Health states.
const (
	StateUp         HealthState = "up"          // video flows
	StateDegraded   HealthState = "degraded"    // answers, but no video track or no frames
	StateDown       HealthState = "down"        // refused, timed out, 404, not RTSP
	StateAuthFailed HealthState = "auth_failed" // the credentials are wrong
	StateUnknown    HealthState = "unknown"     // never probed
)

// HealthStates lists every state.
var HealthStates = []HealthState{StateUp, StateDegraded, StateDown, StateAuthFailed, StateUnknown}

// Valid reports whether s is a known state.
func (s HealthState) Valid() bool {
	for _, x := range HealthStates {
		if x == s {
			return true
		}
	}
	return false
}

// Probe reasons: short, stable, machine-readable words. Statuses other than
// those named here are reported as "status_<code>".
const (
	ReasonOK           = "ok"
	ReasonRefused      = "refused"
	ReasonTimeout      = "timeout"
	ReasonDNS          = "dns"
	ReasonUnreachable  = "unreachable"
	ReasonReset        = "reset"          // connection closed mid-response
	ReasonNotRTSP      = "not_rtsp"       // answered with something that is not RTSP
	ReasonBadResponse  = "bad_response"   // RTSP, but malformed or oversized
	ReasonRedirect     = "redirect"       // 3xx we do not follow
	ReasonAuthFailed   = "auth_failed"    // 401 with the credentials we have
	ReasonNoVideoTrack = "no_video_track" // DESCRIBE has no video media
	ReasonNoFrames     = "no_frames"      // PLAY gave no video packet in time
	ReasonBadSDP       = "bad_sdp"
	ReasonTLS          = "tls"
	ReasonCanceled     = "canceled"
	ReasonNoURL        = "no_url"
	ReasonError        = "error"
)

// ProbeResult is what one probe of one camera found.
type ProbeResult struct {
	State   HealthState   `json:"state"`
	Reason  string        `json:"reason"`
	At      time.Time     `json:"at"`
	Latency time.Duration `json:"latency_ns"`
	Deep    bool          `json:"deep"`
	Codec   string        `json:"codec,omitempty"`
	Width   int           `json:"width,omitempty"`
	Height  int           `json:"height,omitempty"`
	Server  string        `json:"server,omitempty"`
	// Detail is a human sentence (never containing credentials).
	Detail string `json:"detail,omitempty"`
}

// Probe reasons added for the RTSP probe (camera/rtsp).
const (
	ReasonBadURL = "bad_url" // the URL cannot be parsed or is not rtsp:// or rtsps://
)
