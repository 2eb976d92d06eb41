package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp/rtsptest"
	"github.com/matthan/matthan/cluster"
	"github.com/matthan/matthan/cluster/etcdtest"
)

// The poller of the replicated cluster test: fast probes, fast
// confirmation, and matthan_camera_up{camera_id} to tell which node
// probes which camera.
const replicatedPollerConfig = `poller:
  interval: 1m  # overridden by --poll-interval
  timeout: 1s
  confirm: 2
  retry: 100ms
  jitter: 0s
  flush_interval: 50ms
  per_camera_metric: true
`

// replicatedTTL is the nodes' lease TTL (clusterEnv's).
const replicatedTTL = 2 * time.Second

// waitFor polls cond until it holds, failing with what() after the
// deadline. It paces the polls of processes the test cannot signal.
func waitFor(t testing.TB, deadline time.Duration, what func() string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("after %s: %s", deadline, what())
		}
		pause(t, 25*time.Millisecond)
	}
}

// probedCameras returns the cameras a node's /metrics has
// matthan_camera_up for: the cameras it probes.
func probedCameras(t *testing.T, base string) []string {
	t.Helper()
	b := mustCall(t, http.StatusOK, http.MethodGet, base+"/metrics", "", "", nil)
	var ids []string
	for _, m := range regexp.MustCompile(`(?m)^matthan_camera_up\{camera_id="([^"]+)"\} `).FindAllSubmatch(b, -1) {
		ids = append(ids, string(m[1]))
	}
	slices.Sort(ids)
	return ids
}

// cameraIDs returns the ids of the cameras a node lists.
func cameraIDs(t *testing.T, base string) []string {
	t.Helper()
	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, base+"/api/v1/cameras?limit=1000", e2eAdminToken, "", nil), &page)
	ids := make([]string, len(page.Items))
	for i, c := range page.Items {
		ids[i] = c.ID
	}
	return ids
}

// stateOf returns a camera's current health state on a node.
func stateOf(t *testing.T, base, id string) camera.HealthState {
	t.Helper()
	var h healthView
	unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, base+"/api/v1/cameras/"+id+"/health", e2eAdminToken, "", nil), &h)
	return h.State
}

// money returns every amount in đồng (a member named *_vnd) of a node's
// funding by commune and district summary, by its path in the answer;
// not the cost per hour up, which divides by uptime up to the moment of
// the request.
func money(t *testing.T, base string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if f, ok := x.(float64); ok && strings.HasSuffix(k, "_vnd") && !strings.Contains(k, "per_up_hour") {
					out[path+"."+k] = int64(f)
					continue
				}
				walk(path+"."+k, x)
			}
		case []any:
			for i, x := range v {
				walk(fmt.Sprintf("%s[%d]", path, i), x)
			}
		}
	}
	for _, route := range []string{"/api/v1/funding?group_by=commune", "/api/v1/reports/summary"} {
		var v any
		unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, base+route, e2eAdminToken, "", nil), &v)
		walk(route, v)
	}
	return out
}

// postCamera posts a new camera as the admin, from any goroutine.
func postCamera(base string, body []byte) (int, error) {
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/cameras", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+e2eAdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

// newCameraBody is the JSON of a new camera with no stream.
func newCameraBody(t *testing.T, id string) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"id": id, "name": "Ngã tư " + id, "lat": 10.3541, "lon": 106.4632, "commune": "Song Bình", "cost_vnd": 4_500_000})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEndToEndClusterReplicated runs three `matthan serve` nodes on three
// etcd members, every write replicated through the command log: what is
// written on one node is read on the others, money to the đồng; each
// camera is probed by exactly one node; a node killed with SIGKILL has
// its cameras taken over within two lease TTLs, and one of them going
// down is seen; the node restarted catches up; a write succeeds with one
// etcd member stopped and is kept when it returns; the same new camera
// posted to two nodes at once is created once.
func TestEndToEndClusterReplicated(t *testing.T) {
	t.Parallel()
	members := etcdtest.Start(t, 3)
	dir := t.TempDir()
	clips := filepath.Join(dir, "shared-clips")
	cfgFile := filepath.Join(dir, "matthan.yaml")
	if err := os.WriteFile(cfgFile, []byte(replicatedPollerConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	serve := func(id string) *proc {
		return startDaemon(t, clusterEnv(members, id, clips), "serve", "--config", cfgFile, "--db", filepath.Join(dir, id+".db"),
			"--listen", "127.0.0.1:0", "--poll-interval", "1s")
	}
	nodeIDs := []string{"a", "b", "c"}
	a, b, c := serve("a"), serve("b"), serve("c")

	// Nine cameras, each its own fake, imported on A with donations.
	const n = 9
	rows := cameraRows("RP", 0, n, false)
	fakes := map[string]*rtsptest.Camera{}
	var all []string
	for _, r := range rows {
		cam, err := rtsptest.Start(rtsptest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cam.Close)
		r[12] = cam.URL()
		fakes[r[0]] = cam
		all = append(all, r[0])
	}
	slices.Sort(all)
	importCSV(t, a.URL, e2eAdminToken, encodeCSV(t, rows))
	donations := "donor,amount_vnd,received_on,camera_id,commune,note\n" +
		"Nguyễn Văn An,1300000000,2024-03-01,RP-000001,,\n" +
		"Hội Phụ nữ xã,313000000,2024-03-02,,Song Bình,quỹ chung\n" +
		"Trần Thị Bình,350000001,2024-03-03,RP-000002,,\n"
	mustCall(t, http.StatusOK, http.MethodPost, a.URL+"/api/v1/donations/import", e2eAdminToken, "text/csv", []byte(donations))

	nodes := []*proc{a, b, c}
	sameEverywhere := func(nodes ...*proc) {
		t.Helper()
		var last []string
		waitFor(t, startDeadline, func() string { return fmt.Sprintf("the nodes differ: %v", last) }, func() bool {
			last = last[:0]
			want := cameraIDs(t, nodes[0].URL)
			wantMoney := money(t, nodes[0].URL)
			ok := true
			for _, p := range nodes[1:] {
				got := cameraIDs(t, p.URL)
				if !slices.Equal(got, want) {
					ok = false
					last = append(last, fmt.Sprintf("%s lists %d cameras, %s %d", p.URL, len(got), nodes[0].URL, len(want)))
				}
				if gm := money(t, p.URL); !maps.Equal(gm, wantMoney) {
					ok = false
					last = append(last, fmt.Sprintf("%s money %v, %s %v", p.URL, gm, nodes[0].URL, wantMoney))
				}
			}
			return ok && len(wantMoney) > 0
		})
	}
	sameEverywhere(nodes...)
	if got := cameraIDs(t, c.URL); !slices.Equal(got, all) {
		t.Fatalf("C lists %v, want %v", got, all)
	}

	// Each camera probed by exactly one node, its rendezvous owner.
	probed := func(nodes ...*proc) [][]string {
		out := make([][]string, len(nodes))
		for i, p := range nodes {
			out[i] = probedCameras(t, p.URL)
		}
		return out
	}
	partition := func(sets [][]string) bool {
		var union []string
		for _, s := range sets {
			union = append(union, s...)
		}
		slices.Sort(union)
		return slices.Equal(union, all) // disjoint: no id twice; covering: every id
	}
	var sets [][]string
	waitFor(t, startDeadline, func() string { return fmt.Sprintf("probed by a, b, c: %v", sets) }, func() bool {
		sets = probed(a, b, c)
		return partition(sets)
	})
	for i, set := range sets {
		for _, id := range set {
			if owner := cluster.Owner(id, nodeIDs); owner != nodeIDs[i] {
				t.Errorf("%s probed by %s, its owner is %s", id, nodeIDs[i], owner)
			}
		}
	}
	ofC := sets[2]
	if len(ofC) == 0 {
		t.Fatalf("c owns none of %v", all)
	}
	// Every camera up, seen so on every node.
	waitFor(t, startDeadline, func() string { return "not every camera is up on every node" }, func() bool {
		for _, p := range nodes {
			for _, id := range all {
				if stateOf(t, p.URL, id) != camera.StateUp {
					return false
				}
			}
		}
		return true
	})

	// kill -9 C: A and B take its cameras within two TTLs.
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	c.wait()
	waitFor(t, 2*replicatedTTL+startDeadline, func() string { return fmt.Sprintf("after C died, probed by a, b: %v", sets) }, func() bool {
		sets = probed(a, b)
		return partition(sets)
	})
	took := time.Since(killed)
	if took > 2*replicatedTTL {
		t.Errorf("C's cameras taken over %s after it died, want within %s", took, 2*replicatedTTL)
	}
	t.Logf("C's cameras taken over %s after it died (lease TTL %s)", took.Round(time.Millisecond), replicatedTTL)
	// One of C's cameras goes down: its new owner sees it, and so do all.
	down := ofC[0]
	fakes[down].SetBehavior(rtsptest.NotFound)
	waitFor(t, startDeadline, func() string { return down + " not seen down on a and b" }, func() bool {
		return stateOf(t, a.URL, down) == camera.StateDown && stateOf(t, b.URL, down) == camera.StateDown
	})

	// C restarts on its database: it catches up and answers as the others.
	c = serve("c")
	nodes = []*proc{a, b, c}
	sameEverywhere(nodes...)
	if st := stateOf(t, c.URL, down); st != camera.StateDown {
		t.Errorf("%s on the restarted C: %s, want down", down, st)
	}
	waitFor(t, startDeadline, func() string { return fmt.Sprintf("after C came back, probed by a, b, c: %v", sets) }, func() bool {
		sets = probed(a, b, c)
		return partition(sets) && slices.Equal(sets[2], ofC)
	})

	// One etcd member stops: writes still succeed, on every node.
	members.Members[0].Stop()
	for i, p := range nodes {
		id := fmt.Sprintf("RP-QUORUM-%d", i)
		if st, err := postCamera(p.URL, newCameraBody(t, id)); err != nil || st != http.StatusCreated {
			t.Fatalf("POST %s on node %d with a member stopped: %d %v", id, i, st, err)
		}
	}
	members.Members[0].Restart()
	mustCall(t, http.StatusCreated, http.MethodPost, b.URL+"/api/v1/cameras", e2eAdminToken, "application/json", newCameraBody(t, "RP-QUORUM-BACK"))
	all = append(all, "RP-QUORUM-0", "RP-QUORUM-1", "RP-QUORUM-2", "RP-QUORUM-BACK")
	slices.Sort(all)
	sameEverywhere(nodes...)
	if got := cameraIDs(t, a.URL); !slices.Equal(got, all) {
		t.Errorf("after the member came back, A lists %v, want %v", got, all)
	}

	// The same new camera posted to A and B at once: one 201, one 409.
	body := newCameraBody(t, "RP-RACE")
	statuses := make([]int, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, p := range []*proc{a, b} {
		wg.Go(func() { statuses[i], errs[i] = postCamera(p.URL, body) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(statuses)
	if !slices.Equal(statuses, []int{http.StatusCreated, http.StatusConflict}) {
		t.Errorf("the same camera posted to A and B at once: %v, want one 201 and one 409", statuses)
	}
	sameEverywhere(nodes...)
}
