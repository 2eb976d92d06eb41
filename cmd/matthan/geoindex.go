package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/ingest"
	"github.com/matthan/matthan/registry"
)

// errStopIter ends a store scan when the consumer of an iterator stops.
var errStopIter = errors.New("iteration stopped")

// loadIndexAndPoller builds the spatial index from the store: every
// active camera with its current health, then the stored commune
// boundaries and intersections (whose coverage is computed once here,
// then kept current by camera writes and health changes) and the roads. Its scan of the
// cameras also loads poller (Poller.Load) when not nil, on a goroutine of
// its own:
// with a million cameras, reading and decoding them is most of the
// start, and the index and the poller each paid for it. The poller's
// work on each camera takes the second core while the index's takes the
// first. Measured in process on BenchmarkDaemonStart1M's store (2
// cores): the start takes 7.0–7.8 s of CPU instead of 10.4–11.2, and the
// poller holds every camera when the index is ready, at 4.7–5.6 s,
// instead of at 9.0–9.6 s; the index alone was ready at 4.6–5.0 s (the
// two share the cores and the collector).
func loadIndexAndPoller(ctx context.Context, store daemonStore, poller *ingest.Poller) (*geo.Index, error) {
	var feed *cameraFeed
	loaded := make(chan error, 1)
	if poller != nil {
		feed = newCameraFeed()
		go func() { loaded <- poller.Load(ctx, feed.scan) }()
	}
	// Ends the load early, and waits for it.
	abandon := func(err error) error {
		if feed != nil {
			feed.close(err)
			<-loaded
		}
		return err
	}
	states := map[string]camera.HealthState{}
	if err := store.ForEachHealth(ctx, func(h camera.Health) error {
		states[h.CameraID] = h.State
		return nil
	}); err != nil {
		return nil, abandon(fmt.Errorf("load health: %w", err))
	}
	if feed != nil {
		// The scan starts once the load has read the stored health. A
		// read transaction that waits on a goroutine opening another can
		// deadlock bbolt, should a write that grows the file come between.
		select {
		case <-feed.reading:
		case err := <-loaded: // failed before it read: nothing waits on the feed
			return nil, fmt.Errorf("health poller: %w", err)
		}
	}
	index, err := buildGeoIndex(ctx, store, states, feed)
	if feed != nil {
		if perr := <-loaded; perr != nil && err == nil {
			err = fmt.Errorf("health poller: %w", perr)
		}
	}
	return index, err
}

// buildGeoIndex builds the index (loadIndexAndPoller) from one scan of
// the cameras that also feeds feed, when not nil.
func buildGeoIndex(ctx context.Context, store daemonStore, states map[string]camera.HealthState, feed *cameraFeed) (*geo.Index, error) {
	var scanErr error
	cams := iter.Seq[*camera.Camera](func(yield func(*camera.Camera) bool) {
		err := store.ForEachCamera(ctx, func(c *camera.Camera) error {
			feed.add(c)
			if !yield(c) {
				return errStopIter
			}
			return nil
		})
		feed.close(err)
		if err != nil && !errors.Is(err, errStopIter) {
			scanErr = err
		}
	})
	index, err := geo.Build(cams, func(id string) camera.HealthState {
		if st, found := states[id]; found {
			return st
		}
		return camera.StateUnknown
	})
	feed.close(errStopIter) // in case Build never read: the feed must end
	if scanErr != nil {
		return nil, fmt.Errorf("load cameras: %w", scanErr)
	}
	if err != nil {
		return nil, fmt.Errorf("build spatial index: %w", err)
	}
	if err := loadLayers(ctx, store, index); err != nil {
		return nil, err
	}
	return index, nil
}

// loadLayers sets the index's reference layers (commune boundaries,
// intersections, roads) from the store: at start, and in cluster mode
// when another node has imported layers.
func loadLayers(ctx context.Context, store daemonStore, index *geo.Index) error {
	if raw, err := store.GetLayer(ctx, registry.LayerCommunes); err != nil {
		return err
	} else if raw != nil {
		// A stored layer passed the limits of its day: it is read without
		// them, so that a lower limit never stops the daemon starting.
		cs, err := geo.ParseCommunes(ctx, raw, geo.NoLimits())
		if err != nil {
			return fmt.Errorf("stored commune boundaries: %w", err)
		}
		if err := index.SetCommunes(cs); err != nil {
			return fmt.Errorf("stored commune boundaries: %w", err)
		}
	}
	if raw, err := store.GetLayer(ctx, registry.LayerIntersections); err != nil {
		return err
	} else if raw != nil {
		var items []geo.Intersection
		if err := json.Unmarshal(raw, &items); err != nil {
			return fmt.Errorf("stored intersections: %w", err)
		}
		if err := index.SetIntersections(items); err != nil {
			return fmt.Errorf("stored intersections: %w", err)
		}
	}
	// The roads of the last import of roads, drawn on the map; none in a
	// database from before they were kept.
	if raw, err := store.GetLayer(ctx, registry.LayerRoads); err != nil {
		return err
	} else if raw != nil {
		roads, err := geo.ReadRoads(ctx, raw, geo.NoLimits())
		if err != nil {
			return fmt.Errorf("stored roads: %w", err)
		}
		if err := index.SetRoads(roads); err != nil {
			return fmt.Errorf("stored roads: %w", err)
		}
	}
	return nil
}

// cameraFeed hands the cameras of a scan to a consumer on another
// goroutine (the poller's Load), a batch at a time, so that the two
// consumers of one scan run side by side. A nil feed takes nothing.
type cameraFeed struct {
	reading chan struct{} // closed when the consumer starts reading
	batches chan []*camera.Camera
	batch   []*camera.Camera
	closed  bool
	err     error // how the scan ended; set before batches is closed
}

// feedBatch cameras go in a batch, a few milliseconds of work for each
// side between two channel operations, and up to feedBatches wait: at
// most 65,536 cameras in flight, about 30 MB. The poller's pace varies
// (it grows its tables now and then), and with fewer batches waiting the
// scan stalled on it: the index was ready 0.6 s later than without the
// poller, instead of 0.3 s (BenchmarkDaemonStart1M's store, 2 cores).
const (
	feedBatch   = 1024
	feedBatches = 64
)

func newCameraFeed() *cameraFeed {
	return &cameraFeed{
		reading: make(chan struct{}),
		batches: make(chan []*camera.Camera, feedBatches),
		batch:   make([]*camera.Camera, 0, feedBatch),
	}
}

// add feeds c. The consumer must not change it: the index reads it too.
func (f *cameraFeed) add(c *camera.Camera) {
	if f == nil {
		return
	}
	f.batch = append(f.batch, c)
	if len(f.batch) == feedBatch {
		f.batches <- f.batch
		f.batch = make([]*camera.Camera, 0, feedBatch)
	}
}

// close ends the feed with the scan's error (nil when it read every
// camera); a second close does nothing.
func (f *cameraFeed) close(err error) {
	if f == nil || f.closed {
		return
	}
	f.closed = true
	if len(f.batch) > 0 {
		f.batches <- f.batch
	}
	f.batch, f.err = nil, err
	close(f.batches)
}

// scan is the consumer's side, a scan for Poller.Load: it applies every
// camera fed, and returns the scan's error. After apply fails it drains
// the feed without applying, so that the scan never blocks on it.
func (f *cameraFeed) scan(apply func(*camera.Camera) error) error {
	close(f.reading)
	var err error
	for batch := range f.batches {
		for _, c := range batch {
			if err == nil {
				err = apply(c)
			}
		}
	}
	if err != nil {
		return err
	}
	return f.err
}
