package replica_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// incT0 is the start of these tests' incidents.
var incT0 = time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)

// Incidents, clips, custody, purges, public statements and layers made
// on one node are the same on the other: generated ids included.
func TestEvidenceAcrossNodes(t *testing.T) {
	nodes := startCluster(t, 2)
	a, b := nodes[0], nodes[1]
	ctx := ctxT(t)
	if _, err := a.st.Import(ctx, []*camera.Camera{testCamera("CG-0001"), testCamera("CG-0002")}, registry.ImportOptions{}, police); err != nil {
		t.Fatal(err)
	}
	mk := func(start time.Time) *camera.Incident {
		return &camera.Incident{CameraIDs: []string{"CG-0001"}, Start: start, End: start.Add(10 * time.Minute),
			Category: camera.CategoryTheft, Subjects: 1, Handling: camera.HandlingCriminal}
	}
	in := mk(incT0)
	if err := a.st.CreateIncident(ctx, in, police); err != nil {
		t.Fatal(err)
	}
	if in.ID == "" || in.Lat == nil {
		t.Fatalf("created incident %+v: want an id and the camera's place", in)
	}
	bulk := []*camera.Incident{mk(incT0.Add(time.Hour)), mk(incT0.Add(2 * time.Hour))}
	if n, err := b.st.CreateIncidents(ctx, bulk, police); err != nil || n != 2 || bulk[1].ID == "" {
		t.Fatalf("import on B: %d, %v, %+v", n, err, bulk[1])
	}
	up, err := b.st.UpdateIncident(ctx, in.ID, police, func(in *camera.Incident) error {
		in.Note = "đã báo công an huyện"
		in.Hold = true
		return nil
	})
	if err != nil || up.Note != "đã báo công an huyện" {
		t.Fatalf("update on B: %+v, %v", up, err)
	}

	sum := sha256.Sum256([]byte("clip"))
	id := hex.EncodeToString(sum[:])
	clip := &camera.Clip{ID: id, SHA256: id, Bytes: 4, Source: camera.ClipUpload, Filename: "cam1.mp4", Codec: "h264", Inspected: true, Duration: 2}
	stored, attached, err := a.st.AttachClip(ctx, bulk[0].ID, clip, police)
	if err != nil || !attached || stored.CreatedAt.IsZero() {
		t.Fatalf("attach on A: %+v, %v, %v", stored, attached, err)
	}
	if _, again, err := b.st.AttachClip(ctx, bulk[0].ID, clip, police); err != nil || again {
		t.Errorf("attach again on B: %v, %v; want nothing to do", again, err)
	}
	e, err := b.st.AppendCustody(ctx, camera.CustodyEntry{ClipID: id, Actor: police, Action: camera.CustodyDownload, Reason: "tòa án"})
	if err != nil || e.Seq == 0 || e.At.IsZero() {
		t.Fatalf("custody on B: %+v, %v", e, err)
	}
	// The held incident stays; the other with the clip goes, and the clip
	// with it.
	cutoff := incT0.Add(24 * time.Hour)
	if res, err := a.st.PurgeIncident(ctx, in.ID, cutoff, camera.SystemActor); err != nil || res.Purged {
		t.Errorf("purge of a held incident: %+v, %v", res, err)
	}
	res, err := b.st.PurgeIncident(ctx, bulk[0].ID, cutoff, camera.SystemActor)
	if err != nil || !res.Purged || len(res.Orphans) != 1 {
		t.Errorf("purge on B: %+v, %v; want purged with its clip", res, err)
	}

	pub, created, err := a.st.Publish(ctx, "cho gao", police)
	if err != nil || !created || pub.Slug == "" {
		t.Fatalf("publish on A: %+v, %v, %v", pub, created, err)
	}
	if _, err := b.st.Unpublish(ctx, pub.Slug, police); err != nil {
		t.Errorf("unpublish on B: %v", err)
	}

	// A layer of several pieces (random-looking bytes do not shrink).
	raw := []byte(strings.Repeat(`{"type":"FeatureCollection","features":[]}`, 10))
	for i := range 700_000 {
		raw = append(raw, byte(i*7919>>3))
	}
	if err := a.st.PutLayers(ctx, []registry.LayerPut{{Name: "communes", Raw: raw, Summary: "test"}}, police); err != nil {
		t.Fatal(err)
	}
	catchUp(t, a, b)
	got, err := b.st.GetLayer(ctx, "communes")
	if err != nil || !bytes.Equal(got, raw) {
		t.Errorf("layer on B: %d bytes, %v; want the %d stored on A", len(got), err, len(raw))
	}
	if err := b.st.PutLayers(ctx, []registry.LayerPut{{Name: "communes", Summary: "removed"}}, police); err != nil {
		t.Fatal(err)
	}
	catchUp(t, a, b)
	for _, n := range nodes {
		for _, id := range []string{in.ID, bulk[1].ID} {
			got, err := n.st.GetIncident(ctx, id)
			if err != nil {
				t.Errorf("node %s: incident %s: %v", n.id, id, err)
				continue
			}
			if id == in.ID && !got.Hold {
				t.Errorf("node %s: incident %s not on hold", n.id, id)
			}
		}
		if _, err := n.st.GetIncident(ctx, bulk[0].ID); camera.ErrorCode(err) != camera.ENOTFOUND {
			t.Errorf("node %s: purged incident: %v", n.id, err)
		}
		if l, err := n.st.GetLayer(ctx, "communes"); err != nil || l != nil {
			t.Errorf("node %s: removed layer: %d bytes, %v", n.id, len(l), err)
		}
	}
	checkEqual(t, a, b)
}

// Confirmed transitions are commands: every node has them and the state
// they lead to; the probe results of a camera whose state held stay on
// the node that probed.
func TestHealthTransitionsAcrossNodes(t *testing.T) {
	nodes := startCluster(t, 2)
	a, b := nodes[0], nodes[1]
	ctx := ctxT(t)
	if _, err := a.st.Import(ctx, []*camera.Camera{testCamera("CG-0001"), testCamera("CG-0002")}, registry.ImportOptions{}, police); err != nil {
		t.Fatal(err)
	}
	at := incT0
	down := camera.Transition{CameraID: "CG-0001", At: at, From: camera.StateUnknown, To: camera.StateDown, Reason: "timeout"}
	cur := []camera.Health{
		{CameraID: "CG-0001", State: camera.StateDown, Reason: "timeout", Since: at},
		{CameraID: "CG-0002", State: camera.StateUnknown, ConsecutiveFailures: 1},
	}
	if err := a.st.RecordHealth(ctx, cur, []camera.Transition{down}); err != nil {
		t.Fatal(err)
	}
	catchUp(t, a, b)
	h, err := b.st.CurrentHealth(ctx, "CG-0001")
	if err != nil || h.State != camera.StateDown || !h.Since.Equal(at) {
		t.Errorf("health on B: %+v, %v; want down since %v", h, err, at)
	}
	tr, err := b.st.Transitions(ctx, "CG-0001", at.Add(-time.Hour), at.Add(time.Hour), 10)
	if err != nil || len(tr) != 1 || tr[0].To != camera.StateDown {
		t.Errorf("transitions on B: %+v, %v", tr, err)
	}
	if h, err := a.st.CurrentHealth(ctx, "CG-0002"); err != nil || h.ConsecutiveFailures != 1 {
		t.Errorf("A's own probe record: %+v, %v", h, err)
	}
	if h, err := b.st.CurrentHealth(ctx, "CG-0002"); err != nil || h.ConsecutiveFailures != 0 {
		t.Errorf("B has A's probe record of a camera whose state held: %+v, %v", h, err)
	}
}
