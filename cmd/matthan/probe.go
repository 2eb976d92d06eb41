package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp"
)

const probeSynopsis = "matthan probe URL [--deep] [--timeout D] [--json] [--timezone ZONE] [--config FILE]"

// probe checks one camera now, the way the poller does, and prints what
// it found: for the installer on a ladder, or as JSON for a script. The
// exit status is 0 when the camera is up and 1 otherwise, so that
// "matthan probe URL && echo ok" works.
func (c *cli) probe(ctx context.Context, args []string) error {
	fs := c.newFlagSet("probe", probeSynopsis+`

Checks one camera's RTSP stream now: connects, asks OPTIONS and DESCRIBE
and, with --deep, plays the video until the first frame arrives (the only
way to see a frozen picture). Credentials go in the URL, as
rtsp://USER:PASSWORD@HOST:PORT/PATH, or in its query for cameras that take
them there (?user=USER&password=PASSWORD); the password and the values of
such parameters are never printed.
It connects wherever the URL says, with the rights of whoever runs it;
with --config (or $`+envConfig+`) it applies that configuration's network
policy (probe.allow_networks, probe.deny_networks) as the daemon would,
and answers "denied" without connecting where the daemon may not.
Exit status: 0 when the camera is up, 1 when it is not, 2 on a usage error.`)
	deep := fs.Bool("deep", false, "also play the video and wait for the first frame")
	timeout := fs.Duration("timeout", rtsp.DefaultTimeout, "give up after `D` (a duration such as 5s)")
	asJSON := fs.Bool("json", false, "print the probe result as JSON")
	tz := timezoneFlag(fs)
	file := fs.String("config", "", "apply the network policy of this YAML configuration `FILE`, as the daemon would (default $"+envConfig+"; none: connect anywhere)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos, "URL"); err != nil {
		return err
	}
	if *timeout <= 0 {
		return &usageError{msg: fmt.Sprintf("--timeout must be more than 0, got %v", *timeout), usage: fs.Usage}
	}
	loc, err := c.clientTimezone(fs, *tz)
	if err != nil {
		return err
	}
	raw := pos[0]
	if err := checkProbeURL(raw); err != nil {
		return &usageError{msg: err.Error(), usage: fs.Usage}
	}

	prober, err := c.probeProber(*file)
	if err != nil {
		return err
	}

	pctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	res := prober.Probe(pctx, raw, *deep)
	res.At = res.At.In(loc)

	if *asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		printProbe(c.stdout, camera.RedactURL(raw), res, *deep)
	}
	if res.State != camera.StateUp {
		return errReported
	}
	return nil
}

// probeProber is the prober of "matthan probe": the daemon's, network
// policy included, when a configuration is named (file, else
// MATTHAN_CONFIG, with the MATTHAN_* variables over it); otherwise one
// that connects anywhere. The command is the operator's own, run on a
// machine where they may connect anywhere anyway — an installer on a
// ladder may even reach a camera on its link-local fallback address,
// which the daemon's default policy denies; no token can make it run.
func (c *cli) probeProber(file string) (*rtsp.Prober, error) {
	if file == "" {
		file = c.getenv(envConfig)
	}
	if file == "" {
		return &rtsp.Prober{}, nil
	}
	cfg, err := loadConfig(configSource{File: file, Getenv: c.getenv})
	if err != nil {
		return nil, err
	}
	return &rtsp.Prober{Networks: cfg.netPolicy()}, nil
}

// checkProbeURL refuses what is not an RTSP URL, without repeating a
// password it may hold, and says what to write instead: installers often
// type the camera's address as HOST:PORT, or paste the http:// address of
// its web page.
func checkProbeURL(raw string) error {
	if !strings.Contains(raw, "://") {
		creds, rest := "", raw
		hostEnd := strings.IndexByte(rest+"/", '/')
		if at := strings.LastIndex(rest[:hostEnd], "@"); at >= 0 {
			creds, rest = "USER:PASSWORD@", rest[at+1:]
		}
		host, path, _ := strings.Cut(rest, "/")
		if p, q, ok := strings.Cut(path, "?"); ok {
			path = p + "?" + camera.RedactQuery(q) // never repeat a credential
		}
		if host == "" {
			host = "HOST:PORT"
		}
		if path == "" {
			return fmt.Errorf("URL has no scheme: write rtsp://%s%s/path, where path is the camera's stream path (such as Streaming/Channels/101)", creds, host)
		}
		return fmt.Errorf("URL has no scheme: write rtsp://%s%s/%s", creds, host, path)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("URL is not a valid URL")
	case u.Scheme == "http" || u.Scheme == "https":
		host := u.Hostname()
		if host == "" {
			host = "HOST"
		}
		return fmt.Errorf("URL must start with rtsp:// or rtsps://, not %s:// (the address of the camera's web page): its stream is at an address such as rtsp://%s:554/PATH", u.Scheme, host)
	case u.Scheme != "rtsp" && u.Scheme != "rtsps":
		return fmt.Errorf("URL must start with rtsp:// or rtsps://, not %s://", u.Scheme)
	case u.Hostname() == "":
		return fmt.Errorf("URL must name a host, as rtsp://HOST:PORT/PATH")
	}
	return nil
}

// printProbe writes a probe result for a person: a verdict line, then what
// the probe learned, one fact per line.
//
//	rtsp://admin:xxxxx@192.168.1.64:554/Streaming/Channels/101 (deep probe)
//	✔ up — H264 1920×1080, 38 ms, server: Hikvision
func printProbe(w io.Writer, redacted string, res camera.ProbeResult, deep bool) {
	kind := "quick probe: OPTIONS, DESCRIBE"
	if deep {
		kind = "deep probe: up to the first video frame"
	}
	fmt.Fprintf(w, "%s (%s)\n", redacted, kind)

	switch res.State {
	case camera.StateUp:
		fmt.Fprintf(w, "✔ up — %s\n", upSummary(res))
		if !deep {
			fmt.Fprintln(w, "  A quick probe cannot see a frozen picture: add --deep to wait for a video frame.")
		}
		return
	case camera.StateDegraded:
		fmt.Fprintf(w, "⚠ degraded: %s — %s\n", res.Reason, explainReason(res))
	default:
		verdict := string(res.State)
		if res.Reason != "" && res.Reason != string(res.State) {
			verdict += ": " + res.Reason
		}
		fmt.Fprintf(w, "✘ %s — %s\n", verdict, explainReason(res))
	}
	if res.Detail != "" {
		fmt.Fprintf(w, "  what happened: %s\n", res.Detail)
	}
	var facts []string
	if res.Codec != "" {
		facts = append(facts, "video "+videoSummary(res))
	}
	if res.Latency > 0 {
		facts = append(facts, "answered in "+millis(res.Latency))
	}
	if res.Server != "" {
		facts = append(facts, "server: "+res.Server)
	}
	if len(facts) > 0 {
		fmt.Fprintf(w, "  %s\n", strings.Join(facts, ", "))
	}
}

// upSummary is "H264 1920×1080, 38 ms, server: Hikvision", leaving out
// what the camera did not tell.
func upSummary(res camera.ProbeResult) string {
	var parts []string
	if v := videoSummary(res); v != "" {
		parts = append(parts, v)
	}
	parts = append(parts, millis(res.Latency))
	if res.Server != "" {
		parts = append(parts, "server: "+res.Server)
	}
	return strings.Join(parts, ", ")
}

func videoSummary(res camera.ProbeResult) string {
	v := strings.ToUpper(res.Codec)
	if res.Width > 0 && res.Height > 0 {
		v = strings.TrimSpace(fmt.Sprintf("%s %d×%d", v, res.Width, res.Height))
	}
	return v
}

// millis writes a latency in whole milliseconds, "38 ms" ("<1 ms" for a
// camera on the same machine).
func millis(d time.Duration) string {
	if d < time.Millisecond {
		return "<1 ms"
	}
	return strconv.FormatInt(d.Round(time.Millisecond).Milliseconds(), 10) + " ms"
}

// reasonHelp says what a probe's reason means for the person standing
// next to the camera, and what to check first.
var reasonHelp = map[string]string{
	camera.ReasonAuthFailed:   "the camera refused the user name or password",
	camera.ReasonRefused:      "nothing listens on that port: the camera's RTSP service is off, or the port is wrong (554 is usual)",
	camera.ReasonTimeout:      "no answer in time: the camera is off or unreachable, or a firewall drops the traffic",
	camera.ReasonDNS:          "the host name does not resolve: check its spelling, or use the camera's IP address",
	camera.ReasonUnreachable:  "no route to the camera's network: check the cable, the 4G router or the VPN",
	camera.ReasonReset:        "the camera closed the connection: it may be overloaded (too many viewers) or rebooting",
	camera.ReasonNotRTSP:      "something answers on that port, but it is not an RTSP server (the camera's web page?): check the port",
	camera.ReasonBadResponse:  "the camera's RTSP answer is malformed: a firmware update may help",
	camera.ReasonRedirect:     "the camera redirects to another address: register the address it redirects to",
	camera.ReasonNoVideoTrack: "the stream has no video track (audio only?): check the stream profile in the camera's settings",
	camera.ReasonNoFrames:     "the stream describes video but sends no frames: the encoder may be hung; reboot the camera",
	camera.ReasonBadSDP:       "the camera's description of its stream cannot be read",
	camera.ReasonTLS:          "the TLS handshake failed: a self-signed or expired certificate?",
	camera.ReasonCanceled:     "the probe was cancelled before it finished: nothing is known",
	camera.ReasonNoURL:        "there is no URL to probe",
	camera.ReasonBadURL:       "the URL is not a valid RTSP URL",
	camera.ReasonDenied:       "the daemon's network policy (probe.allow_networks, probe.deny_networks) forbids connecting to that address: nothing was sent to it",
	"status_404":              "the camera has no stream at that path: check the path for this brand and channel",
	"status_403":              "the camera forbids this stream to this user: check the user's rights",
	"status_454":              "the camera lost the session: it may be overloaded",
	"status_503":              "the camera says it is unavailable: too many viewers, or starting up",
}

// explainReason returns the help for res's reason, or a sentence built
// from it.
func explainReason(res camera.ProbeResult) string {
	if res.Reason == camera.ReasonAuthFailed && res.Detail != "" && strings.Contains(res.Detail, "the URL has none") {
		return "the camera wants a user name and password: put them in the URL, rtsp://USER:PASSWORD@HOST/PATH"
	}
	if h, ok := reasonHelp[res.Reason]; ok {
		return h
	}
	if code, ok := strings.CutPrefix(res.Reason, "status_"); ok {
		return "the camera answered with the RTSP error status " + code
	}
	return "the probe failed"
}
