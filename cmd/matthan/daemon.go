package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/ingest"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/web"
)

// daemon is the store, the health poller, the API and the HTTP server
// wired together: what serve and demo share. Its life is openDaemon,
// start, then stop.
type daemon struct {
	cfg    *config
	log    *slog.Logger
	store  daemonStore    // the registry, or in cluster mode the replicated store
	poller *ingest.Poller // nil when poller.enabled is false
	api    *api.Server
	ln     net.Listener
	srv    *http.Server
	served chan error // what srv.Serve returned
	// tls is set when the daemon serves HTTPS with the certificate in
	// srv.TLSConfig. srv.TLSConfig cannot tell: Serve sets one of its
	// own (for HTTP/2) on a plain HTTP server too.
	tls bool

	evidence *evidenceParts
	// cluster is this node's place in the cluster; nil on a single node.
	cluster *clusterNode
	// background jobs run beside the server (retention, the demo's
	// captures); stop cancels them and waits for them before it closes
	// the store.
	background []func(ctx context.Context)
	bgCancel   context.CancelFunc
	bgDone     sync.WaitGroup
}

// openDaemon opens the database and the listening socket, and builds the
// API; it does not serve yet, so that demo can load its data first. On
// error nothing is left open.
func openDaemon(cfg *config, log *slog.Logger) (*daemon, error) {
	// The certificate is checked first: a daemon that cannot serve
	// HTTPS as configured must not start on plain HTTP.
	tlsCfg, err := cfg.serverTLS()
	if err != nil {
		return nil, err
	}
	if tlsCfg != nil {
		if leaf := tlsCfg.Certificates[0].Leaf; leaf != nil && time.Now().After(leaf.NotAfter) {
			log.Warn("the TLS certificate has expired: clients will refuse it", slog.String("cert_file", cfg.TLS.CertFile), slog.Time("not_after", leaf.NotAfter))
		}
	}
	// The clock reads in the users' zone: the store and the API take
	// "today" (a donation's latest date) from its date.
	loc := cfg.location()
	now := func() time.Time { return time.Now().In(loc) }
	local, err := registry.Open(cfg.DB, registry.Options{Now: now})
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(buildInfo())
	if cfg.Metrics.Runtime {
		reg.MustRegister(
			collectors.NewGoCollector(),
			collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		)
	}
	// In cluster mode the node connects to etcd first, copies a peer's
	// registry when it must (cluster_join.go), catches up with the
	// cluster's command log, and serves the replicated store, whose
	// writes go through the log (replicate.go). Its poller loads the
	// cameras it will own, and only then does it join the live set
	// (cluster.go).
	var store daemonStore = local
	var node *clusterNode
	var owns func(string) bool
	var ln net.Listener // in cluster mode, bound before the node joins
	if cfg.clustered() {
		// The socket is bound first, so that an advertise URL with port 0
		// can name the port the system gave (tests, the cluster demo);
		// connections wait in its backlog until the node serves.
		if ln, err = net.Listen("tcp", cfg.Listen); err != nil {
			_ = local.Close()
			return nil, fmt.Errorf("listen: %w", err)
		}
		cfg.Cluster.AdvertiseURL = advertiseAt(cfg.Cluster.AdvertiseURL, ln.Addr())
		if node, err = connectCluster(context.Background(), cfg, reg, log); err != nil {
			_ = ln.Close()
			_ = local.Close()
			return nil, err
		}
		// abandon undoes the start so far: the node leaves the cluster,
		// the store serving (or the registry, when one is open) and the
		// socket close.
		var serving daemonStore
		abandon := func(err error) (*daemon, error) {
			if lerr := node.leave(); lerr != nil {
				log.Warn("leave the cluster", slog.Any("err", lerr))
			}
			if serving != nil {
				_ = serving.Close()
			} else if local != nil {
				_ = local.Close()
			}
			_ = ln.Close()
			return nil, err
		}
		// An empty node, or one the log was compacted past, starts from
		// a live peer's copy (cluster_join.go).
		reopen := func() (*registry.Store, error) { return registry.Open(cfg.DB, registry.Options{Now: now}) }
		if local, err = node.startLocal(context.Background(), local, reopen); err != nil {
			return abandon(err)
		}
		if serving, err = node.serveStore(context.Background(), local); err != nil {
			return abandon(err)
		}
		store = serving
		// Caught up: the poller loads the share the node will own once
		// it joins the live set, which it does once loaded (below); the
		// others poll those cameras meanwhile.
		if err = node.presumeLive(context.Background()); err != nil {
			return abandon(err)
		}
		owns = node.owns
	}
	opened := false
	defer func() {
		if !opened && ln != nil {
			_ = ln.Close()
		}
		if !opened && node != nil {
			if err := node.leave(); err != nil {
				log.Warn("leave the cluster", slog.Any("err", err))
			}
		}
	}()
	// The poller's confirmed changes move the index's live coverage. The
	// poller exists first, so that the index's scan of the cameras loads
	// it too; the transitions its load records (cameras retired while no
	// poller ran) are of cameras the index leaves out anyway.
	var live atomic.Pointer[geo.Index]
	onTransition := func(tr camera.Transition) {
		// A camera deleted meanwhile is simply not in the index.
		if index := live.Load(); index != nil {
			_ = index.SetState(tr.CameraID, tr.To)
		}
	}
	poller, err := newPoller(cfg, store, reg, log, onTransition, owns)
	if err != nil {
		_ = store.Close()
		return nil, fmt.Errorf("health poller: %w", err)
	}
	// The spatial index is built before the daemon listens: every query
	// and the coverage metrics read it. With a million cameras this is the
	// longest part of the start (see the README's performance section).
	started := time.Now()
	index, err := loadIndexAndPoller(context.Background(), store, poller)
	if err != nil {
		if poller != nil {
			poller.Stop()
		}
		_ = store.Close()
		return nil, err
	}
	live.Store(index)
	log.Info("spatial index ready", slog.Int("cameras", index.Len()), slog.Bool("poller_loaded", poller != nil), slog.Duration("took", time.Since(started)))
	// The poller follows camera writes through the API, so that a new
	// camera, a changed URL or a deletion takes effect without a restart
	// (in cluster mode through the log instead: StoreNotifies below).
	var observers []api.CameraObserver
	if poller != nil {
		observers = append(observers, poller)
	}
	ev, err := openEvidence(context.Background(), cfg, store, reg, log)
	if err != nil {
		if poller != nil {
			poller.Stop()
		}
		_ = store.Close()
		return nil, err
	}
	gaps := &incidentCounter{store: store, log: log, now: time.Now}
	var console api.Console
	if cfg.Console.Enabled {
		wc, err := web.New(web.Options{Location: loc, TileURL: cfg.Console.TileURL, TileAttribution: cfg.Console.TileAttribution, Logger: log, Tips: cfg.Tips.Enabled})
		if err != nil {
			if poller != nil {
				poller.Stop()
			}
			_ = store.Close()
			return nil, fmt.Errorf("console: %w", err)
		}
		if !wc.Built() {
			log.Warn("the console's assets are not built into this binary: its pages say how; run make web, then build again")
		}
		console = wc
	}
	// The configuration does not change while the daemon runs: its
	// answer to GET /api/v1/settings is made once, without secrets.
	settings := newSettingsAnswer(cfg)
	opts := api.Options{
		// The store is every capability: one it lacks is a compile
		// error here, one left out an error from api.New.
		Store: store,
		Capabilities: api.Capabilities{
			Health: store, History: store, Uptime: store, Costs: store, Layers: store,
			Incidents: store, Donations: store, Statements: store, Sessions: store, Users: store,
		},
		Logger:      log,
		Registry:    reg,
		AdminToken:  cfg.AdminToken,
		BodyLimit:   int64(cfg.Limits.BodyBytes),
		ImportLimit: int64(cfg.Limits.ImportBytes),
		Now:         now,
		Location:    loc,
		Observers:   observers,
		Geo:         index,

		IncidentCounter: gaps.counter,
		LayerLimits:     cfg.Layers.limits(),
		Clips:           ev.clips,
		ClipLimit:       int64(cfg.Clips.MaxBytes),
		IncidentMetrics: ev.metrics,

		Console:        console,
		SessionLimits:  cfg.Console.sessionLimits(),
		TrustedProxies: cfg.trustedProxies(),
		BodyTimeout:    time.Duration(cfg.HTTP.BodyTimeout),
		MinUploadRate:  int64(cfg.HTTP.MinUploadRate),
		UploadGrace:    time.Duration(cfg.HTTP.UploadGrace),
		CameraNetworks: cfg.netPolicy(),
		Settings:       func() any { return settings },
	}
	if node != nil {
		// Another node that joins may copy this one's registry.
		opts.Snapshots = snapshotTickets{node}
		// The index and the poller follow the log, every node's writes
		// in its order (replicate.go, memoryFollower), not the API.
		opts.StoreNotifies = true
	}
	err = tipOptions(cfg, store, &opts)
	var a *api.Server
	if err == nil {
		a, err = api.New(opts)
	}
	if err != nil {
		if poller != nil {
			poller.Stop()
		}
		_ = store.Close()
		return nil, err
	}
	if ln == nil {
		ln, err = net.Listen("tcp", cfg.Listen)
	}
	if err != nil {
		if poller != nil {
			poller.Stop()
		}
		_ = store.Close()
		return nil, fmt.Errorf("listen: %w", err)
	}
	if node != nil {
		// Loaded and about to serve: the node joins the live set and
		// takes its share.
		if err = node.joinLive(context.Background()); err != nil {
			if poller != nil {
				poller.Stop()
			}
			_ = store.Close()
			return nil, err
		}
	}
	d := &daemon{
		cfg:    cfg,
		log:    log,
		store:  store,
		poller: poller,
		api:    a,
		ln:     ln,
		srv: &http.Server{
			Handler:           a.Handler(),
			TLSConfig:         tlsCfg, // nil: plain HTTP
			ReadHeaderTimeout: time.Duration(cfg.HTTP.ReadHeaderTimeout),
			IdleTimeout:       2 * time.Minute,
			// No WriteTimeout: exports and backups stream for as long as
			// the data takes. No ReadTimeout either: bodies have their
			// deadlines per route, from the API (http.body_timeout,
			// http.min_upload_rate).
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
		tls:    tlsCfg != nil,
		served: make(chan error, 3), // Serve, a poller that failed to start, a follower that stopped

		evidence: ev,
		cluster:  node,
	}
	// In cluster mode every node runs the retention jobs, and only the
	// lowest live node purges (replicate.go).
	purging := store
	if node != nil {
		purging = onLowestNode{daemonStore: store, leads: node.leads}
	}
	if r := ev.retention(cfg, purging, log); r != nil {
		d.goBackground(func(ctx context.Context) { _ = r.Run(ctx) })
	}
	if node != nil {
		var reshard func(context.Context) error
		if poller != nil {
			reshard = poller.Reshard
		}
		d.goBackground(func(ctx context.Context) { node.follow(ctx, reshard) })
		// The index and the poller follow the writes of the other nodes;
		// the log is published and compacted; a follower that stops (an
		// apply that failed: going on would diverge) stops the daemon.
		node.rep.mem.attach(index, poller, store)
		d.goBackground(node.rep.mem.run)
		d.goBackground(node.keepLog)
		go func() {
			<-node.rep.done
			if err := node.rep.failure(); err != nil {
				d.served <- fmt.Errorf("apply the cluster's log: %w", err)
			}
		}()
	}
	if job := tipRetention(cfg, purging, log); job != nil {
		d.goBackground(job)
	}
	opened = true
	return d, nil
}

// goBackground adds a job that start runs beside the server, on a context
// that stop cancels before it closes the store. Call it before start.
func (d *daemon) goBackground(job func(ctx context.Context)) {
	d.background = append(d.background, job)
}

// URL is the daemon's base URL, with the real port when it listens on :0,
// and a loopback host when it listens on every interface (a URL one can
// paste into curl on the same machine).
func (d *daemon) URL() string {
	addr := d.ln.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
		if addr.IP.To4() == nil {
			host = "::1"
		}
	}
	scheme := "http://"
	if d.tls {
		scheme = "https://"
	}
	return scheme + net.JoinHostPort(host, fmt.Sprint(addr.Port))
}

// start serves in the background, starts the health poller (which loads
// every camera and its last health from the store) and then marks the
// daemon ready: /readyz answers 503 until the poller runs. Requests and
// the poller run on a context that a signal does not cancel: a signal
// stops the server from accepting, while requests in flight finish and
// the poller writes what it knows (see stop).
func (d *daemon) start(ctx context.Context) error {
	d.srv.BaseContext = func(net.Listener) context.Context { return context.WithoutCancel(ctx) }
	go func() {
		if d.tls {
			d.served <- d.srv.ServeTLS(d.ln, "", "") // the certificate is in TLSConfig
			return
		}
		d.served <- d.srv.Serve(d.ln)
	}()
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	d.bgCancel = cancel
	for _, job := range d.background {
		d.bgDone.Go(func() { job(bg) })
	}
	if d.poller != nil {
		// The poller was loaded with the spatial index
		// (loadIndexAndPoller); a camera written since reached it
		// through Upsert, so Start only starts probing. If that fails
		// the daemon stops.
		go func() {
			if err := d.poller.Start(context.WithoutCancel(ctx)); err != nil {
				d.served <- fmt.Errorf("start the health poller: %w", err)
			}
		}()
	}
	d.api.SetReady(true)
	return nil
}

// run serves until ctx is done (SIGINT or SIGTERM), then stops. It
// prints one line on stdout once the daemon listens, for scripts and tests
// that need the real port, then banner's text if any.
func (d *daemon) run(ctx context.Context, stdout io.Writer, banner func(w io.Writer, url string)) error {
	if err := d.start(ctx); err != nil {
		if serr := d.stop(); serr != nil {
			d.log.Error("stop after a failed start", slog.Any("err", serr))
		}
		return err
	}
	d.log.Info("matthan started",
		slog.String("version", versionString()),
		slog.String("url", d.URL()),
		slog.String("db", d.cfg.DB),
		slog.String("timezone", d.cfg.Timezone),
		slog.Int64("body_limit_bytes", int64(d.cfg.Limits.BodyBytes)),
		slog.Int64("import_limit_bytes", int64(d.cfg.Limits.ImportBytes)),
		slog.Bool("admin_token_set", d.cfg.AdminToken != ""), // never its value
		slog.Bool("tls", d.tls),
		slog.Int("trusted_proxies", len(d.cfg.HTTP.TrustedProxies)),
		slog.Bool("poller_enabled", d.poller != nil),
		slog.Duration("poll_interval", time.Duration(d.cfg.Poller.Interval)),
		slog.Int("webhooks", len(d.cfg.Poller.Webhooks)), // never the URLs: they may carry tokens
		slog.String("clips_dir", d.cfg.Clips.Dir),
		slog.Int64("clip_limit_bytes", int64(d.cfg.Clips.MaxBytes)),
		slog.Duration("incident_retention", time.Duration(d.cfg.Incidents.Retention)), // 0 = forever
		slog.Bool("cluster", d.cluster != nil),
		slog.Bool("tips_enabled", d.cfg.Tips.Enabled),
		slog.Int("tip_recipients", len(d.cfg.Tips.Recipients)), // public keys; counted, not printed
	)
	fmt.Fprintf(stdout, "matthan listening on %s\n", d.URL())
	if banner != nil {
		banner(stdout, d.URL())
	}
	werr := d.wait(ctx)
	// New connections are refused from here (Shutdown closes the listener
	// too, but after the line below could be read): whoever sees "shutting
	// down" can count on it.
	_ = d.ln.Close()
	d.log.Info("shutting down")
	if err := d.stop(); err != nil {
		return err
	}
	if werr != nil {
		return werr
	}
	d.log.Info("stopped")
	return nil
}

// wait blocks until ctx is done (a signal) or the server fails.
func (d *daemon) wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case err := <-d.served:
		return fmt.Errorf("serve: %w", err)
	}
}

// stop stops accepting, lets requests in flight finish for at most the
// shutdown timeout, cuts what is left, stops the background jobs
// (retention, a demo's captures), stops the poller (which cancels its
// probes and writes every result not yet written) and closes the
// database. The order matters: a request still running may change a
// camera and tell the poller; the poller's last write needs the store.
// bbolt's Close waits for open transactions, so the file is left
// consistent even when requests were cut.
func (d *daemon) stop() error {
	d.api.SetReady(false)
	timeout := time.Duration(d.cfg.HTTP.ShutdownTimeout)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := d.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		d.log.Warn("requests still running after the shutdown timeout were cut", slog.Duration("timeout", timeout))
		err = d.srv.Close()
	}
	if err != nil {
		d.log.Warn("http server shutdown", slog.Any("err", err))
	}
	if d.bgCancel != nil {
		d.bgCancel()
		d.bgDone.Wait()
	}
	if d.poller != nil {
		d.poller.Stop()
		d.log.Info("health poller stopped")
	}
	d.leaveCluster()
	if err := d.store.Close(); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	return nil
}

// close releases a daemon that was opened but never started.
func (d *daemon) close() error {
	_ = d.ln.Close()
	if d.poller != nil {
		d.poller.Stop()
	}
	d.leaveCluster()
	return d.store.Close()
}

// leaveCluster leaves the cluster, once the poller has stopped: the
// other nodes take this node's cameras over at once.
func (d *daemon) leaveCluster() {
	if d.cluster == nil {
		return
	}
	if err := d.cluster.leave(); err != nil {
		d.log.Warn("leave the cluster", slog.Any("err", err))
		return
	}
	d.log.Info("left the cluster", slog.String("node_id", d.cluster.self.ID))
}

// buildInfo is matthan_build_info: a constant 1 whose labels tell which
// version is running, so that dashboards can mark upgrades.
func buildInfo() prometheus.Collector {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "matthan_build_info",
		Help:        "A metric with a constant value 1, labelled by the version of matthan and of Go it was built with.",
		ConstLabels: prometheus.Labels{"version": versionString(), "goversion": runtime.Version()},
	})
	g.Set(1)
	return g
}
