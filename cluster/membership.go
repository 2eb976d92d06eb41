package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
)

// DefaultTTL is how long a node stays in the live set after its last
// keep-alive reached etcd.
const DefaultTTL = 10 * time.Second

// Node is a member of the cluster as the others see it.
type Node struct {
	ID           string `json:"id"`
	AdvertiseURL string `json:"advertise_url"`
}

// ErrNodeIDInUse means another live node holds the node id.
var ErrNodeIDInUse = errors.New("node id in use")

// Membership is this node's place in the cluster: a lease that keeps it
// in the live set while it runs, and a watch that keeps the live set.
type Membership struct {
	cli     *clientv3.Client
	keys    keys
	self    Node
	session *concurrency.Session
	cancel  context.CancelFunc
	stopped chan struct{}

	mu      sync.Mutex
	live    map[string]Node
	changed chan struct{} // buffered 1: a pending notice of a change
}

// Join puts self in the live set of the named cluster under a lease of
// ttl (rounded up to whole seconds, DefaultTTL when 0) and starts
// watching the live set. The lease is kept alive until Close, or until
// etcd cannot be reached for ttl: then Lost is closed and the others
// take over this node's cameras.
func Join(ctx context.Context, cli *clientv3.Client, cluster string, self Node, ttl time.Duration) (*Membership, error) {
	k, err := newKeys(cluster)
	if err != nil {
		return nil, err
	}
	if self.ID == "" || strings.ContainsAny(self.ID, "/\x00") {
		return nil, fmt.Errorf("node id %q: must be non-empty, without / or NUL", self.ID)
	}
	if ttl == 0 {
		ttl = DefaultTTL
	}
	if ttl < time.Second {
		return nil, fmt.Errorf("node ttl %s: must be at least 1s", ttl)
	}
	value, err := json.Marshal(self)
	if err != nil {
		return nil, err
	}
	key := k.nodesPrefix() + self.ID
	// A node id held by another advertise URL belongs to another running
	// node; the same URL is this node restarted before its lease lapsed.
	resp, err := cli.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("join as %s: %w", self.ID, err)
	}
	if len(resp.Kvs) == 1 {
		var other Node
		if err := json.Unmarshal(resp.Kvs[0].Value, &other); err == nil && other.AdvertiseURL != self.AdvertiseURL {
			return nil, fmt.Errorf("join as %s: %w by %s", self.ID, ErrNodeIDInUse, other.AdvertiseURL)
		}
	}
	// The session's keep-alives must outlive ctx, which only bounds Join.
	bg, cancel := context.WithCancel(context.Background())
	session, err := concurrency.NewSession(cli, concurrency.WithTTL(int(math.Ceil(ttl.Seconds()))), concurrency.WithContext(bg))
	if err != nil {
		cancel()
		return nil, fmt.Errorf("join as %s: lease: %w", self.ID, err)
	}
	if _, err := cli.Put(ctx, key, string(value), clientv3.WithLease(session.Lease())); err != nil {
		cancel()
		_ = session.Close()
		return nil, fmt.Errorf("join as %s: %w", self.ID, err)
	}
	m := &Membership{cli: cli, keys: k, self: self, session: session, cancel: cancel,
		stopped: make(chan struct{}), live: map[string]Node{}, changed: make(chan struct{}, 1)}
	rev, err := m.load(ctx)
	if err != nil {
		_ = session.Close()
		cancel()
		return nil, err
	}
	go m.watch(bg, rev)
	return m, nil
}

// Self returns this node.
func (m *Membership) Self() Node { return m.self }

// Live returns the ids of the live nodes, sorted.
func (m *Membership) Live() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Sorted(maps.Keys(m.live))
}

// Nodes returns the live nodes, sorted by id.
func (m *Membership) Nodes() []Node {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Node, 0, len(m.live))
	for _, id := range slices.Sorted(maps.Keys(m.live)) {
		out = append(out, m.live[id])
	}
	return out
}

// Owner returns the live node that polls camera (see Owner).
func (m *Membership) Owner(camera string) string {
	return Owner(camera, m.Live())
}

// Changed receives a value after the live set changed. Notices coalesce:
// a reader compares Live with the set it saw last (Moves lists the
// cameras that change hands), so a slow reader never holds the watch up.
func (m *Membership) Changed() <-chan struct{} { return m.changed }

// Lost is closed when this node's lease is gone (etcd unreachable for
// the TTL, or Close): the other nodes no longer count it as live.
func (m *Membership) Lost() <-chan struct{} { return m.session.Done() }

// PublishApplied records, under this node's lease, the revision up to
// which it has applied the log, for Compact.
func (m *Membership) PublishApplied(ctx context.Context, rev int64) error {
	_, err := m.cli.Put(ctx, m.keys.appliedPrefix()+m.self.ID, strconv.FormatInt(rev, 10), clientv3.WithLease(m.session.Lease()))
	if err != nil {
		return fmt.Errorf("publish applied revision %d: %w", rev, err)
	}
	return nil
}

// Close leaves the cluster: the lease is revoked, so the node leaves the
// live set at once rather than after the TTL.
func (m *Membership) Close() error {
	// The session revokes its lease with the context given at Join, so
	// that context ends only after.
	err := m.session.Close()
	m.cancel()
	<-m.stopped
	if err != nil {
		return fmt.Errorf("leave as %s: %w", m.self.ID, err)
	}
	return nil
}

// load reads the live set and returns the revision it was read at.
func (m *Membership) load(ctx context.Context) (int64, error) {
	resp, err := m.cli.Get(ctx, m.keys.nodesPrefix(), clientv3.WithPrefix())
	if err != nil {
		return 0, fmt.Errorf("read live nodes: %w", err)
	}
	live := map[string]Node{}
	for _, kv := range resp.Kvs {
		var n Node
		if err := json.Unmarshal(kv.Value, &n); err != nil {
			return 0, fmt.Errorf("node %q: %w", kv.Key, err)
		}
		live[strings.TrimPrefix(string(kv.Key), m.keys.nodesPrefix())] = n
	}
	m.mu.Lock()
	differs := !maps.Equal(live, m.live)
	m.live = live
	m.mu.Unlock()
	if differs {
		m.notify()
	}
	return resp.Header.Revision, nil
}

// watch keeps the live set from revision rev on until ctx ends. When the
// watch breaks (its member down or cut off), it reads the set again and
// watches from there.
func (m *Membership) watch(ctx context.Context, rev int64) {
	defer close(m.stopped)
	pause := retryMin
	for {
		wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
		for resp := range m.cli.Watch(wctx, m.keys.nodesPrefix(), clientv3.WithPrefix(), clientv3.WithRev(rev+1)) {
			if resp.Err() != nil || resp.CompactRevision != 0 {
				break
			}
			m.apply(resp.Events)
			pause = retryMin
		}
		cancel()
		for {
			t := time.NewTimer(pause)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			pause = min(2*pause, retryMax)
			var err error
			if rev, err = m.load(ctx); err == nil {
				break
			}
		}
	}
}

// apply updates the live set with watch events.
func (m *Membership) apply(events []*clientv3.Event) {
	m.mu.Lock()
	changed := false
	for _, ev := range events {
		id := strings.TrimPrefix(string(ev.Kv.Key), m.keys.nodesPrefix())
		if ev.Type == clientv3.EventTypeDelete {
			_, was := m.live[id]
			delete(m.live, id)
			changed = changed || was
			continue
		}
		var n Node
		if err := json.Unmarshal(ev.Kv.Value, &n); err != nil {
			continue // not written by Join: not a node
		}
		if old, was := m.live[id]; !was || old != n {
			m.live[id] = n
			changed = true
		}
	}
	m.mu.Unlock()
	if changed {
		m.notify()
	}
}

func (m *Membership) notify() {
	select {
	case m.changed <- struct{}{}:
	default:
	}
}

// LiveNodes reads, without joining, the live nodes of the named cluster
// (by id) and the revision each has published as applied: a node that
// starts reads them to copy a peer's registry before it joins, so that
// it takes its share of the cameras only once it can poll them.
func LiveNodes(ctx context.Context, cli *clientv3.Client, cluster string) (map[string]Node, map[string]int64, error) {
	k, err := newKeys(cluster)
	if err != nil {
		return nil, nil, err
	}
	resp, err := cli.Txn(ctx).Then(
		clientv3.OpGet(k.nodesPrefix(), clientv3.WithPrefix()),
		clientv3.OpGet(k.appliedPrefix(), clientv3.WithPrefix()),
	).Commit()
	if err != nil {
		return nil, nil, fmt.Errorf("read the live nodes: %w", err)
	}
	nodes := map[string]Node{}
	for _, kv := range resp.Responses[0].GetResponseRange().Kvs {
		var n Node
		if err := json.Unmarshal(kv.Value, &n); err != nil {
			return nil, nil, fmt.Errorf("node %q: %w", kv.Key, err)
		}
		nodes[strings.TrimPrefix(string(kv.Key), k.nodesPrefix())] = n
	}
	applied := map[string]int64{}
	for _, kv := range resp.Responses[1].GetResponseRange().Kvs {
		rev, err := strconv.ParseInt(string(kv.Value), 10, 64)
		if err != nil {
			return nil, nil, fmt.Errorf("applied revision %q of %s: %w", kv.Value, kv.Key, err)
		}
		applied[strings.TrimPrefix(string(kv.Key), k.appliedPrefix())] = rev
	}
	return nodes, applied, nil
}
