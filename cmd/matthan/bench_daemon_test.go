package main

import "testing"

// benchToken is the admin token the benchmarks give the daemons they
// start.
const benchToken = "mt_bench_admin_token_0123456789"

// serveBench starts `matthan serve` on db on a free loopback port, as
// the benchmarks measure it: logging only errors, with an admin token
// and the extra environment env. Benchmarks run without -race, so the
// binary is the one that ships.
func serveBench(b *testing.B, db string, env ...string) *proc {
	b.Helper()
	return startDaemon(b, append(env, "MATTHAN_ADMIN_TOKEN="+benchToken), "serve", "--db", db, "--listen", "127.0.0.1:0", "--log-level", "error")
}
