package geo

import (
	"context"
	"runtime"
	"sync"
)

// buildWorkers is how many goroutines build a layer aside: all cores but
// one, left to the queries and camera writes that go on meanwhile (on two
// cores, the build takes one).
func buildWorkers() int { return max(1, runtime.GOMAXPROCS(0)-1) }

// parallelChunks runs fn over [0, n) cut into chunks (at least minPer
// items each), one for each of at most workers goroutines. fn calls stop
// now and then and returns early when it says so. It returns ctx's error
// when ctx ended before the work did.
func parallelChunks(ctx context.Context, n, minPer, workers int, fn func(from, to int, stop func() bool)) error {
	if err := canceled(ctx); err != nil {
		return err
	}
	stop := func() bool { return ctx.Err() != nil }
	workers = max(1, min(workers, n/minPer))
	chunk := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for w := range workers {
		from, to := w*chunk, min((w+1)*chunk, n)
		wg.Go(func() { fn(from, to, stop) })
	}
	wg.Wait()
	return canceled(ctx)
}

// parallelCtx calls fn with every index of [0, n), as parallelChunks
// shares them out, and stops when ctx ends, returning its error.
func parallelCtx(ctx context.Context, n, minPer, workers int, fn func(i int)) error {
	return parallelChunks(ctx, n, minPer, workers, func(from, to int, stop func() bool) {
		for i := from; i < to; i++ {
			if (i-from)%checkEvery == 0 && stop() {
				return
			}
			fn(i)
		}
	})
}
