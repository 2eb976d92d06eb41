package replica_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/cluster"
	"github.com/matthan/matthan/cluster/etcdtest"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
	"github.com/matthan/matthan/replica"
)

// createCommand is a camera.create command for camera id, taken by node
// under command id cmdID.
func createCommand(t testing.TB, node, cmdID, id string) cluster.Command {
	t.Helper()
	p, err := json.Marshal(registry.CameraCreate{Camera: registry.CameraRecord{Camera: testCamera(id)}, Actor: police})
	if err != nil {
		t.Fatal(err)
	}
	return cluster.Command{Kind: registry.KindCameraCreate, ID: cmdID, Node: node, At: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC), Payload: p}
}

// countAudit returns how many audit entries of action name target.
func countAudit(t testing.TB, reg *registry.Store, action, target string) int {
	t.Helper()
	entries, _, err := reg.QueryAudit(ctxT(t), registry.AuditQuery{Limit: 1 << 20, Actions: []string{action}})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Target == target {
			n++
		}
	}
	return n
}

// A command appended twice (an append whose answer was lost, retried) is
// applied once on every node; the second is dropped, its outcome naming
// the revision of the first, whose outcome the taking node still gets.
func TestRetriedCommandAppliedOnce(t *testing.T) {
	nodes := startCluster(t, 2)
	a := nodes[0]
	ctx := ctxT(t)
	cmd := createCommand(t, a.id, "cmd-retried", "CG-0007")
	first, err := a.log.Append(ctx, cmd)
	if err != nil {
		t.Fatal(err)
	}
	second, err := a.log.Append(ctx, cmd)
	if err != nil {
		t.Fatal(err)
	}
	out, err := a.fol.WaitApplied(ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	if o := out.(registry.Outcome); o.DuplicateOf != first || o.Err != nil {
		t.Errorf("outcome of the retry: %+v, want a duplicate of revision %d", o, first)
	}
	out, err = a.fol.WaitApplied(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	if o := out.(registry.Outcome); o.Err != nil || o.Value.(*camera.Camera).ID != "CG-0007" {
		t.Errorf("outcome of the first: %+v, want the camera created", o)
	}
	catchUp(t, nodes...)
	for _, n := range nodes {
		if got := countAudit(t, n.reg, "camera.create", "CG-0007"); got != 1 {
			t.Errorf("node %s: %d camera.create entries, want 1", n.id, got)
		}
	}
	checkEqual(t, nodes...)
}

// crashingApplier applies through the registry, but its first batch that
// reaches revision crashAt fails inside the registry's transaction after
// the batch's commands ran: as a node killed before its commit.
type crashingApplier struct {
	*replica.Applier
	reg     *registry.Store
	crashAt int64
	crashed bool
}

func (c *crashingApplier) Apply(entries []cluster.Entry) ([]any, error) {
	if c.crashed || entries[len(entries)-1].Rev < c.crashAt {
		return c.Applier.Apply(entries)
	}
	c.crashed = true
	cmds := make([]registry.Command, 0, len(entries)+1)
	for _, e := range entries {
		cmds = append(cmds, registry.Command{Rev: e.Rev, Kind: e.Command.Kind, ID: e.Command.ID, At: e.Command.At, Payload: e.Command.Payload})
	}
	// A kind the registry does not know fails the whole batch: nothing
	// of it may stay.
	last := cmds[len(cmds)-1]
	cmds = append(cmds, registry.Command{Rev: last.Rev + 1, Kind: "crash", ID: "crash", At: last.At})
	_, err := c.reg.Apply(cmds)
	if !errors.Is(err, registry.ErrUnknownCommand) {
		return nil, errors.Join(errors.New("the simulated crash did not fail the batch"), err)
	}
	return nil, err
}

// A node that dies before its batch commits starts again from its last
// applied revision, from its file reopened, and applies every command
// once: nothing lost, nothing twice.
func TestCrashBeforeCommitReplays(t *testing.T) {
	ec := etcdtest.Start(t, 1)
	cli := ec.Client(t)
	log, err := cluster.NewLog(cli, "test")
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	ids := cameraIDs("CR", 40)
	var revs []int64
	appendCreates := func(ids []string) {
		for _, id := range ids {
			rev, err := log.Append(ctx, createCommand(t, "X", "cmd-"+id, id))
			if err != nil {
				t.Fatal(err)
			}
			revs = append(revs, rev)
		}
	}
	path := t.TempDir() + "/node.db"
	reg, err := registry.Open(path, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Ten commands applied and committed first.
	appendCreates(ids[:10])
	f := cluster.NewFollower(log, replica.NewApplier(reg), "N")
	stop := runFollower(t, f)
	if _, err := f.WaitApplied(ctx, revs[9]); err != nil {
		t.Fatal(err)
	}
	stop()
	// Then the node dies applying the batch of the other thirty.
	appendCreates(ids[10:])
	app := &crashingApplier{Applier: replica.NewApplier(reg), reg: reg, crashAt: revs[24]}
	runErr := cluster.NewFollower(log, app, "N").Run(ctx)
	if !errors.Is(runErr, registry.ErrUnknownCommand) {
		t.Fatalf("run ended with %v, want the crash", runErr)
	}
	last, err := reg.LastApplied()
	if err != nil || last != revs[9] {
		t.Fatalf("last applied %d (%v) after the crash, want %d", last, err, revs[9])
	}
	if n, err := reg.CountCameras(ctx); err != nil || n != 10 {
		t.Fatalf("%d cameras after the crash (%v), want the 10 committed", n, err)
	}
	if err := reg.Close(); err != nil {
		t.Fatal(err)
	}

	// Restart on the same file.
	reg2 := registrytest.OpenAt(t, path, nil)
	f2 := cluster.NewFollower(log, replica.NewApplier(reg2), "N")
	runFollower(t, f2)
	if _, err := f2.WaitApplied(ctx, revs[len(revs)-1]); err != nil {
		t.Fatal(err)
	}
	n, err := reg2.CountCameras(ctx)
	if err != nil || n != len(ids) {
		t.Errorf("%d cameras after the replay (%v), want %d", n, err, len(ids))
	}
	for _, id := range ids {
		if got := countAudit(t, reg2, "camera.create", id); got != 1 {
			t.Errorf("%s: %d camera.create entries, want 1", id, got)
		}
	}
	if last, err := reg2.LastApplied(); err != nil || last != revs[len(revs)-1] {
		t.Errorf("last applied %d (%v), want %d", last, err, revs[len(revs)-1])
	}
}

// Observe sees every command of every node after it is applied, with its
// outcome: what keeps a node's memory (the spatial index, the poller's
// list) current with the writes other nodes take.
func TestObserveOtherNodesWrites(t *testing.T) {
	nodes := startCluster(t, 2)
	a, b := nodes[0], nodes[1]
	seen := make(chan registry.Outcome, 8)
	b.app.Observe(func(c registry.Command, o registry.Outcome) {
		if c.Kind == registry.KindCameraCreate {
			seen <- o
		}
	})
	ctx := ctxT(t)
	if err := a.st.CreateCamera(ctx, testCamera("CG-0009"), police); err != nil {
		t.Fatal(err)
	}
	select {
	case o := <-seen:
		if c, ok := o.Value.(*camera.Camera); !ok || o.Err != nil || c.ID != "CG-0009" {
			t.Errorf("B observed %+v, want camera CG-0009 created", o)
		}
	case <-ctx.Done():
		t.Fatal("B observed nothing")
	}
	// Once observed, it is committed: B reads it.
	if _, err := b.reg.GetCamera(ctx, "CG-0009"); err != nil {
		t.Errorf("B reads the observed camera: %v", err)
	}
}
