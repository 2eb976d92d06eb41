package ingest

import (
	"context"
	"fmt"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/metricstest"
	"github.com/matthan/matthan/registry/registrytest"
)

const (
	up      = camera.StateUp
	down    = camera.StateDown
	unknown = camera.StateUnknown
)

func TestPollerConfirmsAndRecords(t *testing.T) {
	cfg := fastConfig()
	cfg.Interval = time.Second // so that a retry is told apart from a slot
	r := newRig(t, cfg, registrytest.Camera("C1", "Song Bình"))
	r.start(t)
	r.probeNow("C1")

	waitFor(t, 5*time.Second, "C1 confirmed up", func() bool { return len(r.transitions(t, "C1")) == 1 })
	calls := r.prober.callsOf("C1")
	if len(calls) < 2 {
		t.Fatalf("confirmed after %d probes, want 2", len(calls))
	}
	if !calls[0].deep || !calls[1].deep {
		t.Errorf("probes of a camera not yet up should be deep: %+v", calls[:2])
	}
	if gap := calls[1].at.Sub(calls[0].at); gap > cfg.Interval/2 {
		t.Errorf("confirmation came %v after the first result, want about the retry delay %v", gap, cfg.Retry)
	}
	if got := r.transitions(t, "C1")[0]; got.From != unknown || got.To != up || got.Reason != camera.ReasonOK {
		t.Errorf("first transition: %+v", got)
	}

	wentDown := time.Now()
	r.prober.set("C1", answer(down, camera.ReasonRefused))
	r.probeNow("C1")
	waitFor(t, 5*time.Second, "C1 confirmed down", func() bool { return len(r.transitions(t, "C1")) == 2 })
	ts := r.transitions(t, "C1")
	if ts[1].From != up || ts[1].To != down || ts[1].Reason != camera.ReasonRefused {
		t.Errorf("second transition: %+v", ts[1])
	}
	// Dated at the first failed probe, before the confirming one.
	var downCalls []call
	for _, c := range r.prober.callsOf("C1") {
		if c.at.After(wentDown) {
			downCalls = append(downCalls, c)
		}
	}
	if len(downCalls) < 2 || ts[1].At.Before(wentDown) || !ts[1].At.Before(downCalls[1].at) {
		t.Errorf("outage dated %v; set down at %v, probes at %+v", ts[1].At, wentDown, downCalls)
	}

	waitFor(t, 5*time.Second, "current health written", func() bool {
		h, err := r.store.CurrentHealth(context.Background(), "C1")
		return err == nil && h.State == down && h.ConsecutiveFailures >= 2 && h.LastProbe != nil
	})
	if h, ok := r.p.Current("C1"); !ok || h.State != down || !h.Since.Equal(ts[1].At) {
		t.Errorf("poller's current view: %+v %v", h, ok)
	}
	r.stop()
	r.prober.checkNoOverlap(t)
	r.noSecrets(t)
}

func TestSingleFlapIgnored(t *testing.T) {
	r := newRig(t, fastConfig(), registrytest.Camera("C1", "Song Bình"))
	r.start(t)
	r.probeNow("C1")
	waitFor(t, 5*time.Second, "C1 confirmed up", func() bool { return len(r.transitions(t, "C1")) == 1 })

	var n atomic.Int32
	r.prober.set("C1", func(context.Context) camera.ProbeResult {
		if n.Add(1) == 1 {
			return camera.ProbeResult{State: down, Reason: camera.ReasonTimeout}
		}
		return camera.ProbeResult{State: up, Reason: camera.ReasonOK}
	})
	before := r.prober.count("C1")
	waitFor(t, 5*time.Second, "probes after the flap", func() bool { return n.Load() >= 4 })
	if ts := r.transitions(t, "C1"); len(ts) != 1 {
		t.Errorf("a single lost answer changed the state: %s", changes(ts))
	}
	calls := r.prober.callsOf("C1")[before:]
	if !calls[1].deep {
		t.Errorf("the probe after a failure (confirming a change) should be deep")
	}
	r.stop()
	r.prober.checkNoOverlap(t)
}

func TestNoConcurrentProbesOfOneCamera(t *testing.T) {
	cfg := fastConfig()
	cfg.Interval = 5 * time.Millisecond // shorter than the probes
	cfg.Timeout = 20 * time.Millisecond
	cfg.Retry = time.Millisecond
	var cams []*camera.Camera
	for i := range 40 {
		cams = append(cams, registrytest.Camera(fmt.Sprintf("C%02d", i), "Song Bình"))
	}
	r := newRig(t, cfg, cams...)
	slow := func(ctx context.Context) camera.ProbeResult {
		select {
		case <-ctx.Done():
		case <-time.After(8 * time.Millisecond): // the camera's work
		}
		return camera.ProbeResult{State: up, Reason: camera.ReasonOK}
	}
	for i, c := range cams {
		if i%2 == 0 {
			r.prober.set(c.ID, blackHole)
		} else {
			r.prober.set(c.ID, slow)
		}
	}
	r.start(t)
	// Changing credentials mid-flight must not start a second probe
	// while the first (cancelled) one is still returning.
	for i := range 5 {
		c := cams[i].Clone()
		c.Credentials.Password = "other"
		r.p.Upsert(c)
	}
	waitFor(t, 10*time.Second, "every camera probed 5 times", func() bool {
		for _, c := range cams {
			if r.prober.count(c.ID) < 5 {
				return false
			}
		}
		return true
	})
	r.stop()
	r.prober.checkNoOverlap(t)
}

func TestAddRetireRemoveWithoutRestart(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, fastConfig(), registrytest.Camera("C1", "Song Bình"), registrytest.Camera("W", "Song Bình"))
	r.start(t)

	// Added while running.
	c2 := registrytest.Camera("C2", "Bình Phan")
	registrytest.AddCameras(t, r.store, c2)
	r.p.Upsert(c2)
	waitFor(t, 5*time.Second, "C2 confirmed up", func() bool { return len(r.transitions(t, "C2")) == 1 })

	// witness waits until W has been probed n more times: long enough
	// for a scheduled camera to have been probed too.
	witness := func(n int) {
		base := r.prober.count("W")
		waitFor(t, 5*time.Second, "witness probes", func() bool { return r.prober.count("W") >= base+n })
	}

	// Retired: no more probes, state unknown from now on.
	if _, err := r.store.UpdateCamera(ctx, "C2", "camera.retire", police, func(c *camera.Camera) error {
		c.Status = camera.StatusRetired
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	c2.Status = camera.StatusRetired
	r.p.Upsert(c2)
	n := r.prober.count("C2")
	witness(3)
	if got := r.prober.count("C2"); got != n {
		t.Errorf("retired C2 probed %d more times", got-n)
	}
	waitFor(t, 5*time.Second, "retirement recorded", func() bool { return len(r.transitions(t, "C2")) == 2 })
	if ts := r.transitions(t, "C2"); ts[1].To != unknown || ts[1].Reason != camera.ReasonRetired {
		t.Errorf("retirement: %+v", ts[1])
	}
	if _, ok := r.p.Current("C2"); ok {
		t.Error("retired C2 is still scheduled")
	}
	// The poller keeps no last probe in memory: the retirement's record
	// keeps the stored one.
	waitFor(t, 5*time.Second, "retired health written", func() bool {
		h, err := r.store.CurrentHealth(ctx, "C2")
		return err == nil && h.State == unknown
	})
	if h, _ := r.store.CurrentHealth(ctx, "C2"); h.Reason != camera.ReasonRetired || h.LastProbe == nil || h.LastProbe.State != up {
		t.Errorf("retired C2's stored health: %+v (last probe %+v)", h, h.LastProbe)
	}

	// Deleted: no more probes.
	if err := r.store.DeleteCamera(ctx, "C1", police); err != nil {
		t.Fatal(err)
	}
	r.p.Remove("C1")
	n = r.prober.count("C1")
	witness(3)
	if got := r.prober.count("C1"); got != n {
		t.Errorf("removed C1 probed %d more times", got-n)
	}
	if got := metricstest.Value(t, r.reg, "matthan_poller_cameras", nil); got != 1 {
		t.Errorf("matthan_poller_cameras: got %v, want 1", got)
	}
	r.stop()
	r.prober.checkNoOverlap(t)
}

func TestURLChangeTakesEffectAtOnce(t *testing.T) {
	cfg := fastConfig()
	cfg.Interval = time.Minute
	cfg.Timeout = time.Minute
	c := registrytest.Camera("C1", "Song Bình")
	r := newRig(t, cfg, c)
	oldURL := c.StreamURL()
	var newCalls atomic.Int32
	r.prober.script[oldURL] = blackHole
	fixed := c.Clone()
	fixed.Credentials.Password = "correct"
	r.prober.script[fixed.StreamURL()] = func(context.Context) camera.ProbeResult {
		newCalls.Add(1)
		return camera.ProbeResult{State: up, Reason: camera.ReasonOK}
	}
	r.start(t)
	r.probeNow("C1")
	<-r.prober.started // the old URL's probe hangs

	r.p.Upsert(fixed)
	waitFor(t, 5*time.Second, "the new URL probed", func() bool { return newCalls.Load() >= 1 })
	r.stop()
	r.prober.checkNoOverlap(t)
	if ts := r.transitions(t, "C1"); len(ts) != 0 {
		t.Errorf("the cancelled probe of the old URL was recorded: %s", changes(ts))
	}
}

func TestStopCancelsProbesPromptly(t *testing.T) {
	cfg := fastConfig()
	cfg.Interval = 10 * time.Minute
	cfg.Timeout = 10 * time.Minute
	r := newRig(t, cfg, registrytest.Camera("C1", "Song Bình"))
	var sawCancel atomic.Bool
	r.prober.set("C1", func(ctx context.Context) camera.ProbeResult {
		<-ctx.Done()
		sawCancel.Store(ctx.Err() == context.Canceled)
		return camera.ProbeResult{State: unknown, Reason: camera.ReasonCanceled}
	})
	r.start(t)
	r.probeNow("C1")
	select {
	case <-r.prober.started:
	case <-time.After(5 * time.Second):
		t.Fatal("the probe did not start")
	}
	start := time.Now()
	r.p.Stop()
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Stop took %v with a probe in flight", took)
	}
	if !sawCancel.Load() {
		t.Error("the probe's context was not cancelled")
	}
	r.p.Stop() // twice is fine
}

// hookStore runs during() when the poller starts reading the cameras, to
// interleave API calls with a Sync.
type hookStore struct {
	Store
	during func()
}

func (h *hookStore) ForEachCamera(ctx context.Context, fn func(*camera.Camera) error) error {
	if h.during != nil {
		h.during()
	}
	return h.Store.ForEachCamera(ctx, fn)
}

func TestSync(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, fastConfig())
	registrytest.AddCameras(t, r.store, registrytest.Camera("C1", "Song Bình"), registrytest.Camera("C2", "Song Bình"), registrytest.Camera("C5", "Song Bình"))
	hs := &hookStore{Store: r.store}
	p, err := New(Options{Config: fastConfig(), Prober: r.prober, Store: hs})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer p.Stop()

	registrytest.AddCameras(t, r.store, registrytest.Camera("C3", "Bình Phan"))
	if err := r.store.DeleteCamera(ctx, "C2", police); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.UpdateCamera(ctx, "C1", "camera.patch", police, func(c *camera.Camera) error {
		c.Commune = "Bình Phan"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// While Sync reads the store, the API adds C4 (its store write lands
	// after the read) and deletes C5 (its write lands before): Sync must
	// neither drop C4 nor bring C5 back.
	hs.during = func() {
		p.Upsert(registrytest.Camera("C4", "Bình Phan"))
		p.Remove("C5")
	}
	snapshot := func() map[string]string {
		p.mu.Lock()
		defer p.mu.Unlock()
		out := map[string]string{}
		for e := range p.entries.all() {
			if !e.has(fRemoved) {
				out[e.id()] = e.commune.String()
			}
		}
		return out
	}
	if err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"C1": "Bình Phan", "C3": "Bình Phan", "C4": "Bình Phan"}
	if got := snapshot(); !reflect.DeepEqual(got, want) {
		t.Errorf("scheduled after Sync: got %v, want %v", got, want)
	}
	// The next Sync, without interference, follows the store again: C4
	// is not in it, and C5's delete has landed.
	hs.during = nil
	if err := r.store.DeleteCamera(ctx, "C5", police); err != nil {
		t.Fatal(err)
	}
	if err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	delete(want, "C4")
	if got := snapshot(); !reflect.DeepEqual(got, want) {
		t.Errorf("scheduled after a second Sync: got %v, want %v", got, want)
	}
}

func TestRestartResumesStoredState(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, fastConfig(), registrytest.Camera("C1", "Song Bình"))
	since := time.Now().Add(-time.Hour)
	if err := r.store.RecordHealth(ctx,
		[]camera.Health{{CameraID: "C1", State: up, Reason: camera.ReasonOK, Since: since}},
		[]camera.Transition{{CameraID: "C1", At: since, From: unknown, To: up, Reason: camera.ReasonOK}}); err != nil {
		t.Fatal(err)
	}
	r.start(t)
	if h, _ := r.p.Current("C1"); h.State != up || !h.Since.Equal(since) {
		t.Errorf("state after start: %+v", h)
	}
	r.probeNow("C1")
	waitFor(t, 5*time.Second, "two probes", func() bool { return r.prober.count("C1") >= 3 })
	r.stop()
	if ts := r.transitions(t, "C1"); len(ts) != 1 {
		t.Errorf("a restart recorded a change: %s", changes(ts))
	}
}

// TestRetiredWhileStopped: a camera retired while no poller ran is
// recorded unknown at the next start, its last probe kept.
func TestRetiredWhileStopped(t *testing.T) {
	ctx := context.Background()
	c := registrytest.Camera("C1", "Song Bình")
	r := newRig(t, fastConfig(), c, registrytest.Camera("C2", "Song Bình"))
	since := time.Now().Add(-time.Hour)
	last := &camera.ProbeResult{State: up, Reason: camera.ReasonOK, At: since.Add(time.Minute), Codec: "h264", Server: "Hikvision-Webs"}
	if err := r.store.RecordHealth(ctx,
		[]camera.Health{{CameraID: "C1", State: up, Reason: camera.ReasonOK, Since: since, LastProbe: last}},
		[]camera.Transition{{CameraID: "C1", At: since, From: unknown, To: up, Reason: camera.ReasonOK}}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.UpdateCamera(ctx, "C1", "camera.retire", police, func(c *camera.Camera) error {
		c.Status = camera.StatusRetired
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	r.start(t)
	if _, ok := r.p.Current("C1"); ok {
		t.Error("retired C1 is scheduled")
	}
	waitFor(t, 5*time.Second, "retirement recorded", func() bool { return len(r.transitions(t, "C1")) == 2 })
	r.stop()
	h, err := r.store.CurrentHealth(ctx, "C1")
	if err != nil || h.State != unknown || h.Reason != camera.ReasonRetired || h.LastProbe == nil || h.LastProbe.Server != "Hikvision-Webs" || !h.LastProbe.At.Equal(last.At) {
		t.Errorf("stored health: %+v %v (last probe %+v)", h, err, h.LastProbe)
	}
}

func TestBlackHolesDoNotDelayWorkingCameras(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for seconds")
	}
	const n = 100
	cfg := Config{
		Interval:        time.Second,
		Timeout:         200 * time.Millisecond,
		Retry:           100 * time.Millisecond,
		Jitter:          10 * time.Millisecond,
		Concurrency:     64,
		SlowConcurrency: 16, // the dead saturate their lane
		FlushInterval:   50 * time.Millisecond,
	}
	late := blackHoleRun(t, n, cfg, 3)
	if late.max > cfg.Timeout {
		t.Errorf("working cameras' probes started up to %v late (p99 %v), want at most one probe timeout (%v)", late.max, late.p99, cfg.Timeout)
	}
	t.Logf("lateness of working cameras: max %v, p99 %v over %d probes", late.max, late.p99, late.n)
}

// A camera without a stream URL (a position imported from OpenStreetMap,
// a stream not set up yet) is not probed and stays unknown — not down, which
// would page the police for a camera that never had a stream. Given a URL,
// it is probed; losing it again makes it unknown, reason no_url.
func TestCameraWithoutURLIsNotProbed(t *testing.T) {
	ctx := context.Background()
	bare := registrytest.Camera("B1", "Song Bình")
	bare.RTSPURL = ""
	r := newRig(t, fastConfig(), bare, registrytest.Camera("W", "Song Bình"))
	r.start(t)
	witness := func(n int) {
		base := r.prober.count("W")
		waitFor(t, 5*time.Second, "witness probes", func() bool { return r.prober.count("W") >= base+n })
	}
	witness(3)
	if got := r.prober.count("B1"); got != 0 {
		t.Errorf("B1, without a URL, probed %d times", got)
	}
	if _, ok := r.p.Current("B1"); ok {
		t.Error("B1, without a URL, is scheduled")
	}
	if ts := r.transitions(t, "B1"); len(ts) != 0 {
		t.Errorf("B1, never probed, has transitions %+v", ts)
	}

	// A URL set: probed and confirmed up.
	withURL := registrytest.Camera("B1", "Song Bình")
	if _, err := r.store.ReplaceCamera(ctx, withURL, true, police); err != nil {
		t.Fatal(err)
	}
	r.p.Upsert(withURL)
	waitFor(t, 5*time.Second, "B1 confirmed up", func() bool { return len(r.transitions(t, "B1")) == 1 })

	// The URL taken away: unknown, reason no_url, and no more probes.
	if _, err := r.store.ReplaceCamera(ctx, bare, true, police); err != nil {
		t.Fatal(err)
	}
	r.p.Upsert(bare)
	waitFor(t, 5*time.Second, "B1 unknown again", func() bool { return len(r.transitions(t, "B1")) == 2 })
	if ts := r.transitions(t, "B1"); ts[1].To != unknown || ts[1].Reason != camera.ReasonNoURL {
		t.Errorf("URL removed: %+v", ts[1])
	}
	n := r.prober.count("B1")
	witness(3)
	if got := r.prober.count("B1"); got != n {
		t.Errorf("B1, its URL removed, probed %d more times", got-n)
	}
}
