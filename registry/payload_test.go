package registry_test

import (
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/gendata"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

// A camera import's payload, built from rows encoded once, is gzipped
// when large, and applies as the same import given as a value.
func TestCameraImportPayload(t *testing.T) {
	cams := gendata.Cameras(gendata.Rows(2000, 1, "PL", gendata.Vietnam))
	rows := make([][]byte, len(cams))
	raw := 0
	for i, c := range cams {
		c.Credentials = camera.Credentials{Username: "admin", Password: "s3cret"}
		var err error
		if rows[i], err = registry.EncodeCameraRecord(c); err != nil {
			t.Fatal(err)
		}
		raw += len(rows[i])
	}
	built, err := registry.CameraImportPayload(rows, registry.ImportOptions{KeepNotes: true}, police)
	if err != nil {
		t.Fatal(err)
	}
	if len(built)*3 > raw {
		t.Errorf("payload of %d bytes for %d bytes of records: want it gzipped", len(built), raw)
	}
	t.Logf("%d camera records, %d bytes, in a payload of %d bytes", len(cams), raw, len(built))
	small, err := registry.EncodePayload(registry.CameraImport{Cameras: []registry.CameraRecord{{Camera: cams[0]}}, Actor: police})
	if err != nil {
		t.Fatal(err)
	}
	if small[0] != '{' || string(small[:12]) != `{"cameras":[` {
		t.Errorf("a small payload is %.40s…, want plain JSON", small)
	}

	for _, tt := range []struct {
		name    string
		payload []byte
		n       int
	}{{"built", built, len(cams)}, {"small", small, 1}} {
		t.Run(tt.name, func(t *testing.T) {
			s := registrytest.Open(t)
			outs := apply(t, s, registry.Command{Rev: 1, Kind: registry.KindCameraImport, ID: "i", At: applyT0, Payload: tt.payload})
			res := outs[0].Value.(registry.ImportOutcome)
			if outs[0].Err != nil || res.Result.Created != tt.n || len(res.Cameras) != tt.n {
				t.Fatalf("outcome %+v", outs[0])
			}
			got, err := s.GetCamera(t.Context(), cams[tt.n-1].ID)
			if err != nil || !registry.SameCamera(got, res.Cameras[tt.n-1]) || got.Credentials != cams[tt.n-1].Credentials {
				t.Errorf("stored %+v (%v), want %+v", got, err, cams[tt.n-1])
			}
		})
	}
}
