package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/cluster"
	"github.com/matthan/matthan/evidence"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/ingest"
	"github.com/matthan/matthan/internal/demo"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/replica"
)

// daemonStore is the store the daemon serves from: the node's own
// registry on a single node, the replicated store (replica.Store, whose
// writes go through the cluster's command log) in cluster mode. It is
// what the API, the poller, the evidence pipeline, the retention jobs
// and the demo need, plus the few reads the daemon makes itself.
type daemonStore interface {
	api.Store
	api.HealthStore
	api.StatesAtStore
	api.UptimeStore
	api.CostStore
	api.LayerStore
	api.IncidentStore
	api.DonationStore
	api.StatementStore
	api.SessionStore
	api.UserStore
	api.TipStore
	ingest.Store
	evidence.ClipIndex
	evidence.RetentionStore
	demo.Store

	GetLayer(ctx context.Context, name string) ([]byte, error)
	ListIncidents(ctx context.Context, q registry.IncidentQuery) ([]*camera.Incident, string, error)
	CountTokens(ctx context.Context) (int, error)
	PurgeTips(ctx context.Context, cutoff time.Time, actor camera.Actor) (int, error)
	Close() error
}

var (
	_ daemonStore = (*registry.Store)(nil)
	_ daemonStore = (*replicatedStore)(nil)
)

// How a node keeps the log short (docs/cluster.md, "Compaction"): it
// publishes the revision it has applied every publishAppliedEvery; the
// lowest live node compacts every compactEvery, removing what every live
// node has applied, but only commands older than cluster.log_retention,
// so that a node that is down (which publishes nothing) for less than
// that finds what it missed when it comes back.
const publishAppliedEvery = 2 * time.Second

// compactEvery is how often the lowest live node compacts the log: once
// a minute, or four times within a retention shorter than 4 minutes.
func compactEvery(retention time.Duration) time.Duration { return min(time.Minute, retention/4) }

// replication is this node's following of the cluster's command log: the
// Follower that applies it to the node's registry, and what keeps the
// node's memory (the spatial index, the poller) current with it.
type replication struct {
	log *cluster.Log
	fol *cluster.Follower
	mem *memoryFollower

	cancel context.CancelFunc
	done   chan struct{} // closed when the follower has stopped
	err    error         // why it stopped; set before done is closed
	once   sync.Once
}

// stop stops the follower and waits for it.
func (r *replication) stop() {
	r.once.Do(func() {
		r.cancel()
		<-r.done
	})
}

// failure returns why the follower stopped on its own (nil when stop
// stopped it).
func (r *replication) failure() error {
	if errors.Is(r.err, context.Canceled) {
		return nil
	}
	return r.err
}

// replicatedStore is the replicated store as the daemon holds it: closing
// it stops the follower before the registry closes.
type replicatedStore struct {
	*replica.Store
	rep *replication
}

// Close stops applying the log, then closes the node's registry.
func (s *replicatedStore) Close() error {
	s.rep.stop()
	return s.Store.Close()
}

// serveStore puts the replicated store in the place of the node's own
// registry: it starts the Follower that applies the command log to
// local, waits until it has applied everything the log held when the
// node started (so the node serves nothing older than that, and its
// spatial index and poller are loaded from a caught-up registry), and
// returns the store whose writes go through the log.
func (n *clusterNode) serveStore(ctx context.Context, local *registry.Store) (daemonStore, error) {
	cmdLog, err := cluster.NewLog(n.cli, n.cfg.Cluster.Name)
	if err != nil {
		return nil, err
	}
	app := replica.NewApplier(local)
	mem := newMemoryFollower(n.log)
	app.Observe(mem.observe)
	fol := cluster.NewFollower(cmdLog, app, n.self.ID)

	// The revision to catch up to, read before the follower starts: its
	// first read of the log is at this revision or later, so it reaches it
	// once it has read the backlog.
	rctx, cancel := context.WithTimeout(ctx, etcdDialTimeout)
	at, err := n.cli.Get(rctx, clipsMarkerKey(n.cfg.Cluster.Name)) // any key: its header's revision
	cancel()
	if err != nil {
		return nil, fmt.Errorf("read the cluster's log: %w", err)
	}
	from, err := local.LastApplied()
	if err != nil {
		return nil, err
	}
	if now := at.Header.Revision; from > now {
		// Revisions only grow: this database applied a log that is not
		// this etcd's. Following would skip this log's first commands.
		return nil, fmt.Errorf("config: db: %s has applied the command log up to revision %d, but the cluster's etcd is at revision %d: the database belongs to another cluster, or etcd was started afresh; start this node on a backup of a node of this cluster (matthan backup), or on an empty database while the log has not been compacted", n.cfg.DB, from, now)
	}
	fctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	rep := &replication{log: cmdLog, fol: fol, mem: mem, cancel: stop, done: make(chan struct{})}
	go func() {
		rep.err = fol.Run(fctx)
		close(rep.done)
	}()
	started := time.Now()
	if _, err := fol.WaitApplied(ctx, at.Header.Revision); err != nil {
		rep.stop()
		if errors.Is(rep.err, cluster.ErrSnapshotNeeded) {
			return nil, fmt.Errorf("catch up with the cluster's log: %w: the log was compacted past what this database has applied; start this node on a backup of a live node's database (matthan backup), which holds the revision it has applied", rep.err)
		}
		return nil, fmt.Errorf("catch up with the cluster's log: %w", err)
	}
	// From here on what the follower applies is after what the index and
	// the poller will load: they take it from the memory follower.
	mem.record()
	to, _ := local.LastApplied()
	n.log.Info("caught up with the cluster's log", slog.Int64("from_revision", from), slog.Int64("to_revision", to), slog.Duration("took", time.Since(started)))
	n.rep = rep
	return &replicatedStore{Store: replica.New(local, cmdLog, fol, n.self.ID), rep: rep}, nil
}

// leads reports whether this node is the lowest live node: the one that
// compacts the log and runs the retention purges, so that each is done
// once for the cluster rather than once per node.
func (n *clusterNode) leads() bool {
	live := n.live.Load()
	return live != nil && len(*live) > 0 && (*live)[0] == n.self.ID
}

// keepLog publishes the revision this node has applied, and, on the
// lowest live node, compacts the log, until ctx ends.
func (n *clusterNode) keepLog(ctx context.Context) {
	retention := time.Duration(n.cfg.Cluster.LogRetention)
	every := compactEvery(retention)
	var samples []appliedSample // the applied revision, once per compactEvery
	var lastCompact time.Time
	t := time.NewTicker(min(publishAppliedEvery, every))
	defer t.Stop()
	for {
		rev := n.rep.fol.Applied()
		if err := n.membership().PublishApplied(ctx, rev); err != nil && ctx.Err() == nil {
			n.log.Debug("publish the applied revision", slog.Any("err", err))
		}
		if now := time.Now(); now.Sub(lastCompact) >= every {
			lastCompact = now
			var upTo int64
			samples, upTo = compactionBound(append(samples, appliedSample{now, rev}), now, retention)
			if n.leads() && upTo > 0 {
				c, err := n.rep.log.CompactUpTo(ctx, upTo)
				switch {
				case err != nil && ctx.Err() == nil:
					n.log.Warn("compact the cluster's log", slog.Any("err", err))
				case c.Removed > 0:
					n.log.Info("compacted the cluster's log", slog.Int64("removed", c.Removed), slog.Int64("floor_revision", c.Rev))
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// appliedSample is the revision a node had applied at a time.
type appliedSample struct {
	at  time.Time
	rev int64
}

// compactionBound returns the revision below which the log may be
// compacted at now, keeping what was written within keep: the newest of
// samples (oldest first) taken at least keep ago, 0 when none is that
// old. It also returns the samples still needed.
func compactionBound(samples []appliedSample, now time.Time, keep time.Duration) ([]appliedSample, int64) {
	cutoff := now.Add(-keep)
	for len(samples) > 1 && !samples[1].at.After(cutoff) {
		samples = samples[1:]
	}
	if len(samples) == 0 || samples[0].at.After(cutoff) {
		return samples, 0
	}
	return samples, samples[0].rev
}

// onLowestNode is the store of the retention jobs in cluster mode: every
// node runs them, but only the lowest live node finds anything to purge,
// so that each purge is one command for the cluster, not one per node.
type onLowestNode struct {
	daemonStore
	leads func() bool
}

// ExpiredIncidents finds nothing on a node that does not lead.
func (s onLowestNode) ExpiredIncidents(ctx context.Context, cutoff time.Time, limit int) ([]string, error) {
	if !s.leads() {
		return nil, nil
	}
	return s.daemonStore.ExpiredIncidents(ctx, cutoff, limit)
}

// PurgeTips purges nothing on a node that does not lead.
func (s onLowestNode) PurgeTips(ctx context.Context, cutoff time.Time, actor camera.Actor) (int, error) {
	if !s.leads() {
		return 0, nil
	}
	return s.daemonStore.PurgeTips(ctx, cutoff, actor)
}

// memoryFollower keeps what the daemon holds in memory beside the
// registry — the spatial index and the poller's cameras — current with
// every write applied from the log, whichever node took it
// (replica.Applier.Observe), in log order. The API tells nobody of its
// own writes in cluster mode (api.Options.StoreNotifies): a notice of
// its own, after the write returns, could undo a change another node
// made in between (a camera deleted there, back in this node's index).
//
// The observer runs on the follower's goroutine, after the batch
// commits and before the node's waiting writes return. It updates the
// spatial index there and then: the index never waits on the follower,
// and a node's own write is in its index when the API answers it. The
// poller may be waiting on the follower for its own write (a flush of
// health), and a layer import reloads from the store, so those are only
// queued; run makes them, in log order.
type memoryFollower struct {
	log *slog.Logger

	mu        sync.Mutex
	recording bool        // set once the node has caught up (serveStore)
	early     []memChange // index changes recorded before the index was attached
	queue     []memChange // the poller's and the layers' changes, for run
	wake      chan struct{}

	// Set by attach, before run starts; index under mu.
	index  *geo.Index
	poller *ingest.Poller // nil when the poller is off
	store  daemonStore
}

// memChange is what one applied command changes in memory.
type memChange struct {
	changed []*camera.Camera
	removed string
	states  []camera.Transition
	layers  bool
}

func newMemoryFollower(log *slog.Logger) *memoryFollower {
	return &memoryFollower{log: log, wake: make(chan struct{}, 1)}
}

// record starts recording: commands applied before are in the registry
// that the index and the poller load from.
func (m *memoryFollower) record() {
	m.mu.Lock()
	m.recording = true
	m.mu.Unlock()
}

// attach gives the memory follower what it keeps current, and makes in
// the index the changes recorded since the catch-up, before any later
// one.
func (m *memoryFollower) attach(index *geo.Index, poller *ingest.Poller, store daemonStore) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.index, m.poller, m.store = index, poller, store
	for _, ch := range m.early {
		m.applyIndex(ch)
	}
	m.early = nil
}

// observe is the Applier's observer.
func (m *memoryFollower) observe(c registry.Command, o registry.Outcome) {
	if o.Err != nil || o.DuplicateOf != 0 {
		return // nothing stored
	}
	var ch memChange
	switch c.Kind {
	case registry.KindCameraCreate, registry.KindCameraUpdate:
		if cam, ok := o.Value.(*camera.Camera); ok && cam != nil {
			ch.changed = []*camera.Camera{cam.Clone()}
		}
	case registry.KindCameraReplace:
		if r, ok := o.Value.(registry.ReplaceResult); ok && r.Camera != nil {
			ch.changed = []*camera.Camera{r.Camera.Clone()}
		}
	case registry.KindCameraImport:
		if r, ok := o.Value.(registry.ImportOutcome); ok {
			ch.changed = make([]*camera.Camera, 0, len(r.Cameras))
			for _, cam := range r.Cameras {
				ch.changed = append(ch.changed, cam.Clone())
			}
		}
	case registry.KindCameraDelete:
		var p registry.CameraDelete
		if err := registry.DecodePayload(c.Payload, &p); err != nil {
			m.log.Error("follow a deleted camera", slog.Int64("revision", c.Rev), slog.Any("err", err))
			return
		}
		ch.removed = p.ID
	case registry.KindHealthRecord:
		var p registry.HealthRecord
		if err := registry.DecodePayload(c.Payload, &p); err != nil {
			m.log.Error("follow a health change", slog.Int64("revision", c.Rev), slog.Any("err", err))
			return
		}
		ch.states = p.Transitions
	case registry.KindLayerCommit:
		ch.layers = true
	default:
		return
	}
	if len(ch.changed) == 0 && ch.removed == "" && len(ch.states) == 0 && !ch.layers {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.recording {
		return
	}
	if m.index != nil {
		m.applyIndex(ch)
	} else {
		m.early = append(m.early, ch)
	}
	if len(ch.changed) > 0 || ch.removed != "" || ch.layers {
		m.queue = append(m.queue, ch)
		select {
		case m.wake <- struct{}{}:
		default:
		}
	}
}

// applyIndex makes one command's change in the spatial index. m.mu is
// held.
func (m *memoryFollower) applyIndex(ch memChange) {
	for _, c := range ch.changed {
		if err := m.index.Upsert(c); err != nil {
			m.log.Error("spatial index update", slog.String("camera_id", c.ID), slog.Any("err", err))
		}
	}
	if ch.removed != "" {
		m.index.Remove(ch.removed)
	}
	for _, tr := range ch.states {
		_ = m.index.SetState(tr.CameraID, tr.To) // a camera deleted meanwhile is not in the index
	}
}

// run makes the queued changes until ctx ends.
func (m *memoryFollower) run(ctx context.Context) {
	for {
		m.mu.Lock()
		queue := m.queue
		m.queue = nil
		m.mu.Unlock()
		for _, ch := range queue {
			m.apply(ctx, ch)
		}
		select {
		case <-ctx.Done():
			return
		case <-m.wake:
		}
	}
}

// apply makes one command's change in the poller and the layers.
func (m *memoryFollower) apply(ctx context.Context, ch memChange) {
	if len(ch.changed) > 0 && m.poller != nil {
		m.poller.CameraChanged(ch.changed...)
	}
	if ch.removed != "" && m.poller != nil {
		m.poller.CameraRemoved(ch.removed)
	}
	if ch.layers {
		if err := loadLayers(ctx, m.store, m.index); err != nil && ctx.Err() == nil {
			m.log.Error("load the reference layers imported on another node", slog.Any("err", err))
		}
	}
}
