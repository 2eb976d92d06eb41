package main

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/matthan/matthan/registry/registrytest"
)

// BenchmarkReports1M times what district leaders and fundraisers ask of
// a national daemon: the real daemon, started on the country of
// registrytest (1,000,000 cameras in 10,000 communes with their health
// histories, 100,000 intersections, 5,000,000 donations, 200,000
// incidents), answering over loopback HTTP the district summary and
// each funding view, the whole view as CSV and its first JSON page.
// Target: ≤ 2 s each (s/answer).
//
// The poller is off: at a million cameras it would have to probe
// 16,000 cameras a second, which is a fleet of pollers' work, not this
// two-core box's; what is timed is the reports' own cost. The country
// takes about two minutes to build; MATTHAN_COUNTRY_DB=/path keeps it
// between runs.
func BenchmarkReports1M(b *testing.B) {
	db, built, phases := registrytest.CountryFile(b)
	if built > 0 {
		b.Logf("country built in %v (%s)", built.Round(time.Second), phases)
	}
	_, _, base, stop := startUntilReady(b, db, "MATTHAN_POLLER_ENABLED=false")
	b.Cleanup(stop)
	for _, bc := range []struct{ name, path string }{
		{"summary", "/api/v1/reports/summary"},
		{"summary_window", "/api/v1/reports/summary?from=2024-05-02T00:00:00Z&to=2024-06-01T00:00:00Z"},
		{"funding_camera_csv", "/api/v1/funding?group_by=camera&format=csv"},
		{"funding_commune_csv", "/api/v1/funding?group_by=commune&format=csv"},
		{"funding_donor_csv", "/api/v1/funding?group_by=donor&format=csv"},
		{"funding_camera_page", "/api/v1/funding?group_by=camera&limit=1000"},
		{"funding_donor_page", "/api/v1/funding?group_by=donor&limit=1000"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var bytes int64
			start := time.Now()
			for b.Loop() {
				bytes = benchGet(b, base+bc.path)
			}
			b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "s/answer")
			b.ReportMetric(float64(bytes)/(1<<20), "MB/answer")
		})
	}
}

// benchGet GETs url as the admin, reads the whole answer and returns its
// size; anything but 200 fails the benchmark.
func benchGet(b *testing.B, url string) int64 {
	b.Helper()
	resp := benchDo(b, http.MethodGet, url, "", nil)
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %s", url, resp.Status)
	}
	return n
}
