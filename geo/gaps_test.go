package geo

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/matthan/matthan/camera"
)

// gapIDs lists the ids of gaps in order.
func gapIDs(gs []Gap) []string {
	ids := make([]string, len(gs))
	for i, g := range gs {
		ids[i] = g.ID
	}
	return ids
}

// walkGaps pages through the gaps limit at a time, as a client following
// next_cursor does, checking that ranks run on from page to page.
func walkGaps(t *testing.T, x *Index, mode Mode, limit int, incidents func(lat, lon float64) int) []Gap {
	t.Helper()
	var all []Gap
	var after *GapKey
	for range 10_000 {
		page, total, err := x.GapsAfter(AreaFilter{}, mode, after, limit, incidents)
		if err != nil {
			t.Fatal(err)
		}
		for k, g := range page {
			if want := len(all) + k + 1; g.Rank != want {
				t.Fatalf("limit %d: gap %s has rank %d, want %d", limit, g.ID, g.Rank, want)
			}
		}
		all = append(all, page...)
		if len(page) < limit || len(all) == total {
			if len(all) != total {
				t.Fatalf("limit %d: walked %d gaps, total %d", limit, len(all), total)
			}
			return all
		}
		k := page[len(page)-1].Key()
		after = &k
	}
	t.Fatal("paging does not end")
	return nil
}

// Pages of every size, walked by their cursors, give the ranking of one
// call, with and without incidents (which make runs of equal keys), with
// gaps that have no camera anywhere.
func TestGapsPaging(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	cams := denseCameras(rng, 60)
	x := buildIndex(t, cams, randomStates(rng, cams))
	items := randomIntersections(rng, 300)
	for i := range items {
		if i%50 != 49 { // a few stay far away, some with no camera near
			items[i].Lat, items[i].Lon = dense.point(rng)
		}
	}
	if err := x.SetIntersections(items); err != nil {
		t.Fatal(err)
	}
	var pts []orb.Point
	for i := range 40 {
		lat, lon := dense.point(rng)
		if i%4 == 0 { // on an intersection: ties in distance and counts
			lat, lon = items[i].Lat, items[i].Lon
		}
		pts = append(pts, orb.Point{lon, lat})
	}
	counter := NewPointCounter(pts, 150)
	for _, tc := range []struct {
		name      string
		incidents func(lat, lon float64) int
	}{{"no incidents", nil}, {"incidents", counter}} {
		for _, mode := range []Mode{Installed, Live} {
			all, total, err := x.Gaps(AreaFilter{}, mode, 0, tc.incidents)
			if err != nil || total != len(all) || total < 30 {
				t.Fatalf("%s %s: %d gaps of %d, %v", tc.name, mode, len(all), total, err)
			}
			for _, limit := range []int{1, 4, total, total + 1} {
				got := walkGaps(t, x, mode, limit, tc.incidents)
				if !slices.Equal(gapIDs(got), gapIDs(all)) {
					t.Errorf("%s %s: pages of %d give another order", tc.name, mode, limit)
				}
			}
		}
	}
}

// A cursor stays sound when coverage changes between pages: the gaps
// after it are the current ranking's gaps after its key, and a cursor
// whose gap has been closed still works.
func TestGapsCursorAfterChange(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	cams := denseCameras(rng, 200)
	x := buildIndex(t, cams, nil)
	if err := x.SetIntersections(randomIntersections(rng, 400)); err != nil {
		t.Fatal(err)
	}
	first, _, err := x.GapsAfter(AreaFilter{}, Installed, nil, 20, nil)
	if err != nil {
		t.Fatal(err)
	}
	last := first[len(first)-1]
	key := last.Key()
	// Close the last gap of the page with a 360° camera on it.
	closer := &camera.Camera{ID: "closer", Name: "x", Lat: last.Lat, Lon: last.Lon, FOVDeg: 360, RangeM: 10, Status: camera.StatusActive}
	if err := x.Upsert(closer); err != nil {
		t.Fatal(err)
	}
	all, _, _ := x.Gaps(AreaFilter{}, Installed, 0, nil)
	var want []string
	for _, g := range all {
		gk := g.Key()
		if gapKeyAfter(gk, key) {
			want = append(want, g.ID)
		}
	}
	rest, _, err := x.GapsAfter(AreaFilter{}, Installed, &key, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(gapIDs(rest), want) {
		t.Errorf("after the change: %d gaps after the cursor, want %d", len(rest), len(want))
	}
	if slices.Contains(gapIDs(rest), last.ID) {
		t.Errorf("the closed gap %s is still listed", last.ID)
	}

	bad := GapKey{RoadClass: "motorway"}
	if _, _, err := x.GapsAfter(AreaFilter{}, Installed, &bad, 10, nil); errField(t, err) != "cursor" {
		t.Errorf("a cursor with an unknown class: %v", err)
	}
}

// gapKeyAfter reports whether a ranks after b, by the definition of the
// ranking (not by the code under test).
func gapKeyAfter(a, b GapKey) bool {
	if a.RoadClass.Rank() != b.RoadClass.Rank() {
		return a.RoadClass.Rank() > b.RoadClass.Rank()
	}
	if a.Incidents != b.Incidents {
		return a.Incidents < b.Incidents
	}
	if a.FarM != b.FarM {
		return a.FarM < b.FarM
	}
	return a.ID > b.ID
}
