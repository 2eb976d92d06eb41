package cluster_test

import (
	"context"
	"errors"
	"testing"

	"github.com/matthan/matthan/cluster"
	"github.com/matthan/matthan/cluster/etcdtest"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// TestCompact compacts below the lowest revision live nodes applied, then
// past it by retention: a follower behind the floor is told it needs a
// snapshot, followers at or above it go on, and appends go on after.
func TestCompact(t *testing.T) {
	c := etcdtest.Start(t, 1)
	cli := c.Client(t)
	l := newLog(t, cli)
	a, _ := join(t, c, "a")
	b, _ := join(t, c, "b")
	appA := newBoltApplier(t)
	fa := follow(t, newLog(t, c.Client(t)), appA, "a")
	ctx := context.Background()

	cmds := creates(t, "a", "one", 30)
	revs := appendAll(t, l, cmds)
	want := map[int64]string{}
	for i, r := range revs {
		want[r] = cmds[i].ID
	}
	waitApplied(t, fa.Follower, revs[29])
	publish := func(m *cluster.Membership, rev int64) {
		t.Helper()
		if err := m.PublishApplied(ctx, rev); err != nil {
			t.Fatal(err)
		}
	}
	compact := func(retainFrom, wantRev, wantSeq, wantRemoved int64) {
		t.Helper()
		got, err := l.Compact(ctx, retainFrom)
		if err != nil {
			t.Fatalf("compact: %v", err)
		}
		if w := (cluster.Compaction{Seq: wantSeq, Rev: wantRev, Removed: wantRemoved}); got != w {
			t.Fatalf("compact(%d) = %+v, want %+v", retainFrom, got, w)
		}
	}

	// A node that stopped (crashed) after applying 6 commands.
	stale := newBoltApplier(t)
	stale.crashAt(revs[6])
	if err := cluster.NewFollower(l, stale, "stale").Run(ctx); !errors.Is(err, errCrash) {
		t.Fatalf("stale follower: %v, want the simulated crash", err)
	}
	stale.crashAt(0)

	// No node has published: nothing goes.
	compact(0, 0, 0, 0)
	publish(a, revs[29])
	publish(b, revs[9]) // b is behind
	compact(0, revs[9], 10, 10)
	if n := countLog(t, cli); n != 20 {
		t.Errorf("log holds %d commands after compaction, want 20", n)
	}
	compact(0, revs[9], 10, 0) // again: nothing more

	// Nodes behind the floor, empty or not, need a snapshot.
	for name, app := range map[string]*boltApplier{"empty": newBoltApplier(t), "stale": stale} {
		err := cluster.NewFollower(l, app, name).Run(ctx)
		if !errors.Is(err, cluster.ErrSnapshotNeeded) {
			t.Errorf("%s follower behind the floor: %v, want ErrSnapshotNeeded", name, err)
		}
	}

	// Retention removes what b still needs.
	publish(b, revs[19])
	compact(revs[25], revs[24], 25, 15)

	// a restarts on its store: it is above the floor and goes on.
	fa.stop(t)
	more := creates(t, "a", "two", 5)
	moreRevs := appendAll(t, l, more)
	for i, r := range moreRevs {
		want[r] = more[i].ID
	}
	fa2 := follow(t, l, appA, "a")
	waitApplied(t, fa2.Follower, moreRevs[4])
	checkHistory(t, appA, want)
}

// countLog counts the commands left in the log.
func countLog(t testing.TB, cli *clientv3.Client) int64 {
	t.Helper()
	resp, err := cli.Get(context.Background(), "/matthan/test/log/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	return resp.Count
}

// TestCompactUpTo removes what every live node applied, but nothing
// above its bound: a node that is down keeps what it will need back.
func TestCompactUpTo(t *testing.T) {
	c := etcdtest.Start(t, 1)
	cli := c.Client(t)
	l := newLog(t, cli)
	a, _ := join(t, c, "a")
	ctx := context.Background()
	revs := appendAll(t, l, creates(t, "a", "upto", 10))
	if err := a.PublishApplied(ctx, revs[9]); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		upTo                   int64
		wantSeq, wantRemoved   int64
		wantRev, wantLogLength int64
	}{
		{0, 0, 0, 0, 10},                   // no bound: nothing
		{revs[3], 4, 4, revs[3], 6},        // bounded below what a applied
		{revs[9] + 100, 10, 6, revs[9], 0}, // bounded above: what a applied
	} {
		got, err := l.CompactUpTo(ctx, tt.upTo)
		if err != nil {
			t.Fatal(err)
		}
		if w := (cluster.Compaction{Seq: tt.wantSeq, Rev: tt.wantRev, Removed: tt.wantRemoved}); got != w {
			t.Errorf("CompactUpTo(%d) = %+v, want %+v", tt.upTo, got, w)
		}
		if n := countLog(t, cli); n != tt.wantLogLength {
			t.Errorf("CompactUpTo(%d): the log holds %d commands, want %d", tt.upTo, n, tt.wantLogLength)
		}
	}
}
