package demo

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp/rtsptest"
	"github.com/matthan/matthan/internal/sample"
)

// The demo's simulated cameras: every camera of the sample district gets
// its own fake RTSP camera (rtsptest) on a free 127.0.0.1 port, so that
// the real poller probes real RTSP servers and the health routes have
// something to show within a minute. 350 of them cost about 30 ms to
// start and 7 MB (measured); each one only wakes up for a frame when
// somebody plays it.
//
// A few cameras play a fault, chosen by their position in the sample so
// that the same ids misbehave at every start.

// Poller settings of the demo: a short interval and retry so that every
// state shows within a minute (first probe in the camera's slot, within
// one interval; the confirming one a retry later), and a short timeout
// because a frozen camera holds its deep probe for the whole of it.
const (
	PollInterval = 10 * time.Second
	PollTimeout  = 4 * time.Second
	PollRetry    = 2 * time.Second
	// MeteredInterval is the interval of the camera "on a metered
	// link": it stays unknown until its first probe, some time today.
	MeteredInterval = 24 * time.Hour

	flapEvery = 40 * time.Second
	// frameInterval paces the fake cameras' frames: 10 a second is
	// plenty for a probe, and keeps 350 idle cameras' tickers cheap.
	frameInterval = 100 * time.Millisecond
)

// Fault is what a simulated camera does wrong.
type Fault int

// The faults a simulated camera plays.
const (
	FaultNone     Fault = iota
	FaultRefused        // nothing listens: a power cut
	FaultNotFound       // answers 404: the stream path changed
	FaultPassword       // the password was changed on the camera
	FaultFrozen         // describes video, sends no frame
	FaultAudio          // no video track
	FaultFlaps          // up and down every 40 s
	FaultMetered        // probed once a day (poller.intervals)
)

// Part is a fault as the banner tells it, with the state and reason the
// poller should find. A flapping or metered camera has no single expected
// state (State "").
type Part struct {
	Kind   Fault
	What   string
	State  camera.HealthState
	Reason string

	positions []int // 0-based, in the sample's id order
}

// faults lists the faults in the order the banner shows them, with the
// positions of the cameras that play them, so that the same ids misbehave
// at every start. It is never written.
var faults = []Part{
	{FaultRefused, "down: a power cut, nothing listens (refused)", camera.StateDown, camera.ReasonRefused, []int{17, 142, 263}},
	{FaultNotFound, "down: the stream path changed after a firmware update (status_404)", camera.StateDown, "status_404", []int{88}},
	{FaultPassword, "auth_failed: the password was changed on the camera, the registry has the old one", camera.StateAuthFailed, camera.ReasonAuthFailed, []int{51}},
	{FaultFrozen, "degraded: a hung encoder sends no frames (no_frames; a deep probe sees it)", camera.StateDegraded, camera.ReasonNoFrames, []int{120}},
	{FaultAudio, "degraded: the stream profile has no video track (no_video_track)", camera.StateDegraded, camera.ReasonNoVideoTrack, []int{199}},
	{FaultFlaps, fmt.Sprintf("flaps: up, then down (status_404) and back every %v", flapEvery), "", "", []int{230}},
	{FaultMetered, "unknown: on a metered link, probed once a day (poller.intervals)", "", "", []int{310}},
}

// Faults returns the faults the simulation plays, in the banner's order.
func Faults() []Part { return slices.Clone(faults) }

// role is one camera's part in the simulation.
type role struct {
	id   string
	kind Fault
}

// Plan assigns a fault (or none) to each sample camera id.
type Plan struct {
	roles []role
	byID  map[string]Fault
}

// NewPlan assigns the faults to the cameras ids, by their position.
func NewPlan(ids []string) Plan {
	p := Plan{byID: make(map[string]Fault, len(ids))}
	kinds := make([]Fault, len(ids))
	for _, f := range faults {
		for _, pos := range f.positions {
			if pos < len(ids) {
				kinds[pos] = f.Kind
			}
		}
	}
	for i, id := range ids {
		p.roles = append(p.roles, role{id: id, kind: kinds[i]})
		p.byID[id] = kinds[i]
	}
	return p
}

// SamplePlan is the plan of the sample district's cameras.
func SamplePlan() (Plan, error) {
	ids, err := sampleIDs(sample.Cameras())
	if err != nil {
		return Plan{}, err
	}
	return NewPlan(ids), nil
}

// Len is how many cameras the plan has.
func (p Plan) Len() int { return len(p.roles) }

// IDs returns the ids of the cameras that play kind.
func (p Plan) IDs(kind Fault) []string {
	var out []string
	for _, r := range p.roles {
		if r.kind == kind {
			out = append(out, r.id)
		}
	}
	return out
}

// Fault returns the fault camera id plays, and whether it is in the plan.
func (p Plan) Fault(id string) (Fault, bool) {
	f, ok := p.byID[id]
	return f, ok
}

// Intervals are the poller's per-camera intervals the plan needs (the
// metered camera's), for poller.intervals.
func (p Plan) Intervals() map[string]time.Duration {
	out := map[string]time.Duration{}
	for _, id := range p.IDs(FaultMetered) {
		out[id] = MeteredInterval
	}
	return out
}

// Brands give the simulated cameras the variety of a real district: the
// Server header, the stream path and the picture size differ.
var simBrands = []struct {
	server, path  string
	width, height int
}{
	{"Hikvision-Webs", "/Streaming/Channels/101", 1920, 1080},
	{"Dahua Rtsp Server/3.0", "/cam/realmonitor", 2560, 1440},
	{"KBVISION", "/cam/realmonitor", 1920, 1080},
	{"EZVIZ", "/h264_stream", 1280, 720},
	{"Imou", "/live", 2304, 1296},
}

// PasswordPrefix starts every simulated camera's password, so that a
// test can check that none reaches a log.
const PasswordPrefix = "Demo-pw-"

// Simulation is the running fleet of fake cameras.
type Simulation struct {
	plan    Plan
	urls    map[string]string // camera id → RTSP URL with its credentials
	cams    []*rtsptest.Camera
	flapper []*rtsptest.Camera
	log     *slog.Logger

	stop      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
}

// Simulate starts a fake camera for every camera of the plan. On error
// nothing is left running.
func Simulate(plan Plan, log *slog.Logger) (*Simulation, error) {
	s := &Simulation{plan: plan, urls: make(map[string]string, len(plan.roles)), log: log, stop: make(chan struct{})}
	// Ports for the cameras nobody answers for are found last, so that no
	// fake camera started after them is given one of them.
	var refused []func() error
	for i, r := range plan.roles {
		brand := simBrands[i%len(simBrands)]
		// Five cameras in six have credentials, as installers set them.
		user, password := "", ""
		if i%6 != 5 {
			user, password = "admin", fmt.Sprintf("%s%04d", PasswordPrefix, (i*7919)%10000)
		}
		if r.kind == FaultRefused {
			refused = append(refused, func() error {
				addr, err := closedPort()
				s.urls[r.id] = rtspURL(addr, brand.path, user, password)
				return err
			})
			continue
		}
		opts := rtsptest.Options{
			Path:          brand.path,
			Username:      user,
			Password:      password,
			Width:         brand.width,
			Height:        brand.height,
			Server:        brand.server,
			FrameInterval: frameInterval,
		}
		registered := password
		switch r.kind {
		case FaultNotFound:
			opts.Behavior = rtsptest.NotFound
		case FaultPassword:
			// The camera has a new password; the registry keeps the
			// old one.
			opts.Username, opts.Password = "admin", PasswordPrefix+"new"
			user, registered = "admin", PasswordPrefix+"old"
		case FaultFrozen:
			opts.Behavior = rtsptest.Frozen
		case FaultAudio:
			opts.Behavior = rtsptest.AudioOnly
		}
		cam, err := rtsptest.Start(opts)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("simulated camera %s: %w", r.id, err)
		}
		s.cams = append(s.cams, cam)
		if r.kind == FaultFlaps {
			s.flapper = append(s.flapper, cam)
		}
		s.urls[r.id] = rtspURL(cam.Addr(), brand.path, user, registered)
	}
	for _, f := range refused {
		if err := f(); err != nil {
			s.Close()
			return nil, err
		}
	}
	if len(s.flapper) > 0 {
		s.wg.Add(1)
		go s.flap()
	}
	return s, nil
}

// flap toggles the flapping cameras between streaming and not found.
func (s *Simulation) flap() {
	defer s.wg.Done()
	t := time.NewTicker(flapEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		for _, c := range s.flapper {
			next := rtsptest.NotFound
			if c.Behavior() == rtsptest.NotFound {
				next = rtsptest.Streaming
			}
			c.SetBehavior(next)
			s.log.Debug("simulated camera flaps", slog.String("addr", c.Addr()), slog.String("behavior", next.String()))
		}
	}
}

// Close stops the flapping and every fake camera. It may be called more
// than once.
func (s *Simulation) Close() {
	s.closeOnce.Do(func() {
		close(s.stop)
		s.wg.Wait()
		for _, c := range s.cams {
			c.Close()
		}
	})
}

// rewriteCameras returns the camera CSV with each camera's rtsp_url
// replaced by its simulated camera's URL, credentials included (the API
// stores them apart and never shows them).
func (s *Simulation) rewriteCameras(data []byte) ([]byte, error) {
	recs, err := readSampleCSV(data)
	if err != nil {
		return nil, err
	}
	idCol, urlCol := slices.Index(recs[0], "id"), slices.Index(recs[0], "rtsp_url")
	if idCol < 0 || urlCol < 0 {
		return nil, fmt.Errorf("the sample cameras have no id or rtsp_url column")
	}
	for _, r := range recs[1:] {
		if u, ok := s.urls[r[idCol]]; ok {
			r[urlCol] = u
		}
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(recs); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// sampleIDs returns the camera ids of a camera CSV, in order.
func sampleIDs(data []byte) ([]string, error) {
	recs, err := readSampleCSV(data)
	if err != nil {
		return nil, err
	}
	col := slices.Index(recs[0], "id")
	if col < 0 {
		return nil, fmt.Errorf("the sample cameras have no id column")
	}
	ids := make([]string, 0, len(recs)-1)
	for _, r := range recs[1:] {
		ids = append(ids, r[col])
	}
	return ids, nil
}

// readSampleCSV reads the sample camera CSV, header first.
func readSampleCSV(data []byte) ([][]string, error) {
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read the sample cameras: %w", err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("read the sample cameras: no header")
	}
	return recs, nil
}

// rtspURL builds a camera URL with optional credentials.
func rtspURL(addr, path, user, password string) string {
	u := url.URL{Scheme: "rtsp", Host: addr, Path: path}
	if user != "" {
		u.User = url.UserPassword(user, password)
	}
	return u.String()
}

// closedPort returns a loopback address where nothing listens: a port
// that was free a moment ago. (Another program could take it; for a demo
// that only makes the camera fail differently.)
func closedPort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}
