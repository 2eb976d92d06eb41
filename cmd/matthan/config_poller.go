package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/ingest"
)

// pollerConfig is the poller: section, the health poller's settings. Its
// keys are ingest.Config's fields in snake_case, plus enabled; the
// defaults are ingest's (see configs/matthan.yaml for what each does).
type pollerConfig struct {
	Enabled         bool                `yaml:"enabled"`
	Interval        duration            `yaml:"interval"`
	Intervals       map[string]duration `yaml:"intervals"`
	Timeout         duration            `yaml:"timeout"`
	Concurrency     int                 `yaml:"concurrency"`
	SlowConcurrency int                 `yaml:"slow_concurrency"`
	SlowAfter       duration            `yaml:"slow_after"`
	Confirm         int                 `yaml:"confirm"`
	Retry           duration            `yaml:"retry"`
	Jitter          duration            `yaml:"jitter"`
	Tick            duration            `yaml:"tick"`
	DeepEvery       int                 `yaml:"deep_every"`
	FlushInterval   duration            `yaml:"flush_interval"`
	FlushMax        int                 `yaml:"flush_max"`
	PerCameraMetric bool                `yaml:"per_camera_metric"`
	Webhooks        []string            `yaml:"webhooks"`
	WebhookQueue    int                 `yaml:"webhook_queue"`
	WebhookTimeout  duration            `yaml:"webhook_timeout"`
	WebhookAttempts int                 `yaml:"webhook_attempts"`
	WebhookBackoff  duration            `yaml:"webhook_backoff"`

	// WebhookSecret signs every webhook (ingest.SignatureHeader). It
	// comes from MATTHAN_WEBHOOK_SECRET only: the YAML key does not exist
	// (and is refused with a hint), and the value is never printed.
	WebhookSecret string `yaml:"-"`
}

// defaultPollerConfig is ingest's defaults, spelled out so that the
// example file can show them and a zero in the file is never mistaken
// for "use the default". The map and the list are empty rather than nil
// so that the example's "intervals: {}" and "webhooks: []" equal them.
func defaultPollerConfig() pollerConfig {
	return pollerConfig{
		Enabled:         true,
		Interval:        duration(ingest.DefaultInterval),
		Intervals:       map[string]duration{},
		Timeout:         duration(ingest.DefaultTimeout),
		Concurrency:     ingest.DefaultConcurrency,
		SlowConcurrency: ingest.DefaultConcurrency,
		Confirm:         ingest.DefaultConfirm,
		Retry:           duration(ingest.DefaultRetry),
		Jitter:          duration(ingest.DefaultJitter),
		Tick:            duration(ingest.DefaultTick),
		DeepEvery:       ingest.DefaultDeepEvery,
		FlushInterval:   duration(ingest.DefaultFlushInterval),
		FlushMax:        ingest.DefaultFlushMax,
		Webhooks:        []string{},
		WebhookQueue:    ingest.DefaultWebhookQueue,
		WebhookTimeout:  duration(ingest.DefaultWebhookTimeout),
		WebhookAttempts: ingest.DefaultWebhookAttempts,
		WebhookBackoff:  duration(ingest.DefaultWebhookBackoff),
	}
}

// ingestConfig translates the section into ingest.Config. ingest reads a
// zero field as "the default", so the three values whose zero means
// something here are translated: jitter 0s is no jitter (1 ns: the random
// delay drawn from [0, 1 ns) is always 0), tick 0s wakes at each probe's
// own time (1 ns ticks), and deep_every 0 is never (ingest's negative).
func (p pollerConfig) ingestConfig() ingest.Config {
	c := ingest.Config{
		Interval:        time.Duration(p.Interval),
		Timeout:         time.Duration(p.Timeout),
		Concurrency:     p.Concurrency,
		SlowConcurrency: p.SlowConcurrency,
		SlowAfter:       time.Duration(p.SlowAfter),
		Confirm:         p.Confirm,
		Retry:           time.Duration(p.Retry),
		Jitter:          time.Duration(p.Jitter),
		Tick:            time.Duration(p.Tick),
		DeepEvery:       p.DeepEvery,
		FlushInterval:   time.Duration(p.FlushInterval),
		FlushMax:        p.FlushMax,
		PerCameraMetric: p.PerCameraMetric,
		Webhooks:        p.Webhooks,
		WebhookQueue:    p.WebhookQueue,
		WebhookTimeout:  time.Duration(p.WebhookTimeout),
		WebhookAttempts: p.WebhookAttempts,
		WebhookBackoff:  time.Duration(p.WebhookBackoff),
		WebhookSecret:   p.WebhookSecret,
	}
	if len(p.Intervals) > 0 {
		c.Intervals = make(map[string]time.Duration, len(p.Intervals))
		for id, d := range p.Intervals {
			c.Intervals[id] = time.Duration(d)
		}
	}
	if c.Jitter == 0 {
		c.Jitter = time.Nanosecond
	}
	if c.Tick == 0 {
		c.Tick = time.Nanosecond
	}
	if c.DeepEvery == 0 {
		c.DeepEvery = -1
	}
	return c
}

// validatePoller checks the section. Zeros that ingest would silently
// replace by its default are refused here, in ingest's words; everything
// else is checked by ingest itself (ingest.New), whose messages name the
// field in snake_case: they are put under "poller." and given the origin
// of the key.
func (c *config) validatePoller(bad func(key, format string, args ...any) error) error {
	p := c.Poller
	for _, d := range []struct {
		key string
		v   duration
	}{
		{"interval", p.Interval}, {"timeout", p.Timeout}, {"retry", p.Retry},
		{"flush_interval", p.FlushInterval}, {"webhook_timeout", p.WebhookTimeout},
		{"webhook_backoff", p.WebhookBackoff},
	} {
		if d.v == 0 {
			return bad("poller."+d.key, "must be more than 0, got %v", d.v)
		}
	}
	for _, n := range []struct {
		key string
		v   int
	}{
		{"concurrency", p.Concurrency}, {"slow_concurrency", p.SlowConcurrency}, {"confirm", p.Confirm},
		{"flush_max", p.FlushMax}, {"webhook_queue", p.WebhookQueue}, {"webhook_attempts", p.WebhookAttempts},
	} {
		if n.v == 0 {
			return bad("poller."+n.key, "must be at least 1, got %d", n.v)
		}
	}
	if p.DeepEvery < 0 {
		return bad("poller.deep_every", "must be 0 (never) or more, got %d", p.DeepEvery)
	}
	for id := range p.Intervals {
		if strings.TrimSpace(id) == "" {
			return bad("poller.intervals", "a camera id must not be empty")
		}
	}

	// ingest.New checks the rest and builds nothing that runs: no
	// goroutine starts before Start, and Stop releases the webhook
	// transport.
	poller, err := ingest.New(ingest.Options{Config: p.ingestConfig(), Prober: nopProber{}, Store: nopStore{}})
	if err != nil {
		key, msg, _ := strings.Cut(err.Error(), " ")
		if key == "webhook_secret" {
			// Not a key of the file: every webhook is signed, with
			// the secret from the environment. Its value is never
			// quoted.
			if p.WebhookSecret == "" {
				return bad("poller.webhooks", "every webhook is signed: set %s (at least %d random characters) in the environment", envWebhookSecret, ingest.MinWebhookSecret)
			}
			return fmt.Errorf("config: %s: must be at least %d characters, got %d", envWebhookSecret, ingest.MinWebhookSecret, len(p.WebhookSecret))
		}
		return bad("poller."+key, "%s", msg)
	}
	poller.Stop()
	return nil
}

// originKey maps a key as ingest's messages spell it to the dotted path
// the config file's origins use: intervals["CG-0001"] was set at
// poller.intervals.CG-0001.
func originKey(key string) string {
	if rest, ok := strings.CutPrefix(key, "poller.intervals["); ok {
		if id, err := strconv.Unquote(strings.TrimSuffix(rest, "]")); err == nil {
			return "poller.intervals." + id
		}
	}
	return key
}

// nopProber and nopStore let validatePoller build a poller that never
// starts.
type nopProber struct{}

func (nopProber) Probe(context.Context, string, bool) camera.ProbeResult { return camera.ProbeResult{} }

type nopStore struct{}

func (nopStore) ForEachCamera(context.Context, func(*camera.Camera) error) error { return nil }
func (nopStore) ForEachHealth(context.Context, func(camera.Health) error) error  { return nil }
func (nopStore) RecordHealth(context.Context, []camera.Health, []camera.Transition) error {
	return nil
}
