package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/cluster"
	"github.com/matthan/matthan/cluster/etcdtest"
)

// replicatedDaemon opens and starts, in this process, the daemon of node
// id on the members of c, with its database in dir; stop stops it, at
// the latest when the test ends.
func replicatedDaemon(t *testing.T, c *etcdtest.Cluster, id, dir, clips string) (d *daemon, stop func() error) {
	t.Helper()
	return replicatedDaemonWith(t, c, id, dir, clips, nil)
}

// replicatedDaemonWith is replicatedDaemon with its configuration changed
// by tweak, when not nil.
func replicatedDaemonWith(t *testing.T, c *etcdtest.Cluster, id, dir, clips string, tweak func(*config)) (d *daemon, stop func() error) {
	t.Helper()
	cfg := clusterConfigFor(t, c, id, clips)
	cfg.DB = filepath.Join(dir, id+".db")
	cfg.Listen = "127.0.0.1:0"
	cfg.Cluster.AdvertiseURL = "http://127.0.0.1:0" // where it listens: a node that joins copies from there
	cfg.AdminToken = e2eAdminToken
	if tweak != nil {
		tweak(cfg)
	}
	d, err := openDaemon(cfg, quiet())
	if err != nil {
		t.Fatalf("open %s: %v", id, err)
	}
	if err := d.start(context.Background()); err != nil {
		t.Fatal(err)
	}
	stop = sync.OnceValue(d.stop)
	t.Cleanup(func() { _ = stop() })
	return d, stop
}

// createNearCamera creates camera id through a node's API, at the test
// district's centre (within nearStates' reach).
func createNearCamera(t *testing.T, base, id string) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"id": id, "name": "Ngã tư " + id, "lat": 10.351, "lon": 106.451, "commune": "Song Bình"})
	if err != nil {
		t.Fatal(err)
	}
	mustCall(t, http.StatusCreated, http.MethodPost, base+"/api/v1/cameras", e2eAdminToken, "application/json", body)
}

// nearStates answers which cameras a node's spatial index holds within
// 5 km of the test district's centre, with their live state.
func nearStates(t *testing.T, base string) map[string]camera.HealthState {
	t.Helper()
	var page struct {
		Items []struct {
			ID    string             `json:"id"`
			State camera.HealthState `json:"state"`
		} `json:"items"`
	}
	unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, base+"/api/v1/cameras/near?lat=10.35&lon=106.45&radius_m=5000&limit=1000", e2eAdminToken, "", nil), &page)
	out := map[string]camera.HealthState{}
	for _, h := range page.Items {
		out[h.ID] = h.State
	}
	return out
}

// indexedCameras counts the cameras of a node's spatial index, paging
// through every camera within a box round the test district.
func indexedCameras(t *testing.T, base string) int {
	t.Helper()
	count, cursor := 0, ""
	for {
		var page struct {
			Items      []json.RawMessage `json:"items"`
			NextCursor string            `json:"next_cursor"`
		}
		unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, base+"/api/v1/cameras/within?bbox=105,9,108,12&limit=1000&cursor="+cursor, e2eAdminToken, "", nil), &page)
		count += len(page.Items)
		if page.NextCursor == "" {
			return count
		}
		cursor = page.NextCursor
	}
}

// The spatial index of a node follows the writes taken on another node:
// a camera created there is found near a point here, its confirmed
// health is its live state here, a deletion there removes it here, and
// intersections imported there are in this node's coverage.
func TestReplicatedIndexFollowsOtherNodes(t *testing.T) {
	c := etcdtest.Start(t, 1)
	dir, clips := t.TempDir(), t.TempDir()
	a, _ := replicatedDaemon(t, c, "a", dir, clips)
	b, _ := replicatedDaemon(t, c, "b", dir, clips)
	ua, ub := a.URL(), b.URL()

	for i, id := range []string{"IX-1", "IX-2"} {
		createNearCamera(t, ua, id)
		// The node that took the write has it in its index when it
		// answers: the index follows the log before the write returns.
		if got := nearStates(t, ua); len(got) != i+1 {
			t.Errorf("right after creating %s, a's index holds %v", id, got)
		}
	}
	var got map[string]camera.HealthState
	waitFor(t, clusterWait, func() string { return fmt.Sprintf("b's index holds %v", got) }, func() bool {
		got = nearStates(t, ub)
		return len(got) == 2 && got["IX-1"] == camera.StateUnknown
	})

	// A confirmed transition written on a: b's index has its state.
	at := time.Now().UTC()
	h := camera.Health{CameraID: "IX-1", State: camera.StateDown, Since: at, Reason: "refused", ConsecutiveFailures: 2}
	tr := camera.Transition{CameraID: "IX-1", From: camera.StateUnknown, To: camera.StateDown, At: at, Reason: "refused"}
	if err := a.store.RecordHealth(context.Background(), []camera.Health{h}, []camera.Transition{tr}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, clusterWait, func() string { return fmt.Sprintf("b's index holds %v", got) }, func() bool {
		got = nearStates(t, ub)
		return got["IX-1"] == camera.StateDown
	})
	// And b's registry has the current record, for a new owner to start
	// from.
	if cur, err := b.store.CurrentHealth(context.Background(), "IX-1"); err != nil || cur.State != camera.StateDown || cur.ConsecutiveFailures != 2 {
		t.Errorf("b's current health of IX-1: %+v, %v; want down after 2 failures", cur, err)
	}

	mustCall(t, http.StatusNoContent, http.MethodDelete, ua+"/api/v1/cameras/IX-2", e2eAdminToken, "", nil)
	waitFor(t, clusterWait, func() string { return fmt.Sprintf("b's index holds %v", got) }, func() bool {
		got = nearStates(t, ub)
		_, found := got["IX-2"]
		return !found && len(got) == 1
	})
	if got := nearStates(t, ua); len(got) != 1 {
		t.Errorf("right after deleting IX-2, a's index holds %v", got)
	}

	// A camera moved on a and deleted on b: once a's registry has the
	// deletion, so has its index (the API tells it nothing of its own
	// write, which could land after the deletion).
	mustCall(t, http.StatusOK, http.MethodPatch, ua+"/api/v1/cameras/IX-1", e2eAdminToken, "application/json", []byte(`{"lat":10.3515}`))
	mustCall(t, http.StatusNoContent, http.MethodDelete, ub+"/api/v1/cameras/IX-1", e2eAdminToken, "", nil)
	waitFor(t, clusterWait, func() string { return "a still has IX-1" }, func() bool {
		st, _ := call(t, http.MethodGet, ua+"/api/v1/cameras/IX-1", e2eAdminToken, "", nil)
		return st == http.StatusNotFound
	})
	// The index changes just after the registry commits (the same
	// goroutine, a moment later); a late notice of a's own PATCH would
	// keep IX-1 there for good.
	waitFor(t, clusterWait, func() string {
		return fmt.Sprintf("IX-1 deleted on b, gone from a's registry, but a's index holds %v", got)
	}, func() bool {
		got = nearStates(t, ua)
		return len(got) == 0
	})

	// Each node publishes the revision it has applied, for compaction.
	cli := c.Client(t)
	var applied map[string]string
	waitFor(t, clusterWait, func() string { return fmt.Sprintf("applied revisions in etcd: %v", applied) }, func() bool {
		resp, err := cli.Get(context.Background(), "/matthan/test/applied/", clientv3.WithPrefix())
		if err != nil {
			t.Fatal(err)
		}
		applied = map[string]string{}
		for _, kv := range resp.Kvs {
			applied[string(kv.Key)] = string(kv.Value)
		}
		rev := strconv.FormatInt(b.cluster.rep.fol.Applied(), 10)
		return len(applied) == 2 && applied["/matthan/test/applied/b"] == rev && rev != "0"
	})

	junctions := []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"J-1","name":"Ngã ba Một Nơi","road_class":"national"},"geometry":{"type":"Point","coordinates":[106.4512,10.3512]}}]}`)
	mustCall(t, http.StatusOK, http.MethodPost, ua+"/api/v1/intersections/import", e2eAdminToken, "application/geo+json", junctions)
	var body string
	waitFor(t, clusterWait, func() string { return "b's coverage: " + body }, func() bool {
		body = string(mustCall(t, http.StatusOK, http.MethodGet, ub+"/api/v1/coverage", e2eAdminToken, "", nil))
		return strings.Contains(body, `"intersections":1`)
	})
}

// TestReplicatedLogCompacted runs the compaction job of two nodes with a
// 2 s cluster.log_retention: the lowest live node compacts the log past
// the cameras written, once they are older than the retention and both
// nodes have applied them; both keep every camera, and writes after the
// compaction reach both.
func TestReplicatedLogCompacted(t *testing.T) {
	ctx := context.Background()
	c := etcdtest.Start(t, 1)
	dir, clips := t.TempDir(), t.TempDir()
	short := func(cfg *config) { cfg.Cluster.LogRetention = duration(2 * time.Second) }
	a, _ := replicatedDaemonWith(t, c, "a", dir, clips, short)
	b, _ := replicatedDaemonWith(t, c, "b", dir, clips, short)
	for _, id := range []string{"LC-1", "LC-2", "LC-3"} {
		createNearCamera(t, a.URL(), id)
	}
	written := a.cluster.rep.fol.Applied() // a answered: it has applied them

	commands, err := cluster.NewLog(c.Client(t), "test")
	if err != nil {
		t.Fatal(err)
	}
	var ext cluster.Extent
	waitFor(t, clusterWait, func() string {
		return fmt.Sprintf("the log's floor is at revision %d, the cameras were written by %d", ext.FloorRev, written)
	}, func() bool {
		if ext, err = commands.Extent(ctx); err != nil {
			t.Fatal(err)
		}
		return ext.FloorRev >= written
	})
	for _, d := range []*daemon{a, b} {
		if applied := d.cluster.rep.fol.Applied(); applied < ext.FloorRev {
			t.Errorf("node %s has applied revision %d, below the floor %d", d.cluster.self.ID, applied, ext.FloorRev)
		}
	}

	// Both nodes keep every camera; a write after the compaction reaches
	// both.
	createNearCamera(t, b.URL(), "LC-4")
	for _, d := range []*daemon{a, b} {
		waitFor(t, clusterWait, func() string { return "node " + d.cluster.self.ID + " lacks a camera" }, func() bool {
			for _, id := range []string{"LC-1", "LC-2", "LC-3", "LC-4"} {
				if st, _ := call(t, http.MethodGet, d.URL()+"/api/v1/cameras/"+id, e2eAdminToken, "", nil); st != http.StatusOK {
					return false
				}
			}
			return true
		})
	}
}

// A database that has applied more of a log than the cluster's etcd
// holds belongs to another cluster (or etcd was started afresh): the
// node refuses to start on it, naming the database, rather than skip
// the new log's first commands.
func TestReplicatedDatabaseOfAnotherCluster(t *testing.T) {
	dir := t.TempDir()
	old := etcdtest.Start(t, 1)
	d, stop := replicatedDaemon(t, old, "a", dir, t.TempDir())
	for i := range 20 {
		body, err := json.Marshal(map[string]any{"id": fmt.Sprintf("OLD-%d", i), "name": "Cầu cũ", "lat": 10.35, "lon": 106.45})
		if err != nil {
			t.Fatal(err)
		}
		mustCall(t, http.StatusCreated, http.MethodPost, d.URL()+"/api/v1/cameras", e2eAdminToken, "application/json", body)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	fresh := etcdtest.Start(t, 1)
	cfg := clusterConfigFor(t, fresh, "a", t.TempDir())
	cfg.DB = filepath.Join(dir, "a.db")
	cfg.Listen = "127.0.0.1:0"
	_, err := openDaemon(cfg, quiet())
	if err == nil || !strings.Contains(err.Error(), "config: db: "+cfg.DB+" has applied the command log up to revision") {
		t.Fatalf("open on a fresh etcd: %v, want the database refused", err)
	}
	// Refused, it left nothing behind: an empty database joins.
	cfg.DB = filepath.Join(dir, "empty.db")
	d2, err := openDaemon(cfg, quiet())
	if err != nil {
		t.Fatal(err)
	}
	if err := d2.close(); err != nil {
		t.Fatal(err)
	}
}

// The log keeps what was written within the retention window: the bound
// is the revision applied at the newest sample at least that old.
func TestCompactionBound(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	at := func(min int, rev int64) appliedSample {
		return appliedSample{t0.Add(time.Duration(min) * time.Minute), rev}
	}
	for _, tt := range []struct {
		name    string
		samples []appliedSample
		now     int // minutes after t0
		want    int64
		kept    int
	}{
		{"none", nil, 0, 0, 0},
		{"too young", []appliedSample{at(0, 10), at(30, 20)}, 59, 0, 2},
		{"exactly old enough", []appliedSample{at(0, 10), at(30, 20)}, 60, 10, 2},
		{"newest old enough", []appliedSample{at(0, 10), at(30, 20), at(61, 30), at(90, 40)}, 91, 20, 3},
		{"all old", []appliedSample{at(0, 10), at(1, 11), at(2, 12)}, 200, 12, 1},
	} {
		kept, got := compactionBound(tt.samples, t0.Add(time.Duration(tt.now)*time.Minute), time.Hour)
		if got != tt.want || len(kept) != tt.kept {
			t.Errorf("%s: bound %d with %d samples kept, want %d with %d", tt.name, got, len(kept), tt.want, tt.kept)
		}
	}
}

// Many cameras imported on one node, in several commands (the import is
// larger than one command holds): the other node exports the same file,
// holds them all in its spatial index and polls its share, and the
// two shares cover every camera with a stream.
func TestReplicatedManyCameras(t *testing.T) {
	const n = 12_000
	c := etcdtest.Start(t, 1)
	dir, clips := t.TempDir(), t.TempDir()
	a, _ := replicatedDaemon(t, c, "a", dir, clips)
	b, _ := replicatedDaemon(t, c, "b", dir, clips)
	ua, ub := a.URL(), b.URL()
	rows := cameraRows("MC", 0, n, true)
	streams := 0
	for _, r := range rows {
		if r[12] != "" {
			streams++
		}
	}
	if res := importCSV(t, ua, e2eAdminToken, encodeCSV(t, rows)); res.Created != n {
		t.Fatalf("import on a: %+v, want %d created", res, n)
	}
	// The last row is in the last command: once b has it, b has all.
	last := ub + "/api/v1/cameras/" + rows[n-1][0]
	waitFor(t, startDeadline, func() string { return "b has not " + rows[n-1][0] }, func() bool {
		st, _ := call(t, http.MethodGet, last, e2eAdminToken, "", nil)
		return st == http.StatusOK
	})
	if want, got := export(t, ua, e2eAdminToken, "csv"), export(t, ub, e2eAdminToken, "csv"); !bytes.Equal(got, want) {
		t.Errorf("b exports %d bytes, a %d: they differ", len(got), len(want))
	}
	for _, base := range []string{ua, ub} {
		if got := indexedCameras(t, base); got != n {
			t.Errorf("%s's spatial index holds %d cameras, want %d", base, got, n)
		}
	}
	var counts []int
	waitFor(t, startDeadline, func() string { return fmt.Sprintf("a and b schedule %v of %d cameras with a stream", counts, streams) }, func() bool {
		counts = []int{scheduledCameras(t, ua), scheduledCameras(t, ub)}
		return counts[0]+counts[1] == streams && counts[0] > 0 && counts[1] > 0
	})
}
