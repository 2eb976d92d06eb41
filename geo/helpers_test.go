package geo

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
)

// region is an area random test data is drawn from.
type region struct {
	name           string
	minLat, maxLat float64
	minLon, maxLon float64 // minLon > maxLon wraps across the antimeridian
	wholeLon       bool    // any longitude (polar caps)
	communes       []string
}

// testRegions are the places the brute-force comparisons draw from: the
// poles, both sides of the antimeridian, Vietnam and the equator at the
// prime meridian.
var testRegions = []region{
	{name: "north pole", minLat: 89.99, maxLat: 90, wholeLon: true, communes: []string{"Bắc Cực"}},
	{name: "south pole", minLat: -90, maxLat: -89.99, wholeLon: true, communes: []string{"Nam Cực"}},
	{name: "antimeridian", minLat: -0.05, maxLat: 0.05, minLon: 179.95, maxLon: -179.95, communes: []string{"Đông", "Tây"}},
	{name: "antimeridian north", minLat: 64.95, maxLat: 65.05, minLon: 179.9, maxLon: -179.9, communes: []string{"Chukotka"}},
	{name: "vietnam", minLat: 10.30, maxLat: 10.40, minLon: 106.40, maxLon: 106.50, communes: []string{"Thị trấn Chợ Gạo", "Long Bình Điền", "Song Bình", "Xuân Đông"}},
	{name: "equator", minLat: -0.05, maxLat: 0.05, minLon: -0.05, maxLon: 0.05, communes: []string{"Null Island"}},
}

// point draws a random point of the region.
func (r region) point(rng *rand.Rand) (lat, lon float64) {
	lat = r.minLat + rng.Float64()*(r.maxLat-r.minLat)
	if r.wholeLon {
		return lat, -180 + rng.Float64()*360
	}
	span := r.maxLon - r.minLon
	if span < 0 {
		span += 360
	}
	return lat, normLon(r.minLon + rng.Float64()*span)
}

// randomCameras returns n cameras spread over the regions, with random
// mounts, classes and communes; a few sit exactly on a pole or on the
// antimeridian.
func randomCameras(rng *rand.Rand, n int) []*camera.Camera {
	cams := make([]*camera.Camera, 0, n)
	for i := range n {
		r := testRegions[i%len(testRegions)]
		lat, lon := r.point(rng)
		switch i % 997 {
		case 0:
			lat, lon = 90, rng.Float64()*360-180
		case 1:
			lat, lon = -90, 0
		case 2:
			lat, lon = 0, 180
		case 3:
			lat, lon = 0.001, -180
		}
		fov := []float64{30, 60, 90, 120, 360}[rng.IntN(5)]
		cams = append(cams, &camera.Camera{
			ID:           fmt.Sprintf("C-%05d", i),
			Lat:          lat,
			Lon:          lon,
			Commune:      r.communes[rng.IntN(len(r.communes))],
			RoadClass:    camera.RoadClasses[rng.IntN(len(camera.RoadClasses))],
			DirectionDeg: float64(rng.IntN(360)),
			FOVDeg:       fov,
			RangeM:       20 + rng.Float64()*180,
			Status:       camera.StatusActive,
		})
	}
	return cams
}

// randomStates gives every camera a random state.
func randomStates(rng *rand.Rand, cams []*camera.Camera) map[string]camera.HealthState {
	st := make(map[string]camera.HealthState, len(cams))
	for _, c := range cams {
		st[c.ID] = camera.HealthStates[rng.IntN(len(camera.HealthStates))]
	}
	return st
}

func buildIndex(t testing.TB, cams []*camera.Camera, states map[string]camera.HealthState) *Index {
	t.Helper()
	x, err := Build(slices.Values(cams), func(id string) camera.HealthState { return states[id] })
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return x
}

// bruteFilter is the reference filter: the same meaning as Filter, written
// plainly.
func bruteFilter(f Filter, c *camera.Camera, state camera.HealthState) bool {
	if len(f.Communes) > 0 && !slices.Contains(f.Communes, c.Commune) {
		return false
	}
	if f.CommuneMatch != nil && !f.CommuneMatch(c.Commune) {
		return false
	}
	if len(f.RoadClasses) > 0 && !slices.Contains(f.RoadClasses, c.RoadClass) {
		return false
	}
	if state == "" {
		state = camera.StateUnknown
	}
	if len(f.States) > 0 && !slices.Contains(f.States, state) {
		return false
	}
	return true
}

// ref is a camera and a distance, for the reference answers.
type ref struct {
	id string
	d  float64
}

func sortRefs(rs []ref) {
	slices.SortFunc(rs, func(a, b ref) int {
		if c := cmp.Compare(a.d, b.d); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
}

// checkNear compares an answer with the reference, ids in order and
// distances exactly (both sides compute the same formula).
func checkNear(t *testing.T, got []NearHit, want []ref) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d cameras, want %d\ngot  %v\nwant %v", len(got), len(want), nearIDs(got), want)
	}
	for i := range got {
		if got[i].ID != want[i].id || math.Abs(got[i].DistanceM-want[i].d) > 1e-9 {
			t.Fatalf("[%d] got %s at %v m, want %s at %v m", i, got[i].ID, got[i].DistanceM, want[i].id, want[i].d)
		}
	}
}

func nearIDs(hs []NearHit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.ID
	}
	return out
}

func hitIDs(hs []Hit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.ID
	}
	return out
}

// offset returns the point dx metres east and dy metres north of (lat,
// lon), on a local flat frame: for hand-made test geometry.
func offset(lat, lon, dx, dy float64) (float64, float64) {
	return lat + dy/(EarthRadius*deg2rad), lon + dx/(EarthRadius*deg2rad*math.Cos(lat*deg2rad))
}

func errField(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		t.Fatal("got no error")
	}
	if code := camera.ErrorCode(err); code != camera.EINVALID {
		t.Fatalf("error %v has code %q, want %q", err, code, camera.EINVALID)
	}
	return camera.ErrorField(err)
}
