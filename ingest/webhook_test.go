package ingest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/metricstest"
)

// hookRig runs the webhook senders alone, against test servers.
type hookRig struct {
	w      *webhooks
	reg    *prometheus.Registry
	logs   *syncBuffer
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// testSecret signs the webhooks of the tests.
const testSecret = "wh-s3cret-0123456789abcdef"

func newHookRig(t *testing.T, cfg Config) *hookRig {
	t.Helper()
	return newHookRigClient(t, cfg, nil)
}

// newHookRigClient is newHookRig with the caller's HTTP client.
func newHookRigClient(t *testing.T, cfg Config, client *http.Client) *hookRig {
	t.Helper()
	if cfg.WebhookSecret == "" {
		cfg.WebhookSecret = testSecret
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	h := &hookRig{reg: prometheus.NewRegistry(), logs: &syncBuffer{}}
	m, err := newMetrics(h.reg, false)
	if err != nil {
		t.Fatal(err)
	}
	h.w = newWebhooks(cfg, client, RealClock{}, h.logs.logger(), m)
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.w.start(ctx, &h.wg)
	t.Cleanup(h.stop)
	return h
}

func (h *hookRig) stop() {
	h.cancel()
	h.wg.Wait()
	h.w.close()
}

func (h *hookRig) count(t *testing.T, name, result string) float64 {
	t.Helper()
	labels := map[string]string{}
	if result != "" {
		labels["result"] = result
	}
	return metricstest.Value(t, h.reg, name, labels)
}

var testEvent = Event{CameraID: "CG-0001", Commune: "Song Bình", From: camera.StateUp, To: camera.StateDown, Reason: "timeout", At: t0}

func TestWebhookRetriesThenDelivers(t *testing.T) {
	var n atomic.Int32
	bodies := make(chan []byte, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("request: %s %s", r.Method, r.Header.Get("Content-Type"))
		}
		if n.Add(1) <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		bodies <- b
	}))
	defer srv.Close()

	h := newHookRig(t, Config{Webhooks: []string{srv.URL + "/hook?token=t0ps3cret"}, WebhookBackoff: time.Millisecond})
	h.w.enqueue(testEvent)
	var body []byte
	select {
	case body = <-bodies:
	case <-time.After(5 * time.Second):
		t.Fatal("no delivery")
	}
	if got := n.Load(); got != 3 {
		t.Errorf("attempts: got %d, want 3", got)
	}
	var got Event
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, testEvent) {
		t.Errorf("event: got %+v, want %+v", got, testEvent)
	}
	var keys map[string]any
	_ = json.Unmarshal(body, &keys)
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	if want := []string{"at", "camera_id", "commune", "from", "reason", "to"}; !reflect.DeepEqual(names, want) {
		t.Errorf("JSON keys: got %v, want %v", names, want)
	}
	waitFor(t, 5*time.Second, "delivery counted", func() bool { return h.count(t, "matthan_webhook_deliveries_total", "ok") == 1 })
}

func TestWebhookPermanentFailureIsNotRetried(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.NotFound(w, r)
	}))
	defer srv.Close()
	h := newHookRig(t, Config{Webhooks: []string{srv.URL}, WebhookBackoff: time.Millisecond})
	h.w.enqueue(testEvent)
	waitFor(t, 5*time.Second, "failure counted", func() bool { return h.count(t, "matthan_webhook_deliveries_total", "failed") == 1 })
	if got := n.Load(); got != 1 {
		t.Errorf("attempts after a 404: got %d, want 1", got)
	}
}

func TestWebhookHangingReceiver(t *testing.T) {
	release := make(chan struct{})
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	var healthy atomic.Int32
	ok := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { healthy.Add(1) }))
	defer ok.Close()

	h := newHookRig(t, Config{
		Webhooks:        []string{srv.URL + "/hook?token=t0ps3cret", ok.URL},
		WebhookTimeout:  50 * time.Millisecond,
		WebhookAttempts: 2,
		WebhookBackoff:  time.Millisecond,
		WebhookQueue:    3,
	})
	start := time.Now()
	for range 20 {
		h.w.enqueue(testEvent)
	}
	if took := time.Since(start); took > 50*time.Millisecond {
		t.Errorf("enqueueing 20 events took %v: the poller would wait for a hung receiver", took)
	}
	// At most one event is in delivery and three wait: the rest of the
	// hung URL's events were dropped, oldest first. The other URL's
	// queue overflowed too (all 20 came at once) but it got its events.
	waitFor(t, 5*time.Second, "a delivery given up", func() bool { return h.count(t, "matthan_webhook_deliveries_total", "failed") >= 1 })
	waitFor(t, 5*time.Second, "the healthy receiver served", func() bool { return healthy.Load() >= 3 })
	if got := h.count(t, "matthan_webhook_dropped_total", ""); got < 2*(20-3-1) {
		t.Errorf("dropped: got %v, want at least %d", got, 2*(20-3-1))
	}
	if got := n.Load(); got < 2 {
		t.Errorf("attempts at the hung receiver: got %d, want at least 2", got)
	}

	start = time.Now()
	h.stop()
	if took := time.Since(start); took > time.Second {
		t.Errorf("stopping with a hung receiver took %v", took)
	}
	if logs := h.logs.String(); strings.Contains(logs, "t0ps3cret") || strings.Contains(logs, "/hook") {
		t.Errorf("the webhook URL leaked into the logs:\n%s", logs)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{Interval: -time.Second}, "interval must be more than 0, got -1s"},
		{Config{Concurrency: -1}, "concurrency must be at least 1, got -1"},
		{Config{Confirm: -2}, "confirm must be at least 1, got -2"},
		{Config{Jitter: -1}, "jitter must not be negative, got -1ns"},
		{Config{Tick: -1}, "tick must be between 0s and 1s, got -1ns"},
		{Config{Tick: 2 * time.Second}, "tick must be between 0s and 1s, got 2s"},
		{Config{Intervals: map[string]time.Duration{"CG-1": 0}}, `intervals["CG-1"] must be more than 0, got 0s`},
		{Config{Webhooks: []string{"ftp://user:pw@example.org/"}, WebhookSecret: testSecret}, "webhooks[0] must be an http:// or https:// URL with a host"},
		{Config{Webhooks: []string{"https://alerts.example.vn/hook"}}, "webhook_secret must be at least 16 characters when there are webhooks (every event is signed), got 0"},
		{Config{Webhooks: []string{"https://alerts.example.vn/hook"}, WebhookSecret: "short-secret"}, "webhook_secret must be at least 16 characters when there are webhooks (every event is signed), got 12"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := New(Options{Config: tt.cfg, Prober: newFakeProber(), Store: nopStore{}})
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
	cfg, err := Config{Interval: 5 * time.Second}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.timeoutOf(cfg.Interval) != 5*time.Second || cfg.jitterOf(cfg.Interval) != 500*time.Millisecond || cfg.SlowAfter != DefaultTimeout/2 {
		t.Errorf("derived: timeout %v jitter %v slow after %v", cfg.timeoutOf(cfg.Interval), cfg.jitterOf(cfg.Interval), cfg.SlowAfter)
	}
}
