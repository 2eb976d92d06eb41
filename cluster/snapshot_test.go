package cluster_test

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/matthan/matthan/cluster"
	"github.com/matthan/matthan/cluster/etcdtest"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// TestSnapshotTicket: a ticket issued for a node is known to every node
// of its cluster, as that node's, until it is revoked; a forged one, or
// one of another cluster, is not. Only its hash is in etcd.
func TestSnapshotTicket(t *testing.T) {
	c := etcdtest.Start(t, 1)
	cli := c.Client(t)
	ctx := context.Background()
	tk, err := cluster.IssueSnapshotTicket(ctx, cli, "test", "d")
	if err != nil {
		t.Fatal(err)
	}
	other := c.Client(t) // another node's client
	if node, err := cluster.CheckSnapshotTicket(ctx, other, "test", tk.Value); err != nil || node != "d" {
		t.Errorf("check: %q %v, want d", node, err)
	}
	for _, bad := range []struct{ cluster, ticket string }{
		{"test", tk.Value + "x"},
		{"test", "mtj_" + strings.Repeat("A", 43)},
		{"test", "not-a-ticket"},
		{"other", tk.Value},
	} {
		if node, err := cluster.CheckSnapshotTicket(ctx, other, bad.cluster, bad.ticket); !errors.Is(err, cluster.ErrBadTicket) {
			t.Errorf("check %q in %s: %q %v, want ErrBadTicket", bad.ticket, bad.cluster, node, err)
		}
	}
	all, err := cli.Get(ctx, "/matthan/", clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range all.Kvs {
		if strings.Contains(string(kv.Key)+string(kv.Value), strings.TrimPrefix(tk.Value, "mtj_")) {
			t.Errorf("the ticket itself is in etcd at %s", kv.Key)
		}
	}
	if err := tk.Revoke(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := cluster.CheckSnapshotTicket(ctx, other, "test", tk.Value); !errors.Is(err, cluster.ErrBadTicket) {
		t.Errorf("a revoked ticket: %v, want ErrBadTicket", err)
	}
}

// TestExtentAndApplied: the log's extent says how many commands it holds
// and how far it was compacted; LiveNodes says, without joining, which
// nodes are live and what each published as applied.
func TestExtentAndApplied(t *testing.T) {
	c := etcdtest.Start(t, 1)
	cli := c.Client(t)
	l := newLog(t, cli)
	ctx := context.Background()
	if ext, err := l.Extent(ctx); err != nil || ext.Head != 0 || ext.FloorRev != 0 || ext.Rev == 0 {
		t.Fatalf("extent of an empty log: %+v %v", ext, err)
	}
	a, _ := join(t, c, "a")
	b, _ := join(t, c, "b")
	revs := appendAll(t, l, creates(t, "a", "ext", 5))
	for m, rev := range map[*cluster.Membership]int64{a: revs[4], b: revs[2]} {
		if err := m.PublishApplied(ctx, rev); err != nil {
			t.Fatal(err)
		}
	}
	nodes, got, err := cluster.LiveNodes(ctx, c.Client(t), "test")
	if want := map[string]int64{"a": revs[4], "b": revs[2]}; err != nil || !maps.Equal(got, want) {
		t.Errorf("applied %v %v, want %v", got, err, want)
	}
	if len(nodes) != 2 || nodes["a"] != a.Self() || nodes["b"] != b.Self() {
		t.Errorf("live nodes %v", nodes)
	}
	if _, err := l.Compact(ctx, 0); err != nil {
		t.Fatal(err)
	}
	ext, err := l.Extent(ctx)
	if err != nil || ext.Head != 5 || ext.FloorRev != revs[2] {
		t.Errorf("extent after compaction below b: %+v %v, want head 5, floor %d", ext, err, revs[2])
	}
}
