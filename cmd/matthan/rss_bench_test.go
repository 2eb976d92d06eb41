package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/gendata"
	"github.com/matthan/matthan/registry"
)

// BenchmarkDaemonRSS100k starts the real daemon (built without the race
// detector), imports 100,000 cameras through the API, reads some back, and
// reports the process's resident memory from /proc: rss_MB after the work
// and peak_rss_MB (VmHWM) over its life. Target: ≤ 300 MB.
func BenchmarkDaemonRSS100k(b *testing.B) {
	body := gendata.CSV(gendata.Rows(100_000, 5, "RSS", gendata.Vietnam))
	for b.Loop() {
		rss, peak := daemonRSS(b, filepath.Join(b.TempDir(), "rss.db"), body)
		b.ReportMetric(rss, "rss_MB")
		b.ReportMetric(peak, "peak_rss_MB")
	}
}

func daemonRSS(b *testing.B, db string, body []byte) (rss, peak float64) {
	p := serveBench(b, db)
	defer p.stop(syscall.SIGKILL)
	base, pid := p.URL, p.cmd.Process.Pid
	do := func(method, path, ctype string, body []byte) {
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+benchToken)
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
	return procMemMB(b, pid, "VmRSS"), procMemMB(b, pid, "VmHWM")
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

// BenchmarkDaemonStart1M measures how long the real daemon takes from
// exec to /readyz answering 200 — the database opened, the spatial index
// of 1,000,000 cameras built and the coverage of 100,000 intersections
// computed — and its resident memory then. Targets: ≤ 15 s, ≤ 1.5 GB.
func BenchmarkDaemonStart1M(b *testing.B) {
	db := filepath.Join(b.TempDir(), "1m.db")
	store, err := registry.Open(db, registry.Options{})
	if err != nil {
		b.Fatal(err)
	}
	cams := gendata.Cameras(gendata.Rows(1_000_000, 21, "ST", gendata.Vietnam))
	if _, err := store.ImportCameras(context.Background(), cams, false, camera.SystemActor); err != nil {
		b.Fatal(err)
	}
	raw, err := json.Marshal(gendata.Intersections(100_000, 22, gendata.Vietnam))
	if err != nil {
		b.Fatal(err)
	}
	if err := store.PutLayer(context.Background(), registry.LayerIntersections, raw, "bench", camera.SystemActor); err != nil {
		b.Fatal(err)
	}
	if err := store.Close(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		secs, pid, base, stop := startUntilReady(b, db)
		b.ReportMetric(secs, "s_to_ready")
		b.ReportMetric(procMemMB(b, pid, "VmRSS"), "rss_MB")
		// The database file is mapped: pages the start read (every
		// camera) count in VmRSS as file pages the kernel can drop at
		// will. RssAnon is the daemon's own memory.
		b.ReportMetric(procMemMB(b, pid, "RssAnon"), "rss_anon_MB")
		b.ReportMetric(procMemMB(b, pid, "RssFile"), "rss_file_MB")
		// Then the poller, which loads beside the serving API, holds
		// every camera too.
		waitMetric(b, base, "matthan_poller_cameras", 1_000_000)
		b.ReportMetric(procMemMB(b, pid, "VmRSS"), "rss_with_poller_MB")
		b.ReportMetric(procMemMB(b, pid, "RssAnon"), "rss_anon_with_poller_MB")
		stop()
	}
}

// startUntilReady starts the daemon on db and returns once /readyz
// answers 200, with the seconds that took.
func startUntilReady(b *testing.B, db string, env ...string) (secs float64, pid int, base string, stop func()) {
	binary(b) // built before the clock starts
	start := time.Now()
	p := serveBench(b, db, env...)
	stop = func() { p.stop(syscall.SIGKILL) }
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get(p.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			stop()
			b.Fatal("daemon not ready within 2 minutes")
		}
		time.Sleep(20 * time.Millisecond) // polling a process we cannot signal from
	}
	return time.Since(start).Seconds(), p.cmd.Process.Pid, p.URL, stop
}

// waitMetric polls /metrics until the named gauge reaches want.
func waitMetric(b *testing.B, base, name string, want float64) {
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/metrics")
		if err == nil {
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			for _, line := range strings.Split(string(raw), "\n") {
				if v, found := strings.CutPrefix(line, name+" "); found {
					if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= want {
						return
					}
				}
			}
		}
		time.Sleep(100 * time.Millisecond) // polling a process we cannot signal from
	}
	b.Fatalf("%s did not reach %v within 3 minutes", name, want)
}
