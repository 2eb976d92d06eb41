package geo

import "context"

// parallelChunks runs fn over [0, n) cut into one chunk per core (at least
// minPer items each), like parallel, for work that ctx may stop: fn calls
// stop now and then and returns early when it says so. It returns ctx's
// error when ctx ended before the work did.
func parallelChunks(ctx context.Context, n, minPer int, fn func(from, to int, stop func() bool)) error {
	if err := canceled(ctx); err != nil {
		return err
	}
	stop := func() bool { return ctx.Err() != nil }
	parallel(n, minPer, func(from, to int) { fn(from, to, stop) })
	return canceled(ctx)
}

// parallelCtx calls fn with every index of [0, n), on every core, and
// stops when ctx ends, returning its error.
func parallelCtx(ctx context.Context, n, minPer int, fn func(i int)) error {
	return parallelChunks(ctx, n, minPer, func(from, to int, stop func() bool) {
		for i := from; i < to; i++ {
			if (i-from)%checkEvery == 0 && stop() {
				return
			}
			fn(i)
		}
	})
}
