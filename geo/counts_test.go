package geo

import (
	"testing"

	"github.com/matthan/matthan/camera"
)

func TestCameraCounts(t *testing.T) {
	x := NewIndex()
	add := func(id, commune string, st camera.HealthState) {
		c := &camera.Camera{ID: id, Name: id, Lat: 10.35, Lon: 106.46, Commune: commune, Status: camera.StatusActive}
		c.ApplyDefaults()
		if err := x.Upsert(c); err != nil {
			t.Fatal(err)
		}
		if err := x.SetState(id, st); err != nil {
			t.Fatal(err)
		}
	}
	add("A", "Song Bình", camera.StateUp)
	add("B", "Song Bình", camera.StateDown)
	add("C", "Bình Phan", camera.StateUp)
	x.Remove("C")
	add("D", "Bình Phan", camera.StateUnknown)
	got := x.CameraCounts()
	if len(got) != 2 || got[0].Commune != "Bình Phan" || got[1].Cameras != 2 || got[1].States[camera.StateUp] != 1 || got[0].States[camera.StateUp] != 0 {
		t.Errorf("counts: %+v", got)
	}
}
