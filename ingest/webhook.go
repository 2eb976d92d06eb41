package ingest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/matthan/matthan/camera"
)

// Event is the JSON body POSTed to every webhook URL on a confirmed state
// change. It names the camera by id and commune only: never its URL or
// credentials.
type Event struct {
	CameraID string             `json:"camera_id"`
	Commune  string             `json:"commune"`
	From     camera.HealthState `json:"from"`
	To       camera.HealthState `json:"to"`
	Reason   string             `json:"reason"`
	At       time.Time          `json:"at"`
}

// SignatureHeader carries a webhook's signature:
//
//	X-Matthan-Signature: t=1732804800,v1=5f0c…
//
// t is the Unix time of the attempt, v1 the lowercase hex HMAC-SHA256,
// under the webhook secret, of t, a full stop and the body exactly as
// sent ("1732804800.{"camera_id":…}"). A receiver recomputes it, compares
// in constant time, and refuses a t too far from its clock (five minutes)
// so that a recorded request cannot be replayed later. Each attempt is
// signed afresh.
const SignatureHeader = "X-Matthan-Signature"

// Sign returns the value of SignatureHeader for body sent at t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// noRedirects is every webhook client's CheckRedirect: a redirect is an
// answer (a failed delivery), never followed — following it would send
// the event, signed, somewhere nobody configured.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// webhooks delivers events to every configured URL. Each URL has its own
// bounded queue and goroutine, so that one endpoint that hangs delays
// nobody else, and the poller only ever appends to a queue: it never
// waits for the network. A full queue drops its oldest event (counted in
// matthan_webhook_dropped_total): the newest state is what a receiver
// needs most.
type webhooks struct {
	senders   []*sender
	transport *http.Transport // ours to close; nil with a caller's client
}

// sender delivers to one URL.
type sender struct {
	url      string // may carry a token: never logged
	host     string // what the log says instead
	secret   []byte // signs every attempt: never logged
	client   *http.Client
	clock    Clock
	log      *slog.Logger
	m        *metrics
	capacity int
	attempts int
	backoff  time.Duration

	mu     sync.Mutex
	queue  []Event
	signal chan struct{} // cap 1: the queue is not empty
}

func newWebhooks(cfg Config, client *http.Client, clock Clock, log *slog.Logger, m *metrics) *webhooks {
	w := &webhooks{}
	if len(cfg.Webhooks) == 0 {
		return w
	}
	if client == nil {
		w.transport = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: cfg.WebhookTimeout, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   cfg.WebhookTimeout,
			ResponseHeaderTimeout: cfg.WebhookTimeout,
			MaxIdleConnsPerHost:   2,
			IdleConnTimeout:       90 * time.Second,
		}
		client = &http.Client{Transport: w.transport, Timeout: cfg.WebhookTimeout}
	} else {
		c := *client
		client = &c
	}
	client.CheckRedirect = noRedirects
	for _, raw := range cfg.Webhooks {
		host := "webhook"
		if u, err := url.Parse(raw); err == nil {
			host = u.Host
		}
		w.senders = append(w.senders, &sender{
			url: raw, host: host, secret: []byte(cfg.WebhookSecret), client: client, clock: clock, log: log, m: m,
			capacity: cfg.WebhookQueue, attempts: cfg.WebhookAttempts, backoff: cfg.WebhookBackoff,
			signal: make(chan struct{}, 1),
		})
	}
	return w
}

// start runs one goroutine per URL until ctx is done.
func (w *webhooks) start(ctx context.Context, wg *sync.WaitGroup) {
	for _, s := range w.senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.run(ctx)
		}()
	}
}

// close releases idle connections once the senders are done.
func (w *webhooks) close() {
	if w.transport != nil {
		w.transport.CloseIdleConnections()
	}
}

// enqueue hands ev to every URL's queue without blocking.
func (w *webhooks) enqueue(ev Event) {
	for _, s := range w.senders {
		s.enqueue(ev)
	}
}

func (s *sender) enqueue(ev Event) {
	s.mu.Lock()
	if len(s.queue) >= s.capacity {
		s.queue[0] = Event{}
		s.queue = s.queue[1:]
		s.m.webhookDropped.Inc()
	}
	s.queue = append(s.queue, ev)
	s.mu.Unlock()
	select {
	case s.signal <- struct{}{}:
	default:
	}
}

func (s *sender) pop() (Event, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 {
		return Event{}, false
	}
	ev := s.queue[0]
	s.queue[0] = Event{}
	s.queue = s.queue[1:]
	return ev, true
}

func (s *sender) run(ctx context.Context) {
	for {
		ev, ok := s.pop()
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-s.signal:
				continue
			}
		}
		s.deliver(ctx, ev)
		if ctx.Err() != nil {
			return
		}
	}
}

// deliver tries ev up to `attempts` times, pausing backoff, 2×backoff, …
// between attempts. Network errors, 5xx, 408 and 429 are worth another
// try; any other answer is final.
func (s *sender) deliver(ctx context.Context, ev Event) {
	body, err := json.Marshal(ev)
	if err != nil {
		return
	}
	pause := s.backoff
	for attempt := 1; ; attempt++ {
		retry, err := s.post(ctx, body)
		if err == nil {
			s.m.webhookDeliveries.WithLabelValues("ok").Inc()
			return
		}
		if ctx.Err() != nil {
			return // stopping: not the receiver's failure
		}
		if !retry || attempt >= s.attempts {
			s.m.webhookDeliveries.WithLabelValues("failed").Inc()
			s.log.Warn("webhook delivery failed", slog.String("host", s.host), slog.String("camera_id", ev.CameraID),
				slog.Int("attempts", attempt), slog.String("err", err.Error()))
			return
		}
		if !sleep(s.clock, pause, ctx.Done()) {
			return
		}
		pause *= 2
	}
}

// post makes one attempt. Its errors never contain the URL.
func (s *sender) post(ctx context.Context, body []byte) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return false, errors.New("bad webhook URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "matthan-webhook/1")
	req.Header.Set(SignatureHeader, Sign(s.secret, s.clock.Now(), body))
	res, err := s.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, which may hold a token
		}
		return true, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	_ = res.Body.Close()
	switch c := res.StatusCode; {
	case c >= 200 && c < 300:
		return false, nil
	case c >= 500, c == http.StatusRequestTimeout, c == http.StatusTooManyRequests:
		return true, fmt.Errorf("status %d", c)
	case c >= 300 && c < 400:
		return false, fmt.Errorf("status %d, a redirect, not followed: configure the URL it points to", c)
	default:
		return false, fmt.Errorf("status %d", c)
	}
}
