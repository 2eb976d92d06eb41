package registry_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// The query benchmarks share one database of a province: 10,000 cameras
// over 1° × 1° (about 110 × 110 km) around Chợ Gạo, and 1,000,000
// incidents over 2026, built once per test binary run by bulk creation and
// removed by TestMain.
const (
	benchCameras   = 10_000
	benchIncidents = 1_000_000
	benchLat0      = 9.85
	benchLon0      = 105.96
	benchSpan      = 1.0
)

var benchYear = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

type benchCam struct {
	id       string
	lat, lon float64
}

var benchDB struct {
	once   sync.Once
	dir    string
	s      *registry.Store
	cams   []benchCam
	build  time.Duration
	err    error
	logged bool
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDB.s != nil {
		_ = benchDB.s.Close()
	}
	if benchDB.dir != "" {
		_ = os.RemoveAll(benchDB.dir)
	}
	os.Exit(code)
}

func benchStore(b *testing.B) (*registry.Store, []benchCam) {
	b.Helper()
	benchDB.once.Do(func() {
		start := time.Now()
		benchDB.dir, benchDB.err = os.MkdirTemp("", "matthan-incidents-bench-")
		if benchDB.err != nil {
			return
		}
		benchDB.s, benchDB.err = registry.Open(filepath.Join(benchDB.dir, "m.db"), registry.Options{})
		if benchDB.err != nil {
			return
		}
		benchDB.cams, benchDB.err = fillProvince(benchDB.s, benchIncidents)
		benchDB.build = time.Since(start)
	})
	if benchDB.err != nil {
		b.Fatalf("build the benchmark database: %v", benchDB.err)
	}
	if !benchDB.logged {
		benchDB.logged = true
		b.Logf("database of %d incidents built in %v", benchIncidents, benchDB.build.Round(time.Millisecond))
	}
	return benchDB.s, benchDB.cams
}

// fillProvince stores the cameras and n incidents, in start order (the
// order of an import of old records).
func fillProvince(s *registry.Store, n int) ([]benchCam, error) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(2026, 5))
	cams := make([]benchCam, benchCameras)
	recs := make([]*camera.Camera, benchCameras)
	for i := range cams {
		c := benchCam{id: fmt.Sprintf("TG-%05d", i), lat: benchLat0 + rng.Float64()*benchSpan, lon: benchLon0 + rng.Float64()*benchSpan}
		cams[i] = c
		recs[i] = &camera.Camera{ID: c.id, Name: c.id, Lat: c.lat, Lon: c.lon, Commune: fmt.Sprintf("Xã %03d", i/50)}
		recs[i].ApplyDefaults()
	}
	if _, err := s.ImportCameras(ctx, recs, false, camera.SystemActor); err != nil {
		return nil, err
	}
	year := int64(365 * 24 * time.Hour)
	const batch = 100_000
	for done := 0; done < n; done += batch {
		ins := benchIncidentsAt(rng, cams, batch, year, done, n)
		if _, err := s.CreateIncidents(ctx, ins, camera.SystemActor); err != nil {
			return nil, err
		}
	}
	return cams, nil
}

// benchIncidentsAt returns incidents done..done+count of total, spread
// over the year in order.
func benchIncidentsAt(rng *rand.Rand, cams []benchCam, count int, year int64, done, total int) []*camera.Incident {
	ins := make([]*camera.Incident, 0, count)
	for i := range count {
		start := benchYear.Add(time.Duration(year / int64(total) * int64(done+i)))
		c := cams[rng.IntN(len(cams))]
		in := &camera.Incident{
			CameraIDs: []string{c.id}, Start: start, End: start.Add(time.Duration(1+rng.IntN(60)) * time.Minute),
			Category: camera.Categories[rng.IntN(6)], Subjects: rng.IntN(3), Handling: camera.Handlings[rng.IntN(4)],
		}
		if rng.IntN(5) == 0 { // a place of its own, near the camera
			in.SetPlace(c.lat+(rng.Float64()-0.5)*0.004, c.lon+(rng.Float64()-0.5)*0.004)
		}
		if rng.IntN(10) == 0 {
			in.CaseRef = fmt.Sprintf("HS-%d/2026", rng.IntN(50_000))
		}
		ins = append(ins, in)
	}
	return ins
}

// latencies runs query b.N times and reports its p50 and p99 in µs.
func latencies(b *testing.B, query func(rng *rand.Rand) int) {
	b.Helper()
	rng := rand.New(rand.NewPCG(1, 1))
	d := make([]time.Duration, 0, b.N)
	found := 0
	b.ResetTimer()
	for range b.N {
		t := time.Now()
		found += query(rng)
		d = append(d, time.Since(t))
	}
	b.StopTimer()
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	pct := func(p float64) float64 {
		return float64(d[min(len(d)-1, int(math.Ceil(p*float64(len(d))))-1)].Nanoseconds()) / 1e3
	}
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
	b.ReportMetric(float64(found)/float64(b.N), "items/op")
}

func randomDay(rng *rand.Rand) (time.Time, time.Time) {
	from := benchYear.Add(time.Duration(rng.IntN(365)) * 24 * time.Hour)
	return from, from.Add(24 * time.Hour)
}

// BenchmarkIncidentCameraDay: one camera's incidents of one day, out of a
// million (target p99 ≤ 2 ms).
func BenchmarkIncidentCameraDay(b *testing.B) {
	s, cams := benchStore(b)
	ctx := context.Background()
	latencies(b, func(rng *rand.Rand) int {
		from, to := randomDay(rng)
		items, _, err := s.ListIncidents(ctx, registry.IncidentQuery{CameraID: cams[rng.IntN(len(cams))].id, From: from, To: to})
		if err != nil {
			b.Fatal(err)
		}
		return len(items)
	})
}

// BenchmarkIncidentRadiusDay: the incidents within 2 km of a point, of one
// day, out of a million (target p99 ≤ 10 ms).
func BenchmarkIncidentRadiusDay(b *testing.B) {
	s, _ := benchStore(b)
	ctx := context.Background()
	latencies(b, func(rng *rand.Rand) int {
		from, to := randomDay(rng)
		q := registry.IncidentQuery{
			Lat: benchLat0 + rng.Float64()*benchSpan, Lon: benchLon0 + rng.Float64()*benchSpan, RadiusM: 2000,
			From: from, To: to,
		}
		items, _, err := s.ListIncidents(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		return len(items)
	})
}

// BenchmarkIncidentBulkCreate measures CreateIncidents into a store that
// already has its cameras (target ≥ 20,000 incidents/s). One op is one
// incident.
func BenchmarkIncidentBulkCreate(b *testing.B) {
	s, err := registry.Open(filepath.Join(b.TempDir(), "m.db"), registry.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	rng := rand.New(rand.NewPCG(3, 3))
	cams := make([]benchCam, 1000)
	recs := make([]*camera.Camera, len(cams))
	for i := range cams {
		cams[i] = benchCam{id: fmt.Sprintf("TG-%05d", i), lat: benchLat0 + rng.Float64()*benchSpan, lon: benchLon0 + rng.Float64()*benchSpan}
		recs[i] = &camera.Camera{ID: cams[i].id, Name: cams[i].id, Lat: cams[i].lat, Lon: cams[i].lon}
		recs[i].ApplyDefaults()
	}
	if _, err := s.ImportCameras(context.Background(), recs, false, camera.SystemActor); err != nil {
		b.Fatal(err)
	}
	ins := benchIncidentsAt(rng, cams, b.N, int64(365*24*time.Hour), 0, b.N)
	b.ResetTimer()
	start := time.Now()
	if _, err := s.CreateIncidents(context.Background(), ins, camera.SystemActor); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "incidents/s")
}
