package replica_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/cluster"
	"github.com/matthan/matthan/cluster/etcdtest"
	"github.com/matthan/matthan/internal/gendata"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
	"github.com/matthan/matthan/replica"
)

// BenchmarkRegistryApplyCatchUp100k is a node catching up on 100,000
// camera.create commands: a follower that starts on an empty registry
// file applies them through the registry (pages of 512 per synced bbolt
// transaction, each command a CreateCamera with its audit entry and the
// applied command's id), and the figure is commands applied per second.
// Appending them (the setup) is not timed.
func BenchmarkRegistryApplyCatchUp100k(b *testing.B) {
	const n = 100_000
	ec := etcdtest.Start(b, 1)
	log, err := cluster.NewLog(ec.Client(b), "test")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var last int64
	for i := range n {
		id := fmt.Sprintf("CG-%06d", i)
		if last, err = log.Append(ctx, createCommand(b, "W", "cmd-"+id, id)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		reg, err := registry.Open(filepath.Join(b.TempDir(), "node.db"), registry.Options{})
		if err != nil {
			b.Fatal(err)
		}
		f := cluster.NewFollower(log, replica.NewApplier(reg), "A")
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		b.StartTimer()
		go func() { done <- f.Run(rctx) }()
		if _, err := f.WaitApplied(ctx, last); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cancel()
		if err := <-done; err != context.Canceled {
			b.Fatalf("follower: %v", err)
		}
		if c, err := reg.CountCameras(ctx); err != nil || c != n {
			b.Fatalf("%d cameras applied (%v), want %d", c, err, n)
		}
		if err := reg.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "commands/s")
}

// BenchmarkCreateCameraThroughLog is POST /cameras's store call in
// cluster mode, on loopback: replica.Store.CreateCamera builds the
// command, appends it to three etcd members that fsync, and waits until
// the node's follower has applied it to its synced registry file. It
// reports the median and the 99th percentile of the latency.
func BenchmarkCreateCameraThroughLog(b *testing.B) {
	ec := etcdtest.StartWith(b, 3, etcdtest.Options{Fsync: true})
	n := startNode(b, ec.Client(b), "A", filepath.Join(b.TempDir(), "node.db"))
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		c := testCamera(fmt.Sprintf("CG-%06d", i))
		start := time.Now()
		if err := n.st.CreateCamera(ctx, c, police); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(ms(lat[len(lat)/2]), "p50_ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99_ms")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkImport100k imports 100,000 new cameras (the test data of the
// API's import benchmark) through the store's Import, side by side: "single" on a registry alone (single-node mode),
// "cluster" through the log (three etcd members with fsync; commands of
// up to 1 MiB, applied by the node's follower) until the node that took
// it has applied it all. The figure is seconds per import.
func BenchmarkImport100k(b *testing.B) {
	const n = 100_000
	cams := func(round int) []*camera.Camera {
		return gendata.Cameras(gendata.Rows(n, uint64(round+1), fmt.Sprintf("R%d", round), gendata.Vietnam))
	}
	run := func(b *testing.B, imp func(ctx context.Context, cams []*camera.Camera) (registry.ImportResult, error)) {
		ctx := context.Background()
		for i := range b.N {
			b.StopTimer()
			cs := cams(i)
			b.StartTimer()
			res, err := imp(ctx, cs)
			if err != nil || res.Created != n {
				b.Fatalf("import: %+v, %v", res, err)
			}
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/import")
	}
	b.Run("single", func(b *testing.B) {
		reg := registrytest.OpenAt(b, filepath.Join(b.TempDir(), "node.db"), nil)
		run(b, func(ctx context.Context, cams []*camera.Camera) (registry.ImportResult, error) {
			return reg.Import(ctx, cams, registry.ImportOptions{}, police)
		})
	})
	b.Run("cluster", func(b *testing.B) {
		ec := etcdtest.StartWith(b, 3, etcdtest.Options{Fsync: true})
		nd := startNode(b, ec.Client(b), "A", filepath.Join(b.TempDir(), "node.db"))
		run(b, func(ctx context.Context, cams []*camera.Camera) (registry.ImportResult, error) {
			return nd.st.Import(ctx, cams, registry.ImportOptions{}, police)
		})
	})
}
