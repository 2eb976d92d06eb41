package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/matthan/matthan/internal/gendata"
)

// BenchmarkDaemonRSS100k starts the real daemon (built without the race
// detector), imports 100,000 cameras through the API, reads some back, and
// reports the process's resident memory from /proc: rss_MB after the work
// and peak_rss_MB (VmHWM) over its life. Target: ≤ 300 MB.
func BenchmarkDaemonRSS100k(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "matthan")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	body := gendata.CSV(gendata.Rows(100_000, 5, "RSS", gendata.Vietnam))
	for b.Loop() {
		rss, peak := daemonRSS(b, bin, filepath.Join(b.TempDir(), "rss.db"), body)
		b.ReportMetric(rss, "rss_MB")
		b.ReportMetric(peak, "peak_rss_MB")
	}
}

func daemonRSS(b *testing.B, bin, db string, body []byte) (rss, peak float64) {
	const token = "mt_bench_admin_token_0123456789"
	cmd := exec.Command(bin, "serve", "--db", db, "--listen", "127.0.0.1:0", "--log-level", "error")
	cmd.Env = append(childEnv(), "MATTHAN_ADMIN_TOKEN="+token)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	sc := bufio.NewScanner(stdout)
	var base string
	for sc.Scan() {
		if _, url, found := strings.Cut(sc.Text(), "listening on "); found {
			base = strings.TrimSpace(url)
			break
		}
	}
	if base == "" {
		b.Fatal("daemon did not say where it listens")
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()

	do := func(method, path, ctype string, body []byte) {
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("%s %s: %d", method, path, resp.StatusCode)
		}
	}
	do("POST", "/api/v1/cameras/import", "text/csv", body)
	for i := 1; i <= 100_000; i += 100 {
		do("GET", fmt.Sprintf("/api/v1/cameras/RSS-%06d", i), "", nil)
	}
	do("GET", "/api/v1/cameras?q=cho+gao&limit=1000", "", nil)
	do("GET", "/api/v1/cameras/export?format=csv", "", nil)
	return procMemMB(b, cmd.Process.Pid, "VmRSS"), procMemMB(b, cmd.Process.Pid, "VmHWM")
}

// procMemMB reads a memory line (VmRSS, VmHWM) of /proc/PID/status in MB.
func procMemMB(b *testing.B, pid int, key string) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, found := strings.CutPrefix(line, key+":"); found {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb / 1024
		}
	}
	b.Fatalf("no %s in /proc/%d/status", key, pid)
	return 0
}
