package rtsptest

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bluenviron/gortsplib/v5"
	"github.com/bluenviron/gortsplib/v5/pkg/auth"
	"github.com/bluenviron/gortsplib/v5/pkg/base"
	"github.com/bluenviron/gortsplib/v5/pkg/description"
	"github.com/bluenviron/gortsplib/v5/pkg/format"
	"github.com/bluenviron/gortsplib/v5/pkg/format/rtph264"
	"github.com/bluenviron/gortsplib/v5/pkg/liberrors"
)

// Behavior is what a fake camera does when it is asked for its stream. It
// can be changed while the camera runs (see Camera.SetBehavior), which is how
// a poller test or the demo makes a camera fail and recover on the same URL.
type Behavior int32

// Behaviors.
const (
	// Streaming describes an H.264 video track and sends frames after
	// PLAY: a working camera (probe state up).
	Streaming Behavior = iota
	// Frozen describes the video track and accepts PLAY but sends no
	// frame: a hung encoder (probe state degraded, reason no_frames on a
	// deep probe; a shallow probe sees it up).
	Frozen
	// AudioOnly describes a single G.711 audio track: a misconfigured
	// stream profile (degraded, no_video_track).
	AudioOnly
	// NotFound answers DESCRIBE with 404: a wrong path (down, status_404).
	NotFound
)

var behaviorNames = [...]string{"streaming", "frozen", "audio_only", "not_found"}

// String returns the behavior's name, e.g. "frozen".
func (b Behavior) String() string {
	if b >= 0 && int(b) < len(behaviorNames) {
		return behaviorNames[b]
	}
	return fmt.Sprintf("behavior(%d)", int(b))
}

// Auth selects the authentication schemes a camera with credentials offers.
type Auth int

// Authentication schemes.
const (
	AuthBasicAndDigest Auth = iota // both, as most cameras do
	AuthBasic                      // Basic only (old firmware)
	AuthDigest                     // Digest (MD5) only
)

// Defaults used when the matching Options field is zero.
const (
	DefaultAddr          = "127.0.0.1:0"
	DefaultPath          = "/live"
	DefaultWidth         = 1920
	DefaultHeight        = 1080
	DefaultFrameInterval = 40 * time.Millisecond // 25 frames per second
	DefaultServer        = "rtsptest"
)

// Options configure a fake camera. The zero value is a streaming
// 1920×1080 H.264 camera without credentials on a free loopback port.
type Options struct {
	// Addr is the listen address; DefaultAddr picks a free loopback port.
	Addr string
	// Path is the stream path, with its leading slash. Other paths answer
	// 404, like a real camera asked for the wrong profile.
	Path string

	// Username and Password, when Username is set, are required for
	// DESCRIBE and SETUP. Auth selects the schemes offered. With AuthBasic
	// the password may not contain ':', which gortsplib's server cannot
	// split off a Basic authorization.
	Username string
	Password string
	Auth     Auth

	// Query, when set, is the query every DESCRIBE and SETUP must carry,
	// exactly (rtsp://host/cam/realmonitor?channel=1&user=admin&password=X
	// has "channel=1&user=admin&password=X"): a camera that takes its
	// credentials as query parameters, and reads them in its own order.
	// Any other query is answered 401.
	Query string

	// Behavior is the initial behavior (see SetBehavior).
	Behavior Behavior

	// Width and Height are the picture size written in the SPS: even
	// numbers up to 8192, or both zero for DefaultWidth × DefaultHeight.
	Width  int
	Height int
	// ParamsInBand leaves the SPS and PPS out of the SDP, so that only
	// the stream carries them, as some cameras do: a shallow probe then
	// learns no size, a deep one learns it from the first frame.
	ParamsInBand bool
	// FrameInterval is the time between frames while streaming;
	// DefaultFrameInterval when zero.
	FrameInterval time.Duration

	// Server is the value of the Server header of every answer;
	// DefaultServer when empty.
	Server string
}

// Camera is a fake RTSP camera: a gortsplib server on a loopback port with
// one stream. Create it with Start and stop it with Close.
type Camera struct {
	opts     Options
	server   *gortsplib.Server
	addr     string
	video    *gortsplib.ServerStream
	videoMed *description.Media
	audio    *gortsplib.ServerStream
	encoder  *rtph264.Encoder
	picture  *Picture

	behavior  atomic.Int32
	describes atomic.Int64
	players   sync.Map // *gortsplib.ServerSession that sent PLAY
	playing   atomic.Int64

	// ready is closed once the streams exist: the server listens before
	// they can be built (they need it), so a request arriving in between
	// waits for them instead of racing with their creation.
	ready chan struct{}

	stop      chan struct{}
	pump      sync.WaitGroup
	closeOnce sync.Once
}

// Start starts a fake camera. Call Close to stop it.
func Start(opts Options) (*Camera, error) {
	if err := opts.fill(); err != nil {
		return nil, err
	}
	pic, err := NewPicture(opts.Width, opts.Height)
	if err != nil {
		return nil, err
	}
	sps := pic.SPS

	c := &Camera{opts: opts, stop: make(chan struct{}), ready: make(chan struct{}), picture: pic}
	c.behavior.Store(int32(opts.Behavior))

	c.server = &gortsplib.Server{
		Handler:     (*handler)(c),
		RTSPAddress: opts.Addr,
		AuthMethods: opts.authMethods(),
	}
	if err := c.server.Start(); err != nil {
		return nil, fmt.Errorf("rtsptest: start server: %w", err)
	}
	c.addr = c.server.NetListener().Addr().String()

	err = c.initStreams(sps)
	close(c.ready)
	if err != nil {
		c.server.Close()
		return nil, err
	}

	c.pump.Add(1)
	go c.pumpFrames()
	return c, nil
}

func (o *Options) fill() error {
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.Path == "" {
		o.Path = DefaultPath
	}
	if !strings.HasPrefix(o.Path, "/") {
		return fmt.Errorf("rtsptest: path %q must start with /", o.Path)
	}
	if o.Width == 0 && o.Height == 0 {
		o.Width, o.Height = DefaultWidth, DefaultHeight
	}
	if o.FrameInterval <= 0 {
		o.FrameInterval = DefaultFrameInterval
	}
	if o.Server == "" {
		o.Server = DefaultServer
	}
	if o.Username == "" && o.Password != "" {
		return errors.New("rtsptest: a password needs a user name")
	}
	if o.Auth == AuthBasic && strings.Contains(o.Password, ":") {
		return errors.New("rtsptest: a Basic-only camera cannot check a password containing ':'")
	}
	if o.Behavior < Streaming || o.Behavior > NotFound {
		return fmt.Errorf("rtsptest: unknown behavior %d", o.Behavior)
	}
	return nil
}

func (o *Options) authMethods() []auth.VerifyMethod {
	switch o.Auth {
	case AuthBasic:
		return []auth.VerifyMethod{auth.VerifyMethodBasic}
	case AuthDigest:
		return []auth.VerifyMethod{auth.VerifyMethodDigestMD5}
	default:
		return []auth.VerifyMethod{auth.VerifyMethodBasic, auth.VerifyMethodDigestMD5}
	}
}

// initStreams creates the video stream (and its RTP encoder) and the
// audio-only stream; DESCRIBE hands out one or the other by behavior.
func (c *Camera) initStreams(sps []byte) error {
	h264 := &format.H264{PayloadTyp: 96, PacketizationMode: 1}
	if !c.opts.ParamsInBand {
		h264.SPS, h264.PPS = sps, h264PPS
	}
	enc, err := h264.CreateEncoder()
	if err != nil {
		return fmt.Errorf("rtsptest: h264 encoder: %w", err)
	}
	c.encoder = enc
	c.videoMed = &description.Media{Type: description.MediaTypeVideo, Formats: []format.Format{h264}}
	c.video = &gortsplib.ServerStream{
		Server: c.server,
		Desc:   &description.Session{Medias: []*description.Media{c.videoMed}},
	}
	if err := c.video.Initialize(); err != nil {
		return fmt.Errorf("rtsptest: video stream: %w", err)
	}

	g711 := &format.G711{PayloadTyp: 0, MULaw: true, SampleRate: 8000, ChannelCount: 1}
	c.audio = &gortsplib.ServerStream{
		Server: c.server,
		Desc: &description.Session{Medias: []*description.Media{
			{Type: description.MediaTypeAudio, Formats: []format.Format{g711}},
		}},
	}
	if err := c.audio.Initialize(); err != nil {
		c.video.Close()
		return fmt.Errorf("rtsptest: audio stream: %w", err)
	}
	return nil
}

// pumpFrames writes one access unit (SPS, PPS, a frame) per FrameInterval while
// the camera is Streaming and someone plays it: the frames of its Picture,
// so that a clip recorded from it plays in a browser. Nobody playing, it
// only wakes up: the demo runs hundreds of these cameras.
func (c *Camera) pumpFrames() {
	defer c.pump.Done()
	tick := time.NewTicker(c.opts.FrameInterval)
	defer tick.Stop()
	var ts uint32
	frame := 0
	step := uint32(c.opts.FrameInterval.Seconds() * 90000)
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
		}
		if c.Behavior() != Streaming || c.playing.Load() == 0 {
			continue
		}
		pkts, err := c.encoder.Encode([][]byte{c.picture.SPS, c.picture.PPS, c.picture.Frame(frame)})
		frame++
		if err != nil {
			continue
		}
		for _, p := range pkts {
			p.Timestamp = ts
			// An error only means the stream is closing.
			_ = c.video.WritePacketRTP(c.videoMed, p)
		}
		ts += step
	}
}

// URL returns the camera's stream URL without credentials, e.g.
// rtsp://127.0.0.1:40123/live.
func (c *Camera) URL() string {
	return "rtsp://" + c.addr + c.opts.Path
}

// URLWithCredentials returns the stream URL carrying user and password, as
// stored in the registry for a camera that needs them.
func (c *Camera) URLWithCredentials(user, password string) string {
	u := url.URL{Scheme: "rtsp", User: url.UserPassword(user, password), Host: c.addr, Path: c.opts.Path}
	return u.String()
}

// URLWithQuery returns the stream URL with the query the camera requires
// (Options.Query), as stored in the registry for a camera that takes its
// credentials in the query.
func (c *Camera) URLWithQuery() string {
	return c.URL() + "?" + c.opts.Query
}

// Addr returns the camera's host:port.
func (c *Camera) Addr() string { return c.addr }

// SetBehavior changes what the camera does from the next request (or the
// next frame) on. Sessions already playing keep their stream.
func (c *Camera) SetBehavior(b Behavior) { c.behavior.Store(int32(b)) }

// Behavior returns the current behavior.
func (c *Camera) Behavior() Behavior { return Behavior(c.behavior.Load()) }

// Describes returns how many DESCRIBE requests the camera has received,
// including those refused for lack of credentials.
func (c *Camera) Describes() int64 { return c.describes.Load() }

// Close stops the frames, disconnects every client and closes the port. It
// returns when every goroutine of the camera has ended, and may be called
// more than once.
func (c *Camera) Close() {
	c.closeOnce.Do(func() {
		close(c.stop)
		c.pump.Wait()
		c.video.Close()
		c.audio.Close()
		c.server.Close()
	})
}

// handler is the gortsplib.ServerHandler of a Camera; a distinct type keeps
// the handler methods out of Camera's API.
type handler Camera

var (
	_ gortsplib.ServerHandlerOnDescribe = (*handler)(nil)
	_ gortsplib.ServerHandlerOnSetup    = (*handler)(nil)
	_ gortsplib.ServerHandlerOnPlay     = (*handler)(nil)
	_ gortsplib.ServerHandlerOnResponse = (*handler)(nil)

	_ gortsplib.ServerHandlerOnSessionClose = (*handler)(nil)
)

// OnDescribe implements gortsplib.ServerHandlerOnDescribe.
func (h *handler) OnDescribe(ctx *gortsplib.ServerHandlerOnDescribeCtx) (*base.Response, *gortsplib.ServerStream, error) {
	c := (*Camera)(h)
	c.describes.Add(1)
	if res, err := c.check(ctx.Conn, ctx.Request, ctx.Path, ctx.Query); res != nil {
		return res, nil, err
	}
	return &base.Response{StatusCode: base.StatusOK}, c.stream(), nil
}

// OnSetup implements gortsplib.ServerHandlerOnSetup. Cameras check the
// credentials again at SETUP; so does this one.
func (h *handler) OnSetup(ctx *gortsplib.ServerHandlerOnSetupCtx) (*base.Response, *gortsplib.ServerStream, error) {
	c := (*Camera)(h)
	if res, err := c.check(ctx.Conn, ctx.Request, ctx.Path, ctx.Query); res != nil {
		return res, nil, err
	}
	return &base.Response{StatusCode: base.StatusOK}, c.stream(), nil
}

// OnPlay implements gortsplib.ServerHandlerOnPlay.
func (h *handler) OnPlay(ctx *gortsplib.ServerHandlerOnPlayCtx) (*base.Response, error) {
	if _, loaded := h.players.LoadOrStore(ctx.Session, struct{}{}); !loaded {
		h.playing.Add(1)
	}
	return &base.Response{StatusCode: base.StatusOK}, nil
}

// OnSessionClose implements gortsplib.ServerHandlerOnSessionClose.
func (h *handler) OnSessionClose(ctx *gortsplib.ServerHandlerOnSessionCloseCtx) {
	if _, ok := h.players.LoadAndDelete(ctx.Session); ok {
		h.playing.Add(-1)
	}
}

// OnResponse implements gortsplib.ServerHandlerOnResponse: it sets the
// Server header, which probes record.
func (h *handler) OnResponse(_ *gortsplib.ServerConn, res *base.Response) {
	res.Header["Server"] = base.HeaderValue{h.opts.Server}
}

// check answers the request itself when credentials are missing or wrong,
// the path is not the camera's, or the camera plays NotFound; it returns a
// nil response when the request may proceed.
func (c *Camera) check(conn *gortsplib.ServerConn, req *base.Request, path, query string) (*base.Response, error) {
	<-c.ready
	if c.opts.Query != "" && query != c.opts.Query {
		return &base.Response{StatusCode: base.StatusUnauthorized}, nil
	}
	if c.opts.Username != "" && !conn.VerifyCredentials(req, c.opts.Username, c.opts.Password) {
		// ErrServerAuth makes gortsplib add WWW-Authenticate to a first
		// attempt and close the connection after a wrong one.
		return &base.Response{StatusCode: base.StatusUnauthorized}, liberrors.ErrServerAuth{}
	}
	// SETUP paths carry the track's control suffix.
	if path != c.opts.Path && !strings.HasPrefix(path, c.opts.Path+"/") {
		return &base.Response{StatusCode: base.StatusNotFound}, nil
	}
	if c.Behavior() == NotFound {
		return &base.Response{StatusCode: base.StatusNotFound}, nil
	}
	return nil, nil
}

func (c *Camera) stream() *gortsplib.ServerStream {
	if c.Behavior() == AudioOnly {
		return c.audio
	}
	return c.video
}
