package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/web"
)

// consoleConfig is the console: section: the web console and its
// sign-in sessions.
type consoleConfig struct {
	// Enabled serves the console at /; off leaves the API alone.
	Enabled bool `yaml:"enabled"`
	// TileURL adds a raster street map under the daemon's own layers,
	// for a site that is online; "" (the default) keeps the console
	// offline.
	TileURL         string `yaml:"tile_url"`
	TileAttribution string `yaml:"tile_attribution"`
	// SessionIdleTimeout ends a session left unused; SessionMaxAge ends
	// any session this long after sign-in.
	SessionIdleTimeout duration `yaml:"session_idle_timeout"`
	SessionMaxAge      duration `yaml:"session_max_age"`
}

func defaultConsoleConfig() consoleConfig {
	return consoleConfig{
		Enabled:            true,
		SessionIdleTimeout: duration(registry.DefaultSessionLimits.Idle),
		SessionMaxAge:      duration(registry.DefaultSessionLimits.Max),
	}
}

// setConsoleEnabled and setTileURL are the console's keys that the
// environment may set (the settings table).
func setConsoleEnabled(c *config, v string) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("must be true or false, got %q", v)
	}
	c.Console.Enabled = b
	return nil
}

func setTileURL(c *config, v string) error { c.Console.TileURL = v; return nil }

// sessionLimits returns the configured bounds of a session.
func (c *consoleConfig) sessionLimits() registry.SessionLimits {
	return registry.SessionLimits{Idle: time.Duration(c.SessionIdleTimeout), Max: time.Duration(c.SessionMaxAge)}
}

// validateConsole checks the console: section.
func (c *config) validateConsole(bad func(key, format string, args ...any) error) error {
	if c.Console.TileURL != "" {
		if err := web.CheckTileURL(c.Console.TileURL); err != nil {
			return bad("console.tile_url", "%v", err)
		}
	}
	if c.Console.SessionIdleTimeout < duration(time.Minute) {
		return bad("console.session_idle_timeout", "must be at least 1m, got %s", c.Console.SessionIdleTimeout)
	}
	if c.Console.SessionMaxAge < c.Console.SessionIdleTimeout {
		return bad("console.session_max_age", "must be at least session_idle_timeout (%s), got %s", c.Console.SessionIdleTimeout, c.Console.SessionMaxAge)
	}
	return nil
}
