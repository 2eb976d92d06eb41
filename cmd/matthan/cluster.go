package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/matthan/matthan/cluster"
)

// Cluster mode at start (docs/cluster.md, "Running a node"): with
// cluster.etcd_endpoints set, the daemon connects to etcd, checks that
// clips.dir is the cluster's shared directory, joins the live nodes under
// a lease, and polls only the cameras the rendezvous hash gives it. On
// shutdown it revokes its lease, so the others take its cameras over at
// once rather than after the lease's TTL.

// etcdDialTimeout bounds the start's wait for an etcd member to answer.
const etcdDialTimeout = 5 * time.Second

// rejoinPause bounds the pause between attempts to join again after the
// node's lease was lost.
const (
	rejoinMin = 100 * time.Millisecond
	rejoinMax = 5 * time.Second
)

// clusterNode is this daemon's place in the cluster.
type clusterNode struct {
	cfg  *config
	log  *slog.Logger
	cli  *clientv3.Client
	self cluster.Node

	mu      sync.Mutex
	members *cluster.Membership // replaced when the node joins again

	// rep follows the command log (replicate.go); set by serveStore.
	rep *replication

	// live is the set of live nodes the shard follows: taken from the
	// membership by follow, just before it asks the poller to reshard,
	// so that the poller's answers change only then. A node that lost its
	// lease owns nothing until it is back.
	live atomic.Pointer[[]string]
}

// joinCluster connects to etcd, checks the clips marker and joins the
// cluster's live nodes (connectCluster, then joinLive). The returned
// node's owns says which cameras this node polls; follow keeps it up to
// date; leave ends it all.
func joinCluster(ctx context.Context, cfg *config, reg prometheus.Registerer, log *slog.Logger) (*clusterNode, error) {
	n, err := connectCluster(ctx, cfg, reg, log)
	if err != nil {
		return nil, err
	}
	if err := n.joinLive(ctx); err != nil {
		_ = n.leave()
		return nil, err
	}
	return n, nil
}

// connectCluster connects to etcd, checks the clips marker and that no
// live node holds this node's id, and registers the cluster's metrics.
// The node is not live yet: the daemon joins (joinLive) once its
// registry has caught up with the log, so that it takes its share of the
// cameras only when it can poll them.
func connectCluster(ctx context.Context, cfg *config, reg prometheus.Registerer, log *slog.Logger) (*clusterNode, error) {
	tlsCfg, err := cfg.etcdTLS()
	if err != nil {
		return nil, err
	}
	eps := cfg.Cluster.EtcdEndpoints
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   eps,
		DialTimeout: etcdDialTimeout,
		TLS:         tlsCfg,
		// The client's own logs are retries the daemon reports in its
		// terms (a failed start, a lost lease).
		Logger: zap.NewNop(),
	})
	if err != nil {
		return nil, fmt.Errorf("config: cluster.etcd_endpoints: %w", err)
	}
	n := &clusterNode{cfg: cfg, log: log, cli: cli, self: cluster.Node{ID: cfg.Cluster.NodeID, AdvertiseURL: cfg.Cluster.AdvertiseURL}}
	fail := func(err error) (*clusterNode, error) {
		_ = cli.Close()
		return nil, err
	}
	// The client dials lazily: the first request is where no member
	// answering shows.
	cctx, cancel := context.WithTimeout(ctx, etcdDialTimeout)
	defer cancel()
	if _, err := cli.Get(cctx, clipsMarkerKey(cfg.Cluster.Name)); err != nil {
		return fail(fmt.Errorf("config: cluster.etcd_endpoints: no etcd member answered at %s within %s: %w", strings.Join(eps, ", "), etcdDialTimeout, err))
	}
	if err := checkClipsMarker(cctx, cli, cfg.Cluster.Name, cfg.Clips.Dir); err != nil {
		return fail(err)
	}
	// Join checks the id again; checking it now spares a node started
	// with another's id the copy and the catch-up before it is refused.
	live, _, err := cluster.LiveNodes(cctx, cli, cfg.Cluster.Name)
	if err != nil {
		return fail(err)
	}
	if other, ok := live[n.self.ID]; ok && other.AdvertiseURL != n.self.AdvertiseURL {
		return fail(fmt.Errorf("config: cluster.node_id: join as %s: %w by %s: every node needs its own id", n.self.ID, cluster.ErrNodeIDInUse, other.AdvertiseURL))
	}
	if err := n.register(reg); err != nil {
		return fail(err)
	}
	return n, nil
}

// joinLive puts the node in the live set: from then on it owns the
// cameras the rendezvous hash gives it.
func (n *clusterNode) joinLive(ctx context.Context) error {
	jctx, cancel := context.WithTimeout(ctx, etcdDialTimeout)
	defer cancel()
	m, err := n.join(jctx)
	if err != nil {
		return err
	}
	// Join's first read of the live set left a notice. When the set is
	// the one the poller loaded its share for (presumeLive), only later
	// changes matter; when it is not (a node came or went meanwhile), the
	// notice stays for follow, which reshards.
	presumed := n.live.Load()
	n.mu.Lock()
	n.members = m
	n.mu.Unlock()
	n.takeLive()
	if presumed == nil || slices.Equal(*presumed, *n.live.Load()) {
		select {
		case <-m.Changed():
		default:
		}
	}
	n.log.Info("joined the cluster", slog.String("cluster", n.cfg.Cluster.Name), slog.String("node_id", n.self.ID),
		slog.String("advertise_url", n.self.AdvertiseURL), slog.Any("live_nodes", *n.live.Load()))
	return nil
}

// presumeLive sets the shard to the live set the node is about to join:
// the nodes live now, and itself. The daemon loads its poller's share
// with it before joining (joinLive), so that the cameras that move to
// this node when it joins are probed from its start, not after a load
// of seconds while the nodes that had them have let them go.
func (n *clusterNode) presumeLive(ctx context.Context) error {
	rctx, cancel := context.WithTimeout(ctx, etcdDialTimeout)
	defer cancel()
	nodes, _, err := cluster.LiveNodes(rctx, n.cli, n.cfg.Cluster.Name)
	if err != nil {
		return err
	}
	nodes[n.self.ID] = n.self
	live := slices.Sorted(maps.Keys(nodes))
	n.live.Store(&live)
	return nil
}

// advertiseAt returns adv with a port of 0 replaced by the port of addr,
// where the node listens: on loopback (tests, make cluster-demo) the
// system picks the ports, and the other nodes must reach this one there.
func advertiseAt(adv string, addr net.Addr) string {
	u, err := url.Parse(adv)
	tcp, ok := addr.(*net.TCPAddr)
	if err != nil || u.Port() != "0" || !ok {
		return adv
	}
	u.Host = net.JoinHostPort(u.Hostname(), strconv.Itoa(tcp.Port))
	return u.String()
}

// join puts this node in the live set.
func (n *clusterNode) join(ctx context.Context) (*cluster.Membership, error) {
	m, err := cluster.Join(ctx, n.cli, n.cfg.Cluster.Name, n.self, time.Duration(n.cfg.Cluster.LeaseTTL))
	if errors.Is(err, cluster.ErrNodeIDInUse) {
		return nil, fmt.Errorf("config: cluster.node_id: %w: every node needs its own id", err)
	}
	if err != nil {
		return nil, fmt.Errorf("join cluster %q: %w", n.cfg.Cluster.Name, err)
	}
	return m, nil
}

// membership returns the current membership.
func (n *clusterNode) membership() *cluster.Membership {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.members
}

// takeLive makes the membership's live set the shard's.
func (n *clusterNode) takeLive() {
	live := n.membership().Live()
	n.live.Store(&live)
}

// owns reports whether this node polls camera id: whether it is the live
// node with the highest rendezvous hash for it (ingest.Options.Owns).
func (n *clusterNode) owns(id string) bool {
	live := n.live.Load()
	return live != nil && cluster.Owner(id, *live) == n.self.ID
}

// follow keeps the shard in step with the live set until ctx ends: on
// every change it takes the new set and calls reshard (nil when the
// poller is off). When the node's own lease is lost (etcd unreachable
// for the TTL) the others have taken its cameras: it owns none, and
// joins again, with pauses, until it is back.
func (n *clusterNode) follow(ctx context.Context, reshard func(context.Context) error) {
	apply := func() {
		if reshard == nil {
			return
		}
		if err := reshard(ctx); err != nil && ctx.Err() == nil {
			n.log.Error("move cameras between nodes", slog.Any("err", err))
		}
	}
	for {
		m := n.membership()
		select {
		case <-ctx.Done():
			return
		case <-m.Changed():
			n.takeLive()
			n.log.Info("cluster nodes changed", slog.Any("live_nodes", *n.live.Load()))
			apply()
		case <-m.Lost():
			n.live.Store(&[]string{})
			n.log.Error("this node's lease in etcd is lost: the other nodes poll its cameras until it joins again")
			apply()
			_ = m.Close() // its watch; the lease is gone already
			if !n.rejoin(ctx) {
				return
			}
			n.takeLive()
			n.log.Info("joined the cluster again", slog.Any("live_nodes", *n.live.Load()))
			apply()
		}
	}
}

// rejoin joins again until it succeeds (true) or ctx ends (false).
func (n *clusterNode) rejoin(ctx context.Context) bool {
	pause := rejoinMin
	for {
		jctx, cancel := context.WithTimeout(ctx, etcdDialTimeout)
		m, err := n.join(jctx)
		cancel()
		if err == nil {
			select {
			case <-m.Changed():
			default:
			}
			n.mu.Lock()
			n.members = m
			n.mu.Unlock()
			return true
		}
		n.log.Warn("join the cluster again", slog.Any("err", err), slog.Duration("next_attempt_in", pause))
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
		pause = min(2*pause, rejoinMax)
	}
}

// leave stops following the log, revokes the node's lease (when it
// joined), so that the others take its cameras over at once, and closes
// the etcd client.
func (n *clusterNode) leave() error {
	if n.rep != nil {
		n.rep.stop() // before its client closes; nothing writes any more
	}
	var err error
	if m := n.membership(); m != nil { // nil before the node joined
		err = m.Close()
	}
	if cerr := n.cli.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close the etcd client: %w", cerr)
	}
	return err
}

// register adds the cluster's metrics: how many nodes are live, as this
// node sees them, and which node this is. Probe figures need no node
// label: each node's /metrics counts its own probes only, and
// Prometheus tells the nodes apart by their instance.
func (n *clusterNode) register(reg prometheus.Registerer) error {
	live := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "matthan_cluster_nodes_live",
		Help: "Nodes of the cluster that hold a lease in etcd, as this node sees them (0 while its own lease is lost).",
	}, func() float64 {
		if l := n.live.Load(); l != nil {
			return float64(len(*l))
		}
		return 0
	})
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "matthan_cluster_node_info",
		Help:        "A metric with a constant value 1, labelled by the cluster and the id and advertise URL of this node.",
		ConstLabels: prometheus.Labels{"cluster": n.cfg.Cluster.Name, "node": n.self.ID, "advertise_url": n.self.AdvertiseURL},
	})
	info.Set(1)
	for _, c := range []prometheus.Collector{live, info} {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("register cluster metrics: %w", err)
		}
	}
	return nil
}
