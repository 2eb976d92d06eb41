package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb/encoding/mvt"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/exchange"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/internal/sample"
	"github.com/matthan/matthan/registry/registrytest"
)

// newGeoEnv is newEnv with a spatial index, loaded with the sample
// district: communes, intersections, cameras.
func newGeoEnv(t *testing.T) (*env, *geo.Index) {
	t.Helper()
	store := registrytest.Open(t)
	index := geo.NewIndex()
	a := mustNew(t, api.Options{Store: store, Capabilities: allCapabilities(store), Registry: prometheus.NewRegistry(), AdminToken: adminToken, Geo: index})
	a.SetReady(true)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, store: store, api: a, tokens: map[camera.Role]string{camera.RoleAdmin: adminToken}}
	var out struct{ Token string }
	e.doJSON(adminToken, "POST", "/api/v1/tokens", map[string]string{"name": "planner", "role": "planner"}, 201, &out)
	e.tokens[camera.RolePlanner] = out.Token
	e.doJSON(adminToken, "POST", "/api/v1/tokens", map[string]string{"name": "fund", "role": "fundraiser"}, 201, &out)
	e.tokens[camera.RoleFundraiser] = out.Token
	e.doJSON(adminToken, "POST", "/api/v1/communes/import", sample.Communes(), 200, nil)
	e.doJSON(adminToken, "POST", "/api/v1/intersections/import", sample.Intersections(), 200, nil)
	e.importBody("/api/v1/cameras/import", "text/csv", sample.Cameras(), 200)
	return e, index
}

func sampleCameras(t *testing.T) []*camera.Camera {
	t.Helper()
	cams, rejects, err := exchange.ReadAll(exchange.NewCSVDecoder(strings.NewReader(string(sample.Cameras()))))
	if err != nil || len(rejects) > 0 {
		t.Fatalf("sample: %v %v", err, rejects)
	}
	return cams
}

func TestNearMatchesBruteForce(t *testing.T) {
	e, _ := newGeoEnv(t)
	cams := sampleCameras(t)
	for _, p := range []struct{ lat, lon, r float64 }{{10.35, 106.46, 800}, {10.30, 106.40, 2500}, {10.38, 106.52, 50}} {
		var want []string
		for _, c := range cams {
			if geo.Distance(p.lat, p.lon, c.Lat, c.Lon) <= p.r {
				want = append(want, c.ID)
			}
		}
		var got struct {
			Items []struct {
				ID        string
				DistanceM float64 `json:"distance_m"`
			}
		}
		e.doJSON(e.tokens[camera.RolePlanner], "GET", fmt.Sprintf("/api/v1/cameras/near?lat=%v&lon=%v&radius_m=%v&limit=1000", p.lat, p.lon, p.r), nil, 200, &got)
		var ids []string
		for i, it := range got.Items {
			ids = append(ids, it.ID)
			if i > 0 && it.DistanceM < got.Items[i-1].DistanceM {
				t.Errorf("not sorted by distance at %d", i)
			}
		}
		sort.Strings(ids)
		sort.Strings(want)
		if strings.Join(ids, ",") != strings.Join(want, ",") {
			t.Errorf("near %v: got %d cameras, want %d", p, len(ids), len(want))
		}
	}
}

func TestGeoBadInput(t *testing.T) {
	e, _ := newGeoEnv(t)
	tok := e.tokens[camera.RolePlanner]
	tests := []struct{ method, path, body, field string }{
		{"GET", "/api/v1/cameras/near?lat=abc&lon=106&radius_m=10", "", "lat"},
		{"GET", "/api/v1/cameras/near?lat=91&lon=106&radius_m=10", "", "lat"},
		{"GET", "/api/v1/cameras/near?lat=10&lon=181&radius_m=10", "", "lon"},
		{"GET", "/api/v1/cameras/near?lat=10&lon=106", "", "radius_m"},
		{"GET", "/api/v1/cameras/near?lat=10&lon=106&radius_m=0", "", "radius_m"},
		{"GET", "/api/v1/cameras/near?lat=10&lon=106&radius_m=50001", "", "radius_m"},
		{"GET", "/api/v1/cameras/near?lat=10&lon=106&radius_m=NaN", "", "radius_m"},
		{"GET", "/api/v1/cameras/near?lat=10&lon=106&radius_m=10&state=sleepy", "", "state"},
		{"GET", "/api/v1/cameras/within?bbox=106,10.5,107,10.4", "", "bbox"},
		{"GET", "/api/v1/cameras/within?bbox=106,10", "", "bbox"},
		{"GET", "/api/v1/cameras/within", "", "bbox"},
		{"POST", "/api/v1/cameras/within", `{"type":"Polygon","coordinates":[[[106,10],[107,10],[107,11],[106,11]]]}`, ""},
		{"POST", "/api/v1/cameras/within", `{"type":"Polygon","coordinates":[[[106,10],[107,11],[107,10],[106,11],[106,10]]]}`, ""},
		{"POST", "/api/v1/cameras/within", `{"type":"Point","coordinates":[106,10]}`, ""},
		{"POST", "/api/v1/cameras/within", `{"type":"Polygon","coordinates":[[[106,10,5],[107,10,5],[107,11,5],[106,10,5]]]}`, ""},
		{"POST", "/api/v1/cameras/within", `{"type":"FeatureCollection","features":[]}`, ""},
		{"GET", "/tiles/30/0/0.mvt", "", "z"},
		{"GET", "/tiles/3/8/0.mvt", "", "x"},
		{"GET", "/tiles/3/0/-1.mvt", "", "y"},
		{"GET", "/api/v1/cameras/seeing?lat=10.35&lon=106.46&at=tuesday", "", "at"},
		{"GET", "/api/v1/coverage?mode=sometimes", "", "mode"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path+" "+tt.body, func(t *testing.T) {
			var body any
			if tt.body != "" {
				body = tt.body
			}
			p := e.on(t).problem(tok, tt.method, tt.path, body, 400)
			if tt.field != "" && p.Field != tt.field {
				t.Errorf("field %q, want %q (%s)", p.Field, tt.field, p.Detail)
			}
		})
	}
}

func TestWithinPolygonAndBox(t *testing.T) {
	e, _ := newGeoEnv(t)
	cams := sampleCameras(t)
	box := geo.BBox{MinLon: 106.42, MinLat: 10.32, MaxLon: 106.50, MaxLat: 10.38}
	want := 0
	for _, c := range cams {
		if box.Contains(c.Lat, c.Lon) {
			want++
		}
	}
	// Page through the box 25 at a time.
	seen := 0
	path := "/api/v1/cameras/within?limit=25&bbox=106.42,10.32,106.50,10.38"
	for {
		var l struct {
			Items      []geo.Hit
			NextCursor string `json:"next_cursor"`
		}
		e.doJSON(adminToken, "GET", path, nil, 200, &l)
		seen += len(l.Items)
		if l.NextCursor == "" {
			break
		}
		path = "/api/v1/cameras/within?limit=25&bbox=106.42,10.32,106.50,10.38&cursor=" + l.NextCursor
	}
	if seen != want || want == 0 {
		t.Errorf("within box: paged %d, want %d", seen, want)
	}
	poly := `{"type":"Polygon","coordinates":[[[106.42,10.32],[106.50,10.32],[106.50,10.38],[106.42,10.38],[106.42,10.32]]]}`
	var l struct{ Items []geo.Hit }
	e.doJSON(adminToken, "POST", "/api/v1/cameras/within?limit=1000", poly, 200, &l)
	if len(l.Items) != want {
		t.Errorf("within polygon: %d, want %d", len(l.Items), want)
	}
}

func TestCoverageAndGaps(t *testing.T) {
	e, index := newGeoEnv(t)
	cams := sampleCameras(t)
	var ints []geo.Intersection
	if err := json.Unmarshal(mustIntersections(t), &ints); err != nil {
		t.Fatal(err)
	}
	covered := 0
	for _, it := range ints {
		for _, c := range cams {
			if geo.Covers(c, it.Lat, it.Lon) {
				covered++
				break
			}
		}
	}
	var rep geo.CoverageReport
	e.doJSON(e.tokens[camera.RoleFundraiser], "GET", "/api/v1/coverage", nil, 200, &rep)
	if rep.Intersections != len(ints) || rep.Covered != covered {
		t.Fatalf("installed coverage: %d of %d, want %d of %d", rep.Covered, rep.Intersections, covered, len(ints))
	}
	// Nobody is up yet: live coverage is zero.
	e.doJSON(adminToken, "GET", "/api/v1/coverage?mode=live", nil, 200, &rep)
	if rep.Covered != 0 {
		t.Errorf("live coverage before any probe: %d", rep.Covered)
	}

	var gaps struct {
		Type     string
		Features []struct {
			Properties map[string]any
		}
	}
	e.doJSON(e.tokens[camera.RolePlanner], "GET", "/api/v1/coverage/gaps?limit=500", nil, 200, &gaps)
	if gaps.Type != "FeatureCollection" || len(gaps.Features) != len(ints)-covered {
		t.Fatalf("gaps: %s with %d features, want %d", gaps.Type, len(gaps.Features), len(ints)-covered)
	}
	first := gaps.Features[0].Properties
	if first["road_class"] != "national" || first["id"] == "" || first["name"] == "" {
		t.Errorf("worst gap: %v", first)
	}
	// A camera put at the worst gap covers it; coverage follows at once.
	id := first["id"].(string)
	st, ok := index.IntersectionCoverage(id)
	if !ok {
		t.Fatalf("no intersection %s", id)
	}
	lat2, lon2 := geo.Destination(st.Lat, st.Lon, 0, 10)
	newCam := cameraJSON("GAP-1")
	newCam["lat"], newCam["lon"], newCam["direction_deg"], newCam["fov_deg"], newCam["range_m"] = lat2, lon2, 180, 90, 40
	delete(newCam, "commune")
	var created cameraOut
	e.doJSON(adminToken, "POST", "/api/v1/cameras", newCam, 201, &created)
	if created.Commune == "" {
		t.Errorf("camera without a commune did not get one from the boundaries")
	}
	e.doJSON(adminToken, "GET", "/api/v1/coverage", nil, 200, &rep)
	if rep.Covered != covered+1 {
		t.Errorf("after a camera at the gap: covered %d, want %d", rep.Covered, covered+1)
	}
	// Up → live coverage counts it.
	if err := index.SetState("GAP-1", camera.StateUp); err != nil {
		t.Fatal(err)
	}
	e.doJSON(adminToken, "GET", "/api/v1/coverage?mode=live", nil, 200, &rep)
	if rep.Covered != 1 {
		t.Errorf("live coverage with one camera up: %d", rep.Covered)
	}
	// Retired → no longer counted.
	e.doJSON(adminToken, "POST", "/api/v1/cameras/GAP-1/retire", nil, 200, nil)
	e.doJSON(adminToken, "GET", "/api/v1/coverage", nil, 200, &rep)
	if rep.Covered != covered {
		t.Errorf("after retiring: covered %d, want %d", rep.Covered, covered)
	}
	_, metrics, _ := e.do("", "GET", "/metrics", "", nil)
	for _, want := range []string{`matthan_coverage_ratio{commune="all",mode="installed",road_class="all"}`, `matthan_intersections{commune=`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func mustIntersections(t *testing.T) []byte {
	t.Helper()
	items, err := geo.ReadIntersections(context.Background(), sample.Intersections(), geo.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(items)
	return b
}

func TestSeeingAtTime(t *testing.T) {
	e, index := newGeoEnv(t)
	cams := sampleCameras(t)
	// A point 10 m in front of the first camera.
	c := cams[0]
	lat, lon := geo.Destination(c.Lat, c.Lon, c.DirectionDeg, 10)
	now := time.Now().UTC().Truncate(time.Second)
	err := e.store.RecordHealth(t.Context(), nil, []camera.Transition{
		{CameraID: c.ID, At: now.Add(-3 * time.Hour), From: camera.StateUnknown, To: camera.StateUp, Reason: "ok"},
		{CameraID: c.ID, At: now.Add(-1 * time.Hour), From: camera.StateUp, To: camera.StateDown, Reason: "refused"},
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = index.SetState(c.ID, camera.StateDown)
	type seen struct {
		Items []struct {
			ID    string
			State camera.HealthState
		}
	}
	find := func(at string) camera.HealthState {
		var s seen
		path := fmt.Sprintf("/api/v1/cameras/seeing?lat=%v&lon=%v", lat, lon)
		if at != "" {
			path += "&at=" + url.QueryEscape(at)
		}
		e.doJSON(e.tokens[camera.RolePlanner], "GET", path, nil, 200, &s)
		for _, it := range s.Items {
			if it.ID == c.ID {
				return it.State
			}
		}
		t.Fatalf("camera %s does not see a point 10 m in front of it", c.ID)
		return ""
	}
	if got := find(now.Add(-2 * time.Hour).Format(time.RFC3339)); got != camera.StateUp {
		t.Errorf("2 h ago: %s, want up", got)
	}
	if got := find(""); got != camera.StateDown {
		t.Errorf("now: %s, want down", got)
	}
	if got := find(now.Add(-5 * time.Hour).Format(time.RFC3339)); got != camera.StateUnknown {
		t.Errorf("before the first probe: %s, want unknown", got)
	}
}

func TestTilesAndGeoJSON(t *testing.T) {
	e, _ := newGeoEnv(t)
	// The tile holding the town of Chợ Gạo at zoom 14.
	z := 14
	n := math.Exp2(float64(z))
	x := int((106.46 + 180) / 360 * n)
	latR := 10.35 * math.Pi / 180
	y := int((1 - math.Log(math.Tan(latR)+1/math.Cos(latR))/math.Pi) / 2 * n)
	st, body, h := e.do(e.tokens[camera.RolePlanner], "GET", fmt.Sprintf("/tiles/%d/%d/%d.mvt", z, x, y), "", nil)
	if st != 200 || h.Get("Content-Type") != "application/vnd.mapbox-vector-tile" {
		t.Fatalf("tile: %d %s", st, h.Get("Content-Type"))
	}
	layers, err := mvt.Unmarshal(body)
	if err != nil {
		t.Fatalf("decode tile: %v", err)
	}
	names := map[string]int{}
	for _, l := range layers {
		names[l.Name] = len(l.Features)
	}
	if names["cameras"] == 0 || names["intersections"] == 0 {
		t.Errorf("tile layers: %v", names)
	}
	var fc struct {
		Type     string
		Features []struct{ Geometry struct{ Type string } }
	}
	e.doJSON(adminToken, "GET", "/api/v1/cameras.geojson", nil, 200, &fc)
	kinds := map[string]int{}
	for _, f := range fc.Features {
		kinds[f.Geometry.Type]++
	}
	if kinds["Point"] != 350 || len(kinds) != 1 {
		t.Errorf("cameras.geojson: %v", kinds)
	}
}

// TestFundraiserSeesNoCameraHealth: per-camera health is for admin,
// police and planners. A fundraiser's tiles and geo answers carry no
// state and no live coverage, and a state filter is refused naming it.
func TestFundraiserSeesNoCameraHealth(t *testing.T) {
	e, _ := newGeoEnv(t)
	fund := e.tokens[camera.RoleFundraiser]
	z := 14
	n := math.Exp2(float64(z))
	x := int((106.46 + 180) / 360 * n)
	latR := 10.35 * math.Pi / 180
	y := int((1 - math.Log(math.Tan(latR)+1/math.Cos(latR))/math.Pi) / 2 * n)
	for _, tc := range []struct {
		token string
		sees  bool
	}{{e.tokens[camera.RolePlanner], true}, {fund, false}} {
		st, body, _ := e.do(tc.token, "GET", fmt.Sprintf("/tiles/%d/%d/%d.mvt", z, x, y), "", nil)
		if st != 200 {
			t.Fatalf("tile: %d", st)
		}
		layers, err := mvt.Unmarshal(body)
		if err != nil {
			t.Fatal(err)
		}
		has := map[string]bool{}
		for _, l := range layers {
			for _, f := range l.Features {
				for _, k := range []string{"state", "covered_live", "cameras_live"} {
					if _, ok := f.Properties[k]; ok {
						has[k] = true
					}
				}
			}
		}
		if has["state"] != tc.sees || has["covered_live"] != tc.sees {
			t.Errorf("tile for a role that sees health=%v carries %v", tc.sees, has)
		}
	}
	var near struct {
		Items []map[string]any `json:"items"`
	}
	e.doJSON(fund, "GET", "/api/v1/cameras/near?lat=10.35&lon=106.46&radius_m=2000", nil, 200, &near)
	if len(near.Items) == 0 {
		t.Fatal("no camera near the town")
	}
	for _, it := range near.Items {
		if it["state"] != "" {
			t.Fatalf("a fundraiser's near answer carries state %v", it["state"])
		}
	}
	for _, path := range []string{
		"/api/v1/cameras/near?lat=10.35&lon=106.46&radius_m=2000&state=down",
		"/api/v1/cameras/within?bbox=106.4,10.3,106.5,10.4&state=down",
		"/api/v1/cameras.geojson?state=down",
		"/tiles/14/0/0.mvt?state=down",
	} {
		if p := e.problem(fund, "GET", path, nil, 403); p.Field != "state" {
			t.Errorf("%s: field %q, want state", path, p.Field)
		}
	}
}
