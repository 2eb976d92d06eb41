package registry_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

func clipOf(content string, n int64) *camera.Clip {
	sum := sha256.Sum256([]byte(content))
	id := hex.EncodeToString(sum[:])
	return &camera.Clip{ID: id, SHA256: id, Bytes: n, Source: camera.ClipUpload, Filename: "cam1.mp4", Codec: "h264", Inspected: true, Duration: 2}
}

func TestAttachClipSharedAndIdempotent(t *testing.T) {
	ctx := context.Background()
	s := registrytest.Open(t)
	mkCamera(t, s, "A", 10, 106, "X")
	in1, in2 := mkIncident(incT0, "A"), mkIncident(incT0.Add(time.Hour), "A")
	for _, in := range []*camera.Incident{in1, in2} {
		if err := s.CreateIncident(ctx, in, officer); err != nil {
			t.Fatal(err)
		}
	}
	c := clipOf("one", 1000)
	got, attached, err := s.AttachClip(ctx, in1.ID, c, officer)
	if err != nil || !attached {
		t.Fatalf("attach: %v %v", attached, err)
	}
	if got.IncidentID != in1.ID || !reflect.DeepEqual(got.IncidentIDs, []string{in1.ID}) || got.CreatedBy != officer {
		t.Errorf("stored clip %+v", got)
	}
	if _, attached, err = s.AttachClip(ctx, in1.ID, c, officer); attached || err != nil {
		t.Errorf("second attach to the same incident: attached %v, %v", attached, err)
	}
	if got, attached, err = s.AttachClip(ctx, in2.ID, c, camera.SystemActor); !attached || err != nil {
		t.Fatalf("attach to a second incident: %v %v", attached, err)
	}
	if !reflect.DeepEqual(got.IncidentIDs, []string{in1.ID, in2.ID}) || got.CreatedBy != officer {
		t.Errorf("shared clip %+v", got)
	}
	if _, _, err := s.AttachClip(ctx, "nope", c, officer); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Errorf("unknown incident: %v", err)
	}
	bad := clipOf("x", 1)
	bad.SHA256 = "00"
	if _, _, err := s.AttachClip(ctx, in1.ID, bad, officer); camera.ErrorField(err) != "sha256" {
		t.Errorf("bad clip: %v", err)
	}
	n, b, err := s.ClipTotals(ctx)
	if n != 1 || b != 1000 || err != nil {
		t.Errorf("totals %d clips, %d bytes, %v; want 1, 1000", n, b, err)
	}
	clips, err := s.IncidentClips(ctx, in2.ID)
	if err != nil || len(clips) != 1 || clips[0].ID != c.ID {
		t.Errorf("clips of incident 2: %v %v", clips, err)
	}
	inc, _ := s.GetIncident(ctx, in1.ID)
	if !reflect.DeepEqual(inc.Clips, []string{c.ID}) {
		t.Errorf("incident clips %v", inc.Clips)
	}
}

func TestCustodyAppendOnlyOrder(t *testing.T) {
	ctx := context.Background()
	clock := incT0
	s := registrytest.OpenAt(t, t.TempDir()+"/m.db", func() time.Time { clock = clock.Add(time.Second); return clock })
	mkCamera(t, s, "A", 10, 106, "X")
	in := mkIncident(incT0, "A")
	if err := s.CreateIncident(ctx, in, officer); err != nil {
		t.Fatal(err)
	}
	a, b := clipOf("a", 1), clipOf("b", 2)
	for _, c := range []*camera.Clip{a, b} {
		if _, _, err := s.AttachClip(ctx, in.ID, c, officer); err != nil {
			t.Fatal(err)
		}
	}
	// Interleave entries of two clips: each chain keeps its own order.
	for i := range 5 {
		for _, c := range []*camera.Clip{a, b} {
			e, err := s.AppendCustody(ctx, camera.CustodyEntry{ClipID: c.ID, Actor: officer, Action: camera.CustodyDownload, Reason: "court " + string(rune('0'+i)), At: time.Unix(0, 0)})
			if err != nil {
				t.Fatal(err)
			}
			if e.At.Equal(time.Unix(0, 0)) || e.Seq == 0 {
				t.Errorf("the store must stamp time and sequence: %+v", e)
			}
		}
	}
	var all []camera.CustodyEntry
	for after := uint64(0); ; {
		page, next, err := s.ListCustody(ctx, a.ID, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if next == 0 {
			break
		}
		after = next
	}
	if len(all) != 6 || all[0].Action != camera.CustodyCreate {
		t.Fatalf("chain of a: %+v", all)
	}
	for i := 1; i < len(all); i++ {
		if all[i].ClipID != a.ID || all[i].Seq <= all[i-1].Seq || !all[i].At.After(all[i-1].At) {
			t.Errorf("entry %d out of order or of another clip: %+v after %+v", i, all[i], all[i-1])
		}
		if want := "court " + string(rune('0'+i-1)); all[i].Reason != want {
			t.Errorf("entry %d reason %q, want %q", i, all[i].Reason, want)
		}
	}
	if _, err := s.AppendCustody(ctx, camera.CustodyEntry{ClipID: clipOf("zz", 1).ID, Action: camera.CustodyDownload}); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Errorf("custody of an unknown clip: %v", err)
	}
	if _, err := s.AppendCustody(ctx, camera.CustodyEntry{ClipID: a.ID, Action: "delete"}); camera.ErrorField(err) != "action" {
		t.Errorf("unknown action: %v", err)
	}
	if _, _, err := s.ListCustody(ctx, clipOf("zz", 1).ID, 0, 10); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Errorf("list custody of an unknown clip: %v", err)
	}
}

func TestPurgeIncident(t *testing.T) {
	ctx := context.Background()
	s := registrytest.Open(t)
	mkCamera(t, s, "A", 10, 106, "X")
	old, held, shared, recent := mkIncident(incT0, "A"), mkIncident(incT0.Add(time.Hour), "A"), mkIncident(incT0.Add(2*time.Hour), "A"), mkIncident(incT0.Add(40*24*time.Hour), "A")
	held.Hold = true
	old.CaseRef = "HS-1"
	for _, in := range []*camera.Incident{old, held, shared, recent} {
		if err := s.CreateIncident(ctx, in, officer); err != nil {
			t.Fatal(err)
		}
	}
	only, both := clipOf("only old", 10), clipOf("old and recent", 20)
	for _, at := range []struct {
		in *camera.Incident
		c  *camera.Clip
	}{{old, only}, {old, both}, {recent, both}, {held, clipOf("held", 5)}} {
		if _, _, err := s.AttachClip(ctx, at.in.ID, at.c, officer); err != nil {
			t.Fatal(err)
		}
	}
	cutoff := incT0.Add(30 * 24 * time.Hour)
	exp, err := s.ExpiredIncidents(ctx, cutoff, 100)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{old.ID, shared.ID}; !reflect.DeepEqual(exp, want) {
		t.Errorf("expired %v, want %v (the held one and the recent one stay)", exp, want)
	}
	res, err := s.PurgeIncident(ctx, old.ID, cutoff, camera.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Purged || !reflect.DeepEqual(res.Orphans, []string{only.ID}) || res.OrphanBytes != 10 {
		t.Errorf("purge result %+v", res)
	}
	if _, err := s.GetIncident(ctx, old.ID); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Errorf("purged incident still there: %v", err)
	}
	if _, err := s.GetClip(ctx, only.ID); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Errorf("orphan clip still there: %v", err)
	}
	if _, _, err := s.ListCustody(ctx, only.ID, 0, 10); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Errorf("orphan custody still listed: %v", err)
	}
	c, err := s.GetClip(ctx, both.ID)
	if err != nil || c.IncidentID != recent.ID || !reflect.DeepEqual(c.IncidentIDs, []string{recent.ID}) {
		t.Errorf("shared clip after purge: %+v %v", c, err)
	}
	for _, q := range []registry.IncidentQuery{{}, {CameraID: "A"}, {CaseRef: "HS-1"}, {Category: camera.CategoryTheft}, {Lat: 10, Lon: 106, RadiusM: 100}} {
		items, _, err := s.ListIncidents(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range items {
			if x.ID == old.ID {
				t.Errorf("query %+v still finds the purged incident", q)
			}
		}
	}
	if res, err := s.PurgeIncident(ctx, held.ID, cutoff, camera.SystemActor); res.Purged || err != nil {
		t.Errorf("held incident purged: %+v %v", res, err)
	}
	if res, err := s.PurgeIncident(ctx, recent.ID, cutoff, camera.SystemActor); res.Purged || err != nil {
		t.Errorf("recent incident purged: %+v %v", res, err)
	}
	n, b, _ := s.ClipTotals(ctx)
	if n != 2 || b != 25 {
		t.Errorf("totals after purge: %d clips, %d bytes; want 2, 25", n, b)
	}
	audit, _, _ := s.ListAudit(ctx, 0, 10)
	var acts []string
	for _, a := range audit {
		acts = append(acts, a.Action+" "+a.Target)
	}
	if !slices.Contains(acts, "incident.purge "+old.ID) || !slices.Contains(acts, "clip.purge "+only.ID) {
		t.Errorf("audit %v lacks the purges", acts)
	}
}
