package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/informant"
	"github.com/matthan/matthan/registry"
)

// TestTipsRekeyRefusesClusterNode: `matthan tips rekey` rewrites one
// file, so it refuses a cluster node's — named by the cluster settings,
// or by the file having applied the cluster's log — saying cluster mode,
// and the informants stay sealed to the old key.
func TestTipsRekeyRefusesClusterNode(t *testing.T) {
	dir := t.TempDir()
	keyFile, chief := writeIdentity(t, dir, "chief.key")
	_, next := writeIdentity(t, dir, "next.key")
	sealer, err := informant.NewSealer([]string{chief.Recipient().String()})
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := sealer.Seal(&camera.Informant{Name: "Lê Văn Kín", Phone: "0911 222 333"})
	if err != nil {
		t.Fatal(err)
	}
	newTip := func() *camera.Tip {
		tip := camera.NewTip()
		tip.ID, tip.ReceivedAt, tip.Channel, tip.Category = "TIP-1", time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC), camera.ChannelHotline, camera.CategoryDrugs
		tip.Commune, tip.Place, tip.Summary = "Thị trấn Chợ Gạo", "sau chợ", "tụ tập sử dụng ma túy"
		return tip
	}
	// single.db holds the tip as a single node writes it; node.db as a
	// cluster node applies it from the log.
	single, node := filepath.Join(dir, "single.db"), filepath.Join(dir, "node.db")
	withStore(t, single, func(s *registry.Store) error {
		return s.CreateTip(context.Background(), newTip(), sealed, cliActor)
	})
	withStore(t, node, func(s *registry.Store) error {
		payload, err := json.Marshal(registry.TipCreate{Tip: newTip(), Sealed: sealed, Actor: cliActor})
		if err != nil {
			return err
		}
		_, err = s.Apply([]registry.Command{{Rev: 42, Kind: registry.KindTipCreate, ID: "c1", At: time.Now(), Payload: payload}})
		return err
	})
	clusterEnv := map[string]string{
		"MATTHAN_CLUSTER_ETCD_ENDPOINTS": "http://10.0.0.1:2379", "MATTHAN_CLUSTER_NODE_ID": "n1",
		"MATTHAN_CLUSTER_ADVERTISE_URL": "http://10.0.0.11:8080",
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		db   string
		want string
	}{
		{"cluster settings", clusterEnv, single, `is node "n1"'s database in cluster "matthan" (cluster.etcd_endpoints is set): tips rekey is not available in cluster mode`},
		{"a node's file", nil, node, "is a cluster node's database (it has applied the cluster's log up to revision 42): tips rekey is not available in cluster mode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, tc.env, "tips", "rekey", "--identity", keyFile, "--recipient", next.Recipient().String(), "--db", tc.db)
			if code != exitFailure || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "nothing was changed") {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, exitFailure, tc.want)
			}
			if who := openTip(t, tc.db, chief); who.Name != "Lê Văn Kín" {
				t.Errorf("after the refusal the old key opens %+v", who)
			}
		})
	}
	// The same file without the cluster settings is a single node's.
	if _, stderr, code := runCLI(t, nil, "tips", "rekey", "--identity", keyFile, "--recipient", next.Recipient().String(), "--db", single); code != 0 {
		t.Fatalf("rekey of a single node's file: exit %d, %s", code, stderr)
	}
	if who := openTip(t, single, next); who.Phone != "0911 222 333" {
		t.Errorf("after the rekey the new key opens %+v", who)
	}
}

// withStore runs fn on the registry file at path.
func withStore(t *testing.T, path string, fn func(*registry.Store) error) {
	t.Helper()
	s, err := registry.Open(path, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := fn(s); err != nil {
		t.Fatal(err)
	}
}

// openTip opens TIP-1's informant in the file at path with id.
func openTip(t *testing.T, path string, id age.Identity) *camera.Informant {
	t.Helper()
	var who *camera.Informant
	withStore(t, path, func(s *registry.Store) error {
		sealed, err := s.TipInformant(context.Background(), "TIP-1", cliActor, "kiểm thử")
		if err != nil {
			return err
		}
		who, err = informant.Open(sealed, id)
		return err
	})
	return who
}
