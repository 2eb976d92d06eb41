package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/sample"
	"github.com/matthan/matthan/registry"
)

// demoRun is a demo running in-process, and what it printed.
type demoRun struct {
	url, token string
	block      string // what it printed on stdout up to "Press Ctrl-C"
	cancel     context.CancelFunc
	done       chan struct{} // closed when run has returned, with code set
	code       int
	stderr     *syncBuffer
}

// startDemo runs "matthan demo" in-process and reads its friendly block.
func startDemo(t testing.TB, dir string) *demoRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	d := &demoRun{cancel: cancel, done: make(chan struct{}), stderr: &syncBuffer{}}
	c := &cli{stdin: strings.NewReader(""), stdout: pw, stderr: d.stderr, getenv: env(nil)}
	go func() {
		d.code = c.run(ctx, []string{"demo", "--listen", "127.0.0.1:0", "--data", dir})
		pw.Close()
		close(d.done)
	}()
	t.Cleanup(func() {
		cancel()
		<-d.done
	})
	block := make(chan []string, 1)
	go func() {
		var lines []string
		sc := bufio.NewScanner(pr)
		sent := false
		for sc.Scan() {
			lines = append(lines, sc.Text())
			if strings.HasPrefix(sc.Text(), "Press Ctrl-C") && !sent {
				block <- lines
				sent = true
			}
		}
		if !sent {
			block <- lines
		}
	}()
	var lines []string
	select {
	case lines = <-block:
	case <-time.After(startDeadline):
		t.Fatalf("demo printed no block within %s:\n%s", startDeadline, d.stderr.String())
	}
	for _, l := range lines {
		if u, ok := strings.CutPrefix(l, "matthan listening on "); ok {
			d.url = u
		}
		if tok, ok := strings.CutPrefix(strings.TrimSpace(l), "admin token"); ok {
			d.token = strings.TrimSpace(tok)
		}
	}
	if d.url == "" || !strings.HasPrefix(d.token, "mt_") {
		t.Fatalf("demo output has no URL or token:\n%s\nstderr:\n%s", strings.Join(lines, "\n"), d.stderr.String())
	}
	out := strings.Join(lines, "\n")
	d.block = out
	// Times are Vietnam's, with their offset (the timezone setting).
	for _, want := range []string{"q=cho%20gao", "/api/v1/cameras/export?format=csv", "/metrics", d.url,
		"time zone    Asia/Ho_Chi_Minh, now ", " +07:00 (setting timezone)", "counts?from=2021-01-01T00:00:00%2B07:00"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo block lacks %q:\n%s", want, out)
		}
	}
	return d
}

func (d *demoRun) stop(t *testing.T) {
	t.Helper()
	d.cancel()
	select {
	case <-d.done:
		if d.code != 0 {
			t.Errorf("demo exit %d\n%s", d.code, d.stderr.String())
		}
	case <-time.After(stopDeadline):
		t.Fatal("demo did not stop")
	}
	if strings.Contains(d.stderr.String(), d.token) {
		t.Errorf("the demo logged its token")
	}
}

func TestDemo(t *testing.T) {
	want, err := csv.NewReader(bytes.NewReader(sample.Cameras())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "demo")

	d := startDemo(t, dir)
	mustCall(t, http.StatusOK, http.MethodGet, d.url+"/readyz", "", "", nil)
	recs := decodeCSV(t, export(t, d.url, d.token, "csv"))
	if len(recs) != len(want)-1 {
		t.Errorf("demo holds %d cameras, want the sample's %d", len(recs), len(want)-1)
	}
	var page struct {
		Items []struct {
			Name string `json:"name"`
		} `json:"items"`
	}
	unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, d.url+"/api/v1/cameras?q=cho%20gao", d.token, "", nil), &page)
	if len(page.Items) == 0 {
		t.Errorf("search q=cho gao found nothing in the sample district")
	}
	// The sample's map layers are loaded: coverage of its 296
	// intersections, and gaps to show.
	var cov struct{ Intersections, Covered int }
	unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, d.url+"/api/v1/coverage", d.token, "", nil), &cov)
	if cov.Intersections != 296 || cov.Covered == 0 || cov.Covered == cov.Intersections {
		t.Errorf("demo coverage: %d of %d intersections covered", cov.Covered, cov.Intersections)
	}
	var gaps struct{ Features []json.RawMessage }
	unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, d.url+"/api/v1/coverage/gaps?limit=5", d.token, "", nil), &gaps)
	if len(gaps.Features) != 5 {
		t.Errorf("demo gaps: %d features, want 5", len(gaps.Features))
	}
	// The district report reads like the programme it is modelled on.
	out, errOut, code := runCLI(t, nil, "report", "--server", d.url, "--token", d.token)
	if code != 0 {
		t.Fatalf("matthan report: exit %d: %s", code, errOut)
	}
	if want := "19 communes, 350 cameras, 1.300.000.000 ₫ received, 29 criminal cases with 35 suspects."; !strings.Contains(out, want) {
		t.Errorf("matthan report does not say %q:\n%s", want, out)
	}
	// The district's second table comes out of the sample's tips, in the
	// counts and in the report; the informants open with the demo
	// chief's key, whose path the banner prints.
	var tc registry.TipCounts
	unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, d.url+"/api/v1/tips/counts", d.token, "", nil), &tc)
	byOutcome := map[camera.Outcome]registry.TipOutcomeCount{}
	for _, o := range tc.ByOutcome {
		byOutcome[o.Outcome] = o
	}
	if tc.Tips != 165 || byOutcome["criminal"].Tips != 15 || byOutcome["criminal"].People != 17 ||
		byOutcome["administrative"].Tips != 24 || byOutcome["administrative"].People != 40 || byOutcome["education"].People != 25 {
		t.Errorf("demo tip counts %+v, want the district's 165 tips: 15 cases/17, 24/40, 25 educated", tc)
	}
	if want := "165 tips: 15 criminal cases with 17 suspects, 24 administrative cases with 40 people, 25 people educated."; !strings.Contains(out, want) {
		t.Errorf("matthan report does not say %q:\n%s", want, out)
	}
	var keyPath, tipID string
	for _, l := range strings.Split(d.block, "\n") {
		if p, ok := strings.CutPrefix(strings.TrimSpace(l), "chief's key (a throwaway, made at this start): "); ok {
			keyPath = p
		}
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "bin/matthan tips reveal "); ok {
			tipID, _, _ = strings.Cut(rest, " ")
		}
	}
	if keyPath == "" || tipID == "" || !strings.HasPrefix(keyPath, dir) {
		t.Fatalf("the demo block names no chief key in %s or no tip to reveal:\n%s", dir, d.block)
	}
	revealed, errOut, code := runCLI(t, nil, "tips", "reveal", tipID, "--identity", keyPath, "--server", d.url, "--token", d.token, "--reason", "thử tính năng")
	if code != 0 || !strings.Contains(revealed, "tip "+tipID+", informant:") || !strings.Contains(revealed, "phone:") {
		t.Errorf("tips reveal %s with the demo key: exit %d\n%s%s", tipID, code, revealed, errOut)
	}
	// A month of made-up history: the uptime reads like a programme that
	// has been running (a few outages), not 0 % a minute after the start.
	var sum struct {
		Total struct {
			Uptime *float64 `json:"uptime"`
		} `json:"total"`
	}
	unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, d.url+"/api/v1/reports/summary", d.token, "", nil), &sum)
	if u := sum.Total.Uptime; u == nil || *u < 0.9 || *u >= 1 {
		t.Errorf("demo uptime over the last 30 days: %v, want a month of mostly working cameras", u)
	}
	metrics := mustCall(t, http.StatusOK, http.MethodGet, d.url+"/metrics", "", "", nil)
	if !bytes.Contains(metrics, []byte("matthan_coverage_ratio")) {
		t.Errorf("/metrics lacks matthan_coverage_ratio")
	}
	if !bytes.Contains(metrics, []byte("matthan_build_info")) {
		t.Errorf("/metrics lacks matthan_build_info")
	}
	problems, err := promlint.New(bytes.NewReader(metrics)).Lint()
	if err != nil {
		t.Fatalf("promlint: %v", err)
	}
	for _, p := range problems {
		t.Errorf("/metrics: %s: %s", p.Metric, p.Text)
	}
	// Something added now must be gone at the next start.
	mustCall(t, http.StatusCreated, http.MethodPost, d.url+"/api/v1/cameras", d.token, "application/json",
		[]byte(`{"id":"DEMO-EXTRA","name":"Thêm","lat":10.35,"lon":106.46}`))
	d.stop(t)

	d = startDemo(t, dir)
	status, _ := call(t, http.MethodGet, d.url+"/api/v1/cameras/DEMO-EXTRA", d.token, "", nil)
	if status != http.StatusNotFound {
		t.Errorf("after a restart the demo still has DEMO-EXTRA (status %d): the data dir was not wiped", status)
	}
	d.stop(t)
}

// TestDemoRefusesForeignDir: the demo wipes only its own directory.
func TestDemoRefusesForeignDir(t *testing.T) {
	dir := t.TempDir()
	keep := filepath.Join(dir, "important.txt")
	if err := os.WriteFile(keep, []byte("do not delete"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runCLI(t, nil, "demo", "--listen", "127.0.0.1:0", "--data", dir)
	if code != 1 || !strings.Contains(errOut, "refusing to wipe") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("the demo deleted a file it did not make: %v", err)
	}
}
