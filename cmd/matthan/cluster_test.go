package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/matthan/matthan/cluster/etcdtest"
)

// clusterWait bounds the waits of these tests; it paces nothing.
const clusterWait = 20 * time.Second

// clusterConfigFor is a cluster-mode configuration of node id on the
// members of c, with clips in clips.
func clusterConfigFor(t *testing.T, c *etcdtest.Cluster, id, clips string) *config {
	t.Helper()
	cfg := defaultConfig()
	cfg.Clips.Dir = clips
	cfg.Cluster.Name = "test"
	cfg.Cluster.EtcdEndpoints = c.Endpoints()
	cfg.Cluster.NodeID = id
	cfg.Cluster.AdvertiseURL = "http://" + id + ".example:8080"
	cfg.Cluster.LeaseTTL = duration(2 * time.Second)
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// quiet is a logger that discards.
func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// followedNode is a node joined by joinCluster whose shard follow keeps
// up to date; each reshard is announced on resharded; stop stops
// following and leaves the cluster.
type followedNode struct {
	*clusterNode
	resharded chan struct{}
	stop      func()

	mu   sync.Mutex
	sets [][]string // every live set the shard took, in order
}

// liveSets returns the live sets the shard took from the i-th on.
func (f *followedNode) liveSets(i int) [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sets[min(i, len(f.sets)):])
}

// joinFollowed joins node id and runs its follow until the test ends.
func joinFollowed(t *testing.T, cfg *config) *followedNode {
	t.Helper()
	n, err := joinCluster(context.Background(), cfg, prometheus.NewRegistry(), quiet())
	if err != nil {
		t.Fatalf("join %s: %v", cfg.Cluster.NodeID, err)
	}
	return followed(t, n)
}

// followed runs the follow of joined node n until the test ends.
func followed(t *testing.T, n *clusterNode) *followedNode {
	t.Helper()
	f := &followedNode{clusterNode: n, resharded: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		n.follow(ctx, func(context.Context) error {
			f.mu.Lock()
			f.sets = append(f.sets, slices.Clone(*n.live.Load()))
			f.mu.Unlock()
			select {
			case f.resharded <- struct{}{}:
			default:
			}
			return nil
		})
	})
	var once sync.Once
	f.stop = func() {
		once.Do(func() {
			cancel()
			wg.Wait()
			_ = n.leave()
		})
	}
	t.Cleanup(f.stop)
	return f
}

// waitLive waits, on f's reshards, until the shard's live set is want.
func (f *followedNode) waitLive(t *testing.T, want ...string) {
	t.Helper()
	timer := time.NewTimer(clusterWait)
	defer timer.Stop()
	for {
		if got := *f.live.Load(); slices.Equal(got, want) {
			return
		}
		select {
		case <-f.resharded:
		case <-timer.C:
			t.Fatalf("node %s: live set %v, want %v", f.self.ID, *f.live.Load(), want)
		}
	}
}

// TestClusterShardsDisjoint starts two nodes on a real etcd member: the
// cameras each polls are disjoint and cover all; when one leaves (its
// lease revoked) the other polls all; when a node's lease is lost behind
// its back it polls nothing, joins again, and takes its share back.
func TestClusterShardsDisjoint(t *testing.T) {
	c := etcdtest.Start(t, 1)
	clips := t.TempDir()
	a := joinFollowed(t, clusterConfigFor(t, c, "a", clips))
	b := joinFollowed(t, clusterConfigFor(t, c, "b", clips))
	a.waitLive(t, "a", "b")
	b.waitLive(t, "a", "b")

	cams := make([]string, 3000)
	for i := range cams {
		cams[i] = fmt.Sprintf("CG-%06d", i)
	}
	checkShards := func(nodes ...*followedNode) {
		t.Helper()
		counts := map[string]int{}
		for _, id := range cams {
			var owners []string
			for _, n := range nodes {
				if n.owns(id) {
					owners = append(owners, n.self.ID)
				}
			}
			if len(owners) != 1 {
				t.Fatalf("camera %s is polled by %v, want exactly one node", id, owners)
			}
			counts[owners[0]]++
		}
		for _, n := range nodes {
			// An even share within a wide margin: rendezvous hashing.
			if share := float64(counts[n.self.ID]) / float64(len(cams)); share < 0.8/float64(len(nodes)) {
				t.Errorf("node %s polls %d of %d cameras", n.self.ID, counts[n.self.ID], len(cams))
			}
		}
	}
	checkShards(a, b)

	// b's lease is lost behind its back (as when etcd cannot hear it for
	// the TTL): it polls nothing, a polls all, then b is back.
	cli := c.Client(t)
	resp, err := cli.Get(context.Background(), "/matthan/test/nodes/b")
	if err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("b's key: %v %v", resp, err)
	}
	before := len(b.liveSets(0))
	if _, err := cli.Revoke(context.Background(), clientv3.LeaseID(resp.Kvs[0].Lease)); err != nil {
		t.Fatal(err)
	}
	a.waitLive(t, "a")
	checkShards(a)
	a.waitLive(t, "a", "b")
	b.waitLive(t, "a", "b")
	checkShards(a, b)
	// Meanwhile b took a live set without itself — it owned no camera —
	// before it was back. (It hears of the loss on its own watch or its
	// session, a moment after a: the sets it took say what it polled.)
	sets := b.liveSets(before)
	lost := slices.IndexFunc(sets, func(l []string) bool { return !slices.Contains(l, "b") })
	if lost < 0 {
		t.Errorf("b's shard went %v after its lease was lost: it never stopped polling", sets)
	} else if !slices.ContainsFunc(sets[lost:], func(l []string) bool { return slices.Contains(l, "b") }) {
		t.Errorf("b's shard went %v: it did not take its cameras back", sets)
	}

	// b leaves cleanly: its lease is revoked, a takes every camera at once.
	b.stop()
	a.waitLive(t, "a")
	checkShards(a)
}

// TestClusterPresumeLive: a node about to join owns, for its poller's
// load, the share it will have in the live set it joins (the nodes live
// now and itself), while the live nodes keep those cameras until it has
// joined. When the live set changed in between (a node left), the node
// reshards once it has joined.
func TestClusterPresumeLive(t *testing.T) {
	ctx := context.Background()
	c := etcdtest.Start(t, 1)
	clips := t.TempDir()
	a := joinFollowed(t, clusterConfigFor(t, c, "a", clips))
	a.waitLive(t, "a")
	connect := func(id string) *clusterNode {
		t.Helper()
		n, err := connectCluster(ctx, clusterConfigFor(t, c, id, clips), prometheus.NewRegistry(), quiet())
		if err != nil {
			t.Fatalf("connect %s: %v", id, err)
		}
		t.Cleanup(func() { _ = n.leave() })
		if err := n.presumeLive(ctx); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		return n
	}

	b := connect("b")
	if got := *b.live.Load(); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("b presumes the live set %v, want [a b]", got)
	}
	var mine []string // cameras b will poll
	for i := 0; len(mine) < 100; i++ {
		if id := fmt.Sprintf("CG-%06d", i); b.owns(id) {
			mine = append(mine, id)
		}
	}
	for _, id := range mine {
		if !a.owns(id) {
			t.Fatalf("camera %s: a let it go before b joined", id)
		}
	}
	if err := b.joinLive(ctx); err != nil {
		t.Fatal(err)
	}
	a.waitLive(t, "a", "b")
	for _, id := range mine {
		if a.owns(id) || !b.owns(id) {
			t.Fatalf("camera %s after b joined: a owns it %v, b %v", id, a.owns(id), b.owns(id))
		}
	}
	bf := followed(t, b)

	// c presumes [a b c]; b leaves before c joins: c's shard is resharded
	// to the set it joined.
	cn := connect("c")
	if got := *cn.live.Load(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("c presumes the live set %v, want [a b c]", got)
	}
	bf.stop()
	a.waitLive(t, "a")
	if err := cn.joinLive(ctx); err != nil {
		t.Fatal(err)
	}
	cf := followed(t, cn)
	timer := time.NewTimer(clusterWait)
	defer timer.Stop()
	select {
	case <-cf.resharded:
	case <-timer.C:
		t.Fatal("c joined a live set other than the one it loaded for, and did not reshard")
	}
	cf.waitLive(t, "a", "c")
}

// TestClusterClipsMarker runs the check of clips.dir on two data
// directories: the first node's becomes the cluster's; a node on another
// directory, empty or with another cluster's marker, is refused with an
// error naming clips.dir; a node sharing the first one's is accepted.
func TestClusterClipsMarker(t *testing.T) {
	ctx := context.Background()
	c := etcdtest.Start(t, 1)
	cli := c.Client(t)
	shared, other := filepath.Join(t.TempDir(), "clips"), t.TempDir()

	if err := checkClipsMarker(ctx, cli, "test", shared); err != nil {
		t.Fatalf("first node: %v", err)
	}
	file, err := os.ReadFile(filepath.Join(shared, clipsMarkerFile))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := cli.Get(ctx, clipsMarkerKey("test"))
	if err != nil || len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != strings.TrimSpace(string(file)) {
		t.Fatalf("etcd holds %v (%v), the file %q", resp.Kvs, err, file)
	}
	if err := checkClipsMarker(ctx, cli, "test", shared); err != nil {
		t.Errorf("a node on the shared directory: %v", err)
	}
	for _, tt := range []struct {
		name   string
		marker string // "" leaves the directory empty
		want   string
	}{
		{"empty directory", "", "has no .matthan-cluster marker"},
		{"another cluster's directory", "0123456789abcdef0123456789abcdef\n", "marker differs"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(other, strings.ReplaceAll(tt.name, " ", "-"))
			if err := os.MkdirAll(dir, 0o750); err != nil {
				t.Fatal(err)
			}
			if tt.marker != "" {
				if err := os.WriteFile(filepath.Join(dir, clipsMarkerFile), []byte(tt.marker), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := checkClipsMarker(ctx, cli, "test", dir)
			if err == nil || !strings.HasPrefix(err.Error(), "config: clips.dir: "+dir+" is not the cluster's shared directory") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want a clips.dir error saying %q", err, tt.want)
			}
			after, _ := os.ReadFile(filepath.Join(dir, clipsMarkerFile))
			if string(after) != tt.marker {
				t.Errorf("the refused directory's marker is now %q, was %q", after, tt.marker)
			}
		})
	}
}

// TestClusterClipsMarkerFirstNodes starts the first nodes of a cluster at
// once on one shared directory: they agree on one marker, in the file
// and in etcd.
func TestClusterClipsMarkerFirstNodes(t *testing.T) {
	c := etcdtest.Start(t, 1)
	shared := t.TempDir()
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range errs {
		cli := c.Client(t)
		wg.Go(func() { errs[i] = checkClipsMarker(context.Background(), cli, "fresh", shared) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("node %d: %v", i, err)
		}
	}
	file, _ := os.ReadFile(filepath.Join(shared, clipsMarkerFile))
	resp, err := c.Client(t).Get(context.Background(), clipsMarkerKey("fresh"))
	if err != nil || len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != strings.TrimSpace(string(file)) {
		t.Errorf("etcd holds %v (%v), the file %q", resp.Kvs, err, file)
	}
	left, _ := filepath.Glob(filepath.Join(shared, clipsMarkerFile+".*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestClusterJoinErrors: a node that cannot join says which setting is
// at fault.
func TestClusterJoinErrors(t *testing.T) {
	c := etcdtest.Start(t, 1)
	clips := t.TempDir()
	joinFollowed(t, clusterConfigFor(t, c, "a", clips))

	var lc net.ListenConfig
	l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := "http://" + l.Addr().String()
	_ = l.Close()

	tests := []struct {
		name   string
		change func(cfg *config)
		want   string
	}{
		{"no member answers", func(cfg *config) { cfg.Cluster.EtcdEndpoints = []string{deadAddr} },
			"config: cluster.etcd_endpoints: no etcd member answered at " + deadAddr + " within 5s"},
		{"node id in use", func(cfg *config) { cfg.Cluster.AdvertiseURL = "http://elsewhere.example:8080" },
			"config: cluster.node_id: join as a: node id in use by http://a.example:8080: every node needs its own id"},
		{"unreadable CA file", func(cfg *config) { cfg.Cluster.TLS.CAFile = filepath.Join(clips, "missing-ca.pem") },
			"config: cluster.tls.ca_file: cannot be read: open " + filepath.Join(clips, "missing-ca.pem")},
		{"CA file without a certificate", func(cfg *config) {
			bad := filepath.Join(clips, "ca.pem")
			if err := os.WriteFile(bad, []byte("not a certificate"), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg.Cluster.TLS.CAFile = bad
		}, "config: cluster.tls.ca_file: " + filepath.Join(clips, "ca.pem") + " holds no PEM certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := clusterConfigFor(t, c, "a", clips)
			tt.change(cfg)
			n, err := joinCluster(context.Background(), cfg, prometheus.NewRegistry(), quiet())
			if err == nil {
				_ = n.leave()
				t.Fatalf("joined, want %s", tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got %v\nwant %s…", err, tt.want)
			}
		})
	}
}

// TestClusterMetrics: a node's /metrics say how many nodes are live and
// which node it is.
func TestClusterMetrics(t *testing.T) {
	c := etcdtest.Start(t, 1)
	clips := t.TempDir()
	reg := prometheus.NewRegistry()
	n, err := joinCluster(context.Background(), clusterConfigFor(t, c, "a", clips), reg, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = n.leave() }()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			b, _ := json.Marshal(labels)
			got[mf.GetName()] = fmt.Sprintf("%s %v", b, m.GetGauge().GetValue())
		}
	}
	want := map[string]string{
		"matthan_cluster_nodes_live": "{} 1",
		"matthan_cluster_node_info":  `{"advertise_url":"http://a.example:8080","cluster":"test","node":"a"} 1`,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %s, want %s", k, got[k], v)
		}
	}
}
