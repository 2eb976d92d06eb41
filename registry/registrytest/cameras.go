package registrytest

import (
	"context"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// writer is the actor of the cameras AddCameras stores.
var writer = camera.Actor{Name: "ca-xa", Role: camera.RolePolice}

// Camera returns a valid active camera of commune with a stream URL and
// credentials (admin, s3cret), so that tests can check they never leak.
func Camera(id, commune string) *camera.Camera {
	c := &camera.Camera{
		ID: id, Name: "Ngã tư " + id, Lat: 10.35, Lon: 106.46,
		Commune: commune, District: "Chợ Gạo", Province: "Tiền Giang",
		RTSPURL:     "rtsp://" + id + ".cam.test/live",
		Credentials: camera.Credentials{Username: "admin", Password: "s3cret"},
		InstalledOn: "2021-05-01",
	}
	c.ApplyDefaults()
	return c
}

// AddCameras stores cams in s, all new, failing tb otherwise.
func AddCameras(tb testing.TB, s *registry.Store, cams ...*camera.Camera) {
	tb.Helper()
	res, err := s.ImportCameras(context.Background(), cams, true, writer)
	if err != nil || res.Created != len(cams) {
		tb.Fatalf("import cameras: %+v %v", res, err)
	}
}
