package api_test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/internal/gendata"
	"github.com/matthan/matthan/registry"
)

// BenchmarkLayerImportReaders imports a large road layer — a city's street
// grid of 440 × 440 lines 100 m apart making 193,600 junctions, under the
// default limit of 200,000 — again and again over loopback HTTP, into a
// daemon holding 100,000 cameras and 400 communes in the same 44 km
// square, while three clients ask near (500 m), coverage, and PATCH a
// camera (a small move), each as fast as it is answered. It reports the
// p50 and p99 of each while an import is under way, and the time of an
// import. Target: p99 ≤ 50 ms each.
func BenchmarkLayerImportReaders(b *testing.B) {
	const lat0, lon0, n, step = 10.30, 106.40, 440, 100.0 // 44 km
	box := gendata.Box{MinLat: lat0, MinLon: lon0, MaxLat: lat0 + 0.396, MaxLon: lon0 + 0.402}
	store, err := registry.Open(filepath.Join(b.TempDir(), "bench.db"), registry.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = store.Close() })
	a := mustNew(b, api.Options{Store: store, Capabilities: allCapabilities(store), Registry: prometheus.NewRegistry(), AdminToken: adminToken, Geo: geo.NewIndex()})
	srv := httptest.NewServer(a.Handler())
	b.Cleanup(srv.Close)
	tr := &http.Transport{MaxIdleConnsPerHost: 8}
	b.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr}
	send := func(method, path, contentType string, body []byte) (int, time.Duration) {
		req, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+adminToken)
		req.Header.Set("Content-Type", contentType)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Error(err)
			return 0, 0
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, time.Since(start)
	}
	rows := gendata.Rows(100_000, 61, "LI", box)
	for _, setup := range []struct {
		path, ct string
		body     []byte
	}{
		{"/api/v1/cameras/import", "text/csv", gendata.CSV(rows)},
		{"/api/v1/communes/import", "application/geo+json", gendata.CommuneGrid(20, 20, 0.02, lat0, lon0, 50)},
	} {
		if st, _ := send("POST", setup.path, setup.ct, setup.body); st != http.StatusOK {
			b.Fatalf("POST %s: %d", setup.path, st)
		}
	}
	roads := gendata.RoadGrid(n, step, lat0, lon0)

	// The readers record their latencies while an import is under way
	// (from before they ask to after they have the answer).
	var importing atomic.Int64 // imports started
	var running atomic.Bool
	kinds := []string{"near", "coverage", "patch"}
	lat := make([][]time.Duration, len(kinds))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for k, kind := range kinds {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(k), 62))
			for {
				select {
				case <-stop:
					return
				default:
				}
				var (
					method, path string
					body         []byte
				)
				switch kind {
				case "near":
					method, path = "GET", fmt.Sprintf("/api/v1/cameras/near?lat=%.5f&lon=%.5f&radius_m=500",
						box.MinLat+rng.Float64()*(box.MaxLat-box.MinLat), box.MinLon+rng.Float64()*(box.MaxLon-box.MinLon))
				case "coverage":
					method, path = "GET", "/api/v1/coverage"
				case "patch":
					r := rows[rng.IntN(len(rows))]
					method, path = "PATCH", "/api/v1/cameras/"+r.ID
					body = fmt.Appendf(nil, `{"lat":%.6f,"lon":%.6f,"direction_deg":%d}`, r.Lat+(rng.Float64()-0.5)*1e-4, r.Lon, rng.IntN(360))
				}
				was, gen := running.Load(), importing.Load()
				st, d := send(method, path, "application/json", body)
				if st != http.StatusOK {
					b.Errorf("%s %s: %d", method, path, st)
					return
				}
				if was && running.Load() && importing.Load() == gen {
					lat[k] = append(lat[k], d)
				}
			}
		})
	}
	var total time.Duration
	for b.Loop() {
		importing.Add(1)
		running.Store(true)
		st, d := send("POST", "/api/v1/intersections/import", "application/geo+json", roads)
		running.Store(false)
		if st != http.StatusOK {
			b.Fatalf("import: %d", st)
		}
		total += d
	}
	close(stop)
	wg.Wait()
	b.ReportMetric(total.Seconds()/float64(b.N), "s/import")
	for k, kind := range kinds {
		ds := lat[k]
		if len(ds) == 0 {
			b.Fatalf("no %s answered during the imports", kind)
		}
		slices.Sort(ds)
		b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1e3, kind+"-p50-ms")
		b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds())/1e3, kind+"-p99-ms")
		b.ReportMetric(float64(len(ds)), kind+"-n")
	}
}
