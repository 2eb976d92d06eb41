package rtsp

import (
	"context"
	"net"
	"net/url"
	"sync"
	"time"

	"github.com/bluenviron/gortsplib/v5"
	"github.com/bluenviron/gortsplib/v5/pkg/base"
	"github.com/bluenviron/gortsplib/v5/pkg/description"

	"github.com/matthan/matthan/camera"
)

// step names what the probe was doing, for the detail of a failure.
type step string

const (
	stepConnect  step = "connecting"
	stepOptions  step = "waiting for the OPTIONS answer"
	stepDescribe step = "waiting for the DESCRIBE answer"
	stepSetup    step = "waiting for the SETUP answer"
	stepPlay     step = "waiting for the PLAY answer"
	stepFrames   step = "waiting for the first video packet"
)

// redirect is a 3xx answer seen during the probe.
type redirect struct {
	code base.StatusCode
	to   string // host:port of the Location, never its user information
}

// run is the state of one probe. gortsplib calls back into it from its own
// goroutines (dial, OnResponse, packets), hence the mutex.
type run struct {
	ctx   context.Context
	p     *Prober
	t     *target
	start time.Time

	mu       sync.Mutex
	step     step
	dialed   bool
	conn     *sniffConn
	server   string        // first Server header seen
	answered time.Duration // since start, of the last response
	redir    *redirect
}

func newRun(ctx context.Context, p *Prober, t *target) *run {
	return &run{ctx: ctx, p: p, t: t, start: time.Now(), step: stepConnect}
}

// nop callbacks replace gortsplib's defaults, which write to the standard
// logger: a probe has nothing to say to stderr.
func nopErr(error)         {}
func nopLost(uint64)       {}
func nopReq(*base.Request) {}

// probe runs the RTSP exchange and returns what it found: the shallow
// probe on its own (shallow.go), the deep one with gortsplib's client,
// which streams.
func (r *run) probe(deep bool) *outcome {
	deadline, _ := r.ctx.Deadline()
	left := time.Until(deadline)
	if err := r.ctx.Err(); err != nil {
		return r.classify(err)
	}
	if left <= 0 {
		return r.classify(context.DeadlineExceeded)
	}
	if !deep {
		return r.shallow() // shallow.go: without gortsplib's client
	}

	tcp := gortsplib.ProtocolTCP
	c := &gortsplib.Client{
		Scheme: r.t.url.Scheme,
		Host:   r.t.url.Host,
		// Every read and write may take what is left of the probe; the
		// AfterFunc below ends the whole probe at the deadline anyway.
		ReadTimeout:  left,
		WriteTimeout: left,
		// TCP interleaved: it crosses the NATs between the daemon and
		// the cameras, needs no local UDP ports when thousands of cameras
		// are probed, and gives a definite answer instead of a 3 s UDP
		// wait followed by a switch to TCP.
		Protocol:          &tcp,
		UserAgent:         r.p.userAgent(),
		DialContext:       r.dial,
		DialTLSContext:    r.dial,
		OnResponse:        r.onResponse,
		OnRequest:         nopReq,
		OnServerRequest:   nopReq,
		OnTransportSwitch: nopErr,
		OnPacketsLost:     nopLost,
		OnDecodeError:     nopErr,
	}
	if err := c.Start(); err != nil {
		return &outcome{state: camera.StateDown, reason: camera.ReasonError, detail: "the RTSP client could not start: " + err.Error()}
	}
	// gortsplib does not take a context: closing the client is what
	// unblocks a pending dial or read when the deadline passes.
	stop := context.AfterFunc(r.ctx, c.Close)
	defer func() {
		stop()
		c.Close()
	}()

	if _, err := c.Options(r.t.url); err != nil {
		return r.classify(err)
	}
	r.setStep(stepDescribe)
	desc, _, err := c.Describe(r.t.url)
	latency := r.latency()
	if err != nil {
		// classify records the latency of the answers that count (a
		// status, a redirect); a broken answer has none worth keeping.
		return r.classify(err)
	}

	v := findVideo(desc)
	if v == nil {
		return r.noVideo(desc, latency)
	}
	return r.stream(c, desc, v, latency)
}

// noVideo is the outcome of a DESCRIBE whose session has no video track.
func (r *run) noVideo(desc *description.Session, latency time.Duration) *outcome {
	return &outcome{
		state:   camera.StateDegraded,
		reason:  camera.ReasonNoVideoTrack,
		detail:  r.t.hostPort + " answered DESCRIBE with " + describeMedias(desc) + " but no video track",
		latency: latency,
		server:  r.serverHeader(),
	}
}

// up is the outcome of a probe that found video.
func (r *run) up(v *videoInfo, latency time.Duration, how string) *outcome {
	o := &outcome{
		state:   camera.StateUp,
		reason:  camera.ReasonOK,
		latency: latency,
		codec:   v.codec,
		width:   v.width,
		height:  v.height,
		server:  r.serverHeader(),
	}
	o.detail = r.t.hostPort + " has a video track: " + v.String()
	if how != "" {
		o.detail += ", and " + how
	}
	return o
}

func (r *run) setStep(s step) {
	r.mu.Lock()
	r.step = s
	r.mu.Unlock()
}

func (r *run) currentStep() step {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.step
}

// latency is the time from the start of the probe to the last answer.
func (r *run) latency() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.answered
}

func (r *run) serverHeader() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.server
}

// onResponse is gortsplib's OnResponse callback: it sees every answer,
// including the 401 that precedes an authenticated retry and the 3xx that
// gortsplib would follow.
func (r *run) onResponse(res *base.Response) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answered = time.Since(r.start)
	if r.server == "" {
		if v := res.Header["Server"]; len(v) > 0 {
			r.server = scrub(cleanEcho(v[0]), r.t.secrets)
		}
	}
	if res.StatusCode >= 300 && res.StatusCode < 400 && r.redir == nil {
		rd := &redirect{code: res.StatusCode}
		if loc := res.Header["Location"]; len(loc) == 1 {
			if u, err := url.Parse(loc[0]); err == nil && u.Host != "" {
				rd.to = cleanEcho(hostPortOf(u))
			}
		}
		r.redir = rd
	}
}

// hostPortOf returns u's host and port without its user information.
func hostPortOf(u *url.URL) string {
	if u.Port() == "" {
		return u.Hostname()
	}
	return net.JoinHostPort(u.Hostname(), u.Port())
}
