package cluster_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/matthan/matthan/cluster"
	"github.com/matthan/matthan/cluster/etcdtest"
)

// BenchmarkLogWrite is one write through the log on loopback, as the node
// that takes a request does it: Append, then WaitApplied until its own
// follower has applied the command to its bbolt file (fsync on, in etcd's
// three members and in bbolt). It reports the median and the 99th
// percentile of the latency.
func BenchmarkLogWrite(b *testing.B) {
	c := etcdtest.StartWith(b, 3, etcdtest.Options{Fsync: true})
	l := newLog(b, c.Client(b))
	f := follow(b, l, newSyncedBoltApplier(b), "a")
	ctx := context.Background()
	cmds := creates(b, "a", "CG", b.N)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		rev, err := l.Append(ctx, cmds[i])
		if err != nil {
			b.Fatal(err)
		}
		if out, err := f.WaitApplied(ctx, rev); err != nil || out != "created" {
			b.Fatalf("revision %d: outcome %v, %v", rev, out, err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(ms(lat[len(lat)/2]), "p50_ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99_ms")
}

// BenchmarkApplyCatchUp100k is a node catching up on 100,000 commands:
// a follower that starts empty applies them, each in its own synced
// bbolt transaction, and the figure is commands applied per second.
// Appending them (the setup) is not timed.
func BenchmarkApplyCatchUp100k(b *testing.B) {
	const n = 100_000
	c := etcdtest.Start(b, 1)
	l := newLog(b, c.Client(b))
	revs := appendAll(b, l, creates(b, "w", "CG", n))
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		app := newSyncedBoltApplier(b)
		f := cluster.NewFollower(l, app, "a")
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		b.StartTimer()
		go func() { done <- f.Run(ctx) }()
		waitApplied(b, f, revs[n-1])
		b.StopTimer()
		cancel()
		if err := <-done; err != context.Canceled {
			b.Fatalf("follower: %v", err)
		}
		app.close(b)
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "commands/s")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
