package api_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/registry/registrytest"
)

// seenCameras records what an observer is told.
type seenCameras struct {
	mu      sync.Mutex
	changed []string
	removed []string
}

func (s *seenCameras) CameraChanged(cams ...*camera.Camera) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range cams {
		s.changed = append(s.changed, c.ID)
	}
}

func (s *seenCameras) CameraRemoved(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.removed = append(s.removed, id)
}

// TestCameraWritesNotified: on a single node the API tells the spatial
// index and the observers of each camera write; with StoreNotifies (a
// cluster node, whose store tells them in log order) it tells neither.
func TestCameraWritesNotified(t *testing.T) {
	for _, storeNotifies := range []bool{false, true} {
		store := registrytest.Open(t)
		index, seen := geo.NewIndex(), &seenCameras{}
		a := mustNew(t, api.Options{Store: store, Capabilities: allCapabilities(store), Registry: prometheus.NewRegistry(),
			AdminToken: adminToken, Geo: index, Observers: []api.CameraObserver{seen}, StoreNotifies: storeNotifies})
		srv := httptest.NewServer(a.Handler())
		t.Cleanup(srv.Close)
		e := &env{t: t, srv: srv, store: store, api: a, tokens: map[camera.Role]string{camera.RoleAdmin: adminToken}}
		e.doJSON(adminToken, "POST", "/api/v1/cameras", cameraJSON("CG-NT-1"), http.StatusCreated, nil)
		e.doJSON(adminToken, "POST", "/api/v1/cameras", cameraJSON("CG-NT-2"), http.StatusCreated, nil)
		e.doJSON(adminToken, "DELETE", "/api/v1/cameras/CG-NT-2", nil, http.StatusNoContent, nil)
		seen.mu.Lock()
		changed, removed := len(seen.changed), len(seen.removed)
		seen.mu.Unlock()
		want := map[bool][3]int{false: {1, 2, 1}, true: {0, 0, 0}}[storeNotifies]
		if got := [3]int{index.Len(), changed, removed}; got != want {
			t.Errorf("StoreNotifies %v: index holds %d, observer told of %d changes and %d removals; want %v", storeNotifies, got[0], got[1], got[2], want)
		}
	}
}
