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

// ReasonRetired is the reason of the transition to unknown recorded when a
// camera is retired: nobody probes it any more, so nothing is known of it.
const ReasonRetired = "retired"

// Transition is one confirmed change of a camera's health state: from At
// on, the camera was in state To. At is the time of the first of the
// agreeing probe results that confirmed the change, so that uptime counts
// the outage from when it was first seen, not from when it was confirmed.
type Transition struct {
	CameraID string      `json:"camera_id"`
	At       time.Time   `json:"at"`
	From     HealthState `json:"from"`
	To       HealthState `json:"to"`
	Reason   string      `json:"reason"`
}

// Health is the current health of one camera: its confirmed state, since
// when and why, and what the last probe found (which may not be confirmed
// yet: one bad result does not make an outage).
type Health struct {
	CameraID string      `json:"camera_id"`
	State    HealthState `json:"state"`
	// Reason is the reason of the latest result that agreed with State.
	Reason string `json:"reason,omitempty"`
	// Since is when State began (the At of its transition); zero while
	// the state is unknown and was never anything else.
	Since time.Time `json:"since,omitzero"`
	// LastProbe is the latest probe result, nil before the first probe.
	// Its At is the last probe time; its latency, codec, picture size and
	// Server header describe the camera as last seen.
	LastProbe *ProbeResult `json:"last_probe,omitempty"`
	// ConsecutiveFailures counts the latest results in a row whose state
	// was not up (0 after a result that was up).
	ConsecutiveFailures int `json:"consecutive_failures"`
}

// UnknownHealth is the health of a camera that was never probed.
func UnknownHealth(id string) Health {
	return Health{CameraID: id, State: StateUnknown}
}
