package api

import (
	"net/url"

	"github.com/matthan/matthan/camera"
)

// checkNetworks refuses a camera whose rtsp_url names an IP address the
// daemon's network policy forbids (Options.CameraNetworks): whoever may
// register a camera must not be able to aim the poller at the cloud's
// metadata service or the daemon's own host, and learn from the probe's
// reason what listens there. A host name is not resolved here — what it
// resolves to may change, and registration must not depend on DNS — but
// the prober checks each address it resolves to before connecting, and
// such a camera is down, reason denied. The message names the address
// and the rule, never the URL (whose credentials were split off anyway).
func (s *Server) checkNetworks(cam *camera.Camera) error {
	if s.cameraNetworks == nil || cam.RTSPURL == "" {
		return nil
	}
	u, err := url.Parse(cam.RTSPURL)
	if err != nil {
		return nil // Validate has judged the URL already
	}
	if err := s.cameraNetworks.CheckHost(u.Hostname()); err != nil {
		return invalid("rtsp_url", "%v: the daemon's network policy (probe.allow_networks, probe.deny_networks) forbids connecting to it", err)
	}
	return nil
}
