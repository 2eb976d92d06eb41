package main

import (
	"bytes"
	"context"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/cluster"
	"github.com/matthan/matthan/cluster/etcdtest"
	"github.com/matthan/matthan/registry"
)

// joinConfig turns the poller off: the test is about the registry, and a
// hundred thousand cameras that do not exist would only be probed.
const joinConfig = `poller:
  enabled: false
`

// joinNodes prepares the directory of a cluster's nodes on members (the
// shared clips, joinConfig) and returns it with serve, which starts node
// id there on its own database.
func joinNodes(t *testing.T, members *etcdtest.Cluster) (dir string, serve func(id string) *proc) {
	t.Helper()
	dir = t.TempDir()
	clips := filepath.Join(dir, "shared-clips")
	cfgFile := filepath.Join(dir, "matthan.yaml")
	if err := os.WriteFile(cfgFile, []byte(joinConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, func(id string) *proc {
		return startDaemon(t, clusterEnv(members, id, clips), "serve", "--config", cfgFile, "--db", filepath.Join(dir, id+".db"), "--listen", "127.0.0.1:0")
	}
}

// TestEndToEndClusterJoin starts a node empty beside a node that holds
// 100,000 cameras, on three etcd members: the new node copies the live
// node's registry (the backup stream, which holds the revision of the
// log it has applied) instead of replaying the log, the copy is audited
// on the node that gave it, and the new node serves the same answers —
// every camera with every field, the money to the đồng, a radius query.
// Then it follows the log from its copy: a write on either node is read
// on the other.
func TestEndToEndClusterJoin(t *testing.T) {
	t.Parallel()
	members := etcdtest.Start(t, 3)
	_, serve := joinNodes(t, members)
	a := serve("a")
	const n = 100_000
	importCSV(t, a.URL, e2eAdminToken, encodeCSV(t, cameraRows("JN", 0, n, true)))
	donations := "donor,amount_vnd,received_on,camera_id,commune,note\n" +
		"Nguyễn Văn An,1300000000,2024-03-01,JN-000001,,\n" +
		"Hội Phụ nữ xã,313000000,2024-03-02,,Song Bình,quỹ chung\n"
	mustCall(t, http.StatusOK, http.MethodPost, a.URL+"/api/v1/donations/import", e2eAdminToken, "text/csv", []byte(donations))

	b := serve("b")
	if log := b.stderr.String(); !strings.Contains(log, "copied a peer's registry to join the cluster") || !strings.Contains(log, `peer=a`) {
		t.Fatalf("b did not start from a's copy:\n%s", log)
	}
	var audit struct {
		Items []struct {
			Action string
			Actor  struct{ Name string }
		}
	}
	unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, a.URL+"/api/v1/audit?action=cluster.snapshot", e2eAdminToken, "", nil), &audit)
	if len(audit.Items) != 1 || audit.Items[0].Actor.Name != "node b" {
		t.Errorf("the copy in a's audit log: %+v", audit.Items)
	}

	// The same answers, read on each.
	answers := func(p *proc) map[string][]byte {
		out := map[string][]byte{}
		for _, route := range []string{
			"/api/v1/cameras/export?format=csv",
			"/api/v1/cameras?limit=1000&q=cho",
			"/api/v1/cameras/near?lat=10.30&lon=106.40&radius_m=500",
			"/api/v1/funding?group_by=commune&from=2024-01-01T00:00:00%2B07:00&to=2026-01-01T00:00:00%2B07:00",
		} {
			out[route] = mustCall(t, http.StatusOK, http.MethodGet, p.URL+route, e2eAdminToken, "", nil)
		}
		return out
	}
	wantAnswers, gotAnswers := answers(a), answers(b)
	for route, want := range wantAnswers {
		if got := gotAnswers[route]; !bytes.Equal(got, want) {
			t.Errorf("%s differs: a %d bytes, b %d bytes", route, len(want), len(got))
		}
	}
	if rows := bytes.Count(wantAnswers["/api/v1/cameras/export?format=csv"], []byte("\nJN-")); rows != n {
		t.Errorf("the export lists %d cameras, want %d", rows, n)
	}
	if ma, mb := money(t, a.URL), money(t, b.URL); !maps.Equal(ma, mb) || len(ma) == 0 {
		t.Errorf("money on a %v, on b %v", ma, mb)
	}

	// From its copy on, b follows the log.
	mustCall(t, http.StatusCreated, http.MethodPost, b.URL+"/api/v1/cameras", e2eAdminToken, "application/json", newCameraBody(t, "JN-ON-B"))
	mustCall(t, http.StatusCreated, http.MethodPost, a.URL+"/api/v1/cameras", e2eAdminToken, "application/json", newCameraBody(t, "JN-ON-A"))
	waitFor(t, startDeadline, func() string { return "the writes after the copy are not on both nodes" }, func() bool {
		for _, p := range []*proc{a, b} {
			for _, id := range []string{"JN-ON-A", "JN-ON-B"} {
				if st, _ := call(t, http.MethodGet, p.URL+"/api/v1/cameras/"+id, e2eAdminToken, "", nil); st != http.StatusOK {
					return false
				}
			}
		}
		return true
	})
	ids := cameraIDs(t, b.URL)
	if !slices.Contains(ids, "JN-000000") {
		t.Errorf("b's first page: %v", ids[:min(5, len(ids))])
	}
	t.Logf("b: %s", grepLine(b.stderr.String(), "copied a peer's registry"))
}

// grepLine returns the first line of s that contains sub.
func grepLine(s, sub string) string {
	for line := range strings.Lines(s) {
		if strings.Contains(line, sub) {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

// TestEndToEndClusterRejoin: a node that was down while the log was
// compacted past what it had applied copies a live node's registry when
// it starts again, keeps its old file beside the copy, and serves what
// was written while it was down; a database that holds records but never
// followed the cluster's log is refused, naming the setting, and left as
// it was.
func TestEndToEndClusterRejoin(t *testing.T) {
	t.Parallel()
	members := etcdtest.Start(t, 1)
	dir, serve := joinNodes(t, members)
	a, c := serve("a"), serve("c")
	mustCall(t, http.StatusCreated, http.MethodPost, a.URL+"/api/v1/cameras", e2eAdminToken, "application/json", newCameraBody(t, "RJ-BEFORE"))
	waitFor(t, startDeadline, func() string { return "c has not applied RJ-BEFORE" }, func() bool {
		st, _ := call(t, http.MethodGet, c.URL+"/api/v1/cameras/RJ-BEFORE", e2eAdminToken, "", nil)
		return st == http.StatusOK
	})
	if code := c.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("c exited %d", code)
	}

	// While c is down: a write, then the log compacted past it (what the
	// lowest node does once commands are an hour old).
	mustCall(t, http.StatusCreated, http.MethodPost, a.URL+"/api/v1/cameras", e2eAdminToken, "application/json", newCameraBody(t, "RJ-WHILE-DOWN"))
	cmdLog, err := cluster.NewLog(members.Client(t), "e2e")
	if err != nil {
		t.Fatal(err)
	}
	ext, err := cmdLog.Extent(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if comp, err := cmdLog.Compact(context.Background(), ext.Rev+1); err != nil || comp.Rev == 0 {
		t.Fatalf("compact: %+v %v", comp, err)
	}

	c = serve("c")
	log := c.stderr.String()
	if !strings.Contains(log, "copied a peer's registry to join the cluster") || !strings.Contains(log, "the database fell behind the cluster's log") {
		t.Errorf("c did not start from a's copy:\n%s", log)
	}
	kept, _ := filepath.Glob(filepath.Join(dir, "c.db.behind-*"))
	if len(kept) != 1 {
		t.Errorf("the old database is not kept beside the copy: %v", kept)
	}
	for _, id := range []string{"RJ-BEFORE", "RJ-WHILE-DOWN"} {
		mustCall(t, http.StatusOK, http.MethodGet, c.URL+"/api/v1/cameras/"+id, e2eAdminToken, "", nil)
	}

	// A district's own database, never part of this cluster.
	own := filepath.Join(dir, "district.db")
	store, err := registry.Open(own, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateCamera(context.Background(), &camera.Camera{ID: "RJ-OWN", Name: "Ngã tư riêng", Lat: 10.35, Lon: 106.46, Commune: "Song Bình"}, camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runBinary(t, clusterEnv(members, "d", filepath.Join(dir, "shared-clips")), "serve", "--config", filepath.Join(dir, "matthan.yaml"), "--db", own, "--listen", "127.0.0.1:0")
	if code == 0 || !strings.Contains(stderr, "config: db: "+own+" holds records but has applied none of the cluster's command log") {
		t.Errorf("a database of its own: exit %d, stderr:\n%s", code, stderr)
	}
	ownStore, err := registry.Open(own, registry.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ownStore.Close()
	if _, err := ownStore.GetCamera(context.Background(), "RJ-OWN"); err != nil {
		t.Errorf("the refused database lost its camera: %v", err)
	}
	if n, err := ownStore.LastApplied(); err != nil || n != 0 {
		t.Errorf("the refused database applied the log up to %d (%v)", n, err)
	}
}
