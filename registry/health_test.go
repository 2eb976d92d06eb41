package registry_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

// t0 is the start of the hand-built histories: 08:00 on a day in Chợ Gạo.
var t0 = time.Date(2024, 3, 5, 1, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

// openAtNow opens a store whose clock says now.
func openAtNow(t *testing.T, now time.Time) *registry.Store {
	t.Helper()
	return registrytest.OpenAt(t, filepath.Join(t.TempDir(), "matthan.db"), func() time.Time { return now })
}

// addCameras creates cameras with the given ids (commune "Song Bình").
func addCameras(t *testing.T, s *registry.Store, ids ...string) {
	t.Helper()
	for _, id := range ids {
		c := testCamera(id)
		c.Commune = "Song Bình"
		if err := s.CreateCamera(context.Background(), c, police); err != nil {
			t.Fatalf("create %s: %v", id, err)
		}
	}
}

// tr is a transition of camera C1 at t0+d.
func tr(d time.Duration, from, to camera.HealthState) camera.Transition {
	return camera.Transition{CameraID: "C1", At: at(d), From: from, To: to, Reason: "r-" + string(to)}
}

const (
	up   = camera.StateUp
	down = camera.StateDown
	deg  = camera.StateDegraded
	auth = camera.StateAuthFailed
	unk  = camera.StateUnknown
)

// history is C1: unknown until 1h, up 1h–3h, down 3h–3h30, degraded
// 3h30–4h, auth_failed 4h–5h, up from 5h on.
var history = []camera.Transition{
	tr(1*time.Hour, unk, up),
	tr(3*time.Hour, up, down),
	tr(3*time.Hour+30*time.Minute, down, deg),
	tr(4*time.Hour, deg, auth),
	tr(5*time.Hour, auth, up),
}

func recordHistory(t *testing.T, s *registry.Store, ts []camera.Transition) {
	t.Helper()
	// Stored in two batches and out of order, as a poller restart could.
	half := len(ts) / 2
	for _, part := range [][]camera.Transition{ts[half:], ts[:half]} {
		if err := s.RecordHealth(context.Background(), nil, part); err != nil {
			t.Fatalf("record: %v", err)
		}
	}
}

func TestUptime(t *testing.T) {
	ratio := func(r float64) *float64 { return &r }
	h := time.Hour
	m := time.Minute
	tests := []struct {
		name     string
		from, to time.Duration // from t0
		now      time.Duration
		want     registry.UptimeStats // From, To filled in by the test
		wantTo   time.Duration
	}{
		{
			name: "all before first probe", from: 0, to: h, now: 10 * h,
			want: registry.UptimeStats{UnknownSeconds: 3600, Ratio: nil},
		},
		{
			name: "starts before first record", from: 0, to: 2 * h, now: 10 * h,
			want: registry.UptimeStats{UnknownSeconds: 3600, UpSeconds: 3600, Ratio: ratio(1), Changes: 1},
		},
		{
			name: "starts exactly at first record", from: h, to: 2 * h, now: 10 * h,
			want: registry.UptimeStats{UpSeconds: 3600, Ratio: ratio(1)},
		},
		{
			name: "starts after first record, inside up", from: 2 * h, to: 3*h + 15*m, now: 10 * h,
			want: registry.UptimeStats{UpSeconds: 3600, DownSeconds: 900, Ratio: ratio(3600.0 / 4500), Changes: 1},
		},
		{
			name: "every state", from: 0, to: 6 * h, now: 10 * h,
			want: registry.UptimeStats{
				UnknownSeconds: 3600, UpSeconds: 3 * 3600, DownSeconds: 1800, DegradedSeconds: 1800, AuthFailedSeconds: 3600,
				Ratio: ratio(3.0 / 5), Changes: 5,
			},
		},
		{
			name: "window inside one outage", from: 3*h + 5*m, to: 3*h + 25*m, now: 10 * h,
			want: registry.UptimeStats{DownSeconds: 1200, Ratio: ratio(0)},
		},
		{
			name: "state lasting past to", from: 4*h + 30*m, to: 8 * h, now: 10 * h,
			want: registry.UptimeStats{AuthFailedSeconds: 1800, UpSeconds: 3 * 3600, Ratio: ratio(3.0 / 3.5), Changes: 1},
		},
		{
			name: "to after now is clamped", from: 5 * h, to: 48 * h, now: 6 * h,
			want:   registry.UptimeStats{UpSeconds: 3600, Ratio: ratio(1)},
			wantTo: 6 * h,
		},
		{
			name: "transition exactly at to is outside", from: 2 * h, to: 3 * h, now: 10 * h,
			want: registry.UptimeStats{UpSeconds: 3600, Ratio: ratio(1)},
		},
		{
			name: "empty window", from: 2 * h, to: 2 * h, now: 10 * h,
			want:   registry.UptimeStats{},
			wantTo: 2 * h,
		},
		{
			name: "window entirely in the future", from: 20 * h, to: 30 * h, now: 10 * h,
			want:   registry.UptimeStats{},
			wantTo: 20 * h,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openAtNow(t, at(tt.now))
			addCameras(t, s, "C1")
			recordHistory(t, s, history)
			got, err := s.Uptime(context.Background(), "C1", at(tt.from), at(tt.to))
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.From, want.To = at(tt.from), at(tt.to)
			if tt.wantTo != 0 {
				want.To = at(tt.wantTo)
			}
			if !uptimeEqual(got, want) {
				t.Errorf("got  %s\nwant %s", fmtUptime(got), fmtUptime(want))
			}
		})
	}
}

func uptimeEqual(a, b registry.UptimeStats) bool {
	if (a.Ratio == nil) != (b.Ratio == nil) || (a.Ratio != nil && math.Abs(*a.Ratio-*b.Ratio) > 1e-12) {
		return false
	}
	a.Ratio, b.Ratio = nil, nil
	return a.From.Equal(b.From) && a.To.Equal(b.To) && reflect.DeepEqual(
		[]any{a.UpSeconds, a.DegradedSeconds, a.DownSeconds, a.AuthFailedSeconds, a.UnknownSeconds, a.Changes},
		[]any{b.UpSeconds, b.DegradedSeconds, b.DownSeconds, b.AuthFailedSeconds, b.UnknownSeconds, b.Changes})
}

func fmtUptime(u registry.UptimeStats) string {
	r := "null"
	if u.Ratio != nil {
		r = fmt.Sprintf("%.4f", *u.Ratio)
	}
	return fmt.Sprintf("[%s, %s) up %v degraded %v down %v auth %v unknown %v ratio %s changes %d",
		u.From.Sub(t0), u.To.Sub(t0), u.UpSeconds, u.DegradedSeconds, u.DownSeconds, u.AuthFailedSeconds, u.UnknownSeconds, r, u.Changes)
}

func TestStateAt(t *testing.T) {
	s := openAtNow(t, at(100*time.Hour))
	addCameras(t, s, "C1", "C10", "C2")
	recordHistory(t, s, history)
	// Neighbours in key order must not leak into C1's answers: C10 sorts
	// right after C1, and C0 (no camera, no history) right before.
	if err := s.RecordHealth(context.Background(), nil, []camera.Transition{
		{CameraID: "C10", At: at(0), From: unk, To: deg, Reason: "no_frames"},
		{CameraID: "C10", At: at(200 * time.Hour), From: deg, To: down, Reason: "timeout"},
	}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		id         string
		t          time.Duration
		want       camera.HealthState
		wantReason string
	}{
		{"before first record", "C1", 30 * time.Minute, unk, ""},
		{"long before first record", "C1", -1000 * time.Hour, unk, ""},
		{"exactly at first record", "C1", time.Hour, up, "r-up"},
		{"just before a change", "C1", 3*time.Hour - time.Nanosecond, up, "r-up"},
		{"exactly at a change", "C1", 3 * time.Hour, down, "r-down"},
		{"inside degraded", "C1", 3*time.Hour + 45*time.Minute, deg, "r-degraded"},
		{"after last record", "C1", 1000 * time.Hour, up, "r-up"},
		{"neighbour id with a later history", "C10", 100 * time.Hour, deg, "no_frames"},
		{"camera without history", "C2", 100 * time.Hour, unk, ""},
		{"no such camera", "C0", 100 * time.Hour, unk, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason, err := s.StateAt(context.Background(), tt.id, at(tt.t))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || reason != tt.wantReason {
				t.Errorf("got %s (%q), want %s (%q)", got, reason, tt.want, tt.wantReason)
			}
		})
	}

	states, err := s.StatesAt(context.Background(), []string{"C1", "C10", "C2"}, at(3*time.Hour+time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]camera.HealthState{"C1": down, "C10": deg, "C2": unk}; !reflect.DeepEqual(states, want) {
		t.Errorf("StatesAt: got %v, want %v", states, want)
	}
}

func TestTransitions(t *testing.T) {
	s := openAtNow(t, at(100*time.Hour))
	addCameras(t, s, "C1", "C10")
	recordHistory(t, s, history)
	if err := s.RecordHealth(context.Background(), nil, []camera.Transition{{CameraID: "C10", At: at(2 * time.Hour), From: unk, To: up}}); err != nil {
		t.Fatal(err)
	}
	toAts := func(ts []camera.Transition) []time.Duration {
		var out []time.Duration
		for _, x := range ts {
			if x.CameraID != "C1" {
				t.Errorf("transition of %q in C1's history", x.CameraID)
			}
			out = append(out, x.At.Sub(t0))
		}
		return out
	}
	h := time.Hour
	tests := []struct {
		name     string
		from, to time.Time
		limit    int
		want     []time.Duration
	}{
		{"all, newest first", time.Time{}, time.Time{}, 0, []time.Duration{5 * h, 4 * h, 3*h + 30*time.Minute, 3 * h, h}},
		{"limit", time.Time{}, time.Time{}, 2, []time.Duration{5 * h, 4 * h}},
		{"from inclusive, to exclusive", at(3 * h), at(4 * h), 0, []time.Duration{3*h + 30*time.Minute, 3 * h}},
		{"window before any", at(-10 * h), at(h), 0, nil},
		{"open end", at(4 * h), time.Time{}, 0, []time.Duration{5 * h, 4 * h}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Transitions(context.Background(), "C1", tt.from, tt.to, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if g := toAts(got); !reflect.DeepEqual(g, tt.want) {
				t.Errorf("got %v, want %v", g, tt.want)
			}
		})
	}
	got, _ := s.Transitions(context.Background(), "C1", at(3*h), at(3*h+time.Second), 0)
	want := []camera.Transition{{CameraID: "C1", At: at(3 * h), From: up, To: down, Reason: "r-down"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded transition: got %+v, want %+v", got, want)
	}
}

func TestCurrentHealthAndList(t *testing.T) {
	ctx := context.Background()
	s := openAtNow(t, at(10*time.Hour))
	addCameras(t, s, "C1", "C2", "C3")
	other := testCamera("C4")
	other.Commune = "Bình Phan"
	if err := s.CreateCamera(ctx, other, police); err != nil {
		t.Fatal(err)
	}
	retired := testCamera("C5")
	retired.Status = camera.StatusRetired
	if err := s.CreateCamera(ctx, retired, police); err != nil {
		t.Fatal(err)
	}

	if got, err := s.CurrentHealth(ctx, "C1"); err != nil || !reflect.DeepEqual(got, camera.UnknownHealth("C1")) {
		t.Errorf("never probed: got %+v, %v; want unknown", got, err)
	}
	if _, err := s.CurrentHealth(ctx, "nope"); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Errorf("no such camera: got %v, want not_found", err)
	}

	probe := &camera.ProbeResult{State: up, Reason: camera.ReasonOK, At: at(time.Hour), Latency: 120 * time.Millisecond, Codec: "H264", Width: 1920, Height: 1080, Server: "Hikvision"}
	h1 := camera.Health{CameraID: "C1", State: up, Reason: camera.ReasonOK, Since: at(time.Hour), LastProbe: probe}
	h2 := camera.Health{CameraID: "C2", State: down, Reason: camera.ReasonTimeout, Since: at(2 * time.Hour), ConsecutiveFailures: 3}
	h4 := camera.Health{CameraID: "C4", State: down, Reason: camera.ReasonRefused, Since: at(2 * time.Hour), ConsecutiveFailures: 2}
	gone := camera.Health{CameraID: "deleted", State: up}
	err := s.RecordHealth(ctx, []camera.Health{h1, h2, h4, gone}, []camera.Transition{{CameraID: "deleted", At: at(0), From: unk, To: up}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.CurrentHealth(ctx, "C1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, h1) {
		t.Errorf("C1: got %+v, want %+v", got, h1)
	}
	if st, _, _ := s.StateAt(ctx, "deleted", at(time.Hour)); st != unk {
		t.Errorf("a transition of a camera not in the registry was stored: state %s", st)
	}

	var seen []string
	if err := s.ForEachHealth(ctx, func(h camera.Health) error { seen = append(seen, h.CameraID); return nil }); err != nil {
		t.Fatal(err)
	}
	if want := []string{"C1", "C2", "C4"}; !reflect.DeepEqual(seen, want) {
		t.Errorf("ForEachHealth: got %v, want %v", seen, want)
	}

	// Filter down cameras of Song Bình, a page at a time.
	keep := func(it *registry.HealthItem) bool { return it.Commune == "Song Bình" && it.State == down }
	items, next, err := s.ListHealth(ctx, "", 1, keep)
	if err != nil || len(items) != 1 || items[0].CameraID != "C2" || next != "" {
		t.Errorf("list down in Song Bình: got %+v next %q err %v", items, next, err)
	}
	var ids []string
	var states []camera.HealthState
	for after := ""; ; {
		items, next, err := s.ListHealth(ctx, after, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			ids = append(ids, it.CameraID)
			states = append(states, it.State)
		}
		if next == "" {
			break
		}
		after = next
	}
	if want := []string{"C1", "C2", "C3", "C4", "C5"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("list ids: got %v, want %v", ids, want)
	}
	if want := []camera.HealthState{up, down, unk, down, unk}; !reflect.DeepEqual(states, want) {
		t.Errorf("list states: got %v, want %v", states, want)
	}

	sum, err := s.HealthSummary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	zero := func(m map[camera.HealthState]int) map[camera.HealthState]int {
		out := map[camera.HealthState]int{up: 0, deg: 0, down: 0, auth: 0, unk: 0}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	wantSum := []registry.CommuneHealth{
		{Commune: "Bình Phan", Cameras: 1, States: zero(map[camera.HealthState]int{down: 1})},
		{Commune: "Song Bình", Cameras: 3, States: zero(map[camera.HealthState]int{up: 1, down: 1, unk: 1})},
	}
	if !reflect.DeepEqual(sum, wantSum) {
		t.Errorf("summary (retired C5 left out): got %+v, want %+v", sum, wantSum)
	}
}

func TestDeleteHealth(t *testing.T) {
	ctx := context.Background()
	s := openAtNow(t, at(100*time.Hour))
	addCameras(t, s, "C1", "C10")
	recordHistory(t, s, history)
	keep := camera.Transition{CameraID: "C10", At: at(time.Hour), From: unk, To: up}
	if err := s.RecordHealth(ctx, []camera.Health{{CameraID: "C1", State: up}, {CameraID: "C10", State: up}}, []camera.Transition{keep}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteHealth(ctx, "C1"); err != nil {
		t.Fatal(err)
	}
	if ts, _ := s.Transitions(ctx, "C1", time.Time{}, time.Time{}, 0); len(ts) != 0 {
		t.Errorf("C1 transitions after delete: %v", ts)
	}
	if h, _ := s.CurrentHealth(ctx, "C1"); h.State != unk {
		t.Errorf("C1 health after delete: %+v", h)
	}
	ts, _ := s.Transitions(ctx, "C10", time.Time{}, time.Time{}, 0)
	if !reflect.DeepEqual(ts, []camera.Transition{keep}) {
		t.Errorf("C10 transitions: got %v, want %v", ts, []camera.Transition{keep})
	}
}

func TestSameInstantTransitionsKept(t *testing.T) {
	ctx := context.Background()
	s := openAtNow(t, at(100*time.Hour))
	addCameras(t, s, "C1")
	two := []camera.Transition{tr(time.Hour, unk, down), tr(time.Hour, down, up)}
	for _, x := range two {
		if err := s.RecordHealth(ctx, nil, []camera.Transition{x}); err != nil {
			t.Fatal(err)
		}
	}
	ts, _ := s.Transitions(ctx, "C1", time.Time{}, time.Time{}, 0)
	if len(ts) != 2 || ts[0].To != up || ts[1].To != down {
		t.Errorf("got %+v, want both, the later one last", ts)
	}
}
