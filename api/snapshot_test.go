package api_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

// testTicket is the snapshot ticket testTickets knows in these tests;
// the daemon's are checked in etcd (cmd/matthan, cluster_join.go).
const testTicket = "mtj_test-ticket-of-node-b"

// testTickets is a book of snapshot tickets: ticket → node. A ticket
// "mtj_down" stands for etcd not answering.
type testTickets map[string]string

func (b testTickets) CheckSnapshotTicket(_ context.Context, ticket string) (string, error) {
	if ticket == "mtj_down" {
		return "", errors.New("etcd: context deadline exceeded")
	}
	if node, ok := b[ticket]; ok {
		return node, nil
	}
	return "", camera.Errorf(camera.EUNAUTHORIZED, "Authorization", "not the snapshot ticket of a node of this cluster")
}

// TestClusterSnapshot: a node with a ticket copies the whole registry,
// which opens as a database holding what the node serves; the copy is in
// the audit log as cluster.snapshot by the node, and is not the
// operator's backup. No user's token opens the route, a bad ticket is
// 401 and counted like a bad token, etcd not answering is 503, and
// without Options.Snapshots (a single node) the route does not exist.
func TestClusterSnapshot(t *testing.T) {
	store := registrytest.Open(t)
	reg := prometheus.NewRegistry()
	a := mustNew(t, api.Options{Store: store, Capabilities: allCapabilities(store), Registry: reg,
		AdminToken: adminToken, Snapshots: testTickets{testTicket: "node-b"}})
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, store: store, api: a, tokens: map[camera.Role]string{camera.RoleAdmin: adminToken}}
	e.doJSON(adminToken, "POST", "/api/v1/cameras", cameraJSON("CG-SNAP-1"), http.StatusCreated, nil)

	get := func(token string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/cluster/snapshot", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, body
	}
	res, body := get(testTicket)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
		t.Fatalf("snapshot: %d, %d bytes, Content-Length %s", res.StatusCode, len(body), res.Header.Get("Content-Length"))
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	cp, err := registry.Open(path, registry.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cp.GetCamera(context.Background(), "CG-SNAP-1"); err != nil {
		t.Errorf("the copy lacks the camera: %v", err)
	}
	cp.Close()

	var p auditPage
	e.doJSON(adminToken, "GET", "/api/v1/audit?action=cluster.snapshot", nil, http.StatusOK, &p)
	if len(p.Items) != 1 || p.Items[0].Actor.Name != "node node-b" || !strings.HasPrefix(p.Items[0].Target, "matthan-node-b-") {
		t.Errorf("audit of the copy: %+v", p.Items)
	}
	e.doJSON(adminToken, "GET", "/api/v1/audit?action=backup.download", nil, http.StatusOK, &p)
	if len(p.Items) != 0 {
		t.Errorf("a node's copy counted as a backup: %+v", p.Items)
	}

	if res, body := get(adminToken); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the admin's token: %d %s", res.StatusCode, body)
	}
	if res, body := get("mtj_forged"); res.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "Authorization") {
		t.Errorf("a forged ticket: %d %s", res.StatusCode, body)
	}
	if res, body := get("mtj_down"); res.StatusCode != http.StatusServiceUnavailable || strings.Contains(string(body), "etcd") {
		t.Errorf("etcd down: %d %s", res.StatusCode, body)
	}
	// The admin's token and the forged ticket.
	if n := counter(t, reg, "matthan_auth_failures_total", map[string]string{"reason": "unknown"}); n != 2 {
		t.Errorf("bad tickets counted as %v failed authentications, want 2", n)
	}

	single := newEnv(t)
	single.problem(adminToken, "GET", "/api/v1/cluster/snapshot", nil, http.StatusNotFound)
}
