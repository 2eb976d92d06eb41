package evidence

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/metricstest"
)

func TestRetentionPurges(t *testing.T) {
	ctx := context.Background()
	r := newClipsRig(t)
	logs := &syncBuffer{}
	// inc[0], inc[1]: ended two days ago. A held one, and a recent one
	// sharing a file with inc[0].
	mk := func(age time.Duration, hold bool) *camera.Incident {
		start := r.now.Add(-age)
		in := &camera.Incident{CameraIDs: []string{"CG-0001"}, Start: start, End: start.Add(time.Hour), Category: camera.CategoryRobbery, Hold: hold}
		if err := r.store.CreateIncident(ctx, in, police); err != nil {
			t.Fatal(err)
		}
		return in
	}
	held := mk(72*time.Hour, true)
	recent := mk(2*time.Hour, false)
	upload := func(in *camera.Incident, frames int) *camera.Clip {
		c, err := r.clips.Upload(ctx, in.ID, bytes.NewReader(testMP4(t, frames, 40*time.Millisecond)), 1<<20, "c.mp4", police)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	only := upload(r.inc[0], 30)
	shared := upload(r.inc[0], 40)
	upload(recent, 40) // the same bytes: shared
	heldClip := upload(held, 50)
	other := upload(r.inc[1], 60)

	ret := &Retention{Store: r.store, Files: r.files, Retention: 24 * time.Hour, Logger: logs.logger(), Now: func() time.Time { return r.now }, Metrics: r.clips.Metrics}
	st, err := ret.PurgeOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Incidents != 2 || st.Clips != 2 || st.Files != 2 {
		t.Errorf("stats %+v, want 2 incidents, 2 clips, 2 files", st)
	}
	for _, in := range r.inc {
		if _, err := r.store.GetIncident(ctx, in.ID); camera.ErrorCode(err) != camera.ENOTFOUND {
			t.Errorf("old incident %s kept: %v", in.ID, err)
		}
	}
	for _, in := range []*camera.Incident{held, recent} {
		if _, err := r.store.GetIncident(ctx, in.ID); err != nil {
			t.Errorf("incident %s purged: %v", in.ID, err)
		}
	}
	for _, c := range []*camera.Clip{only, other} {
		if _, err := os.Stat(r.files.Path(c.ID)); !os.IsNotExist(err) {
			t.Errorf("file of purged clip %s: %v", c.ID, err)
		}
	}
	for _, c := range []*camera.Clip{shared, heldClip} {
		if _, err := os.Stat(r.files.Path(c.ID)); err != nil {
			t.Errorf("file of kept clip %s: %v", c.ID, err)
		}
		if _, err := r.store.GetClip(ctx, c.ID); err != nil {
			t.Errorf("kept clip %s: %v", c.ID, err)
		}
	}
	if v := metricstest.Value(t, r.reg, "matthan_clip_bytes", nil); v != float64(shared.Bytes+heldClip.Bytes) {
		t.Errorf("matthan_clip_bytes = %v, want %d", v, shared.Bytes+heldClip.Bytes)
	}
	for _, want := range []string{"incident purged by retention", r.inc[0].ID, "clip file deleted by retention", only.ID} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	audit, _, _ := r.store.ListAudit(ctx, 0, 50)
	purges := 0
	for _, a := range audit {
		if a.Action == "incident.purge" && a.Actor == RetentionActor {
			purges++
		}
	}
	if purges != 2 {
		t.Errorf("%d incident.purge audit entries, want 2", purges)
	}

	// Lifting the hold lets the next pass purge it.
	if _, err := r.store.UpdateIncident(ctx, held.ID, police, func(in *camera.Incident) error { in.Hold = false; return nil }); err != nil {
		t.Fatal(err)
	}
	if st, _ := ret.PurgeOnce(ctx); st.Incidents != 1 || st.Files != 1 {
		t.Errorf("after lifting the hold: %+v", st)
	}
}

func TestRetentionRunStops(t *testing.T) {
	r := newClipsRig(t)
	ret := &Retention{Store: r.store, Files: r.files, Retention: time.Hour, Interval: time.Hour, Now: func() time.Time { return r.now }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ret.Run(ctx) }()
	waitFor(t, 5*time.Second, "the first pass", func() bool {
		n, _ := r.store.CountIncidents(context.Background())
		return n == 0
	})
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	if err := (&Retention{Store: r.store, Files: r.files}).Run(context.Background()); err == nil {
		t.Error("Run without a retention period should fail")
	}
}

func TestIncidentMetricsLabels(t *testing.T) {
	r := newClipsRig(t)
	r.clips.Metrics.IncidentsCreated(camera.CategoryTheft, 2)
	r.clips.Metrics.IncidentsCreated("arson", 1)
	if v := metricstest.Value(t, r.reg, "matthan_incidents_total", map[string]string{"category": "theft"}); v != 2 {
		t.Errorf("theft %v", v)
	}
	if v := metricstest.Value(t, r.reg, "matthan_incidents_total", map[string]string{"category": "other"}); v != 1 {
		t.Errorf("other %v", v)
	}
	if _, err := NewIncidentMetrics(r.reg); err == nil {
		t.Error("registering twice should fail")
	}
	mfs, err := r.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil || len(problems) > 0 {
		t.Errorf("promlint: %v %v", problems, err)
	}
}
