package ingest

import (
	"fmt"
	"math"
	"net/url"
	"time"
)

// Defaults of Config, used for every zero field.
const (
	// DefaultInterval is how often a working camera is probed.
	DefaultInterval = 60 * time.Second
	// DefaultTimeout bounds one probe. Cheap cameras on rural links take
	// seconds to answer DESCRIBE; a false "down" costs a trip.
	DefaultTimeout = 10 * time.Second
	// DefaultConcurrency is the number of probes in flight at once in
	// each of the two lanes (see Config.Concurrency). 10,000 cameras at
	// 60 s are 167 probes a second; at 1–1.5 s each over rural links that
	// is 170–250 in flight. 256 per lane also absorbs 1,500 cameras going
	// dark at once (each holding a slot for the 10 s timeout once).
	DefaultConcurrency = 256
	// DefaultConfirm is how many agreeing results confirm a state change.
	DefaultConfirm = 2
	// DefaultRetry is the first retry delay after a failed probe; it
	// doubles after each further failure, up to the interval.
	DefaultRetry = 5 * time.Second
	// DefaultJitter is the most random delay added to a probe's slot
	// (never more than a tenth of the interval).
	DefaultJitter = time.Second
	// DefaultTick is the length of the scheduler's ticks (Config.Tick).
	DefaultTick = 50 * time.Millisecond
	// MaxTick is the longest tick accepted: a probe may start a tick
	// late, and confirmations retry after seconds.
	MaxTick = time.Second
	// DefaultDeepEvery makes every 15th probe of a working camera deep:
	// every 15 minutes at the default interval.
	DefaultDeepEvery = 15
	// DefaultFlushInterval is how often pending "last probe" records are
	// written to the store in one transaction.
	DefaultFlushInterval = time.Second
	// DefaultFlushMax pending records trigger a write before the interval.
	DefaultFlushMax = 2000

	// DefaultWebhookQueue is the number of events waiting per webhook URL;
	// when full the oldest is dropped.
	DefaultWebhookQueue = 1000
	// DefaultWebhookTimeout bounds one delivery attempt.
	DefaultWebhookTimeout = 5 * time.Second
	// DefaultWebhookAttempts bounds the attempts of one delivery.
	DefaultWebhookAttempts = 5
	// DefaultWebhookBackoff is the pause after the first failed attempt;
	// it doubles after each further one (1 s, 2 s, 4 s, 8 s).
	DefaultWebhookBackoff = time.Second
	// MinWebhookSecret is the shortest webhook secret accepted: 16
	// random characters are beyond guessing.
	MinWebhookSecret = 16
)

// Config tunes the poller. The zero value means every default; New
// validates it and names the field at fault, in the snake_case spelling a
// config file would use.
type Config struct {
	// Interval is how often each camera is probed.
	Interval time.Duration
	// Intervals overrides Interval for some cameras, keyed by camera id
	// (a camera on a metered link, a critical junction).
	Intervals map[string]time.Duration
	// Timeout bounds one probe (its context deadline). It is capped at
	// the camera's interval.
	Timeout time.Duration

	// Concurrency bounds the probes in flight in the normal lane.
	// SlowConcurrency bounds those in the slow lane: cameras whose last
	// probe took SlowAfter or more (black holes that time out, frozen
	// streams that keep a deep probe waiting for a frame). Two lanes keep
	// a thousand dead cameras from delaying the probes of working ones:
	// a camera that turns into a black hole holds a normal slot once,
	// for one timeout, and then waits its turn in the slow lane. Zero
	// means DefaultConcurrency for either.
	Concurrency     int
	SlowConcurrency int
	// SlowAfter is the probe duration from which a camera is moved to
	// the slow lane; zero means half the timeout.
	SlowAfter time.Duration

	// Confirm is how many agreeing results in a row confirm a change of
	// state (including the first state of a never-probed camera).
	Confirm int
	// Retry is the delay before probing again after a result that
	// disagrees with the confirmed state (to confirm quickly), and the
	// first step of the backoff of a camera that stays failed: Retry,
	// 2×Retry, 4×Retry… until it reaches the interval.
	Retry time.Duration
	// Jitter is the most random delay added to each probe's time, on top
	// of the camera's fixed phase; at most a tenth of the interval.
	Jitter time.Duration
	// Tick is the length of the scheduler's ticks: it wakes at most once
	// a tick, on multiples of Tick since the Unix epoch, and starts every
	// probe due by then, instead of waking at each probe's own time. A
	// probe starts up to a tick late, which against a minute's interval
	// and a second's jitter changes nothing anyone sees. What it saves is
	// the process's wake-ups: measured at 400 shallow probes a second,
	// waking for each probe cost more CPU than the probe itself, and 50 ms
	// ticks took the CPU per probe from 0.46–0.62 ms to 0.19 ms on
	// loopback, and from 0.52–0.64 ms to 0.28–0.48 ms behind 20–60 ms
	// links (docs/performance.md). A tick of 1 ns wakes at each probe's
	// own time.
	Tick time.Duration
	// DeepEvery makes every DeepEvery-th probe of a working camera deep
	// (see package doc); negative means never (only recoveries and
	// confirmations are deep), 1 means always.
	DeepEvery int

	// FlushInterval and FlushMax batch the writes of probe results: see
	// package doc for the durability this gives.
	FlushInterval time.Duration
	FlushMax      int

	// PerCameraMetric enables matthan_camera_up{camera_id}: one series per
	// camera, for small networks whose operators want per-camera alerts.
	PerCameraMetric bool

	// Webhooks receive a JSON POST for every confirmed state change,
	// signed with WebhookSecret (see SignatureHeader), which is required
	// when there are webhooks: at least MinWebhookSecret bytes.
	Webhooks        []string
	WebhookSecret   string
	WebhookQueue    int
	WebhookTimeout  time.Duration
	WebhookAttempts int
	WebhookBackoff  time.Duration
}

// withDefaults returns c with every zero field set to its default, and
// checks it.
func (c Config) withDefaults() (Config, error) {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	defInt := func(n *int, v int) {
		if *n == 0 {
			*n = v
		}
	}
	def(&c.Interval, DefaultInterval)
	def(&c.Timeout, DefaultTimeout)
	defInt(&c.Concurrency, DefaultConcurrency)
	defInt(&c.SlowConcurrency, DefaultConcurrency)
	defInt(&c.Confirm, DefaultConfirm)
	def(&c.Retry, DefaultRetry)
	def(&c.Jitter, DefaultJitter)
	def(&c.Tick, DefaultTick)
	defInt(&c.DeepEvery, DefaultDeepEvery)
	def(&c.FlushInterval, DefaultFlushInterval)
	defInt(&c.FlushMax, DefaultFlushMax)
	defInt(&c.WebhookQueue, DefaultWebhookQueue)
	def(&c.WebhookTimeout, DefaultWebhookTimeout)
	defInt(&c.WebhookAttempts, DefaultWebhookAttempts)
	def(&c.WebhookBackoff, DefaultWebhookBackoff)

	positive := []struct {
		key string
		d   time.Duration
	}{
		{"interval", c.Interval}, {"timeout", c.Timeout}, {"retry", c.Retry},
		{"flush_interval", c.FlushInterval}, {"webhook_timeout", c.WebhookTimeout},
		{"webhook_backoff", c.WebhookBackoff},
	}
	for _, p := range positive {
		if p.d < 0 {
			return c, fmt.Errorf("%s must be more than 0, got %v", p.key, p.d)
		}
	}
	for _, p := range []struct {
		key string
		n   int
	}{
		{"concurrency", c.Concurrency}, {"slow_concurrency", c.SlowConcurrency}, {"confirm", c.Confirm},
		{"flush_max", c.FlushMax}, {"webhook_queue", c.WebhookQueue}, {"webhook_attempts", c.WebhookAttempts},
	} {
		if p.n < 1 {
			return c, fmt.Errorf("%s must be at least 1, got %d", p.key, p.n)
		}
	}
	if c.Jitter < 0 {
		return c, fmt.Errorf("jitter must not be negative, got %v", c.Jitter)
	}
	if c.Tick < 0 || c.Tick > MaxTick {
		return c, fmt.Errorf("tick must be between 0s and %v, got %v", MaxTick, c.Tick)
	}
	if c.SlowAfter < 0 {
		return c, fmt.Errorf("slow_after must not be negative, got %v", c.SlowAfter)
	}
	if c.SlowAfter == 0 {
		c.SlowAfter = c.Timeout / 2
	}
	// The poller keeps a confirmation count and an interval's index in
	// 16 bits per camera.
	if c.Confirm > math.MaxUint16 {
		return c, fmt.Errorf("confirm must be at most %d, got %d", math.MaxUint16, c.Confirm)
	}
	distinct := map[time.Duration]bool{c.Interval: true}
	for id, d := range c.Intervals {
		if d <= 0 {
			return c, fmt.Errorf("intervals[%q] must be more than 0, got %v", id, d)
		}
		distinct[d] = true
	}
	if len(distinct) > math.MaxUint16+1 {
		return c, fmt.Errorf("intervals must have at most %d distinct values, got %d", math.MaxUint16+1, len(distinct))
	}
	for i, raw := range c.Webhooks {
		u, err := url.Parse(raw)
		// The URL is not quoted back: it may carry a token.
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, fmt.Errorf("webhooks[%d] must be an http:// or https:// URL with a host", i)
		}
	}
	// The secret is never quoted back.
	if len(c.Webhooks) > 0 && len(c.WebhookSecret) < MinWebhookSecret {
		return c, fmt.Errorf("webhook_secret must be at least %d characters when there are webhooks (every event is signed), got %d", MinWebhookSecret, len(c.WebhookSecret))
	}
	return c, nil
}

// intervalOf returns the probe interval of camera id.
func (c *Config) intervalOf(id string) time.Duration {
	if d, ok := c.Intervals[id]; ok {
		return d
	}
	return c.Interval
}

// timeoutOf returns the probe timeout for a camera probed every interval.
func (c *Config) timeoutOf(interval time.Duration) time.Duration {
	return min(c.Timeout, interval)
}

// slowAfterOf returns the probe duration that moves a camera probed every
// interval to the slow lane: SlowAfter, or half the camera's timeout when
// its interval caps the timeout below SlowAfter's reach.
func (c *Config) slowAfterOf(interval time.Duration) time.Duration {
	if t := c.timeoutOf(interval); t < c.Timeout {
		return min(c.SlowAfter, t/2)
	}
	return c.SlowAfter
}

// jitterOf returns the jitter for a camera probed every interval.
func (c *Config) jitterOf(interval time.Duration) time.Duration {
	return min(c.Jitter, interval/10)
}
