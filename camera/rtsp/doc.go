// Package rtsp talks to one camera over RTSP: it probes the camera to learn
// whether its video works, and says why when it does not.
//
// A Prober turns one RTSP URL into a camera.ProbeResult: a health state
// (up, degraded, down, auth_failed), a short machine-readable reason
// (refused, timeout, dns, status_404, not_rtsp, no_video_track, no_frames,
// ...), the time to the DESCRIBE answer, the video codec and picture size,
// the camera's Server header and a human sentence. The health poller
// (package ingest) calls it for every camera on a schedule; "matthan probe
// URL" calls it once.
//
// # How a probe goes
//
// A shallow probe connects, asks OPTIONS and DESCRIBE, and reads the SDP:
// with a video track the camera is up, without one it is degraded. It is
// what the poller runs most, so it speaks through gortsplib's protocol
// packages (conn, base, auth, sdpunmarshaler, description) on the
// caller's goroutine, the exchange of gortsplib's client message for
// message but without its goroutines and channels (shallow.go). A deep
// probe then SETUPs the video track over TCP, PLAYs it and waits for the
// first video packet; none before the deadline is degraded, no_frames. The
// picture size comes from the H.264 or H.265 SPS in the SDP, or, for a deep
// probe, from the first packets (in-band SPS, or the RTP/JPEG header).
//
// # Caveats
//
//   - Deadlines come from ctx; Prober.Timeout applies only when ctx has
//     none. gortsplib does not take a context, so the probe closes the
//     client (the connection, for a shallow probe) when ctx is done: that
//     is what unblocks a pending dial or read.
//   - Redirects are reported (reason redirect), never followed: the
//     registered URL is what must work, and a camera must not be able to
//     send the prober to another host.
//   - Prober.Networks (a camera.NetPolicy) bounds where the prober may
//     connect: an IP address in the URL is checked before anything is
//     dialled, a host name on each address it resolves to, just before
//     connect(2) (net.Dialer.Control), so that a name pointed at a denied
//     network later (DNS rebinding) is not followed either. A camera the
//     policy forbids is down, reason denied, and is sent no packet.
//   - Credentials in the URL are given to gortsplib (its client, or its
//     auth.Sender for a shallow probe; Basic or Digest) and nowhere else;
//     results name the camera by host:port and are scrubbed of the user
//     information before they are returned. Credential query
//     parameters (camera.IsCredentialParam) are sent in the query, as the
//     camera wants them, and scrubbed from results the same way.
//   - A cancelled ctx gives state unknown, reason canceled: such a result
//     says nothing about the camera and should not be recorded as a
//     transition.
//   - Only the TCP transport is used (see run.go for why).
//
// The package rtsptest next to this one provides fake cameras and broken
// servers for tests and for the demo.
//
// # Capture
//
// Prober.Capture (capture.go) is the packet source of clip capture: the
// same connection as a deep probe (TCP, no redirects, credentials only
// to gortsplib), then H.264 access units with their presentation and
// decoding times delivered to a callback on the caller's goroutine until
// it says stop or ctx ends. Failures are *CaptureError values in the
// probe's terms (state, reason, host:port detail), so a capture from a
// frozen camera fails as "degraded, no_frames" at its deadline.
package rtsp
