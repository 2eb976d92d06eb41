package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/internal/gendata"
	"github.com/matthan/matthan/internal/sample"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

// layerHooks forwards the stages of layer imports to a function the test
// sets and changes as it goes.
type layerHooks struct {
	mu sync.Mutex
	fn func(ctx context.Context, layer, stage string)
}

func (h *layerHooks) set(fn func(ctx context.Context, layer, stage string)) {
	h.mu.Lock()
	h.fn = fn
	h.mu.Unlock()
}

func (h *layerHooks) call(ctx context.Context, layer, stage string) {
	h.mu.Lock()
	fn := h.fn
	h.mu.Unlock()
	if fn != nil {
		fn(ctx, layer, stage)
	}
}

// layerEnv is a real server with a spatial index, the sample district
// loaded (communes, intersections, cameras), layer limits lim, and hooks
// into its layer imports.
type layerEnv struct {
	*env
	index *geo.Index
	hooks *layerHooks
}

func newLayerEnv(t *testing.T, lim geo.Limits) *layerEnv {
	t.Helper()
	store := registrytest.Open(t)
	index := geo.NewIndex()
	a := mustNew(t, api.Options{Store: store, Capabilities: allCapabilities(store), Registry: prometheus.NewRegistry(), AdminToken: adminToken, Geo: index, LayerLimits: lim, ImportLimit: 64 << 20})
	hooks := &layerHooks{}
	api.SetLayerHook(a, hooks.call)
	a.SetReady(true)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, store: store, api: a, tokens: map[camera.Role]string{camera.RoleAdmin: adminToken}}
	e.doJSON(adminToken, "POST", "/api/v1/communes/import", sample.Communes(), 200, nil)
	e.doJSON(adminToken, "POST", "/api/v1/intersections/import", sample.Intersections(), 200, nil)
	e.importBody("/api/v1/cameras/import", "text/csv", sample.Cameras(), 200)
	return &layerEnv{env: e, index: index, hooks: hooks}
}

// storedLayer returns the stored intersection layer.
func (e *layerEnv) storedLayer() []byte {
	e.t.Helper()
	raw, err := e.store.GetLayer(context.Background(), registry.LayerIntersections)
	if err != nil {
		e.t.Fatal(err)
	}
	return raw
}

// metric returns the line of /metrics that starts with prefix, or "".
func (e *layerEnv) metric(prefix string) string {
	e.t.Helper()
	_, body, _ := e.do("", "GET", "/metrics", "", nil)
	for line := range strings.SplitSeq(string(body), "\n") {
		if strings.HasPrefix(line, prefix) {
			return line
		}
	}
	return ""
}

// TestLayerImportLimits sends layers past the limits: each is refused with
// 413 and a problem naming the field and the limit, and the layer in place
// stays, in the store and in the index.
func TestLayerImportLimits(t *testing.T) {
	// The limits of the small cases let the sample district in (19
	// communes of at most 42 positions, 654 in all; 296 intersections).
	small := geo.Limits{Positions: 700, PolygonPositions: 45, Junctions: 300}
	tests := []struct {
		name, path string
		lim        geo.Limits
		body       []byte
		field      string
		detail     string
	}{
		// The red team's planner grid: 1,000 × 1,000 lines crossing a
		// million times. It used to become 999,999 junctions.
		{"a million junctions", "/api/v1/intersections/import", geo.Limits{}, gendata.RoadGrid(1000, 20, 10.30, 106.40),
			"features", "the limit is 200000 (max_junctions)"},
		{"features", "/api/v1/intersections/import", geo.Limits{Features: 300}, gendata.RoadGrid(200, 50, 10.30, 106.40),
			"features", "the layer has more than 300 features: the limit is 300 (max_features)"},
		{"positions", "/api/v1/intersections/import", small, longRoad(800),
			"features[1].geometry.coordinates", "the layer has more than 700 positions by this feature: the limit is 700 (max_positions)"},
		{"junctions found", "/api/v1/intersections/import", small, gendata.RoadGrid(20, 50, 10.30, 106.40),
			"features", "the roads make more than 300 junctions: the limit is 300 (max_junctions)"},
		{"intersections given", "/api/v1/intersections/import", small, pointLayer(301),
			"features", "the layer has more than 300 intersections: the limit is 300 (max_junctions)"},
		{"positions of a boundary", "/api/v1/communes/import", small, circleCommune(60),
			"features[0].geometry.coordinates", "the boundary has 61 positions: the limit is 45 (max_polygon_positions)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newLayerEnv(t, tc.lim)
			before, stats := e.storedLayer(), e.index.Stats()
			p := e.problem(adminToken, "POST", tc.path, tc.body, http.StatusRequestEntityTooLarge)
			if p.Field != tc.field || !strings.Contains(p.Detail, tc.detail) {
				t.Errorf("problem %q: %q, want field %q and %q", p.Field, p.Detail, tc.field, tc.detail)
			}
			if !bytes.Equal(e.storedLayer(), before) || e.index.Stats() != stats {
				t.Error("a refused import changed the layers in place")
			}
			layer := strings.TrimSuffix(strings.TrimPrefix(tc.path, "/api/v1/"), "/import")
			if got := e.metric(`matthan_layer_imports_total{layer="` + layer + `",result="too_large"}`); !strings.HasSuffix(got, " 1") {
				t.Errorf("metrics: %q, want one import too large", got)
			}
		})
	}
}

// pointLayer is an intersection layer of n Point features.
func pointLayer(n int) []byte {
	fs := make([]string, n)
	for i := range fs {
		fs[i] = fmt.Sprintf(`{"type":"Feature","properties":{"id":"P-%d"},"geometry":{"type":"Point","coordinates":[%.5f,10.35]}}`, i, 106.40+float64(i)*1e-4)
	}
	return []byte(`{"type":"FeatureCollection","features":[` + strings.Join(fs, ",") + `]}`)
}

// longRoad is a road layer of a short road and a long one of n
// positions.
func longRoad(n int) []byte {
	pos := make([]string, n)
	for i := range pos {
		pos[i] = fmt.Sprintf("[%.5f,%.5f]", 106.40+float64(i)*1e-4, 10.35+float64(i%2)*1e-4)
	}
	return []byte(`{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"name":"Ngắn"},"geometry":{"type":"LineString","coordinates":[[106.40,10.34],[106.40,10.36]]}},
		{"type":"Feature","properties":{"name":"Dài"},"geometry":{"type":"LineString","coordinates":[` + strings.Join(pos, ",") + `]}}]}`)
}

// circleCommune is a commune layer of one boundary: a circle of n corners
// (n+1 positions, the first repeated).
func circleCommune(n int) []byte {
	pos := make([]string, n+1)
	for i := range pos {
		a := 2 * math.Pi * float64(i%n) / float64(n)
		pos[i] = fmt.Sprintf("[%.6f,%.6f]", 106.45+0.01*math.Cos(a), 10.35+0.01*math.Sin(a))
	}
	return []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Tròn"},"geometry":{"type":"Polygon","coordinates":[[` +
		strings.Join(pos, ",") + `]]}}]}`)
}

// TestLayerImportReadersDoNotWait holds an import after it has built its
// layer aside, and meanwhile asks the map, coverage, tiles and summary and
// moves a camera: every one answers at once, from the layer in place. The
// camera moved during the build is counted by the new layer.
func TestLayerImportReadersDoNotWait(t *testing.T) {
	e := newLayerEnv(t, geo.Limits{})
	roads := sample.Roads()
	newLayer, err := geo.ReadIntersections(context.Background(), roads, geo.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	// A junction of the new layer that no camera sees: CG-0001 will be
	// moved to look at it during the import.
	var target geo.Intersection
	cams := sampleCameras(t)
	for _, j := range newLayer {
		seen := false
		for _, c := range cams {
			seen = seen || geo.Covers(c, j.Lat, j.Lon)
		}
		if !seen {
			target = j
			break
		}
	}
	if target.ID == "" {
		t.Fatal("every junction of the sample roads is covered")
	}
	oldCount := e.index.Stats().Intersections

	built, release := make(chan struct{}), make(chan struct{})
	e.hooks.set(func(_ context.Context, layer, stage string) {
		if layer == registry.LayerIntersections && stage == "built" {
			close(built)
			<-release
		}
	})
	done := make(chan int, 1)
	go func() {
		st, _, _ := e.do(adminToken, "POST", "/api/v1/intersections/import", "application/geo+json", bytes.NewReader(roads))
		done <- st
	}()
	select {
	case <-built:
	case st := <-done:
		t.Fatalf("the import ended (%d) before it was built", st)
	}

	// While the import holds its layer aside: a client that would give up
	// after 10 s, rather than hang the test, should the index be locked.
	client := &http.Client{Timeout: 10 * time.Second}
	ask := func(method, path string, body any) (int, []byte) {
		t.Helper()
		var r io.Reader
		if body != nil {
			raw, _ := json.Marshal(body)
			r = bytes.NewReader(raw)
		}
		req, _ := http.NewRequest(method, e.srv.URL+path, r)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s while an import is under way: %v", method, path, err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, out
	}
	lat, lon := geo.Destination(target.Lat, target.Lon, 180, 10)
	for _, r := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/v1/cameras/near?lat=10.3541&lon=106.4612&radius_m=500", nil},
		{"GET", "/api/v1/coverage", nil},
		{"GET", "/api/v1/coverage/gaps?limit=5", nil},
		{"GET", "/tiles/14/13037/7718.mvt", nil},
		{"GET", "/api/v1/reports/summary", nil},
		{"PATCH", "/api/v1/cameras/CG-0001", map[string]any{"lat": lat, "lon": lon, "direction_deg": 0, "fov_deg": 90, "range_m": 40}},
	} {
		st, body := ask(r.method, r.path, r.body)
		if st != http.StatusOK {
			t.Errorf("%s %s while an import is under way: %d %s", r.method, r.path, st, body)
		}
		if r.path == "/api/v1/coverage" {
			var rep geo.CoverageReport
			if err := json.Unmarshal(body, &rep); err != nil || rep.Intersections != oldCount {
				t.Errorf("coverage during the import: %d intersections (%v), want the %d in place", rep.Intersections, err, oldCount)
			}
		}
	}
	// A second import meanwhile is refused at once.
	p := e.problem(adminToken, "POST", "/api/v1/communes/import", sample.Communes(), http.StatusConflict)
	if !strings.Contains(p.Detail, "another layer import") {
		t.Errorf("conflict: %q", p.Detail)
	}

	close(release)
	if st := <-done; st != http.StatusOK {
		t.Fatalf("import: %d", st)
	}
	if got := e.index.Stats().Intersections; got != len(newLayer) {
		t.Errorf("after the import: %d intersections, want %d", got, len(newLayer))
	}
	st, ok := e.index.IntersectionCoverage(target.ID)
	if !ok || st.Cameras != 1 || len(st.CameraIDs) != 1 || st.CameraIDs[0] != "CG-0001" {
		t.Errorf("the junction CG-0001 was moved to during the import: %+v, want it seen by CG-0001", st)
	}
}

// TestLayerImportCancelled: a client that hangs up stops its import,
// which stores and swaps nothing.
func TestLayerImportCancelled(t *testing.T) {
	e := newLayerEnv(t, geo.Limits{})
	before, stats := e.storedLayer(), e.index.Stats()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	serverSawIt, ended := make(chan bool, 1), make(chan struct{})
	e.hooks.set(func(rctx context.Context, layer, stage string) {
		switch stage {
		case "read":
			// The body is in: the client hangs up, and the server
			// notices before the work starts.
			cancel()
			select {
			case <-rctx.Done():
				serverSawIt <- true
			case <-time.After(10 * time.Second):
				serverSawIt <- false
			}
		case "end":
			close(ended)
		}
	})
	body := gendata.RoadGrid(300, 30, 10.30, 106.40) // 90,000 junctions: seconds of work
	req, _ := http.NewRequestWithContext(ctx, "POST", e.srv.URL+"/api/v1/intersections/import", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.Canceled) {
		t.Fatalf("the client's request: %v, want it cancelled", err)
	}
	if !<-serverSawIt {
		t.Fatal("the server did not see the client go")
	}
	<-ended
	if got := e.metric(`matthan_layer_imports_total{layer="intersections",result="cancelled"}`); !strings.HasSuffix(got, " 1") {
		t.Errorf("metrics: %q, want one cancelled import", got)
	}
	if !bytes.Equal(e.storedLayer(), before) || e.index.Stats() != stats {
		t.Error("a cancelled import changed the layers in place")
	}
	// The next import goes through: the cancelled one let go of the index.
	e.hooks.set(nil)
	e.doJSON(adminToken, "POST", "/api/v1/intersections/import", sample.Intersections(), 200, nil)
}
