package registry_test

import (
	"context"
	"fmt"
	"math"
	"sort"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// incT0 is the start of the incident tests' month.
var incT0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

var officer = camera.Actor{Name: "ca-song-binh", Role: camera.RolePolice}

// mkCamera stores a camera at a position in a commune.
func mkCamera(t testing.TB, s *registry.Store, id string, lat, lon float64, commune string) {
	t.Helper()
	c := &camera.Camera{ID: id, Name: "Camera " + id, Lat: lat, Lon: lon, Commune: commune}
	c.ApplyDefaults()
	if err := s.CreateCamera(context.Background(), c, camera.SystemActor); err != nil {
		t.Fatalf("create camera %s: %v", id, err)
	}
}

// mkIncident returns a valid incident on cams starting at start.
func mkIncident(start time.Time, cams ...string) *camera.Incident {
	return &camera.Incident{
		CameraIDs: cams, Start: start, End: start.Add(10 * time.Minute),
		Category: camera.CategoryTheft, Subjects: 1, Handling: camera.HandlingCriminal,
	}
}

// haversine is the test's own great-circle distance on the mean Earth
// sphere, to check the store's place filter against: written apart from
// geo.Distance on purpose, so that the brute force does not share the
// code it checks.
func haversine(lat1, lon1, lat2, lon2 float64) float64 {
	const r, rad = 6_371_008.8, math.Pi / 180
	dp, dl := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Pow(math.Sin(dp/2), 2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Pow(math.Sin(dl/2), 2)
	return 2 * r * math.Asin(math.Sqrt(a))
}

// bruteMatch is IncidentQuery's meaning, written plainly.
func bruteMatch(q registry.IncidentQuery, in *camera.Incident, fold func(string) string) bool {
	if !q.From.IsZero() && in.Start.Before(q.From) {
		return false
	}
	if !q.To.IsZero() && !in.Start.Before(q.To) {
		return false
	}
	if q.Category != "" && in.Category != q.Category {
		return false
	}
	if q.CaseRef != "" && fold(in.CaseRef) != fold(q.CaseRef) {
		return false
	}
	if q.CameraID != "" {
		ok := false
		for _, c := range in.CameraIDs {
			ok = ok || c == q.CameraID
		}
		if !ok {
			return false
		}
	}
	if q.RadiusM > 0 && (!in.HasPlace() || haversine(q.Lat, q.Lon, *in.Lat, *in.Lon) > q.RadiusM) {
		return false
	}
	if b := q.BBox; b != nil {
		if !in.HasPlace() || *in.Lat < b.MinLat || *in.Lat > b.MaxLat || *in.Lon < b.MinLon || *in.Lon > b.MaxLon {
			return false
		}
	}
	return true
}

// newestFirst sorts incidents in the list order: start, then id, descending.
func newestFirst(ins []*camera.Incident) {
	sort.Slice(ins, func(i, j int) bool {
		a, b := ins[i], ins[j]
		if !a.Start.Equal(b.Start) {
			return a.Start.After(b.Start)
		}
		return a.ID > b.ID
	})
}

// walk pages through a query with the given page size and returns every
// item, failing on a page larger than the limit or a cursor loop.
func walk(t *testing.T, s *registry.Store, q registry.IncidentQuery, limit int) []*camera.Incident {
	t.Helper()
	q.Limit = limit
	var all []*camera.Incident
	for pages := 0; ; pages++ {
		if pages > 100000 {
			t.Fatal("too many pages: the cursor does not advance")
		}
		items, next, err := s.ListIncidents(context.Background(), q)
		if err != nil {
			t.Fatalf("list %+v: %v", q, err)
		}
		if len(items) > limit {
			t.Fatalf("page of %d items, limit %d", len(items), limit)
		}
		all = append(all, items...)
		if next == "" {
			return all
		}
		if len(items) != limit {
			t.Fatalf("page of %d items with a next cursor, limit %d", len(items), limit)
		}
		q.After = next
	}
}

func ids(ins []*camera.Incident) []string {
	out := make([]string, len(ins))
	for i, in := range ins {
		out[i] = fmt.Sprintf("%s@%s", in.ID, in.Start.Format(time.RFC3339Nano))
	}
	return out
}
