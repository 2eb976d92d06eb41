package registry_test

import (
	"context"
	"slices"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry/registrytest"
)

// The costs of active cameras with a cost, of the communes asked for,
// follow every write: a new cost, a retirement, a deletion.
func TestCameraCosts(t *testing.T) {
	ctx := context.Background()
	s := registrytest.Open(t)
	who := camera.Actor{Name: "test", Role: camera.RoleAdmin}
	for _, c := range []struct {
		id, commune string
		cost        int64
	}{{"A", "Song Bình", 4_000_000}, {"B", "Song Bình", 6_000_000}, {"C", "Hòa Định", 5_000_000}, {"D", "Hòa Định", 0}, {"E", "", 7_000_000}} {
		cam := testCamera(c.id)
		cam.Commune, cam.CostVND = c.commune, c.cost
		if err := s.CreateCamera(ctx, cam, who); err != nil {
			t.Fatal(err)
		}
	}
	costs := func(keep func(string) bool) []int64 {
		t.Helper()
		got, err := s.CameraCosts(ctx, keep)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		return got
	}
	calls := 0
	songBinh := func(c string) bool { calls++; return c == "Song Bình" }
	for _, tc := range []struct {
		name string
		keep func(string) bool
		want []int64
	}{
		{"every commune", nil, []int64{4_000_000, 5_000_000, 6_000_000, 7_000_000}},
		{"one commune", songBinh, []int64{4_000_000, 6_000_000}},
	} {
		if got := costs(tc.keep); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if calls != 3 {
		t.Errorf("keep was called %d times, want once per commune (3)", calls)
	}
	if _, err := s.UpdateCamera(ctx, "A", "camera.retire", who, func(c *camera.Camera) error { c.Status = camera.StatusRetired; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteCamera(ctx, "C", who); err != nil {
		t.Fatal(err)
	}
	if got, want := costs(nil), []int64{6_000_000, 7_000_000}; !slices.Equal(got, want) {
		t.Errorf("after a retirement and a deletion: %v, want %v", got, want)
	}
}
