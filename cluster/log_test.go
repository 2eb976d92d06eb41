package cluster_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/matthan/matthan/cluster"
	"github.com/matthan/matthan/cluster/etcdtest"
)

// TestLogOrderTwoAppenders appends from two nodes at once, through two
// different members, and checks that a follower on the third applies
// every command once, in revision order, with the revisions Append gave.
func TestLogOrderTwoAppenders(t *testing.T) {
	c := etcdtest.Start(t, 3)
	eps := c.Endpoints()
	logs := []*cluster.Log{
		newLog(t, etcdtest.NewClient(t, eps[:1])),
		newLog(t, etcdtest.NewClient(t, eps[1:2])),
	}
	app := newBoltApplier(t)
	f := follow(t, newLog(t, etcdtest.NewClient(t, eps[2:])), app, "c")

	const each = 60
	want := map[int64]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var maxRev int64
	for i, l := range logs {
		cmds := creates(t, []string{"a", "b"}[i], []string{"A", "B"}[i], each)
		wg.Go(func() {
			revs := appendAll(t, l, cmds)
			mu.Lock()
			defer mu.Unlock()
			for j, r := range revs {
				if _, dup := want[r]; dup {
					t.Errorf("revision %d returned twice", r)
				}
				want[r] = cmds[j].ID
				maxRev = max(maxRev, r)
			}
		})
	}
	wg.Wait()
	waitApplied(t, f.Follower, maxRev)
	checkHistory(t, app, want)
}

// TestLogDuplicateDecidedAtApply appends the same new camera id from two
// nodes at once: both nodes' appliers decide it the same way, one command
// "created" and the other "conflict", and each node answers its own.
func TestLogDuplicateDecidedAtApply(t *testing.T) {
	c := etcdtest.Start(t, 3)
	eps := c.Endpoints()
	type node struct {
		name string
		log  *cluster.Log
		app  *boltApplier
		f    *runningFollower
	}
	nodes := make([]*node, 2)
	for i := range nodes {
		n := &node{name: []string{"a", "b"}[i], log: newLog(t, etcdtest.NewClient(t, eps[i:i+1])), app: newBoltApplier(t)}
		n.f = follow(t, n.log, n.app, n.name)
		nodes[i] = n
	}
	for _, id := range []string{"CG-0001", "CG-0002", "TP-0101", "Mắt-Thần-7"} {
		t.Run(id, func(t *testing.T) {
			outcomes := make([]any, len(nodes))
			revs := make([]int64, len(nodes))
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, n := range nodes {
				cmd := createCommand(t, n.name, id)
				wg.Go(func() {
					<-start
					ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
					defer cancel()
					rev, err := n.log.Append(ctx, cmd)
					if err != nil {
						t.Errorf("node %s: append: %v", n.name, err)
						return
					}
					revs[i] = rev
					outcomes[i], err = n.f.WaitApplied(ctx, rev)
					if err != nil {
						t.Errorf("node %s: wait: %v", n.name, err)
					}
				})
			}
			close(start)
			wg.Wait()
			if t.Failed() {
				return
			}
			first := 0
			if revs[1] < revs[0] {
				first = 1
			}
			for i := range nodes {
				want := "conflict"
				if i == first {
					want = "created"
				}
				if outcomes[i] != want {
					t.Errorf("node %s (revision %d): outcome %v, want %s", nodes[i].name, revs[i], outcomes[i], want)
				}
			}
			last := max(revs[0], revs[1])
			for _, n := range nodes {
				waitApplied(t, n.f.Follower, last)
				if got := n.app.creator(t, id); got != revs[first] {
					t.Errorf("node %s: %s created by revision %d, want %d", n.name, id, got, revs[first])
				}
			}
		})
	}
}

// TestLogCrashBeforeCommit crashes a node's apply inside its transaction
// (after the effect, before the commit) and restarts the node on the same
// bbolt file: every command is applied exactly once.
func TestLogCrashBeforeCommit(t *testing.T) {
	c := etcdtest.Start(t, 1)
	l := newLog(t, c.Client(t))
	cmds := creates(t, "a", "CG", 30)
	revs := appendAll(t, l, cmds)
	want := map[int64]string{}
	for i, r := range revs {
		want[r] = cmds[i].ID
	}

	app := newBoltApplier(t)
	app.crashAt(revs[17])
	f := cluster.NewFollower(l, app, "a")
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	err := f.Run(ctx)
	if !errors.Is(err, errCrash) {
		t.Fatalf("run: %v, want the simulated crash", err)
	}
	if got, _ := app.LastApplied(); got >= revs[17] {
		t.Fatalf("after the crash: last applied %d, want below %d", got, revs[17])
	}
	for _, h := range app.history(t) {
		if h.Rev >= revs[17] {
			t.Fatalf("after the crash: revision %d in the history", h.Rev)
		}
	}
	app.close(t) // the process dies: nothing else is written
	app.crashAt(0)
	app.open(t)

	f2 := follow(t, l, app, "a")
	waitApplied(t, f2.Follower, revs[len(revs)-1])
	checkHistory(t, app, want)
}

// TestLogMemberStop stops the member a follower reads from and another
// member while appends go on: appends succeed on the quorum left, and
// once the members are back the follower has every command, once.
func TestLogMemberStop(t *testing.T) {
	c := etcdtest.Start(t, 3)
	eps := c.Endpoints()
	writer := newLog(t, c.Client(t)) // knows every member
	app := newBoltApplier(t)
	f := follow(t, newLog(t, etcdtest.NewClient(t, eps[:1])), app, "c")

	want := map[int64]string{}
	record := func(cmds []cluster.Command, revs []int64) {
		for i, r := range revs {
			want[r] = cmds[i].ID
		}
	}
	before := creates(t, "w", "before", 10)
	revs := appendAll(t, writer, before)
	record(before, revs)
	waitApplied(t, f.Follower, revs[len(revs)-1])

	c.Members[0].Stop()
	during := creates(t, "w", "during", 20)
	revs = appendAll(t, writer, during)
	record(during, revs)
	if f.Applied() >= revs[0] {
		t.Errorf("follower on a stopped member applied revision %d", f.Applied())
	}
	c.Members[0].Restart()

	c.Members[1].Stop()
	after := creates(t, "w", "after", 10)
	revs = appendAll(t, writer, after)
	record(after, revs)
	c.Members[1].Restart()

	waitApplied(t, f.Follower, revs[len(revs)-1])
	checkHistory(t, app, want)
	// Each member that was stopped holds the whole log again.
	for _, m := range c.Members[:2] {
		if n := countLog(t, etcdtest.NewClient(t, []string{m.ClientURL})); n != int64(len(want)) {
			t.Errorf("member %s holds %d commands, want %d", m.Name, n, len(want))
		}
	}
}

// TestLogRejectsInvalidCommand names the missing field.
func TestLogRejectsInvalidCommand(t *testing.T) {
	c := etcdtest.Start(t, 1)
	l := newLog(t, c.Client(t))
	ok := createCommand(t, "a", "CG-1")
	tests := []struct {
		name  string
		edit  func(*cluster.Command)
		field string
	}{
		{"kind", func(c *cluster.Command) { c.Kind = "" }, "kind"},
		{"id", func(c *cluster.Command) { c.ID = "" }, "id"},
		{"node", func(c *cluster.Command) { c.Node = "" }, "node"},
		{"at", func(c *cluster.Command) { c.At = time.Time{} }, "at"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := ok
			tc.edit(&cmd)
			_, err := l.Append(context.Background(), cmd)
			if !errors.Is(err, cluster.ErrInvalidCommand) {
				t.Fatalf("append: %v, want ErrInvalidCommand", err)
			}
			if got, want := err.Error(), "command: "+tc.field+": missing"; got != want {
				t.Errorf("error %q, want %q", got, want)
			}
		})
	}
}
