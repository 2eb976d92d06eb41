package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/matthan/matthan/cluster"
	"github.com/matthan/matthan/cluster/etcdtest"
)

// TestFollowerStopsOnCorruptLog writes under the log's prefix what Append
// never writes: the follower stops with ErrLogCorrupt instead of applying
// out of order or skipping, and waiters learn it stopped.
func TestFollowerStopsOnCorruptLog(t *testing.T) {
	tests := []struct {
		name       string
		key, value func(next int64) string
	}{
		{
			"not a command",
			func(next int64) string { return fmt.Sprintf("/matthan/test/log/%016x", next) },
			func(int64) string { return "{not json" },
		},
		{
			"not a log key",
			func(int64) string { return "/matthan/test/log/stray" },
			func(int64) string { return "{}" },
		},
		{
			"a gap",
			func(next int64) string { return fmt.Sprintf("/matthan/test/log/%016x", next+1) },
			func(int64) string { return `{"kind":"camera.create","id":"x","node":"a","at":"2026-12-07T09:00:00Z"}` },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := etcdtest.Start(t, 1)
			cli := c.Client(t)
			l := newLog(t, cli)
			revs := appendAll(t, l, creates(t, "a", "CG", 3))
			f := cluster.NewFollower(l, newBoltApplier(t), "a")
			ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- f.Run(ctx) }()
			waitApplied(t, f, revs[2])
			if _, err := cli.Put(ctx, tc.key(4), tc.value(4)); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				if !errors.Is(err, cluster.ErrLogCorrupt) {
					t.Fatalf("run: %v, want ErrLogCorrupt", err)
				}
			case <-time.After(waitLimit):
				t.Fatal("follower did not stop")
			}
			if _, err := f.WaitApplied(ctx, revs[2]+100); !errors.Is(err, cluster.ErrStopped) {
				t.Errorf("wait after stop: %v, want ErrStopped", err)
			}
		})
	}
}
