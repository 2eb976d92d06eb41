package replica_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/cluster"
	"github.com/matthan/matthan/cluster/etcdtest"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/record"
	"github.com/matthan/matthan/registry/registrytest"
	"github.com/matthan/matthan/replica"
)

// waitLimit bounds every wait of these tests for an event.
const waitLimit = 30 * time.Second

// police is the actor of the tests' writes.
var police = camera.Actor{Name: "ca-xa", Role: camera.RolePolice}

// node is one node of a test cluster: its own registry file, the
// follower that applies the log to it, and the replicated store.
type node struct {
	id   string
	path string
	reg  *registry.Store
	app  *replica.Applier
	fol  *cluster.Follower
	st   *replica.Store
	log  *cluster.Log
	cli  *clientv3.Client
	stop func()
}

// startCluster starts one etcd member and n nodes on it, named A, B, ...
func startCluster(t testing.TB, n int) []*node {
	t.Helper()
	ec := etcdtest.Start(t, 1)
	nodes := make([]*node, n)
	for i := range nodes {
		nodes[i] = startNode(t, ec.Client(t), string(rune('A'+i)), filepath.Join(t.TempDir(), "matthan.db"))
	}
	return nodes
}

// startNode opens the registry at path and runs a follower for node id;
// both stop when the test ends, or on n.stop.
func startNode(t testing.TB, cli *clientv3.Client, id, path string) *node {
	t.Helper()
	n := &node{id: id, path: path, cli: cli, reg: registrytest.OpenAt(t, path, nil)}
	var err error
	if n.log, err = cluster.NewLog(cli, "test"); err != nil {
		t.Fatal(err)
	}
	n.app = replica.NewApplier(n.reg)
	n.fol = cluster.NewFollower(n.log, n.app, id)
	n.st = replica.New(n.reg, n.log, n.fol, id)
	n.stop = runFollower(t, n.fol)
	return n
}

// runFollower runs f until the returned stop is called or the test ends;
// stop waits until Run returned and reports an error other than the
// cancellation.
func runFollower(t testing.TB, f *cluster.Follower) func() {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("follower: %v", err)
			}
		case <-time.After(waitLimit):
			t.Errorf("follower did not stop within %s", waitLimit)
		}
	}
	t.Cleanup(stop)
	return stop
}

// ctxT returns a context bounded by waitLimit.
func ctxT(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	t.Cleanup(cancel)
	return ctx
}

// catchUp waits until every node has applied the log as far as node
// from has.
func catchUp(t testing.TB, nodes ...*node) {
	t.Helper()
	var rev int64
	for _, n := range nodes {
		rev = max(rev, n.fol.Applied())
	}
	for _, n := range nodes {
		if _, err := n.fol.WaitApplied(ctxT(t), rev); err != nil {
			t.Fatalf("node %s: wait for revision %d: %v", n.id, rev, err)
		}
	}
}

// dump is what a node's registry holds that every node must hold alike:
// each camera's record, each audit entry, the funding by commune.
func dump(t testing.TB, reg *registry.Store) string {
	t.Helper()
	ctx := ctxT(t)
	var out []byte
	err := reg.ForEachCamera(ctx, func(c *camera.Camera) error {
		b, err := record.EncodeCamera(c)
		out = append(append(out, b...), '\n')
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	audit, _, err := reg.QueryAudit(ctx, registry.AuditQuery{Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(audit)
	if err != nil {
		t.Fatal(err)
	}
	out = append(append(out, b...), '\n')
	totals, err := reg.DonationTotals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err = json.Marshal(totals)
	if err != nil {
		t.Fatal(err)
	}
	return string(append(out, b...))
}

// checkEqual checks that every node holds what the first holds.
func checkEqual(t testing.TB, nodes ...*node) {
	t.Helper()
	catchUp(t, nodes...)
	want := dump(t, nodes[0].reg)
	for _, n := range nodes[1:] {
		if got := dump(t, n.reg); got != want {
			t.Errorf("node %s holds\n%.2000s\nnode %s holds\n%.2000s", n.id, got, nodes[0].id, want)
		}
	}
}

// testCamera is a valid camera of commune with credentials.
func testCamera(id string) *camera.Camera {
	c := registrytest.Camera(id, "Thị trấn Chợ Gạo")
	c.CostVND = 4_500_000
	return c
}

// cameraIDs returns n camera ids prefix-0000, prefix-0001, ...
func cameraIDs(prefix string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-%04d", prefix, i)
	}
	return ids
}

// replicaWithLimit is n's store with commands of at most limit bytes.
func replicaWithLimit(n *node, limit int) *replica.Store {
	return replica.NewWith(n.reg, n.log, n.fol, n.id, replica.Options{MaxCommandBytes: limit})
}
