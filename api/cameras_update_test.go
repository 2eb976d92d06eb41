package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/matthan/matthan/camera"
)

// TestRetireAndPatchStatus: retiring a camera and patching its status to
// retired take the same path: the camera answered with its credentials
// kept (has_credentials, never the secret), the change audited under the
// route's own action, the spatial index told (the camera leaves near),
// and an unknown id answered 404 alike.
func TestRetireAndPatchStatus(t *testing.T) {
	e, _ := newGeoEnv(t)
	tests := []struct {
		name, method, suffix string
		body                 any
		action               string
	}{
		{"retire", http.MethodPost, "/retire", nil, "camera.retire"},
		{"patch", http.MethodPatch, "", `{"status":"retired"}`, "camera.patch"},
	}
	var notFound []string
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.on(t)
			id := fmt.Sprintf("UPD-%d", i)
			in := cameraJSON(id)
			in["lat"], in["lon"] = 10.0, 105.0+float64(i) // alone, far from the sample district
			e.doJSON(adminToken, http.MethodPost, "/api/v1/cameras", in, http.StatusCreated, nil)
			near := fmt.Sprintf("/api/v1/cameras/near?lat=10&lon=%v&radius_m=100", in["lon"])
			var hits struct{ Items []struct{ ID string } }
			if e.doJSON(adminToken, http.MethodGet, near, nil, http.StatusOK, &hits); len(hits.Items) != 1 {
				t.Fatalf("near before: %+v, want %s", hits.Items, id)
			}

			var got cameraOut
			e.doJSON(adminToken, tt.method, "/api/v1/cameras/"+id+tt.suffix, tt.body, http.StatusOK, &got)
			if got.ID != id || got.Status != camera.StatusRetired || !got.HasCredentials || got.Name != in["name"] {
				t.Errorf("answer %+v, want %s retired with its credentials and fields", got, id)
			}
			if e.doJSON(adminToken, http.MethodGet, near, nil, http.StatusOK, &hits); len(hits.Items) != 0 {
				t.Errorf("near after: %+v, want none", hits.Items)
			}
			if acts := e.auditActions("target=" + id); !slices.Contains(acts, tt.action+" "+id) {
				t.Errorf("audit of %s: %q, want %q", id, acts, tt.action+" "+id)
			}
			p := e.problem(adminToken, tt.method, "/api/v1/cameras/NO-SUCH"+tt.suffix, tt.body, http.StatusNotFound)
			notFound = append(notFound, p.Detail)
		})
	}
	if len(notFound) == 2 && notFound[0] != notFound[1] {
		t.Errorf("unknown id: retire %q, patch %q", notFound[0], notFound[1])
	}
}
