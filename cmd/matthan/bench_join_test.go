package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/matthan/matthan/cluster/etcdtest"
	"github.com/matthan/matthan/internal/gendata"
)

// BenchmarkClusterJoin1M measures how long a node started empty takes to
// be ready — /readyz 200, from exec — beside a live node of a cluster
// that holds 1,000,000 cameras, all written through the cluster's log
// (one CSV import on the live node, split into commands of 10,000), on
// three etcd members. The new node copies the live node's registry
// (GET /api/v1/cluster/snapshot), opens it, replays the commands written
// after the copy, builds its spatial index and loads its poller's share.
// Target: ≤ 60 s. Each iteration starts another empty node; the live
// node keeps its poller off, so that only the joining node works.
func BenchmarkClusterJoin1M(b *testing.B) {
	binary(b)
	members := etcdtest.Start(b, 3)
	dir := b.TempDir()
	clips := filepath.Join(dir, "shared-clips")
	env := func(id string, extra ...string) []string {
		return append([]string{
			"MATTHAN_CLUSTER_NAME=join",
			"MATTHAN_CLUSTER_ETCD_ENDPOINTS=" + strings.Join(members.Endpoints(), ","),
			"MATTHAN_CLUSTER_NODE_ID=" + id,
			"MATTHAN_CLUSTER_ADVERTISE_URL=http://127.0.0.1:0",
			"MATTHAN_CLIPS_DIR=" + clips,
		}, extra...)
	}
	live := serveBench(b, filepath.Join(dir, "live.db"), env("live", "MATTHAN_POLLER_ENABLED=false")...)
	started := time.Now()
	benchCall(b, http.MethodPost, live.URL+"/api/v1/cameras/import", "text/csv", gendata.CSV(gendata.Rows(1_000_000, 31, "JN", gendata.Vietnam)))
	b.Logf("1,000,000 cameras imported through the log in %s", time.Since(started).Round(time.Millisecond))
	waitPublished(b, members, "join", "live")

	for i := 0; b.Loop(); i++ {
		// A few writes after the live node's copy is taken would be
		// replayed by the new node; these are before, in the log.
		for j := range 10 {
			benchCall(b, http.MethodPost, live.URL+"/api/v1/cameras", "application/json", fmt.Appendf(nil,
				`{"id":"JN-NEW-%d-%d","name":"Ngã ba mới %d","lat":10.35,"lon":106.47,"commune":"Song Bình","district":"Chợ Gạo","province":"Tiền Giang"}`, i, j, j))
		}
		db := filepath.Join(dir, fmt.Sprintf("new-%d.db", i))
		secs, pid, base, stop := startUntilReady(b, db, env(fmt.Sprintf("new-%d", i))...)
		b.ReportMetric(secs, "s_to_ready")
		b.ReportMetric(procMemMB(b, pid, "VmRSS"), "rss_MB")
		b.StopTimer()
		if st, err := os.Stat(db); err == nil {
			b.ReportMetric(float64(st.Size())/1e6, "copied_db_MB")
		}
		if got, want := benchCall(b, http.MethodGet, base+"/api/v1/cameras/JN-NEW-"+fmt.Sprint(i)+"-9", "", nil), benchCall(b, http.MethodGet, live.URL+"/api/v1/cameras/JN-NEW-"+fmt.Sprint(i)+"-9", "", nil); !bytes.Equal(got, want) {
			b.Fatalf("the new node answers %s, the live one %s", got, want)
		}
		stop()
		b.StartTimer()
	}
}

// waitPublished waits until node has published the revision it applied
// (every 2 s once it serves): a joining node copies only from a node
// that has.
func waitPublished(b *testing.B, members *etcdtest.Cluster, cluster, node string) {
	b.Helper()
	cli := members.Client(b)
	var err error
	waitFor(b, time.Minute, func() string { return fmt.Sprintf("%s has not published its applied revision: %v", node, err) }, func() bool {
		var resp *clientv3.GetResponse
		resp, err = cli.Get(context.Background(), "/matthan/"+cluster+"/applied/"+node, clientv3.WithCountOnly())
		return err == nil && resp.Count == 1
	})
}
