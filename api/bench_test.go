package api_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/internal/gendata"
	"github.com/matthan/matthan/registry"
)

// benchServer is a real server on a real bbolt file, for benchmarks.
func benchServer(b *testing.B) *httptest.Server {
	b.Helper()
	store, err := registry.Open(filepath.Join(b.TempDir(), "bench.db"), registry.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = store.Close() })
	a := mustNew(b, api.Options{Store: store, Capabilities: allCapabilities(store), Registry: prometheus.NewRegistry(), AdminToken: adminToken})
	srv := httptest.NewServer(a.Handler())
	b.Cleanup(srv.Close)
	return srv
}

func post(b *testing.B, client *http.Client, url string, body []byte) {
	b.Helper()
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "text/csv")
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("import: %d %s", resp.StatusCode, out)
	}
}

// BenchmarkImport100k imports 100,000 cameras from CSV through the HTTP
// API into an empty database. Target: ≤ 5 s per import.
func BenchmarkImport100k(b *testing.B) {
	body := gendata.CSV(gendata.Rows(100_000, 1, "BN", gendata.Vietnam))
	b.SetBytes(int64(len(body)))
	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		srv := benchServer(b)
		b.StartTimer()
		start := time.Now()
		post(b, srv.Client(), srv.URL+"/api/v1/cameras/import", body)
		total += time.Since(start)
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/import")
	b.ReportMetric(100_000*float64(b.N)/total.Seconds(), "cameras/s")
}

// BenchmarkGetCamera measures GET /api/v1/cameras/{id} over loopback HTTP
// with keep-alive clients, on a registry of 100,000 cameras. Target:
// ≥ 10,000 requests/s on 2 cores (client and server share them).
func BenchmarkGetCamera(b *testing.B) {
	const n = 100_000
	srv := benchServer(b)
	post(b, srv.Client(), srv.URL+"/api/v1/cameras/import", gendata.CSV(gendata.Rows(n, 2, "BG", gendata.Vietnam)))
	var seq atomic.Int64
	loadHTTP(b, func() string { return fmt.Sprintf("%s/api/v1/cameras/BG-%06d", srv.URL, seq.Add(7919)%n+1) })
}

// BenchmarkNearHTTP1M measures GET /api/v1/cameras/near (500 m) over
// loopback HTTP with 1,000,000 cameras in the index, spread over
// Vietnam. Target: ≥ 3,000 requests/s on 2 cores (client included).
func BenchmarkNearHTTP1M(b *testing.B) {
	rows := gendata.Rows(1_000_000, 11, "NR", gendata.Vietnam)
	index, err := geo.Build(slices.Values(gendata.Cameras(rows)), nil)
	if err != nil {
		b.Fatal(err)
	}
	store, err := registry.Open(filepath.Join(b.TempDir(), "bench.db"), registry.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = store.Close() })
	a := mustNew(b, api.Options{Store: store, Capabilities: allCapabilities(store), Registry: prometheus.NewRegistry(), AdminToken: adminToken, Geo: index})
	srv := httptest.NewServer(a.Handler())
	b.Cleanup(srv.Close)
	var seq atomic.Int64
	loadHTTP(b, func() string {
		r := rows[seq.Add(7919)%int64(len(rows))]
		return fmt.Sprintf("%s/api/v1/cameras/near?lat=%.5f&lon=%.5f&radius_m=500", srv.URL, r.Lat, r.Lon)
	})
}

// loadHTTP sends b.N authenticated GETs to the URLs next gives, from
// parallel keep-alive clients, and reports the rate in req/s.
func loadHTTP(b *testing.B, next func() string) {
	b.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}
	client := &http.Client{Transport: tr}
	b.Cleanup(tr.CloseIdleConnections)
	b.SetParallelism(4)
	start := time.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		buf := make([]byte, 8192)
		for pb.Next() {
			req, _ := http.NewRequest("GET", next(), nil)
			req.Header.Set("Authorization", "Bearer "+adminToken)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			for {
				if _, err := resp.Body.Read(buf); err != nil {
					break
				}
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}
