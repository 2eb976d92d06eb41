package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/matthan/matthan/internal/demo"
)

const demoSynopsis = "matthan demo [--listen ADDR] [--data DIR] [--log-level LEVEL] [--poll-interval D] [--timezone ZONE]"

// defaultDemoDir is where the demo keeps its database, apart from serve's
// ./data/matthan.db so that trying the demo never touches real data.
const defaultDemoDir = "./data/demo"

// demo runs the daemon on a fresh copy of the sample district, wiped at
// every start so that each first look starts from the same state, with a
// simulated RTSP camera for every sample camera, some of them faulty, and
// a poll interval short enough that every health state shows within a
// minute (package internal/demo).
func (c *cli) demo(ctx context.Context, args []string) error {
	fs := c.newFlagSet("demo", demoSynopsis)
	fs.String("listen", defaultListen, "`ADDR` to listen on, HOST:PORT; port 0 picks a free one")
	dir := fs.String("data", defaultDemoDir, "`DIR` for the demo's database; wiped at start")
	// The poller logs every camera's first state at info: 350 lines that
	// would bury the demo's instructions.
	fs.String("log-level", "warn", "log `LEVEL`: debug, info, warn or error")
	fs.String("poll-interval", demo.PollInterval.String(), "probe each simulated camera every `D`")
	fs.String("timezone", defaultTimezone, "time `ZONE` of the users, an IANA name")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos); err != nil {
		return err
	}
	// The demo takes the environment like serve (MATTHAN_LISTEN, ...), but
	// its database is always the one in its own directory.
	db := filepath.Join(*dir, "matthan.db")
	flags := setFlags(fs)
	delete(flags, "data")
	flags["db"] = db
	plan, err := demo.SamplePlan()
	if err != nil {
		return err
	}
	// The demo's settings apply over the built-in defaults, under the
	// environment and flags.
	base := func(c *config) {
		c.LogLevel = "warn"
		c.Poller.Interval = duration(demo.PollInterval)
		c.Poller.Timeout = duration(demo.PollTimeout)
		c.Poller.Retry = duration(demo.PollRetry)
		for id, d := range plan.Intervals() {
			c.Poller.Intervals[id] = duration(d)
		}
		// The sample's incidents are years old: a retention would purge
		// them at once.
		c.Incidents.Retention = 0
		c.Tips.Retention = 0
	}
	cfg, err := loadConfig(configSource{Base: base, Getenv: c.getenv, Flags: flags})
	if err != nil {
		return err
	}
	if err := demo.PrepareDir(*dir, db); err != nil {
		return err
	}
	// The sample's tips are sealed to a chief key made now, in the
	// demo's directory, so that `matthan tips reveal` can be tried.
	tipsKey, recipient, err := demo.WriteTipsKey(*dir)
	if err != nil {
		return err
	}
	cfg.Tips.Enabled = true
	cfg.Tips.Recipients = append(cfg.Tips.Recipients, recipient)
	log := newLogger(c.stderr, cfg.LogLevel, cfg.location())
	started := time.Now()
	sim, err := demo.Simulate(plan, log)
	if err != nil {
		return err
	}
	defer sim.Close()
	log.Info("simulated cameras started", slog.Int("count", plan.Len()), slog.Duration("took", time.Since(started)))
	d, err := openDaemon(cfg, log)
	if err != nil {
		return err
	}
	// Before the poller starts (d.run), so that its first findings come
	// after the history.
	seeded, err := demo.Seed(ctx, d.store, d.api.Handler(), sim, log)
	if err != nil {
		_ = d.close()
		return err
	}
	d.goBackground(func(ctx context.Context) { seeded.CaptureClips(ctx, log) })
	// The simulation stops (deferred) after the daemon, whose poller
	// would otherwise record the whole fleet going down.
	return d.run(ctx, c.stdout, func(w io.Writer, url string) {
		seeded.PrintBanner(w, url, demo.Banner{
			Dir:        *dir,
			TipsKey:    tipsKey,
			Now:        time.Now().In(cfg.location()),
			TimeLayout: localTimeLayout,
			Poller: demo.PollerSettings{
				Enabled:  cfg.Poller.Enabled,
				Interval: time.Duration(cfg.Poller.Interval),
				Retry:    time.Duration(cfg.Poller.Retry),
				Confirm:  cfg.Poller.Confirm,
			},
		})
	})
}
