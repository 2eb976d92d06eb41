package main

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

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

// benchDo sends a request to a daemon as the benchmarks' admin; the
// caller reads and closes the answer.
func benchDo(b *testing.B, method, url, ctype string, body []byte) *http.Response {
	b.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+benchToken)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	return resp
}

// benchCall sends a request as benchDo does and returns the answer; a
// status of 300 or more fails the benchmark.
func benchCall(b *testing.B, method, url, ctype string, body []byte) []byte {
	b.Helper()
	resp := benchDo(b, method, url, ctype, body)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	if resp.StatusCode >= 300 {
		b.Fatalf("%s %s: %d %s", method, url, resp.StatusCode, got)
	}
	return got
}
