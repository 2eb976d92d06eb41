package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/registry"
)

// Defaults for Options.
const (
	DefaultBodyLimit   = 1 << 20   // 1 MiB: a camera's JSON is under 2 KiB
	DefaultImportLimit = 256 << 20 // 256 MiB: about a million CSV rows
)

// Store is what the API needs of the registry.
type Store interface {
	CreateCamera(ctx context.Context, c *camera.Camera, actor camera.Actor) error
	GetCamera(ctx context.Context, id string) (*camera.Camera, error)
	ReplaceCamera(ctx context.Context, c *camera.Camera, keepCredentials bool, actor camera.Actor) (bool, error)
	UpdateCamera(ctx context.Context, id, action string, actor camera.Actor, fn func(*camera.Camera) error) (*camera.Camera, error)
	DeleteCamera(ctx context.Context, id string, actor camera.Actor) error
	ListCameras(ctx context.Context, after string, limit int, keep func(*camera.Camera) bool) ([]*camera.Camera, string, error)
	ForEachCamera(ctx context.Context, fn func(*camera.Camera) error) error
	Import(ctx context.Context, cams []*camera.Camera, opts registry.ImportOptions, actor camera.Actor) (registry.ImportResult, error)
	CreateToken(ctx context.Context, spec registry.TokenSpec, actor camera.Actor) (registry.Token, string, error)
	LookupToken(ctx context.Context, secret string) (registry.Token, error)
	ListTokens(ctx context.Context) ([]registry.Token, error)
	RevokeToken(ctx context.Context, id string, actor camera.Actor) (registry.Token, error)
	QueryAudit(ctx context.Context, q registry.AuditQuery) ([]registry.AuditEntry, uint64, error)
	WriteBackup(w io.Writer, size func(int64)) (int64, error)
	RecordBackup(ctx context.Context, actor camera.Actor, name string, size int64) error
	RecordSnapshot(ctx context.Context, actor camera.Actor, name string, size int64) error
}

var _ Store = (*registry.Store)(nil)

// Options configure a Server. Store and every one of Capabilities are
// required.
type Options struct {
	Store Store
	// Capabilities are the rest of the store, by the routes that need
	// each part (capabilities.go).
	Capabilities Capabilities

	Logger      *slog.Logger
	Registry    *prometheus.Registry // the daemon's own metrics registry; /metrics serves it
	AdminToken  string               // value of MATTHAN_ADMIN_TOKEN; "" = none
	BodyLimit   int64                // max JSON body bytes
	ImportLimit int64                // max import body bytes
	Now         func() time.Time
	// Location is the time zone of the people who use the daemon: the
	// summary's window is answered in it, "today" (the latest date a
	// donation may have) and the months of the incident counts are its
	// own. UTC when nil; the daemon passes its timezone setting
	// (Asia/Ho_Chi_Minh by default).
	Location *time.Location
	// Observers follow camera writes (the poller). The spatial index
	// (Geo) follows them without being listed here.
	Observers []CameraObserver
	// StoreNotifies says the store itself tells the spatial index and
	// the observers of every camera write, in the order it applies them,
	// before the write returns (cluster mode: replica.Applier.Observe,
	// which sees the writes of every node). The API then tells nobody: a
	// second, later notice of its own could undo a change another node
	// made in between.
	StoreNotifies bool
	// Geo is the spatial index of active cameras with the reference
	// layers; nil leaves the geo and coverage routes out.
	Geo *geo.Index
	// IncidentCounter, when set, returns a function counting incidents
	// near a point, used to rank coverage gaps.
	IncidentCounter func() func(lat, lon float64) int
	// LayerLimits bound each layer import (see geo.Limits; zero fields
	// take the defaults).
	LayerLimits geo.Limits

	// Evidence clips (clips.go), kept for the incidents of
	// Capabilities.Incidents; nil leaves the clip routes out.
	Clips           ClipService
	ClipLimit       int64            // largest clip upload; DefaultClipLimit when 0
	IncidentMetrics IncidentRecorder // counts created incidents; nil = none

	// Console is the web console (package web), mounted on the same
	// engine; nil serves the API alone. People sign in to it with the
	// users and sessions of Capabilities.
	Console Console
	// SessionLimits bound console sessions; registry.DefaultSessionLimits
	// when zero.
	SessionLimits registry.SessionLimits

	// The HTTP edge: who the client is, how many failed authentications
	// it may make (auth.go, throttle.go), how long its body may take
	// (deadline.go). Zero values take the defaults.
	TrustedProxies   []netip.Prefix // proxies whose X-Forwarded-For names the client; none by default
	AuthFailureLimit int            // failed authentications per address per minute; DefaultAuthFailureLimit
	BodyTimeout      time.Duration  // a JSON body's whole time; DefaultBodyTimeout
	MinUploadRate    int64          // bytes a second an upload must average after UploadGrace; DefaultMinUploadRate
	UploadGrace      time.Duration  // DefaultUploadGrace

	// Settings, when set, answers GET /api/v1/settings (admins): the
	// daemon's effective configuration, built by the caller with every
	// secret left out (the api package does not know the config's
	// shape). nil leaves the route out.
	Settings func() any

	// Tips and TipSealer are the hotline tips (tips.go): the store of
	// tips and the sealer of their informants, given together or not at
	// all (New refuses one without the other: an informant must never
	// reach the store unsealed). nil leaves the tip routes out.
	Tips      TipStore
	TipSealer TipSealer

	// CameraNetworks is the network policy of the daemon's connections
	// to cameras: a camera whose rtsp_url is an IP address it forbids is
	// refused (400 naming rtsp_url) when created, replaced, patched or
	// imported (camera_networks.go). nil allows every address.
	CameraNetworks *camera.NetPolicy

	// Snapshots, in cluster mode, lets a node of the cluster that joins
	// copy this node's registry: GET /api/v1/cluster/snapshot with a
	// ticket it checks (snapshot.go). nil leaves the route out.
	Snapshots SnapshotTickets
}

// Console is the web console served beside the API: its pages at their
// paths, and its answer to a path that is no route (outside /api/ and
// /tiles/, which keep answering problem details).
type Console interface {
	Mount(e *gin.Engine, viewer func(r *http.Request) (user camera.User, csrf string, ok bool))
	NotFound(c *gin.Context)
}

// Server is the HTTP API. Create it with New.
type Server struct {
	store       Store
	log         *slog.Logger
	reg         *prometheus.Registry
	adminHash   string
	bodyLimit   int64
	importLimit int64
	now         func() time.Time // in loc
	loc         *time.Location
	ready       atomic.Bool
	metrics     *httpMetrics
	engine      *gin.Engine
	observers   []CameraObserver
	health      HealthStore
	history     StatesAtStore
	costs       CostStore
	layers      LayerStore
	geo         *geo.Index

	incidentCounter func() func(lat, lon float64) int
	layerLimits     geo.Limits
	layerImports    *prometheus.CounterVec
	// layerHook is called at the stages of a layer import ("read",
	// "built", "end"); tests use it to hold an import at a stage.
	layerHook func(ctx context.Context, layer, stage string)

	incidents       IncidentStore
	donations       DonationStore
	statements      StatementStore  // public statements (statements.go); nil without
	statementCache  *statementCache // answers of the open statement route
	lastBackup      *backupGauge
	uptime          UptimeStore
	clips           ClipService
	clipLimit       int64
	incidentMetrics IncidentRecorder
	playback        *playbackGrants

	console        Console
	sessions       SessionStore
	users          UserStore
	sessionLimits  registry.SessionLimits
	trustedProxies []netip.Prefix
	authThrottle   *Throttle
	authFailures   *prometheus.CounterVec
	bodyTimeout    time.Duration
	minUploadRate  int64
	uploadGrace    time.Duration
	cameraNetworks *camera.NetPolicy
	settings       func() any
	snapshots      SnapshotTickets
	tips           TipStore
	tipSealer      TipSealer
	tipsRecorded   *prometheus.CounterVec
	openapi        func() ([]byte, error) // the description as JSON, made once when first asked (openapi.go)
}

// New builds the server and its routes. It refuses Options without a
// store or with a capability missing, naming what is missing.
func New(o Options) (*Server, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	if o.BodyLimit <= 0 {
		o.BodyLimit = DefaultBodyLimit
	}
	if o.ImportLimit <= 0 {
		o.ImportLimit = DefaultImportLimit
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	clock, loc := o.Now, o.Location
	if o.BodyTimeout <= 0 {
		o.BodyTimeout = DefaultBodyTimeout
	}
	if o.MinUploadRate <= 0 {
		o.MinUploadRate = DefaultMinUploadRate
	}
	if o.UploadGrace <= 0 {
		o.UploadGrace = DefaultUploadGrace
	}
	s := &Server{
		store:       o.Store,
		log:         o.Logger,
		reg:         o.Registry,
		bodyLimit:   o.BodyLimit,
		importLimit: o.ImportLimit,
		now:         func() time.Time { return clock().In(loc) },
		loc:         loc,
		metrics:     newHTTPMetrics(o.Registry),
		observers:   o.Observers,
		geo:         o.Geo,

		health:     o.Capabilities.Health,
		history:    o.Capabilities.History,
		uptime:     o.Capabilities.Uptime,
		costs:      o.Capabilities.Costs,
		layers:     o.Capabilities.Layers,
		incidents:  o.Capabilities.Incidents,
		donations:  o.Capabilities.Donations,
		statements: o.Capabilities.Statements,
		sessions:   o.Capabilities.Sessions,
		users:      o.Capabilities.Users,

		incidentCounter: o.IncidentCounter,
		layerLimits:     o.LayerLimits,
		layerHook:       func(context.Context, string, string) {},

		clips:           o.Clips,
		clipLimit:       o.ClipLimit,
		incidentMetrics: o.IncidentMetrics,
		playback:        newPlaybackGrants(DefaultPlaybackIdle, DefaultPlaybackMax),

		console:        o.Console,
		sessionLimits:  o.SessionLimits,
		trustedProxies: o.TrustedProxies,
		authThrottle:   NewThrottle(ThrottleOptions{Limit: o.AuthFailureLimit, Now: o.Now}),
		authFailures:   newAuthFailures(o.Registry),
		bodyTimeout:    o.BodyTimeout,
		minUploadRate:  o.MinUploadRate,
		uploadGrace:    o.UploadGrace,
		cameraNetworks: o.CameraNetworks,
		settings:       o.Settings,
		snapshots:      o.Snapshots,
		tips:           o.Tips,
		tipSealer:      o.TipSealer,
	}
	if s.sessionLimits.Idle <= 0 || s.sessionLimits.Max <= 0 {
		s.sessionLimits = registry.DefaultSessionLimits
	}
	if s.clipLimit <= 0 {
		s.clipLimit = DefaultClipLimit
	}
	s.statementCache = newStatementCache()
	s.reg.MustRegister(newFundingCollector(s.donations, s.now))
	s.lastBackup = newBackupGauge()
	s.reg.MustRegister(s.lastBackup)
	switch {
	case o.StoreNotifies:
		s.observers = nil
	case s.geo != nil:
		s.observers = append([]CameraObserver{geoObserver{s}}, s.observers...)
	}
	if s.geo != nil {
		s.reg.MustRegister(newCoverageCollector(s.geo))
		s.layerImports = newLayerImports(s.reg)
	}
	if s.tips != nil {
		s.tipsRecorded = newTipMetrics(s.reg)
	}
	if o.AdminToken != "" {
		s.adminHash = registry.HashToken(o.AdminToken)
	}
	s.openapi = sync.OnceValues(OpenAPI)
	s.engine = s.routes()
	return s, nil
}

// Handler returns the root HTTP handler.
func (s *Server) Handler() http.Handler { return s.engine }

// SetReady sets what /readyz answers: 503 until the daemon has opened its
// store and built what it serves from.
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

func (s *Server) routes() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	// gin trusts every proxy by default: any client could name itself
	// in X-Forwarded-For and escape the throttle. Only the configured
	// proxies are trusted (none by default), so ClientIP is the peer's
	// address unless a listed proxy forwarded the request.
	proxies := make([]string, len(s.trustedProxies))
	for i, p := range s.trustedProxies {
		proxies[i] = p.String()
	}
	if err := e.SetTrustedProxies(proxies); err != nil {
		panic(err) // netip.Prefix.String always parses
	}
	e.Use(s.recoverer(), s.metrics.middleware(), s.hsts(), s.bodyDeadline())
	e.NoRoute(func(c *gin.Context) {
		if p := c.Request.URL.Path; s.console != nil && (c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead) &&
			!strings.HasPrefix(p, "/api/") && !strings.HasPrefix(p, "/tiles/") {
			s.console.NotFound(c)
			return
		}
		s.writeError(c, camera.Errorf(camera.ENOTFOUND, "", "no route %s %s", c.Request.Method, c.Request.URL.Path))
	})
	e.NoMethod(func(c *gin.Context) {
		c.Abort()
		writeJSON(c, http.StatusMethodNotAllowed, ProblemContentType, Problem{
			Type: "urn:matthan:problem:method_not_allowed", Title: http.StatusText(http.StatusMethodNotAllowed),
			Status: http.StatusMethodNotAllowed, Detail: "method " + c.Request.Method + " is not allowed on " + c.Request.URL.Path,
			Instance: c.Request.URL.Path,
		})
	})

	e.GET("/healthz", func(c *gin.Context) { ok(c, http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", gin.WrapH(promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg})))
	e.GET("/api/v1/openapi.json", s.openAPIDescription)

	v1 := e.Group("/api/v1", s.authenticate())
	all := []camera.Role{camera.RoleAdmin, camera.RolePolice, camera.RolePlanner, camera.RoleFundraiser}
	watchers := []camera.Role{camera.RoleAdmin, camera.RolePolice, camera.RolePlanner}
	editors := []camera.Role{camera.RoleAdmin, camera.RolePolice}
	admin := []camera.Role{camera.RoleAdmin}

	v1.GET("/cameras", s.allow(all...), s.listCameras)
	v1.POST("/cameras", s.allow(editors...), s.createCamera)
	v1.POST("/cameras/import", s.allow(editors...), s.importCameras)
	v1.GET("/cameras/export", s.allow(all...), s.exportCameras)
	v1.GET("/cameras/:id", s.allow(all...), s.getCamera)
	v1.PUT("/cameras/:id", s.allow(editors...), s.replaceCamera)
	v1.PATCH("/cameras/:id", s.allow(editors...), s.patchCamera)
	v1.DELETE("/cameras/:id", s.allow(editors...), s.deleteCamera)
	v1.POST("/cameras/:id/retire", s.allow(editors...), s.retireCamera)

	v1.GET("/cameras/:id/health", s.allow(watchers...), s.cameraHealthView)
	v1.GET("/health", s.allow(watchers...), s.listHealth)
	v1.GET("/health/summary", s.allow(all...), s.healthSummary)

	if s.geo != nil {
		v1.GET("/cameras/near", s.allow(all...), s.near)
		v1.GET("/cameras/nearest", s.allow(all...), s.nearest)
		v1.GET("/cameras/within", s.allow(all...), s.withinBox)
		v1.POST("/cameras/within", s.allow(all...), s.withinPolygon)
		v1.GET("/cameras/seeing", s.allow(watchers...), s.seeing)
		e.GET("/api/v1/cameras.geojson", s.authenticate(), s.allow(all...), s.camerasGeoJSON)
		e.GET("/api/v1/fov.geojson", s.authenticate(), s.allow(all...), s.fovGeoJSON)
		e.GET("/tiles/:z/:x/:y", s.authenticate(), s.allow(all...), s.tile)
		mappers := []camera.Role{camera.RoleAdmin, camera.RolePolice, camera.RolePlanner}
		v1.POST("/intersections/import", s.allow(mappers...), s.importIntersections)
		v1.POST("/communes/import", s.allow(mappers...), s.importCommunes)
		v1.GET("/coverage", s.allow(all...), s.coverage)
		v1.GET("/coverage/gaps", s.allow(mappers...), s.gaps)
		v1.GET("/coverage/suggest", s.allow(mappers...), s.suggestCameras)
		v1.GET("/intersections", s.allow(mappers...), s.listIntersections)
		v1.GET("/map", s.allow(all...), s.mapOverview)
		v1.GET("/communes", s.allow(all...), s.listCommunes)
	}

	// Planners and fundraisers see aggregated counts only: no incident,
	// note, case reference or clip.
	v1.GET("/incidents/counts", s.allow(all...), s.incidentCounts)
	v1.GET("/incidents", s.allow(editors...), s.listIncidents)
	v1.POST("/incidents", s.allow(editors...), s.createIncident)
	v1.POST("/incidents/import", s.allow(editors...), s.importIncidents)
	v1.GET("/incidents/:id", s.allow(editors...), s.getIncident)
	v1.PATCH("/incidents/:id", s.allow(editors...), s.patchIncident)
	if s.clips != nil {
		v1.GET("/incidents/:id/clips", s.allow(editors...), s.incidentClips)
		v1.POST("/incidents/:id/clips", s.allow(editors...), s.addClip)
		v1.GET("/clips/:id", s.allow(editors...), s.downloadClip)
		v1.GET("/clips/:id/verify", s.allow(editors...), s.verifyClip)
		v1.GET("/clips/:id/custody", s.allow(editors...), s.clipCustody)
		// Watching in a browser: one reason, one "view" entry, then
		// ranges for a while (playback.go).
		v1.POST("/clips/:id/playback", s.allow(editors...), s.grantPlayback)
		v1.GET("/clips/:id/playback/:grant", s.allow(editors...), s.playClip)
		v1.HEAD("/clips/:id/playback/:grant", s.allow(editors...), s.playClip)
	}

	if s.tips != nil {
		// Hotline tips: police and admins see them, never an informant's
		// details; everyone sees the counts. The sealed informant comes
		// out only with a reason, audited first (tips.go).
		v1.GET("/tips/counts", s.allow(all...), s.tipCounts)
		v1.GET("/tips", s.allow(editors...), s.listTips)
		v1.POST("/tips", s.allow(editors...), s.createTip)
		v1.GET("/tips/:id", s.allow(editors...), s.getTip)
		v1.PATCH("/tips/:id", s.allow(editors...), s.patchTip)
		v1.POST("/tips/:id/informant", s.allow(editors...), s.tipInformant)
		if s.geo != nil {
			v1.GET("/tips/:id/seeing", s.allow(editors...), s.tipSeeing)
		}
	}

	funders := []camera.Role{camera.RoleAdmin, camera.RoleFundraiser}
	v1.POST("/donations", s.allow(funders...), s.createDonation)
	v1.GET("/donations", s.allow(funders...), s.listDonations)
	v1.POST("/donations/import", s.allow(funders...), s.importDonations)
	v1.GET("/donations/:id", s.allow(funders...), s.getDonation)
	// Corrections belong to whoever keeps the ledger: a fundraiser finds
	// the gift typed twice and enters it again, as they entered it; every
	// deletion is audited with its reason and the whole record.
	v1.DELETE("/donations/:id", s.allow(funders...), s.deleteDonation)
	// A donor's consent to be named on the public statement, the one
	// field of a stored gift that changes in place (audited).
	v1.PATCH("/donations/:id", s.allow(funders...), s.patchDonation)
	v1.GET("/donations/series", s.allow(funders...), s.donationSeries)
	v1.GET("/funding", s.allow(funders...), s.funding)
	// Admins publish a commune's statement; anyone reads it, without
	// credentials, and nothing else (statements.go).
	v1.GET("/statements", s.allow(funders...), s.listPublications)
	v1.PUT("/statements/:commune", s.allow(admin...), s.publish)
	v1.DELETE("/statements/:commune", s.allow(admin...), s.unpublish)
	e.GET("/api/v1/public/statements/:slug", s.publicStatement)

	v1.GET("/reports/summary", s.allow(all...), s.summary)

	e.POST("/api/v1/session", s.signIn)
	v1.GET("/session", s.allow(all...), s.currentSession)
	v1.DELETE("/session", s.allow(all...), s.signOut)

	v1.POST("/users", s.allow(admin...), s.createUser)
	v1.GET("/users", s.allow(admin...), s.listUsers)
	v1.GET("/users/:name", s.allow(admin...), s.getUser)
	v1.PATCH("/users/:name", s.allow(admin...), s.patchUser)

	if s.console != nil {
		s.console.Mount(e, s.Viewer)
	}

	v1.POST("/tokens", s.allow(admin...), s.createToken)
	v1.GET("/tokens", s.allow(admin...), s.listTokens)
	v1.DELETE("/tokens/:id", s.allow(admin...), s.revokeToken)
	v1.GET("/audit", s.allow(admin...), s.listAudit)
	v1.GET("/backup", s.allow(admin...), s.backup)
	if s.snapshots != nil {
		// Another node's ticket, not a user's token (snapshot.go).
		e.GET("/api/v1/cluster/snapshot", s.clusterSnapshot)
	}
	if s.settings != nil {
		v1.GET("/settings", s.allow(admin...), s.getSettings)
	}
	return e
}

func (s *Server) readyz(c *gin.Context) {
	if !s.ready.Load() {
		s.writeError(c, camera.Errorf(camera.EUNAVAILABLE, "", "not ready"))
		return
	}
	ok(c, http.StatusOK, map[string]string{"status": "ready"})
}

// hsts tells browsers that came over HTTPS to use nothing else for a
// year (RFC 6797). A request over plain HTTP gets no such header: behind
// a TLS-terminating proxy, the proxy sends it.
func (s *Server) hsts() gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.TLS != nil {
			c.Header("Strict-Transport-Security", "max-age=31536000")
		}
		c.Next()
	}
}

// recoverer turns a panic in a handler into a logged 500 instead of a
// dropped connection; the daemon keeps serving.
func (s *Server) recoverer() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.log.Error("panic in handler", slog.String("route", c.FullPath()), slog.Any("panic", r))
				if !c.Writer.Written() {
					s.writeError(c, camera.Errorf(camera.EINTERNAL, "", "internal error"))
				}
			}
		}()
		c.Next()
	}
}
