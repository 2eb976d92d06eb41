package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/internal/gendata"
	"github.com/matthan/matthan/registry"
)

// BenchmarkSuggestHTTP1M measures GET /api/v1/coverage/suggest?n=50 over
// loopback on a real store of 1,000,000 cameras (whose costs the estimate
// reads) and an index of the same cameras with 100,000 junctions in the
// same box: the search and the cost scan together, for the whole network
// and for one commune. Target: ≤ 2 s.
func BenchmarkSuggestHTTP1M(b *testing.B) {
	const n = 1_000_000
	rows := gendata.Rows(n, 21, "SG", gendata.Vietnam)
	cams := gendata.Cameras(rows)
	store, err := registry.Open(filepath.Join(b.TempDir(), "bench.db"), registry.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = store.Close() })
	who := camera.Actor{Name: "bench", Role: camera.RoleAdmin}
	for from := 0; from < n; from += 100_000 {
		if _, err := store.Import(context.Background(), cams[from:from+100_000], registry.ImportOptions{}, who); err != nil {
			b.Fatal(err)
		}
	}
	index, err := geo.Build(slices.Values(cams), nil)
	if err != nil {
		b.Fatal(err)
	}
	var items []geo.Intersection
	for _, it := range gendata.Intersections(100_000, 22, gendata.Vietnam) {
		items = append(items, geo.Intersection{ID: it.ID, Name: it.Name, Lat: it.Lat, Lon: it.Lon, RoadClass: camera.RoadClass(it.RoadClass)})
	}
	if err := index.SetIntersections(items); err != nil {
		b.Fatal(err)
	}
	cams, rows = nil, nil
	a := mustNew(b, api.Options{Store: store, Capabilities: allCapabilities(store), Registry: prometheus.NewRegistry(), AdminToken: adminToken, Geo: index})
	srv := httptest.NewServer(a.Handler())
	b.Cleanup(srv.Close)
	for _, q := range []struct{ name, query string }{
		{"all", "n=50"},
		{"commune", "n=50&commune=song+binh"},
	} {
		b.Run(q.name, func(b *testing.B) {
			var worst time.Duration
			for b.Loop() {
				start := time.Now()
				req, _ := http.NewRequest("GET", srv.URL+"/api/v1/coverage/suggest?"+q.query, nil)
				req.Header.Set("Authorization", "Bearer "+adminToken)
				res, err := srv.Client().Do(req)
				if err != nil {
					b.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					b.Fatalf("%d %s", res.StatusCode, body)
				}
				worst = max(worst, time.Since(start))
			}
			b.ReportMetric(worst.Seconds(), "s/worst")
		})
	}
}
