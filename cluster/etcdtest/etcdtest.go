// Package etcdtest starts real etcd members in-process, on loopback, for
// the tests of the cluster package and, later, the daemon's end-to-end
// tests. Members are go.etcd.io/etcd/server/v3/embed servers, the same
// code as the etcd binary, each with its data directory in t.TempDir().
//
// Ports are the ones the operating system hands out: each is found by
// listening on 127.0.0.1:0 and closing, as etcd's own tests do when they
// use TCP. All of a cluster's ports are reserved together, before the
// first member starts, because every member must know every peer URL at
// bootstrap. A member that stops keeps its ports and data, so Restart
// brings the same member back.
package etcdtest

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// startTimeout bounds how long a member may take to join and be ready.
const startTimeout = 30 * time.Second

// Cluster is a set of etcd members started by Start.
type Cluster struct {
	t       testing.TB
	Members []*Member
}

// Member is one etcd member of a Cluster.
type Member struct {
	t         testing.TB
	Name      string
	ClientURL string
	dir       string
	cfg       *embed.Config
	etcd      *embed.Etcd
}

// Options change how members run.
type Options struct {
	// Fsync makes members sync their write-ahead log to disk as etcd does
	// in production; tests leave it off (their data dies with them),
	// benchmarks that report a write's latency turn it on.
	Fsync bool
}

// Start starts n members that form one cluster, waits until all are
// ready, and stops them when the test ends. Members do not fsync.
func Start(t testing.TB, n int) *Cluster {
	t.Helper()
	return StartWith(t, n, Options{})
}

// StartWith is Start with options.
func StartWith(t testing.TB, n int, opt Options) *Cluster {
	t.Helper()
	c := &Cluster{t: t}
	peers := make([]string, n)
	clients := make([]string, n)
	for i := range n {
		peers[i] = "http://" + freeAddr(t)
		clients[i] = "http://" + freeAddr(t)
	}
	initial := make([]string, n)
	for i := range n {
		initial[i] = fmt.Sprintf("m%d=%s", i, peers[i])
	}
	for i := range n {
		m := &Member{t: t, Name: fmt.Sprintf("m%d", i), ClientURL: clients[i], dir: t.TempDir()}
		m.cfg = config(t, m.Name, m.dir, peers[i], clients[i], strings.Join(initial, ","))
		m.cfg.UnsafeNoFsync = !opt.Fsync
		c.Members = append(c.Members, m)
	}
	// Members wait for each other's votes, so they start together and are
	// awaited after.
	for _, m := range c.Members {
		m.start()
	}
	for _, m := range c.Members {
		m.waitReady()
	}
	t.Cleanup(func() {
		for _, m := range c.Members {
			m.Stop()
		}
	})
	return c
}

// Endpoints returns the client URLs of every member, stopped or not.
func (c *Cluster) Endpoints() []string {
	eps := make([]string, len(c.Members))
	for i, m := range c.Members {
		eps[i] = m.ClientURL
	}
	return eps
}

// Client returns a client of the cluster that knows every member's
// endpoint; it is closed when the test ends.
func (c *Cluster) Client(t testing.TB) *clientv3.Client {
	t.Helper()
	return NewClient(t, c.Endpoints())
}

// NewClient returns an etcd client of endpoints, closed when the test
// ends.
func NewClient(t testing.TB, endpoints []string) *clientv3.Client {
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   endpoints,
		DialTimeout: 5 * time.Second,
		Logger:      zap.NewNop(),
	})
	if err != nil {
		t.Fatalf("etcd client of %v: %v", endpoints, err)
	}
	t.Cleanup(func() { _ = cli.Close() })
	return cli
}

// Stop stops the member and waits until it has; its data stays for
// Restart. Stopping a stopped member does nothing.
func (m *Member) Stop() {
	if m.etcd == nil {
		return
	}
	m.etcd.Close()
	m.etcd = nil
}

// Restart starts a stopped member again on its ports and data directory
// and waits until it is ready.
func (m *Member) Restart() {
	m.t.Helper()
	if m.etcd != nil {
		m.t.Fatalf("member %s: restart of a running member", m.Name)
	}
	// A restarted member finds its cluster in its data directory.
	m.cfg.ClusterState = embed.ClusterStateFlagExisting
	m.start()
	m.waitReady()
}

func (m *Member) start() {
	m.t.Helper()
	e, err := embed.StartEtcd(m.cfg)
	if err != nil {
		m.t.Fatalf("member %s: start: %v", m.Name, err)
	}
	m.etcd = e
}

func (m *Member) waitReady() {
	m.t.Helper()
	select {
	case <-m.etcd.Server.ReadyNotify():
	case err := <-m.etcd.Err():
		m.t.Fatalf("member %s: %v", m.Name, err)
	case <-time.After(startTimeout):
		m.t.Fatalf("member %s: not ready after %s", m.Name, startTimeout)
	}
}

// config is a member's configuration: quiet logs, a short heartbeat so
// that elections after a stop take well under a second.
func config(t testing.TB, name, dir, peer, client, initial string) *embed.Config {
	t.Helper()
	cfg := embed.NewConfig()
	cfg.Name = name
	cfg.Dir = dir
	cfg.InitialCluster = initial
	cfg.InitialClusterToken = "matthan-test"
	cfg.ClusterState = embed.ClusterStateFlagNew
	cfg.ListenPeerUrls = []url.URL{mustURL(t, peer)}
	cfg.AdvertisePeerUrls = cfg.ListenPeerUrls
	cfg.ListenClientUrls = []url.URL{mustURL(t, client)}
	cfg.AdvertiseClientUrls = cfg.ListenClientUrls
	cfg.TickMs = 50
	cfg.ElectionMs = 500
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	return cfg
}

func mustURL(t testing.TB, s string) url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatalf("url %q: %v", s, err)
	}
	return *u
}

// freeAddr returns a loopback address whose port the system just handed
// out and that nothing listens on any more.
func freeAddr(t testing.TB) string {
	t.Helper()
	var lc net.ListenConfig
	l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatalf("free port: %v", err)
	}
	return addr
}
