// Command cluster-demo starts a cluster on loopback for a first look at
// cluster mode (docs/cluster.md): three etcd members, run in this process
// from etcd's own Go module (go.etcd.io/etcd/server/v3/embed, so nothing
// needs installing), and three `matthan serve` nodes on them, sharing one
// clips directory. `make cluster-demo` runs it; Ctrl-C stops the nodes
// (each leaves the cluster), then the members.
//
// The members' data is made afresh at every run, in DIR/etcd, and so are
// the nodes' databases (DIR/node-N): a node's database holds what it
// applied of the cluster's command log, which lives in etcd. The shared
// clips (DIR/clips, with its cluster marker) stay.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "cluster-demo:", err)
		os.Exit(1)
	}
}

func run() error {
	bin := flag.String("matthan", "bin/matthan", "the matthan `BINARY`")
	dir := flag.String("dir", "data/cluster-demo", "the demo's data `DIR`")
	nodes := flag.Int("nodes", 3, "matthan nodes")
	members := flag.Int("members", 3, "etcd members")
	firstPort := flag.Int("port", 8081, "the first node's API `PORT`; the others follow")
	flag.Parse()
	if _, err := os.Stat(*bin); err != nil {
		return fmt.Errorf("%w (make build makes it)", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	etcdDir := filepath.Join(*dir, "etcd")
	if err := os.RemoveAll(etcdDir); err != nil {
		return err
	}
	for i := range *nodes {
		if err := os.RemoveAll(filepath.Join(*dir, fmt.Sprintf("node-%d", i+1))); err != nil {
			return err
		}
	}
	cluster, err := startMembers(etcdDir, *members)
	if err != nil {
		return err
	}
	defer cluster.close()
	endpoints := strings.Join(cluster.clients, ",")
	fmt.Printf("etcd members: %s\n", endpoints)

	token := os.Getenv("MATTHAN_ADMIN_TOKEN")
	if token == "" {
		var raw [18]byte
		_, _ = rand.Read(raw[:])
		token = hex.EncodeToString(raw[:])
	}
	var procs []*exec.Cmd
	var wg sync.WaitGroup
	for i := range *nodes {
		id := fmt.Sprintf("node-%d", i+1)
		listen := fmt.Sprintf("127.0.0.1:%d", *firstPort+i)
		cmd := exec.Command(*bin, "serve")
		cmd.Env = append(os.Environ(),
			"MATTHAN_ADMIN_TOKEN="+token,
			"MATTHAN_LISTEN="+listen,
			"MATTHAN_DB="+filepath.Join(*dir, id, "matthan.db"),
			"MATTHAN_CLIPS_DIR="+filepath.Join(*dir, "clips"),
			"MATTHAN_CLUSTER_NAME=demo",
			"MATTHAN_CLUSTER_ETCD_ENDPOINTS="+endpoints,
			"MATTHAN_CLUSTER_NODE_ID="+id,
			"MATTHAN_CLUSTER_ADVERTISE_URL=http://"+listen,
		)
		out, err := cmd.StdoutPipe()
		if err != nil {
			return err
		}
		cmd.Stderr = cmd.Stdout // one pipe: the node's lines, prefixed
		if err := cmd.Start(); err != nil {
			return err
		}
		procs = append(procs, cmd)
		wg.Go(func() { prefix(os.Stdout, out, "["+id+"] ") })
		fmt.Printf("%s: http://%s\n", id, listen)
	}
	fmt.Printf("admin token: %s\nCtrl-C stops the nodes, then the members.\n", token)

	<-ctx.Done()
	for _, p := range procs {
		_ = p.Process.Signal(syscall.SIGTERM)
	}
	wg.Wait() // every node's output read to its end
	var errs []error
	for _, p := range procs {
		if err := p.Wait(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", strings.Join(p.Args, " "), err))
		}
	}
	return errors.Join(errs...)
}

// prefix copies r's lines to w, each after p, until r ends.
func prefix(w io.Writer, r io.Reader, p string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		fmt.Fprintln(w, p+sc.Text())
	}
	_, _ = io.Copy(io.Discard, r) // a line too long: drain, the node must not block
}

// members are etcd members run in this process.
type members struct {
	etcds   []*embed.Etcd
	clients []string
}

// startMembers starts n members that form one cluster on loopback ports
// the system hands out, and waits until they are ready.
func startMembers(dir string, n int) (*members, error) {
	peers, clients := make([]string, n), make([]string, n)
	for i := range n {
		p, err := freeAddr()
		if err != nil {
			return nil, err
		}
		c, err := freeAddr()
		if err != nil {
			return nil, err
		}
		peers[i], clients[i] = "http://"+p, "http://"+c
	}
	initial := make([]string, n)
	for i := range n {
		initial[i] = fmt.Sprintf("m%d=%s", i, peers[i])
	}
	m := &members{clients: clients}
	for i := range n {
		cfg := embed.NewConfig()
		cfg.Name = fmt.Sprintf("m%d", i)
		cfg.Dir = filepath.Join(dir, cfg.Name)
		cfg.InitialCluster = strings.Join(initial, ",")
		cfg.InitialClusterToken = "matthan-demo"
		cfg.ClusterState = embed.ClusterStateFlagNew
		pu, _ := url.Parse(peers[i])
		cu, _ := url.Parse(clients[i])
		cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*pu}, []url.URL{*pu}
		cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*cu}, []url.URL{*cu}
		cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
		e, err := embed.StartEtcd(cfg)
		if err != nil {
			m.close()
			return nil, fmt.Errorf("etcd member %s: %w", cfg.Name, err)
		}
		m.etcds = append(m.etcds, e)
	}
	// Members wait for each other's votes: started together, awaited after.
	for _, e := range m.etcds {
		select {
		case <-e.Server.ReadyNotify():
		case err := <-e.Err():
			m.close()
			return nil, fmt.Errorf("etcd member: %w", err)
		case <-time.After(time.Minute):
			m.close()
			return nil, errors.New("etcd members not ready after a minute")
		}
	}
	return m, nil
}

func (m *members) close() {
	for _, e := range m.etcds {
		e.Close()
	}
}

// freeAddr returns a loopback address whose port the system just handed
// out.
func freeAddr() (string, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	return addr, l.Close()
}
