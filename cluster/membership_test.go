package cluster_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/matthan/matthan/cluster"
	"github.com/matthan/matthan/cluster/etcdtest"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// testTTL is the lease of the nodes in these tests.
const testTTL = 2 * time.Second

// join puts node id in cluster "test" through its own client, which it
// returns; it leaves when the test ends.
func join(t testing.TB, c *etcdtest.Cluster, id string) (*cluster.Membership, *clientv3.Client) {
	t.Helper()
	cli := c.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	m, err := cluster.Join(ctx, cli, "test", cluster.Node{ID: id, AdvertiseURL: "https://" + id + ".example:8443"}, testTTL)
	if err != nil {
		t.Fatalf("join %s: %v", id, err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m, cli
}

// waitLive waits, on m's change notices, until m's live set is want, and
// fails at the deadline.
func waitLive(t testing.TB, m *cluster.Membership, want []string, deadline time.Time) {
	t.Helper()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		if got := m.Live(); slices.Equal(got, want) {
			return
		}
		select {
		case <-m.Changed():
		case <-timer.C:
			t.Fatalf("node %s: live set %v, want %v by the deadline", m.Self().ID, m.Live(), want)
		}
	}
}

// TestMembershipLeaseLapse kills a node (its client closes without
// revoking the lease): within 2 × TTL the others drop it and its cameras,
// only they, move to them; a node that joins takes only cameras it wins.
func TestMembershipLeaseLapse(t *testing.T) {
	c := etcdtest.Start(t, 1)
	a, _ := join(t, c, "a")
	b, _ := join(t, c, "b")
	cm, cliC := join(t, c, "c")
	abc := []string{"a", "b", "c"}
	for _, m := range []*cluster.Membership{a, b, cm} {
		waitLive(t, m, abc, time.Now().Add(waitLimit))
	}
	cams := cameraIDs(3000)
	for _, cam := range cams[:100] {
		if oa, ob, oc := a.Owner(cam), b.Owner(cam), cm.Owner(cam); oa != ob || ob != oc {
			t.Fatalf("camera %s: owners %s, %s, %s", cam, oa, ob, oc)
		}
	}

	if err := cliC.Close(); err != nil { // kill -9: keep-alives stop, nothing is revoked
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * testTTL)
	for _, m := range []*cluster.Membership{a, b} {
		waitLive(t, m, []string{"a", "b"}, deadline)
	}
	moves := cluster.Moves(cams, abc, a.Live())
	for _, mv := range moves {
		if mv.From != "c" {
			t.Errorf("camera %s moved from live node %s to %s", mv.Camera, mv.From, mv.To)
		}
		if got := b.Owner(mv.Camera); got != mv.To {
			t.Errorf("camera %s: b says owner %s, a says %s", mv.Camera, got, mv.To)
		}
	}
	ownedByC := 0
	for _, cam := range cams {
		if cluster.Owner(cam, abc) == "c" {
			ownedByC++
		}
	}
	if len(moves) != ownedByC || ownedByC == 0 {
		t.Errorf("%d cameras moved, c owned %d", len(moves), ownedByC)
	}

	d, _ := join(t, c, "d")
	abd := []string{"a", "b", "d"}
	for _, m := range []*cluster.Membership{a, b, d} {
		waitLive(t, m, abd, time.Now().Add(waitLimit))
	}
	for _, mv := range cluster.Moves(cams, []string{"a", "b"}, abd) {
		if mv.To != "d" {
			t.Errorf("camera %s moved %s -> %s when d joined", mv.Camera, mv.From, mv.To)
		}
	}
}

// TestMembershipClose leaves at once: the lease is revoked, not left to
// lapse.
func TestMembershipClose(t *testing.T) {
	c := etcdtest.Start(t, 1)
	a, _ := join(t, c, "a")
	b, _ := join(t, c, "b")
	waitLive(t, a, []string{"a", "b"}, time.Now().Add(waitLimit))
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-b.Lost():
	default:
		t.Error("closed node's lease not lost")
	}
	waitLive(t, a, []string{"a"}, time.Now().Add(testTTL/2))
}

// TestMembershipRejects checks what Join refuses, naming it.
func TestMembershipRejects(t *testing.T) {
	c := etcdtest.Start(t, 1)
	join(t, c, "a")
	cli := c.Client(t)
	tests := []struct {
		name string
		node cluster.Node
		ttl  time.Duration
		want error
		msg  string
	}{
		{"id taken by another node", cluster.Node{ID: "a", AdvertiseURL: "https://other:8443"}, testTTL, cluster.ErrNodeIDInUse, "join as a: node id in use by https://a.example:8443"},
		{"empty id", cluster.Node{AdvertiseURL: "https://x"}, testTTL, nil, `node id "": must be non-empty, without / or NUL`},
		{"slash in id", cluster.Node{ID: "a/b"}, testTTL, nil, `node id "a/b": must be non-empty, without / or NUL`},
		{"short ttl", cluster.Node{ID: "z"}, 500 * time.Millisecond, nil, "node ttl 500ms: must be at least 1s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := cluster.Join(context.Background(), cli, "test", tc.node, tc.ttl)
			if err == nil {
				_ = m.Close()
				t.Fatal("join succeeded")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
			if err.Error() != tc.msg {
				t.Errorf("error %q, want %q", err, tc.msg)
			}
		})
	}
}
