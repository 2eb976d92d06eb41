package ingest

import (
	"fmt"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/camera"
)

// metrics are the poller's Prometheus series. Label values are bounded:
// states and reasons are fixed sets (any unexpected reason is "other"),
// communes are as many as the district has, lanes are two. The only
// per-camera series, matthan_camera_up, exists only when the operator
// opts in (Config.PerCameraMetric).
type metrics struct {
	probeDuration *prometheus.HistogramVec
	probes        *prometheus.CounterVec
	cameras       *prometheus.GaugeVec
	cameraUp      *prometheus.GaugeVec // nil unless enabled
	lag           *prometheus.HistogramVec
	scheduled     prometheus.Gauge
	inFlight      *prometheus.GaugeVec
	flushes       *prometheus.CounterVec
	flushDuration prometheus.Histogram

	webhookDeliveries *prometheus.CounterVec
	webhookDropped    prometheus.Counter

	// counts mirrors matthan_cameras, so that a commune's series can be
	// created with zeros and deleted when its last camera goes. Guarded
	// by the poller's lock.
	counts map[string]*communeCount
}

// Lanes, as label values of matthan_poller_lag_seconds and
// matthan_poller_probes_in_flight.
var laneNames = [2]string{"normal", "slow"}

func newMetrics(reg prometheus.Registerer, perCamera bool) (*metrics, error) {
	m := &metrics{
		probeDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "matthan_probe_duration_seconds",
			Help:    "Time taken by camera probes, by resulting health state.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 20, 30},
		}, []string{"result"}),
		probes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "matthan_probes_total",
			Help: "Camera probes done, by resulting health state and reason.",
		}, []string{"result", "reason"}),
		cameras: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "matthan_cameras",
			Help: "Active cameras scheduled for probing, by commune and confirmed health state.",
		}, []string{"commune", "state"}),
		lag: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "matthan_poller_lag_seconds",
			Help:    "How late probes start after their scheduled time, by lane; a growing normal lane means the poller is falling behind.",
			Buckets: []float64{.001, .005, .01, .05, .1, .5, 1, 2.5, 5, 10, 30, 60, 120},
		}, []string{"lane"}),
		scheduled: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "matthan_poller_cameras",
			Help: "Cameras the poller has scheduled.",
		}),
		inFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "matthan_poller_probes_in_flight",
			Help: "Probes running now, by lane.",
		}, []string{"lane"}),
		flushes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "matthan_health_flushes_total",
			Help: "Batched writes of probe results to the store, by result (ok or error).",
		}, []string{"result"}),
		flushDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "matthan_health_flush_duration_seconds",
			Help:    "Time taken by one batched write of probe results, fsync included.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}),
		webhookDeliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "matthan_webhook_deliveries_total",
			Help: "Webhook events delivered (ok) or given up after every attempt (failed).",
		}, []string{"result"}),
		webhookDropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "matthan_webhook_dropped_total",
			Help: "Webhook events dropped, oldest first, because a URL's queue was full.",
		}),
		counts: map[string]*communeCount{},
	}
	cs := []prometheus.Collector{
		m.probeDuration, m.probes, m.cameras, m.lag, m.scheduled, m.inFlight,
		m.flushes, m.flushDuration, m.webhookDeliveries, m.webhookDropped,
	}
	if perCamera {
		m.cameraUp = prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "matthan_camera_up",
			Help: "1 when the camera's confirmed health state is up, 0 otherwise (enabled per camera by option).",
		}, []string{"camera_id"})
		cs = append(cs, m.cameraUp)
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register poller metrics: %w", err)
		}
	}
	// Series that should read 0 rather than be absent before anything
	// happens.
	for _, l := range laneNames {
		m.inFlight.WithLabelValues(l)
		m.lag.WithLabelValues(l)
	}
	for _, r := range []string{"ok", "error"} {
		m.flushes.WithLabelValues(r)
	}
	for _, r := range []string{"ok", "failed"} {
		m.webhookDeliveries.WithLabelValues(r)
	}
	return m, nil
}

// observeProbe counts one probe result.
func (m *metrics) observeProbe(r camera.ProbeResult, seconds float64) {
	state := string(r.State)
	if !r.State.Valid() {
		state = "other"
	}
	m.probes.WithLabelValues(state, reasonLabel(r.Reason)).Inc()
	m.probeDuration.WithLabelValues(state).Observe(seconds)
}

// knownReasons are the reason label values kept as they are. It is
// never written after initialisation.
var knownReasons = map[string]bool{
	camera.ReasonOK: true, camera.ReasonRefused: true, camera.ReasonTimeout: true, camera.ReasonDNS: true,
	camera.ReasonUnreachable: true, camera.ReasonReset: true, camera.ReasonNotRTSP: true, camera.ReasonBadResponse: true,
	camera.ReasonRedirect: true, camera.ReasonAuthFailed: true, camera.ReasonNoVideoTrack: true, camera.ReasonNoFrames: true,
	camera.ReasonBadSDP: true, camera.ReasonTLS: true, camera.ReasonCanceled: true, camera.ReasonNoURL: true,
	camera.ReasonError: true, camera.ReasonBadURL: true, camera.ReasonRetired: true, camera.ReasonDenied: true,
}

// reasonLabel keeps the label bounded: known reasons and status_NNN (at
// most a thousand codes) pass, anything else is "other".
func reasonLabel(r string) string {
	if knownReasons[r] {
		return r
	}
	if code, ok := strings.CutPrefix(r, "status_"); ok && len(code) == 3 && strings.Trim(code, "0123456789") == "" {
		return r
	}
	return "other"
}

// communeCount counts a commune's scheduled cameras by state, with the
// gauges of matthan_cameras that show them (looked up once per commune,
// not once per change: a load counts a million cameras).
type communeCount struct {
	n      [numStateCodes]int
	total  int
	gauges [numStateCodes]prometheus.Gauge
}

// addCamera counts a scheduled camera in commune and state (delta +1), or
// uncounts it (delta -1). Called under the poller's lock.
func (m *metrics) addCamera(commune string, state stateCode, delta int) {
	c := m.counts[commune]
	if c == nil {
		if delta < 0 {
			return
		}
		c = &communeCount{}
		m.counts[commune] = c
		for _, s := range camera.HealthStates {
			g := m.cameras.WithLabelValues(commune, string(s))
			g.Set(0)
			c.gauges[codeOf(s)] = g
		}
	}
	c.n[state] += delta
	c.total += delta
	if g := c.gauges[state]; g != nil { // nil for sNone, never counted
		g.Set(float64(c.n[state]))
	}
	m.scheduled.Add(float64(delta))
	if c.total == 0 {
		delete(m.counts, commune)
		for _, s := range camera.HealthStates {
			m.cameras.DeleteLabelValues(commune, string(s))
		}
	}
}

// setUp sets or deletes matthan_camera_up for one camera.
func (m *metrics) setUp(id string, state stateCode, present bool) {
	if m.cameraUp == nil {
		return
	}
	if !present {
		m.cameraUp.DeleteLabelValues(id)
		return
	}
	v := 0.0
	if state == sUp {
		v = 1
	}
	m.cameraUp.WithLabelValues(id).Set(v)
}
