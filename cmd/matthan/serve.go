package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"
)

const serveSynopsis = "matthan serve [--config FILE] [--db PATH] [--clips-dir DIR] [--listen ADDR] [--log-level LEVEL] [--poll-interval D] [--timezone ZONE]"

// serve runs the daemon until SIGINT or SIGTERM.
func (c *cli) serve(ctx context.Context, args []string) error {
	fs := c.newFlagSet("serve", serveSynopsis)
	file := fs.String("config", "", "YAML configuration `FILE` (default $"+envConfig+"; see configs/matthan.yaml)")
	fs.String("db", defaultDB, "database file `PATH`")
	fs.String("clips-dir", "", "evidence clips `DIR` (default clips.dir: \"clips\" next to the database)")
	fs.String("listen", defaultListen, "`ADDR` to listen on, HOST:PORT; port 0 picks a free one")
	fs.String("log-level", "info", "log `LEVEL`: debug, info, warn or error")
	fs.String("timezone", defaultTimezone, "time `ZONE` of the users, an IANA name: report windows, \"today\", months of counts, log times")
	fs.String("poll-interval", "", "probe each camera every `D` (a duration such as 30s; default poller.interval, 60s)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos); err != nil {
		return err
	}
	src := configSource{File: *file, Getenv: c.getenv, Flags: setFlags(fs)}
	if src.File == "" {
		src.File = c.getenv(envConfig)
	}
	cfg, err := loadConfig(src)
	if err != nil {
		return err
	}
	log := newLogger(c.stderr, cfg.LogLevel, cfg.location())

	d, err := openDaemon(cfg, log)
	if err != nil {
		return err
	}
	if err := c.warnNoToken(ctx, cfg, d); err != nil {
		_ = d.close()
		return err
	}
	return d.run(ctx, c.stdout, nil)
}

// warnNoToken warns, on stderr, a daemon that nobody can use: no admin
// token in the environment and no token in the database means every
// /api/v1 request is refused. It says how to create the first token.
func (c *cli) warnNoToken(ctx context.Context, cfg *config, d *daemon) error {
	if cfg.AdminToken != "" {
		return nil
	}
	n, err := d.store.CountTokens(ctx)
	if err != nil || n > 0 {
		return err
	}
	db, err := filepath.Abs(cfg.DB)
	if err != nil {
		db = cfg.DB
	}
	fmt.Fprintf(c.stderr, `matthan serve: warning: no API token exists and %s is not set: every /api/v1 request will be refused (401).
Stop the daemon and create an admin token (the database allows one process at a time):
  matthan token create --role admin --name NAME --db %s
or start it with %s set to a random secret of at least %d characters.
`, envAdminToken, shellQuote(db), envAdminToken, minAdminToken)
	return nil
}

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@%+=,", r))
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// newLogger returns the daemon's logger: text on stderr, times in the
// users' zone with their offset. The level was validated with the config.
func newLogger(w io.Writer, level string, loc *time.Location) *slog.Logger {
	l, _ := parseLogLevel(level)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey && a.Value.Kind() == slog.KindTime {
				a.Value = slog.TimeValue(a.Value.Time().In(loc))
			}
			return a
		}}))
}
