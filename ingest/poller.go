package ingest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// Prober checks one camera; camera/rtsp's *Prober is the real one. The
// deadline comes from ctx. A result with state unknown (a cancelled probe)
// is ignored.
type Prober interface {
	Probe(ctx context.Context, url string, deep bool) camera.ProbeResult
}

// ProberFunc adapts a function to Prober.
type ProberFunc func(ctx context.Context, url string, deep bool) camera.ProbeResult

// Probe calls f.
func (f ProberFunc) Probe(ctx context.Context, url string, deep bool) camera.ProbeResult {
	return f(ctx, url, deep)
}

// Store is what the poller needs of the registry.
type Store interface {
	ForEachCamera(ctx context.Context, fn func(*camera.Camera) error) error
	ForEachHealth(ctx context.Context, fn func(camera.Health) error) error
	RecordHealth(ctx context.Context, current []camera.Health, transitions []camera.Transition) error
}

var _ Store = (*registry.Store)(nil)

// Options are the poller's dependencies and configuration. Prober and
// Store are required.
type Options struct {
	Config Config
	Prober Prober
	Store  Store
	// Clock is RealClock when nil.
	Clock Clock
	// Logger discards when nil.
	Logger *slog.Logger
	// Registerer receives the poller's metrics; a private registry when
	// nil.
	Registerer prometheus.Registerer
	// HTTPClient delivers webhooks; nil means a client with
	// Config.WebhookTimeout. Either way redirects are not followed: the
	// poller uses a copy of the client with its own CheckRedirect.
	HTTPClient *http.Client
	// OnTransition, when set, is called with every confirmed state change,
	// in order, so that in-memory views (the spatial index's live
	// coverage) follow the health without polling the store. It is called
	// with the poller's lock held: it must be quick and must not call back
	// into the poller.
	OnTransition func(camera.Transition)
	// Owns, when set, says whether this node polls camera id: in cluster
	// mode, whether it is the live node with the highest rendezvous hash
	// for the camera. The poller probes, counts and records only the
	// cameras it owns; call Reshard when the answers may have changed.
	// nil owns every camera (a single node). It is called with the
	// poller's lock held: it must be quick and must not call back into
	// the poller.
	Owns func(id string) bool
}

// Poller probes every active camera on a schedule and records what it
// finds. Create it with New, Start it once, Stop it once; Upsert, Remove
// and Sync may be called at any time, from any goroutine, and never block
// on probes or on the store (Sync reads the store).
type Poller struct {
	cfg    Config
	prober Prober
	store  Store
	clock  Clock
	log    *slog.Logger
	m      *metrics
	rec    *recorder
	hooks  *webhooks

	// intervals are the distinct probe intervals (Config.Interval and
	// Config.Intervals), indexed by entry.interval; intervalIndexes is
	// its inverse. Both are fixed by New.
	intervals       []time.Duration
	intervalIndexes map[time.Duration]uint16

	mu      sync.Mutex
	entries entryIndex                    // by id
	cancels map[*entry]context.CancelFunc // of the probes running
	sched   schedHeap
	lanes   [2]lane
	seq     uint64            // counts Upserts and Removes, for Sync
	tomb    map[string]uint64 // id → seq of its Remove, for Sync
	retired map[string]bool   // ids this poller recorded as not probed (retired, or without a URL)
	loading bool              // a load (Start, Sync, Load) is reading the store
	loaded  bool              // a load has completed: Start need not read the store
	state   int               // 0 new, 1 running, 2 stopped
	ctx     context.Context   // nil before Start
	cancel  context.CancelFunc

	wake     chan struct{} // cap 1: the heap's head changed
	syncMu   sync.Mutex    // one Sync at a time
	wg       sync.WaitGroup
	stopOnce sync.Once

	// onStart, when set (by tests), is called as each probe starts.
	onStart func(id string, due, started time.Time)
	// onTransition is Options.OnTransition.
	onTransition func(camera.Transition)
	// owns is Options.Owns (see shard.go).
	owns func(id string) bool
}

const (
	stateNew = iota
	stateRunning
	stateStopped
)

// New checks the configuration and builds a poller. Nothing runs before
// Start.
func New(opts Options) (*Poller, error) {
	if opts.Prober == nil || opts.Store == nil {
		return nil, errors.New("ingest: a Prober and a Store are required")
	}
	cfg, err := opts.Config.withDefaults()
	if err != nil {
		return nil, err
	}
	if opts.Clock == nil {
		opts.Clock = RealClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Registerer == nil {
		opts.Registerer = prometheus.NewRegistry()
	}
	m, err := newMetrics(opts.Registerer, cfg.PerCameraMetric)
	if err != nil {
		return nil, err
	}
	p := &Poller{
		cfg:     cfg,
		prober:  opts.Prober,
		store:   opts.Store,
		clock:   opts.Clock,
		log:     opts.Logger,
		m:       m,
		entries: newEntryIndex(),
		cancels: map[*entry]context.CancelFunc{},
		tomb:    map[string]uint64{},
		retired: map[string]bool{},
		wake:    make(chan struct{}, 1),

		onTransition: opts.OnTransition,
		owns:         opts.Owns,
	}
	p.setIntervals()
	p.lanes[0].limit, p.lanes[1].limit = cfg.Concurrency, cfg.SlowConcurrency
	p.rec = newRecorder(opts.Store, opts.Logger, m, opts.Clock, cfg.FlushInterval, cfg.FlushMax)
	p.hooks = newWebhooks(cfg, opts.HTTPClient, opts.Clock, opts.Logger, m)
	return p, nil
}

// Start loads every camera and its last known health from the store,
// unless Load or Sync has already, and starts probing. The poller runs
// until ctx is done or Stop is called; either way call Stop to wait for
// it. It may be called once.
func (p *Poller) Start(ctx context.Context) error {
	p.mu.Lock()
	if p.state != stateNew {
		p.mu.Unlock()
		return errors.New("ingest: poller already started")
	}
	loaded := p.loaded
	p.mu.Unlock()

	if !loaded {
		if err := p.Sync(ctx); err != nil {
			return err
		}
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != stateNew { // Stop was called while loading
		return errors.New("ingest: poller stopped while starting")
	}
	p.ctx, p.cancel = context.WithCancel(ctx)
	p.state = stateRunning
	p.wg.Add(2)
	go p.schedule(p.ctx)
	go func() {
		defer p.wg.Done()
		p.rec.run(p.ctx)
	}()
	p.hooks.start(p.ctx, &p.wg)
	p.log.Info("health poller started", slog.Int("cameras", p.entries.len()), slog.Duration("interval", p.cfg.Interval))
	return nil
}

// Stop cancels the probes in flight, stops scheduling, writes the results
// not yet written and waits for every goroutine of the poller. Webhook
// events not yet delivered are dropped. It may be called more than once,
// and before Start.
func (p *Poller) Stop() {
	p.stopOnce.Do(func() {
		p.mu.Lock()
		p.state = stateStopped
		cancel := p.cancel
		p.mu.Unlock()
		if cancel != nil {
			cancel()
		}
		p.wg.Wait()
		p.hooks.close()
	})
}

// setIntervals builds the table of distinct intervals from the
// configuration (checked by withDefaults: at most 65,536 of them).
func (p *Poller) setIntervals() {
	p.intervals, p.intervalIndexes = nil, map[time.Duration]uint16{}
	add := func(d time.Duration) {
		if _, ok := p.intervalIndexes[d]; !ok {
			p.intervalIndexes[d] = uint16(len(p.intervals))
			p.intervals = append(p.intervals, d)
		}
	}
	add(p.cfg.Interval)
	for _, d := range p.cfg.Intervals {
		add(d)
	}
}

// intervalIndex returns the index in p.intervals of camera id's interval.
func (p *Poller) intervalIndex(id string) uint16 {
	return p.intervalIndexes[p.cfg.intervalOf(id)]
}

// Current returns the poller's view of a camera's health (fresher than
// the store's by up to FlushInterval), and whether it is scheduled. The
// poller does not keep the last probe's details: LastProbe is the latest
// result not yet written, else the stored one (when the Store can read
// one camera's health, as *registry.Store does).
func (p *Poller) Current(id string) (camera.Health, bool) {
	p.mu.Lock()
	e := p.entries.get(id)
	if e == nil || e.has(fRemoved) {
		p.mu.Unlock()
		return camera.Health{}, false
	}
	h := e.track.health(id)
	probed := e.has(fProbed)
	p.mu.Unlock()
	if probed {
		h.LastProbe = p.rec.lastProbe(context.Background(), id)
	}
	return h, true
}
