package main

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/matthan/matthan/cluster/etcdtest"
)

// clusterEnv is the environment of node id of a cluster on members.
func clusterEnv(members *etcdtest.Cluster, id, clips string) []string {
	return []string{
		"MATTHAN_ADMIN_TOKEN=" + e2eAdminToken,
		"MATTHAN_CLUSTER_NAME=e2e",
		"MATTHAN_CLUSTER_ETCD_ENDPOINTS=" + strings.Join(members.Endpoints(), ","),
		"MATTHAN_CLUSTER_NODE_ID=" + id,
		// Port 0: the port the node listens on, where the others reach it.
		"MATTHAN_CLUSTER_ADVERTISE_URL=http://127.0.0.1:0",
		"MATTHAN_CLUSTER_LEASE_TTL=2s",
		"MATTHAN_CLIPS_DIR=" + clips,
	}
}

// scheduledCameras reads matthan_poller_cameras from a node's /metrics.
func scheduledCameras(t *testing.T, base string) int {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^matthan_poller_cameras (\S+)$`).FindSubmatch(raw)
	if m == nil {
		t.Fatalf("%s/metrics has no matthan_poller_cameras", base)
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return int(v)
}

// waitScheduled polls the nodes' /metrics until cond holds of their
// matthan_poller_cameras, in order.
func waitScheduled(t *testing.T, what string, cond func(n []int) bool, nodes ...*proc) {
	t.Helper()
	n := make([]int, len(nodes))
	waitFor(t, startDeadline, func() string { return fmt.Sprintf("%s: the nodes schedule %v cameras", what, n) }, func() bool {
		for i, p := range nodes {
			n[i] = scheduledCameras(t, p.URL)
		}
		return cond(n)
	})
}

// TestEndToEndClusterShard runs two `matthan serve` nodes on a real etcd
// member, each with its own database holding the same cameras: each
// polls its own share, disjoint, covering all (their /metrics say so);
// when one stops, the other polls every camera. A node on a clips.dir
// that is not the cluster's, or with a bad node id, refuses to start and
// names the setting.
func TestEndToEndClusterShard(t *testing.T) {
	t.Parallel()
	members := etcdtest.Start(t, 1)
	dir := t.TempDir()
	clips := filepath.Join(dir, "shared-clips")
	rows := cameraRows("CL", 0, 60, false)
	scheduled := 0
	for i, r := range rows {
		if r[12] != "" {
			// Nothing listens there: each probe is refused at once.
			r[12] = fmt.Sprintf("rtsp://127.0.0.1:9/cam-%d", i)
			scheduled++
		}
	}
	serve := func(id string) *proc {
		return startDaemon(t, clusterEnv(members, id, clips), "serve", "--db", filepath.Join(dir, id+".db"), "--listen", "127.0.0.1:0")
	}
	a := serve("a")
	importCSV(t, a.URL, e2eAdminToken, encodeCSV(t, rows))
	waitScheduled(t, "a alone", func(n []int) bool { return n[0] == scheduled }, a)

	b := serve("b")
	importCSV(t, b.URL, e2eAdminToken, encodeCSV(t, rows))
	waitScheduled(t, "a and b", func(n []int) bool { return n[0]+n[1] == scheduled && n[0] > 0 && n[1] > 0 }, a, b)

	// Refused: a clips.dir that is not the shared one, a bad node id.
	for _, tt := range []struct {
		name string
		env  []string
		want string
	}{
		{"local clips.dir", clusterEnv(members, "c", filepath.Join(dir, "local-clips")), "config: clips.dir: " + filepath.Join(dir, "local-clips") + " is not the cluster's shared directory"},
		{"node id with a space", clusterEnv(members, "node c", clips), `config: cluster.node_id: must not contain '/', spaces or control characters, got "node c" (from MATTHAN_CLUSTER_NODE_ID)`},
	} {
		_, stderr, code := runBinary(t, tt.env, "serve", "--db", filepath.Join(dir, "c.db"), "--listen", "127.0.0.1:0")
		if code == 0 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr:\n%s\nwant %s", tt.name, code, stderr, tt.want)
		}
	}

	// b stops: it leaves the cluster at once, and a polls every camera.
	if code := b.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("b exited %d:\n%s", code, b.stderr.String())
	}
	if !strings.Contains(b.stderr.String(), "left the cluster") {
		t.Errorf("b did not leave the cluster:\n%s", b.stderr.String())
	}
	waitScheduled(t, "a after b left", func(n []int) bool { return n[0] == scheduled }, a)
}
