package api

import (
	"container/list"
	"net/netip"
	"sync"
	"time"
)

// Defaults of ThrottleOptions.
const (
	DefaultAuthFailureLimit = 20
	DefaultThrottleWindow   = time.Minute
	// DefaultThrottleClients bounds the addresses tracked: about 150
	// bytes each, so a few megabytes whatever the number of attackers.
	DefaultThrottleClients = 50_000
)

// Throttle limits failed attempts (bad tokens; later, bad passwords) per
// client address: once a client has failed Limit times in its current
// window, every attempt is refused until the window ends, before any
// credential is checked, so that guessing costs time. A success does not
// reset a count (it may come from another user behind the same address).
//
// Windows are fixed, starting at a client's first failure. Memory is
// bounded: at most MaxClients addresses are tracked; the one touched
// least recently is dropped first, and one untouched for a whole window
// (which holds nothing that still matters) is dropped as soon as it is
// seen at the front.
//
// It also decides when to log, so that a flood of failures from one
// address is at most one log line per window (Report). It is safe for
// concurrent use.
type Throttle struct {
	limit  int
	window time.Duration
	max    int
	now    func() time.Time

	mu      sync.Mutex
	clients map[string]*list.Element // of *throttled
	order   *list.List               // least recently touched first
}

// throttled is what the Throttle knows of one client.
type throttled struct {
	client   string
	start    time.Time // start of the current window
	failures int       // failures in the current window
	touched  time.Time // last failure or refusal
	logged   time.Time // last Report with Log set
	unlogged int       // failures and refusals since then
}

// ThrottleOptions configure NewThrottle; zero values take the defaults.
type ThrottleOptions struct {
	Limit      int           // failures allowed per window
	Window     time.Duration // the window, and the least time between two log lines for a client
	MaxClients int           // addresses tracked at most
	Now        func() time.Time
}

// Report tells the caller whether to log a failure now: Log is set at
// most once per window per client, and Failures is then the number of
// failures and refusals of that client since its previous line, this one
// included.
type Report struct {
	Log      bool
	Failures int
}

// NewThrottle returns a Throttle.
func NewThrottle(o ThrottleOptions) *Throttle {
	if o.Limit <= 0 {
		o.Limit = DefaultAuthFailureLimit
	}
	if o.Window <= 0 {
		o.Window = DefaultThrottleWindow
	}
	if o.MaxClients <= 0 {
		o.MaxClients = DefaultThrottleClients
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Throttle{limit: o.Limit, window: o.Window, max: o.MaxClients, now: o.Now,
		clients: map[string]*list.Element{}, order: list.New()}
}

// Check reports how long client must wait before its next attempt; 0
// means it may try now. A refusal (wait > 0) counts in the next log line,
// not toward the limit: a client that keeps knocking while refused is
// let in again when its window ends.
func (t *Throttle) Check(client string) (wait time.Duration, r Report) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.prune(now)
	e, ok := t.clients[client]
	if !ok {
		return 0, Report{}
	}
	c := e.Value.(*throttled)
	end := c.start.Add(t.window)
	if c.failures < t.limit || !now.Before(end) {
		return 0, Report{}
	}
	t.touch(e, c, now)
	return end.Sub(now), t.report(c, now)
}

// Fail records a failed attempt by client.
func (t *Throttle) Fail(client string) Report {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.prune(now)
	e, ok := t.clients[client]
	if !ok {
		if t.order.Len() >= t.max {
			t.drop(t.order.Front())
		}
		e = t.order.PushBack(&throttled{client: client, start: now})
		t.clients[client] = e
	}
	c := e.Value.(*throttled)
	if !now.Before(c.start.Add(t.window)) {
		c.start, c.failures = now, 0
	}
	c.failures++
	t.touch(e, c, now)
	return t.report(c, now)
}

// Clients returns the number of addresses tracked.
func (t *Throttle) Clients() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.order.Len()
}

func (t *Throttle) touch(e *list.Element, c *throttled, now time.Time) {
	c.touched = now
	c.unlogged++
	t.order.MoveToBack(e)
}

func (t *Throttle) report(c *throttled, now time.Time) Report {
	if !c.logged.IsZero() && now.Sub(c.logged) < t.window {
		return Report{}
	}
	r := Report{Log: true, Failures: c.unlogged}
	c.logged, c.unlogged = now, 0
	return r
}

// prune drops, from the front, clients untouched for a whole window:
// their count has expired and their log period ended.
func (t *Throttle) prune(now time.Time) {
	for e := t.order.Front(); e != nil; e = t.order.Front() {
		if now.Sub(e.Value.(*throttled).touched) < t.window {
			return
		}
		t.drop(e)
	}
}

func (t *Throttle) drop(e *list.Element) {
	delete(t.clients, e.Value.(*throttled).client)
	t.order.Remove(e)
}

// ClientKey is the key a client address is throttled by: the address
// itself for IPv4, its /64 for IPv6 (one host commonly holds a whole
// /64, so counting its addresses one by one would let it try 2^64 times
// as often). An address that does not parse is its own key.
func ClientKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is4() {
		return ip.String()
	}
	p, _ := ip.Prefix(64)
	return p.String()
}
