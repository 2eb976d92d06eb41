package cluster_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/matthan/matthan/cluster"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// waitLimit bounds every wait of these tests for an event.
const waitLimit = 20 * time.Second

// commandIDs numbers the commands the tests make.
var commandIDs atomic.Int64

// createCommand is a camera.create command for camera id, taken by node.
func createCommand(t testing.TB, node, id string) cluster.Command {
	t.Helper()
	p, err := json.Marshal(createPayload{ID: id})
	if err != nil {
		t.Fatal(err)
	}
	return cluster.Command{
		Kind:      "camera.create",
		ID:        fmt.Sprintf("cmd-%d", commandIDs.Add(1)),
		Node:      node,
		RequestID: fmt.Sprintf("req-%s", id),
		At:        time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC),
		Payload:   p,
	}
}

// newLog returns the log of cluster "test" on cli.
func newLog(t testing.TB, cli *clientv3.Client) *cluster.Log {
	t.Helper()
	l, err := cluster.NewLog(cli, "test")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// runningFollower is a follower whose Run goes on in the background.
type runningFollower struct {
	*cluster.Follower
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

// follow starts a follower of l into app for node; it stops when the test
// ends.
func follow(t testing.TB, l *cluster.Log, app cluster.Applier, node string) *runningFollower {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	f := &runningFollower{Follower: cluster.NewFollower(l, app, node), cancel: cancel, done: make(chan error, 1)}
	go func() { f.done <- f.Run(ctx) }()
	t.Cleanup(func() { f.stop(t) })
	return f
}

// stop stops the follower and waits until Run returned; it may be called
// more than once.
func (f *runningFollower) stop(t testing.TB) {
	t.Helper()
	f.once.Do(func() {
		f.cancel()
		select {
		case err := <-f.done:
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("follower: %v", err)
			}
		case <-time.After(waitLimit):
			t.Errorf("follower did not stop within %s", waitLimit)
		}
	})
}

// waitApplied waits until f has applied up to rev and returns the outcome.
func waitApplied(t testing.TB, f *cluster.Follower, rev int64) any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	out, err := f.WaitApplied(ctx, rev)
	if err != nil {
		t.Fatalf("wait for revision %d: %v", rev, err)
	}
	return out
}

// appendAll appends cmds in order through l and returns their revisions.
func appendAll(t testing.TB, l *cluster.Log, cmds []cluster.Command) []int64 {
	t.Helper()
	revs := make([]int64, len(cmds))
	for i, c := range cmds {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		rev, err := l.Append(ctx, c)
		cancel()
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		revs[i] = rev
	}
	return revs
}

// creates makes n camera.create commands for node, ids prefix-0 ... .
func creates(t testing.TB, node, prefix string, n int) []cluster.Command {
	t.Helper()
	cmds := make([]cluster.Command, n)
	for i := range cmds {
		cmds[i] = createCommand(t, node, fmt.Sprintf("%s-%04d", prefix, i))
	}
	return cmds
}

// checkHistory checks that app applied exactly the commands at revs, once
// each, in revision order, with the ids of cmds.
func checkHistory(t testing.TB, app *boltApplier, want map[int64]string) {
	t.Helper()
	got := app.history(t)
	if len(got) != len(want) {
		t.Errorf("applied %d commands, want %d", len(got), len(want))
	}
	var last int64
	for _, h := range got {
		if h.Rev <= last {
			t.Errorf("revision %d applied after %d", h.Rev, last)
		}
		last = h.Rev
		if id, ok := want[h.Rev]; !ok || id != h.ID {
			t.Errorf("revision %d: applied %q, want %q", h.Rev, h.ID, id)
		}
	}
}
