package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/matthan/matthan/camera/rtsp/rtsptest"
	"github.com/matthan/matthan/cluster/etcdtest"
)

// The probe figures of cluster mode (docs/performance.md, "Cluster"):
// the CPU a `matthan serve` process spends per shallow probe (OPTIONS and
// DESCRIBE, camera/rtsp) of real RTSP fake cameras, and what three nodes
// sharing a fleet can do against one. The fake cameras (rtsptest,
// gortsplib servers on loopback) and the etcd member run in the
// benchmark's process; the daemons are child processes, and their CPU is
// read from their own /metrics (process_cpu_seconds_total, the kernel's
// user + system time of the process, in 10 ms ticks), so it holds the
// prober side only: the probes, recording their results in bbolt, the
// scheduler, the HTTP server answering the two scrapes of each window.

const (
	// A node polls defaultProbeFleet cameras, registered with the URLs
	// of probeFakes fake cameras in turn, every probeInterval: 400
	// probes a second, which the 2 cores hold beside the fakes.
	// MATTHAN_BENCH_FLEET changes the number.
	defaultProbeFleet = 2000
	probeFakes        = 50
	probeInterval     = 5 * time.Second
	// probeWindow is the span of steady polling measured; idleWindow the
	// span of a node with no camera to probe.
	probeWindow = 20 * time.Second
	idleWindow  = 15 * time.Second
	// settle lets a node finish what its start or its last change set
	// off (the first scans, a garbage collection) before a window.
	settle = 2 * time.Second
	// benchWaitDeadline bounds the waits for the nodes' state.
	benchWaitDeadline = 2 * time.Minute
)

// probeBenchConfig is the daemons' configuration: every probe shallow
// (deep_every 0), at probeInterval, on the default tick unless
// MATTHAN_BENCH_TICK sets one (MATTHAN_BENCH_TICK=0s wakes the scheduler
// at each probe's own time, as before ticks).
func probeBenchConfig(b *testing.B) string {
	b.Helper()
	cfg := fmt.Sprintf(`# the probe benchmarks: shallow probes only, every %s
poller:
  interval: %s
  deep_every: 0
`, probeInterval, probeInterval)
	if tick := os.Getenv("MATTHAN_BENCH_TICK"); tick != "" {
		if _, err := time.ParseDuration(tick); err != nil {
			b.Fatalf("MATTHAN_BENCH_TICK: %v", err)
		}
		cfg += "  tick: " + tick + "\n"
	}
	return cfg
}

// nodeSample is what one scrape of a node's /metrics says, and the CPU
// time its threads ran.
type nodeSample struct {
	cpu    float64 // process_cpu_seconds_total
	probes float64 // Σ matthan_probes_total
	up     float64 // Σ matthan_probes_total{result="up"}
	// sched is the run time of the process's threads as the scheduler
	// counts it (/proc/PID/task/*/schedstat), in nanoseconds where
	// process_cpu_seconds_total counts 10 ms ticks: an idle node's few
	// milliseconds a second need it.
	sched time.Duration
	at    time.Time
}

// nodeFigures are a node's figures over a window.
type nodeFigures struct {
	probesPerSec float64
	cpuMsPerSec  float64
	cpuMsPerProb float64 // NaN when the node probed nothing
	schedMsPerS  float64 // cpuMsPerSec from the scheduler's count
	probes       float64
	// notUp counts the window's probes that did not find the camera up:
	// none in the steady state measured; some when the machine was so
	// loaded that probes timed out.
	notUp float64
}

func figuresOf(before, after nodeSample) nodeFigures {
	secs := after.at.Sub(before.at).Seconds()
	f := nodeFigures{
		probes:       after.probes - before.probes,
		notUp:        (after.probes - before.probes) - (after.up - before.up),
		probesPerSec: (after.probes - before.probes) / secs,
		cpuMsPerSec:  1000 * (after.cpu - before.cpu) / secs,
		cpuMsPerProb: math.NaN(),
		schedMsPerS:  float64((after.sched - before.sched).Milliseconds()) / secs,
	}
	if f.probes > 0 {
		f.cpuMsPerProb = 1000 * (after.cpu - before.cpu) / f.probes
	}
	return f
}

// scrapeMetrics sums every series of each metric of a node's /metrics by
// name; matthan_cameras also by state, as matthan_cameras{STATE}, and
// matthan_probes_total by result, as matthan_probes_total{RESULT}.
func scrapeMetrics(b *testing.B, base string) map[string]float64 {
	b.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("%s/metrics: %d", base, resp.StatusCode)
	}
	sums := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		series, value, ok := strings.Cut(line, " ")
		if i := strings.LastIndexByte(line, '}'); i >= 0 {
			series, value, ok = line[:i+1], strings.TrimSpace(line[i+1:]), true
		}
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.Fields(value)[0], 64)
		if err != nil {
			b.Fatalf("%s/metrics: %q: %v", base, line, err)
		}
		name, labels, _ := strings.Cut(series, "{")
		sums[name] += v
		by := map[string]string{"matthan_cameras": `state="`, "matthan_probes_total": `result="`}[name]
		if by == "" {
			continue
		}
		for l := range strings.SplitSeq(strings.TrimSuffix(labels, "}"), ",") {
			if s, found := strings.CutPrefix(l, by); found {
				sums[name+"{"+strings.TrimSuffix(s, `"`)+"}"] += v
			}
		}
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return sums
}

// sampleNodes scrapes every node, one after another.
func sampleNodes(b *testing.B, nodes []*proc) []nodeSample {
	b.Helper()
	out := make([]nodeSample, len(nodes))
	for i, n := range nodes {
		m := scrapeMetrics(b, n.URL)
		if _, ok := m["process_cpu_seconds_total"]; !ok {
			b.Fatalf("%s/metrics has no process_cpu_seconds_total", n.URL)
		}
		out[i] = nodeSample{cpu: m["process_cpu_seconds_total"], probes: m["matthan_probes_total"], up: m["matthan_probes_total{up}"], sched: threadsRunTime(b, n.cmd.Process.Pid), at: time.Now()}
	}
	return out
}

// threadsRunTime adds the run time of every thread of process pid, from
// the first field of /proc/PID/task/TID/schedstat. A thread that ends
// between two samples takes its time with it; the Go runtime keeps its
// threads.
func threadsRunTime(b *testing.B, pid int) time.Duration {
	b.Helper()
	files, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil || len(files) == 0 {
		b.Fatalf("no schedstat for process %d: %v", pid, err)
	}
	var sum time.Duration
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue // the thread ended
		}
		if err != nil {
			b.Fatal(err)
		}
		ns, err := strconv.ParseInt(strings.Fields(string(raw))[0], 10, 64)
		if err != nil {
			b.Fatalf("%s: %q: %v", f, raw, err)
		}
		sum += time.Duration(ns)
	}
	return sum
}

// measure samples the nodes, waits the window and samples them again.
func measure(b *testing.B, nodes []*proc, window time.Duration) []nodeFigures {
	b.Helper()
	before := sampleNodes(b, nodes)
	time.Sleep(window) // a fixed span of steady state to measure, not an event
	after := sampleNodes(b, nodes)
	out := make([]nodeFigures, len(nodes))
	for i := range nodes {
		out[i] = figuresOf(before[i], after[i])
	}
	return out
}

// waitNodes polls the nodes' /metrics until cond holds of them.
func waitNodes(b *testing.B, what string, nodes []*proc, cond func(m []map[string]float64) bool) {
	b.Helper()
	deadline := time.Now().Add(benchWaitDeadline)
	for {
		m := make([]map[string]float64, len(nodes))
		for i, n := range nodes {
			m[i] = scrapeMetrics(b, n.URL)
		}
		if cond(m) {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s: not within %s", what, benchWaitDeadline)
		}
		time.Sleep(200 * time.Millisecond) // polling processes we cannot signal from
	}
}

// sumOf adds a metric over the nodes.
func sumOf(m []map[string]float64, name string) float64 {
	s := 0.0
	for _, x := range m {
		s += x[name]
	}
	return s
}

// startFakes starts n fake cameras on loopback and returns their URLs,
// behind links of MATTHAN_BENCH_RTT's round trip when it is set.
func startFakes(b *testing.B, n int) []string {
	b.Helper()
	urls := make([]string, n)
	for i := range urls {
		c, err := rtsptest.Start(rtsptest.Options{Server: "Hikvision-Webs"})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(c.Close)
		urls[i] = c.URL()
	}
	return behindLinks(b, urls, linkRTT(b))
}

// fleetCSV is a camera CSV of n cameras, each with the URL of one of the
// fakes in turn.
func fleetCSV(b *testing.B, n int, urls []string) []byte {
	b.Helper()
	rows := cameraRows("PF", 0, n, false)
	for i, r := range rows {
		r[12] = urls[i%len(urls)]
	}
	return encodeCSV(b, rows)
}

// importFleet posts the CSV to a node. A node that finds the cameras
// there already (replicated from another) answers them unchanged; the
// callers check the cameras scheduled over all nodes, not the answer.
func importFleet(b *testing.B, base string, csv []byte) {
	b.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/cameras/import", bytes.NewReader(csv))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+benchToken)
	req.Header.Set("Content-Type", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	var res importResult
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &res) != nil {
		b.Fatalf("import to %s: %d %s", base, resp.StatusCode, raw)
	}
	if res.Rejected != 0 {
		b.Fatalf("import to %s rejected %d rows: %+v", base, res.Rejected, res.Rejections)
	}
}

// fleetGroup is a fleet of cameras and the nodes that poll it: one node
// in single-node mode, or the nodes of a cluster.
type fleetGroup struct {
	fleet int
	csv   []byte
	ids   []string   // the nodes' names, unique over every group
	envs  [][]string // each node's cluster settings; nil in single-node mode
}

// fleetRun is what the nodes of a group did: idle, with no camera, and
// then polling their fleet.
type fleetRun struct {
	idle, polling []nodeFigures
}

// runFleets starts the nodes of every group at once, measures them idle,
// imports each group's fleet into each of its nodes and, once every
// camera is up, measures them polling: the groups side by side, in the
// same windows, on a machine loaded alike. A cluster's nodes are
// measured once each sees all of them live.
func runFleets(b *testing.B, dir string, groups []fleetGroup) []fleetRun {
	b.Helper()
	cfgFile := filepath.Join(dir, "matthan.yaml")
	if err := os.WriteFile(cfgFile, []byte(probeBenchConfig(b)), 0o600); err != nil {
		b.Fatal(err)
	}
	var all []*proc
	members := make([][]*proc, len(groups))
	for g, gr := range groups {
		for i, id := range gr.ids {
			var env []string
			if gr.envs != nil {
				env = gr.envs[i]
			}
			p := startDaemon(b, append(env, "MATTHAN_ADMIN_TOKEN="+benchToken),
				"serve", "--config", cfgFile, "--db", filepath.Join(dir, id+".db"), "--listen", "127.0.0.1:0", "--log-level", "error")
			members[g] = append(members[g], p)
			all = append(all, p)
		}
	}
	defer func() {
		for _, n := range all {
			n.stop(syscall.SIGTERM)
		}
	}()
	for g, gr := range groups {
		if gr.envs == nil {
			continue
		}
		waitNodes(b, "every node sees the others live", members[g], func(m []map[string]float64) bool {
			for _, x := range m {
				if x["matthan_cluster_nodes_live"] != float64(len(gr.ids)) {
					return false
				}
			}
			return true
		})
	}
	time.Sleep(settle) // a fixed pause after the start, not an event
	idle := measure(b, all, idleWindow)

	for g, gr := range groups {
		for _, n := range members[g] {
			importFleet(b, n.URL, gr.csv)
		}
	}
	for g, gr := range groups {
		waitNodes(b, fmt.Sprintf("every camera of a fleet of %d scheduled once and up", gr.fleet), members[g], func(m []map[string]float64) bool {
			return sumOf(m, "matthan_poller_cameras") == float64(gr.fleet) && sumOf(m, "matthan_cameras{up}") == float64(gr.fleet)
		})
	}
	time.Sleep(probeInterval) // one full round before the window, not an event
	polling := measure(b, all, probeWindow)

	runs := make([]fleetRun, len(groups))
	at := 0
	for g, gr := range groups {
		n := len(gr.ids)
		runs[g] = fleetRun{idle: idle[at : at+n], polling: polling[at : at+n]}
		at += n
	}
	return runs
}

// fleetSize is MATTHAN_BENCH_FLEET, or def.
func fleetSize(b *testing.B, env string, def int) int {
	b.Helper()
	v := os.Getenv(env)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("%s: want a number of cameras, got %q", env, v)
	}
	return n
}

// BenchmarkProbeCPU polls 2,000 cameras on 50 fake cameras every 5 s
// (MATTHAN_BENCH_FLEET cameras when set) with one real daemon in
// single-node mode, shallow probes only, and reports the daemon's CPU
// per probe (target ≤ 0.5 ms; sched_ms/probe is the same from its
// threads' run time, in nanoseconds, as a check of the 10 ms ticks), its
// probes/s and its CPU with no camera to probe. MATTHAN_BENCH_TICK sets
// the poller's tick (probeBenchConfig) and MATTHAN_BENCH_RTT puts the
// fakes behind links of that round trip (bench_latency_test.go).
func BenchmarkProbeCPU(b *testing.B) {
	binary(b) // built before anything is measured
	fleet := fleetSize(b, "MATTHAN_BENCH_FLEET", defaultProbeFleet)
	csv := fleetCSV(b, fleet, startFakes(b, probeFakes))
	for b.Loop() {
		run := runFleets(b, b.TempDir(), []fleetGroup{{fleet: fleet, csv: csv, ids: []string{"single"}}})[0]
		p := run.polling[0]
		b.ReportMetric(p.cpuMsPerProb, "cpu_ms/probe")
		b.ReportMetric(p.probesPerSec, "probes/s")
		b.ReportMetric(p.cpuMsPerSec/10, "cpu_%_of_core")
		b.ReportMetric(run.idle[0].schedMsPerS, "idle_cpu_ms/s")
		b.ReportMetric(p.notUp, "not_up_probes")
		b.ReportMetric(p.schedMsPerS/p.probesPerSec, "sched_ms/probe")
	}
	b.ReportMetric(0, "ns/op")
}

// BenchmarkClusterProbes runs, side by side and measured in the same
// windows, one node in single-node mode polling 2,000 cameras
// (MATTHAN_BENCH_FLEET) and three `matthan serve` nodes in cluster mode,
// on one etcd member, sharing a fleet of three times as many
// (MATTHAN_BENCH_CLUSTER_FLEET): each node has that fleet imported
// through its own API and polls the share the rendezvous hash gives it,
// so each does about the work of the one node. (A node's CPU per probe
// falls as its probes/s rise, in single-node mode as in cluster mode,
// so nodes are compared at the same probes/s each.)
//
// The machine's 2 cores hold the four nodes, the fakes and etcd, so the
// probes/s are the fleets' (every camera every 5 s) rather than what the
// nodes could do. What it measures is each node's CPU per probe, and
// from it the capacity of nodes on machines of their own, at the same
// CPU budget each (one core):
//
//   - x_one_node: Σ over the nodes of (budget / CPU per probe on that
//     node), against budget / CPU per probe of the one node: the three
//     saturated;
//   - x_one_node_by_share: the fleet the three poll when each keeps its
//     share of the cameras, bounded by the node that saturates first:
//     min over nodes of (budget / CPU per probe) / share, against the
//     one node. Target ≥ 2.5.
//
// It also reports the CPU of each node with no camera to probe, and the
// overhead of cluster mode (the lease's keep-alives, the watch of the
// live nodes, the etcd client) as the mean of the three nodes' against
// the one node's.
func BenchmarkClusterProbes(b *testing.B) {
	binary(b)
	fleet := fleetSize(b, "MATTHAN_BENCH_FLEET", defaultProbeFleet)
	clusterFleet := fleetSize(b, "MATTHAN_BENCH_CLUSTER_FLEET", 3*fleet)
	fakes := startFakes(b, probeFakes)
	csv, clusterCSV := fleetCSV(b, fleet, fakes), fleetCSV(b, clusterFleet, fakes)
	members := etcdtest.Start(b, 1)
	for iter := 0; b.Loop(); iter++ {
		dir := b.TempDir()
		clips := filepath.Join(dir, "shared-clips")
		ids := []string{"a", "b", "c"}
		envs := make([][]string, len(ids))
		for i, id := range ids {
			envs[i] = []string{
				// A cluster of its own each time: its clips.dir is new.
				fmt.Sprintf("MATTHAN_CLUSTER_NAME=bench-%d", iter),
				"MATTHAN_CLUSTER_ETCD_ENDPOINTS=" + strings.Join(members.Endpoints(), ","),
				"MATTHAN_CLUSTER_NODE_ID=" + id,
				"MATTHAN_CLUSTER_ADVERTISE_URL=http://" + id + ".bench.test:8080",
				"MATTHAN_CLIPS_DIR=" + clips,
			}
		}
		runs := runFleets(b, dir, []fleetGroup{
			{fleet: fleet, csv: csv, ids: []string{"single"}},
			{fleet: clusterFleet, csv: clusterCSV, ids: ids, envs: envs},
		})
		one, three := runs[0], runs[1]

		const budget = 1000.0 // CPU ms a second: one core a node
		s := one.polling[0]
		oneCap := budget / s.cpuMsPerProb
		b.ReportMetric(s.probesPerSec, "1node_probes/s")
		b.ReportMetric(s.cpuMsPerProb, "1node_cpu_ms/probe")
		b.ReportMetric(one.idle[0].schedMsPerS, "1node_idle_cpu_ms/s")

		var total, rate, sumCap, idle float64
		notUp := s.notUp
		for _, f := range three.polling {
			total += f.probes
			rate += f.probesPerSec
			notUp += f.notUp
		}
		fleetCap := math.Inf(1)
		for i, f := range three.polling {
			share := f.probes / total
			nodeCap := budget / f.cpuMsPerProb
			sumCap += nodeCap
			fleetCap = min(fleetCap, nodeCap/share)
			idle += three.idle[i].schedMsPerS
			b.ReportMetric(f.probesPerSec, ids[i]+"_probes/s")
			b.ReportMetric(f.cpuMsPerProb, ids[i]+"_cpu_ms/probe")
			b.ReportMetric(100*share, ids[i]+"_share_%")
			b.ReportMetric(three.idle[i].schedMsPerS, ids[i]+"_idle_cpu_ms/s")
		}
		idle /= float64(len(ids))
		b.ReportMetric(rate, "3nodes_probes/s")
		b.ReportMetric(notUp, "not_up_probes")
		b.ReportMetric(sumCap/oneCap, "x_one_node")
		b.ReportMetric(fleetCap/oneCap, "x_one_node_by_share")
		b.ReportMetric(idle-one.idle[0].schedMsPerS, "cluster_overhead_cpu_ms/s")
	}
	b.ReportMetric(0, "ns/op")
}
