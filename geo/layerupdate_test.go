package geo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/matthan/matthan/camera"
)

// TestLayerUpdateKeepsCameraChanges changes cameras while an intersection
// layer is built aside — moves, new mounts, cameras added, removed,
// retired, health changes — and checks that the layer swapped in counts
// every camera as it is after the changes, as a layer built from scratch
// does.
func TestLayerUpdateKeepsCameraChanges(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 31))
	cams := denseCameras(rng, 1200)
	states := randomStates(rng, cams)
	x := buildIndex(t, cams, states)
	if err := x.SetIntersections(randomIntersections(rng, 300)); err != nil {
		t.Fatal(err)
	}
	items := randomIntersections(rng, 500)
	live := map[string]*camera.Camera{}
	for _, c := range cams {
		live[c.ID] = c
	}

	u, err := x.BeginLayerUpdate()
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	if _, err := u.Intersections(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if _, err := x.BeginLayerUpdate(); camera.ErrorCode(err) != camera.ECONFLICT {
		t.Errorf("a second update while one is open: %v, want a conflict", err)
	}
	for i := range 600 {
		c := cams[rng.IntN(len(cams))]
		switch op := rng.IntN(5); {
		case op == 0 && live[c.ID] != nil: // a move and a new mount
			m := *live[c.ID]
			m.Lat, m.Lon = Destination(m.Lat, m.Lon, rng.Float64()*360, rng.Float64()*80)
			m.DirectionDeg, m.FOVDeg, m.RangeM = float64(rng.IntN(360)), float64(1+rng.IntN(360)), 10+rng.Float64()*250
			if err := x.Upsert(&m); err != nil {
				t.Fatal(err)
			}
			live[c.ID] = &m
		case op == 1:
			x.Remove(c.ID)
			delete(live, c.ID)
		case op == 2:
			r := *c
			r.Status = camera.StatusRetired
			if err := x.Upsert(&r); err != nil {
				t.Fatal(err)
			}
			delete(live, c.ID)
		case op == 3: // a new camera
			n := *denseCameras(rng, 1)[0]
			n.ID = fmt.Sprintf("NEW-%d", i)
			if err := x.Upsert(&n); err != nil {
				t.Fatal(err)
			}
			states[n.ID] = camera.StateUnknown
			live[n.ID] = &n
		case op == 4 && live[c.ID] != nil:
			s := camera.HealthStates[rng.IntN(len(camera.HealthStates))]
			if err := x.SetState(c.ID, s); err != nil {
				t.Fatal(err)
			}
			states[c.ID] = s
		}
	}
	// The layer in place until the swap is the old one.
	if st := x.Stats(); st.Intersections != 300 {
		t.Fatalf("before the swap the index holds %d intersections, want the old 300", st.Intersections)
	}
	u.Commit()
	checkCounts(t, x, live, states, items)
	if _, err := x.BeginLayerUpdate(); err != nil {
		t.Errorf("after the commit a new update is refused: %v", err)
	}
}

// TestLayerUpdateClose: an update closed without a commit changes
// nothing, and camera writes after it are not journaled.
func TestLayerUpdateClose(t *testing.T) {
	rng := rand.New(rand.NewPCG(32, 32))
	cams := denseCameras(rng, 300)
	x := buildIndex(t, cams, nil)
	old := randomIntersections(rng, 100)
	if err := x.SetIntersections(old); err != nil {
		t.Fatal(err)
	}
	u, err := x.BeginLayerUpdate()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Intersections(context.Background(), randomIntersections(rng, 50)); err != nil {
		t.Fatal(err)
	}
	u.Close()
	u.Commit() // after Close: nothing
	if x.journal.Load() != nil {
		t.Error("the journal outlived the update")
	}
	if got := x.Stats().Intersections; got != 100 {
		t.Errorf("after a discarded update: %d intersections, want the old 100", got)
	}
	live := map[string]*camera.Camera{}
	for _, c := range cams {
		live[c.ID] = c
	}
	checkCounts(t, x, live, nil, old)
}

// TestLayerUpdateCommunes builds a commune layer aside and swaps it in: the
// intersections without a commune take theirs from it, named ones keep
// their own.
func TestLayerUpdateCommunes(t *testing.T) {
	x := NewIndex()
	items := []Intersection{
		{ID: "in", Lat: 10.355, Lon: 106.465},
		{ID: "given", Lat: 10.355, Lon: 106.465, Commune: "Given"},
		{ID: "out", Lat: 11, Lon: 107},
	}
	if err := x.SetIntersections(items); err != nil {
		t.Fatal(err)
	}
	cs := NewCommunes([]Commune{{Name: "Song Bình", Geometry: square(106.46, 10.35, 0.01)}})
	u, err := x.BeginLayerUpdate()
	if err != nil {
		t.Fatal(err)
	}
	if err := u.Communes(context.Background(), cs); err != nil {
		t.Fatal(err)
	}
	if got, _ := x.Intersections(AreaFilter{}); got[0].Commune != "" {
		t.Fatalf("before the swap: commune %q, want none", got[0].Commune)
	}
	u.Commit()
	got, _ := x.Intersections(AreaFilter{})
	if got[0].Commune != "Song Bình" || got[1].Commune != "Given" || got[2].Commune != "" {
		t.Errorf("communes %q %q %q", got[0].Commune, got[1].Commune, got[2].Commune)
	}
	if rep, _ := x.Coverage(AreaFilter{Communes: []string{"Song Bình"}}, Installed); rep.Intersections != 1 {
		t.Errorf("Song Bình has %d intersections, want 1", rep.Intersections)
	}
	// Removing the layer takes the communes it gave away.
	if err := x.SetCommunes(nil); err != nil {
		t.Fatal(err)
	}
	got, _ = x.Intersections(AreaFilter{})
	if got[0].Commune != "" || got[1].Commune != "Given" {
		t.Errorf("without a commune layer: %q %q", got[0].Commune, got[1].Commune)
	}
}

// stopAfter is a context whose Err turns to Canceled after a number of
// looks: it stops a long build part-way, without timing. looks counts
// every call.
type stopAfter struct {
	context.Context
	left  atomic.Int64
	looks atomic.Int64
}

func newStopAfter(n int64) *stopAfter {
	c := &stopAfter{Context: context.Background()}
	c.left.Store(n)
	return c
}

func (c *stopAfter) Err() error {
	c.looks.Add(1)
	if c.left.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

// TestBuildsStopWhenCanceled runs each long part of a layer import with a
// context cancelled part-way, and checks that it stops at its next look
// with the context's error, not at the end of the work.
func TestBuildsStopWhenCanceled(t *testing.T) {
	grid := gridRoads(150, 50) // 22,500 junctions
	gridJSON := roadsJSON(grid)
	rng := rand.New(rand.NewPCG(33, 33))
	cams := denseCameras(rng, 1_000)
	items := randomIntersections(rng, 3_000)
	cs := NewCommunes(tiledCommunes(106.40, 10.30, 20, 20, 0.005, 16))

	x := buildIndex(t, cams, nil)
	if err := x.SetIntersections(items); err != nil {
		t.Fatal(err)
	}
	// The commune layer's work is per intersection: many of them.
	xc := NewIndex()
	if err := xc.SetIntersections(randomIntersections(rng, 30_000)); err != nil {
		t.Fatal(err)
	}
	builds := []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"junctions", func(ctx context.Context) error {
			_, err := Junctions(ctx, grid, -1)
			return err
		}},
		{"read roads", func(ctx context.Context) error {
			_, err := ReadIntersections(ctx, gridJSON, NoLimits())
			return err
		}},
		{"intersection layer", func(ctx context.Context) error {
			u, err := x.BeginLayerUpdate()
			if err != nil {
				return err
			}
			defer u.Close()
			_, err = u.Intersections(ctx, items)
			return err
		}},
		{"commune layer", func(ctx context.Context) error {
			u, err := xc.BeginLayerUpdate()
			if err != nil {
				return err
			}
			defer u.Close()
			return u.Communes(ctx, cs)
		}},
	}
	for _, b := range builds {
		t.Run(b.name, func(t *testing.T) {
			whole := newStopAfter(1 << 62)
			if err := b.run(whole); err != nil {
				t.Fatal(err)
			}
			n := whole.looks.Load()
			if n < 4 {
				t.Fatalf("the whole build looked at its context %d times: too few to stop part-way", n)
			}
			stop := n / 2
			ctx := newStopAfter(stop)
			err := b.run(ctx)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled after %d of %d looks: %v, want context.Canceled", stop, n, err)
			}
			// Parallel workers each stop at their next look.
			if got, most := ctx.looks.Load(), stop+int64(runtime.GOMAXPROCS(0))+1; got > most {
				t.Errorf("went on after the cancel: %d looks, want at most %d", got, most)
			}
		})
	}
	if got := x.Stats().Intersections; got != len(items) {
		t.Errorf("cancelled builds changed the layer: %d intersections, want %d", got, len(items))
	}
}
