package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/informant"
	"github.com/matthan/matthan/registry"
)

// tipBenchServer is a real server with tips on a real bbolt file, sealing
// to a key made for the benchmark.
func tipBenchServer(b *testing.B) (*httptest.Server, *registry.Store) {
	b.Helper()
	var chiefs []string
	for range 2 {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			b.Fatal(err)
		}
		chiefs = append(chiefs, id.Recipient().String())
	}
	sealer, err := informant.NewSealer(chiefs)
	if err != nil {
		b.Fatal(err)
	}
	store, err := registry.Open(filepath.Join(b.TempDir(), "tips.db"), registry.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = store.Close() })
	a := mustNew(b, api.Options{Store: store, Capabilities: allCapabilities(store), Registry: prometheus.NewRegistry(),
		AdminToken: adminToken, Tips: store, TipSealer: sealer})
	srv := httptest.NewServer(a.Handler())
	b.Cleanup(srv.Close)
	return srv, store
}

// BenchmarkTipIntake records tips with an informant through POST
// /api/v1/tips, one at a time, on a real bbolt file: the JSON read, the
// informant sealed with age (X25519) to two chiefs, the tip and its
// sealed informant written and fsynced with the audit entry, the answer.
// It reports the p50 and p99 of the whole request. Target: p99 ≤ 5 ms.
func BenchmarkTipIntake(b *testing.B) {
	srv, _ := tipBenchServer(b)
	client := srv.Client()
	at := time.Date(2026, 11, 28, 21, 40, 0, 0, time.FixedZone("ICT", 7*3600))
	var ds []time.Duration
	i := 0
	for b.Loop() {
		body, err := json.Marshal(map[string]any{
			"received_at": at.Add(time.Duration(i) * time.Minute).Format(time.RFC3339), "channel": "hotline",
			"lat": 10.35 + float64(i%100)*1e-4, "lon": 106.46, "category": "drugs",
			"summary":   "có người tụ tập sử dụng ma túy ở bãi đất trống sau chợ, thường sau 22 giờ",
			"informant": map[string]any{"name": fmt.Sprintf("Người báo tin %d", i), "phone": "0912345678", "address": "ấp Bình Thạnh, xã Song Bình"},
		})
		if err != nil {
			b.Fatal(err)
		}
		i++
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/tips", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+adminToken)
		req.Header.Set("Content-Type", "application/json")
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		ds = append(ds, time.Since(start))
		if resp.StatusCode != http.StatusCreated {
			b.Fatalf("POST /api/v1/tips: %d %s", resp.StatusCode, out)
		}
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1e3, "p50-ms")
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds())/1e3, "p99-ms")
}

// BenchmarkTipCounts100k answers GET /api/v1/tips/counts over 100,000
// tips (three years of a province's hotlines) through the HTTP API: the
// time index read once, no record decoded. Target: ≤ 100 ms.
func BenchmarkTipCounts100k(b *testing.B) {
	srv, store := tipBenchServer(b)
	const n = 100_000
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tips := make([]*camera.Tip, n)
	for i := range tips {
		t := camera.NewTip()
		t.ReceivedAt = t0.Add(time.Duration(i) * 15 * time.Minute)
		t.Channel = camera.Channels[i%len(camera.Channels)]
		t.Category = camera.Categories[i%len(camera.Categories)]
		t.Outcome = camera.Outcomes[i%len(camera.Outcomes)]
		if t.Outcome.HasPeople() {
			t.People = 1 + i%3
		}
		t.Commune, t.Summary = "Song Bình", "tin báo số "+fmt.Sprint(i)
		t.SetPlace(10.3+float64(i%1000)*1e-4, 106.4+float64(i/1000)*1e-4)
		tips[i] = t
	}
	if _, err := store.CreateTips(context.Background(), tips, nil, camera.SystemActor); err != nil {
		b.Fatal(err)
	}
	client := srv.Client()
	get := func() []byte {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/tips/counts", nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET /api/v1/tips/counts: %d %s", resp.StatusCode, out)
		}
		return out
	}
	var c registry.TipCounts
	if err := json.Unmarshal(get(), &c); err != nil || c.Tips != n {
		b.Fatalf("counts of %d tips: %d, %v", n, c.Tips, err)
	}
	for b.Loop() {
		get()
	}
}
