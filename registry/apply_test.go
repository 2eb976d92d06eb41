package registry_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

// applyT0 is when the apply tests' commands are taken.
var applyT0 = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

// cmd builds a command of kind with payload p.
func cmd(t testing.TB, rev int64, id, kind string, at time.Time, p any) registry.Command {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return registry.Command{Rev: rev, Kind: kind, ID: id, At: at, Payload: b}
}

// apply applies cmds in one batch, failing t on an error of the batch.
func apply(t testing.TB, s *registry.Store, cmds ...registry.Command) []registry.Outcome {
	t.Helper()
	outs, err := s.Apply(cmds)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	res := make([]registry.Outcome, len(outs))
	for i, o := range outs {
		res[i] = o.(registry.Outcome)
	}
	return res
}

// A command that fails after it wrote (a bulk incident import that meets
// a taken id after drawing generated ids) leaves nothing of its writes in
// the batch: the ids drawn after it are those single-node mode draws,
// where the failed call's transaction rolls back.
func TestApplyFailedCommandLeavesNothing(t *testing.T) {
	ctx := context.Background()
	single := registrytest.OpenAt(t, t.TempDir()+"/single.db", func() time.Time { return applyT0 })
	node := registrytest.Open(t)
	mkCamera(t, single, "A", 10, 106, "X")
	mkCamera(t, node, "A", 10, 106, "X")
	taken := mkIncident(incT0, "A")
	taken.ID = "INC-TAKEN"
	if err := single.CreateIncident(ctx, taken, officer); err != nil {
		t.Fatal(err)
	}
	bulk := func() []*camera.Incident {
		dup := mkIncident(incT0, "A")
		dup.ID = "INC-TAKEN"
		return []*camera.Incident{mkIncident(incT0, "A"), mkIncident(incT0, "A"), dup}
	}
	if _, err := single.CreateIncidents(ctx, bulk(), officer); camera.ErrorCode(err) != camera.ECONFLICT {
		t.Fatalf("single-node bulk: %v, want a conflict", err)
	}
	after := mkIncident(incT0, "A")
	if err := single.CreateIncident(ctx, after, officer); err != nil {
		t.Fatal(err)
	}

	takenCmd := mkIncident(incT0, "A")
	takenCmd.ID = "INC-TAKEN"
	outs := apply(t, node,
		cmd(t, 10, "c1", registry.KindIncidentCreate, applyT0, registry.IncidentCreate{Incident: takenCmd, Actor: officer}),
		cmd(t, 11, "c2", registry.KindIncidentImport, applyT0, registry.IncidentImport{Incidents: bulk(), Actor: officer}),
		cmd(t, 12, "c3", registry.KindIncidentCreate, applyT0, registry.IncidentCreate{Incident: mkIncident(incT0, "A"), Actor: officer}),
	)
	if outs[0].Err != nil || camera.ErrorCode(outs[1].Err) != camera.ECONFLICT || outs[2].Err != nil {
		t.Fatalf("outcomes %+v: want created, conflict, created", outs)
	}
	if got := outs[2].Value.(*camera.Incident).ID; got != after.ID {
		t.Errorf("incident after the failed import got id %s, single-node mode gives %s", got, after.ID)
	}
	if n, err := node.CountIncidents(ctx); err != nil || n != 2 {
		t.Errorf("%d incidents (%v), want 2", n, err)
	}
	if last, err := node.LastApplied(); err != nil || last != 12 {
		t.Errorf("last applied %d (%v), want 12", last, err)
	}
}

// A command id applied before is dropped for AppliedRetention of command
// time, then forgotten; the command's clock is its time.
func TestApplyDropsRepeatedIDs(t *testing.T) {
	s := registrytest.Open(t)
	create := func(rev int64, at time.Time) registry.Command {
		return cmd(t, rev, "same", registry.KindCameraCreate, at, registry.CameraCreate{Camera: registry.CameraRecord{Camera: testCamera("CG-0001")}, Actor: police})
	}
	outs := apply(t, s, create(5, applyT0), create(6, applyT0))
	if outs[0].Err != nil || outs[1].DuplicateOf != 5 {
		t.Fatalf("outcomes %+v: want created, then a duplicate of revision 5", outs)
	}
	if c := outs[0].Value.(*camera.Camera); !c.CreatedAt.Equal(applyT0) {
		t.Errorf("created at %v, want the command's time %v", c.CreatedAt, applyT0)
	}
	if o := apply(t, s, create(7, applyT0.Add(registry.AppliedRetention-time.Minute)))[0]; o.DuplicateOf != 5 {
		t.Errorf("within the retention: %+v, want a duplicate", o)
	}
	// A later batch prunes it; the same id is then applied anew (and
	// meets the camera it made).
	other := cmd(t, 8, "other", registry.KindBackupRecord, applyT0.Add(registry.AppliedRetention+time.Hour), registry.BackupRecord{Name: "b", Actor: police})
	apply(t, s, other)
	if o := apply(t, s, create(9, applyT0.Add(registry.AppliedRetention+2*time.Hour)))[0]; o.DuplicateOf != 0 || camera.ErrorCode(o.Err) != camera.ECONFLICT {
		t.Errorf("after the retention: %+v, want applied again (a conflict)", o)
	}
}

// A kind this program does not know fails the whole batch: nothing of it
// is stored, the last applied revision stays.
func TestApplyUnknownKindFailsBatch(t *testing.T) {
	s := registrytest.Open(t)
	apply(t, s, cmd(t, 3, "a", registry.KindCameraCreate, applyT0, registry.CameraCreate{Camera: registry.CameraRecord{Camera: testCamera("CG-0001")}, Actor: police}))
	_, err := s.Apply([]registry.Command{
		cmd(t, 4, "b", registry.KindCameraCreate, applyT0, registry.CameraCreate{Camera: registry.CameraRecord{Camera: testCamera("CG-0002")}, Actor: police}),
		{Rev: 5, Kind: "camera.teleport", ID: "c", At: applyT0, Payload: []byte("{}")},
	})
	if !errors.Is(err, registry.ErrUnknownCommand) {
		t.Fatalf("apply: %v, want an unknown kind", err)
	}
	if n, err := s.CountCameras(context.Background()); err != nil || n != 1 {
		t.Errorf("%d cameras (%v), want only the first batch's", n, err)
	}
	if last, err := s.LastApplied(); err != nil || last != 3 {
		t.Errorf("last applied %d (%v), want 3", last, err)
	}
}
