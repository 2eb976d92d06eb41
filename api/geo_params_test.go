package api_test

import (
	"net/http"
	"testing"

	"github.com/matthan/matthan/camera"
)

// TestPointParams pins what near and nearest answer to bad parameters:
// the status, the field at fault and the message, and which fault is
// answered first when several are (unknown parameter, the point, radius_m
// or k, the filters, near's limit).
func TestPointParams(t *testing.T) {
	e, _ := newGeoEnv(t)
	const near, nearest = "/api/v1/cameras/near?", "/api/v1/cameras/nearest?"
	tests := []struct {
		name   string
		role   camera.Role
		path   string
		status int
		field  string
		detail string
	}{
		{"near unknown", camera.RolePlanner, near + "lat=10&lon=106&radius_m=10&k=3", 400, "k", "k: is not a known query parameter here"},
		{"nearest unknown", camera.RolePlanner, nearest + "lat=10&lon=106&radius_m=10", 400, "radius_m", "radius_m: is not a known query parameter here"},
		{"nearest limit unknown", camera.RolePlanner, nearest + "lat=10&lon=106&limit=3", 400, "limit", "limit: is not a known query parameter here"},
		{"near repeated", camera.RolePlanner, near + "lat=10&lat=11&lon=106&radius_m=10", 400, "lat", "lat: is given more than once"},
		{"near lat missing", camera.RolePlanner, near + "lon=106&radius_m=0", 400, "lat", "lat: is required"},
		{"nearest lat missing", camera.RolePlanner, nearest + "lon=106&k=0", 400, "lat", "lat: is required"},
		{"nearest lon bad", camera.RolePlanner, nearest + "lat=10&lon=east", 400, "lon", `lon: must be a number, got "east"`},
		{"nearest lon range", camera.RolePlanner, nearest + "lat=10&lon=190", 400, "lon", "lon: must be a number from -180 to 180, got 190"},
		{"near radius before filter", camera.RolePlanner, near + "lat=10&lon=106&radius_m=-1&state=sleepy&limit=0", 400, "radius_m", "radius_m: must be more than 0 and at most 50000 metres, got -1"},
		{"near radius missing", camera.RolePlanner, near + "lat=10&lon=106", 400, "radius_m", "radius_m: is required"},
		{"near filter before limit", camera.RolePlanner, near + "lat=10&lon=106&radius_m=10&road_class=motorway&limit=0", 400, "road_class", `road_class: must be one of national, provincial, district, commune, urban, other, got "motorway"`},
		{"near limit", camera.RolePlanner, near + "lat=10&lon=106&radius_m=10&limit=1001", 400, "limit", `limit: must be a whole number from 1 to 1000, got "1001"`},
		{"nearest k before filter", camera.RolePlanner, nearest + "lat=10&lon=106&k=0&state=sleepy", 400, "k", `k: must be a whole number from 1 to 1000, got "0"`},
		{"nearest state", camera.RolePlanner, nearest + "lat=10&lon=106&state=sleepy", 400, "state", `state: must be one of up, degraded, down, auth_failed, unknown, got "sleepy"`},
		{"near state forbidden", camera.RoleFundraiser, near + "lat=10&lon=106&radius_m=10&state=up&limit=0", 403, "state", "state: role fundraiser may not filter cameras by their health"},
		{"nearest state forbidden", camera.RoleFundraiser, nearest + "lat=10&lon=106&state=up", 403, "state", "state: role fundraiser may not filter cameras by their health"},
		{"near format", camera.RolePlanner, near + "lat=10&lon=106&radius_m=10&format=kml", 400, "format", `format: must be json or geojson, got "kml"`},
		{"nearest format", camera.RolePlanner, nearest + "lat=10&lon=106&format=kml", 400, "format", `format: must be json or geojson, got "kml"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := e.on(t).problem(e.tokens[tt.role], http.MethodGet, tt.path, nil, tt.status)
			if p.Field != tt.field || p.Detail != tt.detail {
				t.Errorf("got field %q, detail %q; want %q, %q", p.Field, p.Detail, tt.field, tt.detail)
			}
		})
	}
}
