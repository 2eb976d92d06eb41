package replica_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/prometheus/client_golang/prometheus"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/cluster"
	"github.com/matthan/matthan/internal/informant"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/replica"
)

var _ api.TipStore = (*replica.Store)(nil)

// tipT0 is when these tests' tips came in.
var tipT0 = time.Date(2026, 11, 20, 21, 30, 0, 0, time.UTC)

// Planted informant details: they must never be in the log.
const (
	plantedName  = "Nguyễn Thị Kín Đáo"
	plantedPhone = "0987 654 321"
)

// newChief returns a chief's key and a sealer to it.
func newChief(t testing.TB) (*age.X25519Identity, *informant.Sealer) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	s, err := informant.NewSealer([]string{id.Recipient().String()})
	if err != nil {
		t.Fatal(err)
	}
	return id, s
}

// testTip is a valid tip received at.
func testTip(at time.Time) *camera.Tip {
	t := camera.NewTip()
	t.ReceivedAt, t.Channel, t.Category = at, camera.ChannelHotline, camera.CategoryDrugs
	t.Commune, t.Place = "Thị trấn Chợ Gạo", "bãi đất trống sau chợ"
	t.Summary = "có người tụ tập sử dụng ma túy"
	t.SetPlace(10.3541, 106.4612)
	return t
}

// tipAudit returns the tip entries of a node's audit log, oldest first.
func tipAudit(t testing.TB, reg *registry.Store) []registry.AuditEntry {
	t.Helper()
	var out []registry.AuditEntry
	for _, action := range []string{registry.ActionTipCreate, registry.ActionTipImport, registry.ActionTipUpdate, registry.ActionTipRead,
		registry.ActionTipList, registry.ActionTipInformant, registry.ActionTipPurge} {
		es, _, err := reg.QueryAudit(ctxT(t), registry.AuditQuery{Actions: []string{action}, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, es...)
	}
	return out
}

// A tip recorded on A is read on B, its sealed informant identical byte
// for byte; its outcome patched on B shows on A; reads on either node
// are audited on both; imports, purges and counts agree.
func TestTipsAcrossNodes(t *testing.T) {
	nodes := startCluster(t, 2)
	a, b := nodes[0], nodes[1]
	ctx := ctxT(t)
	chief, sealer := newChief(t)
	if _, err := a.st.Import(ctx, []*camera.Camera{testCamera("CG-0001")}, registry.ImportOptions{}, police); err != nil {
		t.Fatal(err)
	}
	in := &camera.Incident{CameraIDs: []string{"CG-0001"}, Start: tipT0, End: tipT0.Add(10 * time.Minute),
		Category: camera.CategoryDrugs, Subjects: 2, Handling: camera.HandlingCriminal}
	if err := a.st.CreateIncident(ctx, in, police); err != nil {
		t.Fatal(err)
	}

	sealed, err := sealer.Seal(&camera.Informant{Name: plantedName, Phone: plantedPhone})
	if err != nil {
		t.Fatal(err)
	}
	tip := testTip(tipT0)
	if err := a.st.CreateTip(ctx, tip, sealed, police); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tip.ID, "TIP-") || !tip.Informant || tip.CreatedAt.IsZero() {
		t.Fatalf("created on A: %+v; want a generated id, an informant, a time", tip)
	}

	// Read on B: the record, and the informant as sealed on A.
	got, err := b.st.GetTip(ctx, tip.ID, police)
	if err != nil {
		t.Fatalf("read on B: %v", err)
	}
	if !reflect.DeepEqual(got, tip) {
		t.Errorf("read on B\n%+v\nwant the tip as created on A\n%+v", got, tip)
	}
	const reason = "xác minh nguồn tin vụ ma túy"
	revealed, err := b.st.TipInformant(ctx, tip.ID, police, reason)
	if err != nil {
		t.Fatalf("reveal on B: %v", err)
	}
	if !bytes.Equal(revealed, sealed) {
		t.Errorf("sealed informant on B: %d bytes, not the %d sealed on A", len(revealed), len(sealed))
	}
	if who, err := informant.Open(revealed, chief); err != nil || who.Name != plantedName || who.Phone != plantedPhone {
		t.Errorf("opened on B: %+v, %v", who, err)
	}
	if _, err := b.st.TipInformant(ctx, tip.ID, police, " "); camera.ErrorCode(err) != camera.EINVALID {
		t.Errorf("reveal without a reason: %v, want invalid", err)
	}
	if _, err := a.st.GetTip(ctx, "TIP-NONE", police); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Errorf("read of no tip: %v, want not found", err)
	}

	// The outcome, decided on B, shows on A.
	up, err := b.st.UpdateTip(ctx, tip.ID, police, func(t *camera.Tip) error {
		t.Outcome, t.People, t.IncidentIDs = camera.OutcomeCriminal, 2, []string{in.ID}
		return nil
	})
	if err != nil || up.Outcome != camera.OutcomeCriminal || up.People != 2 {
		t.Fatalf("update on B: %+v, %v", up, err)
	}
	catchUp(t, a, b)
	onA, err := a.st.GetTip(ctx, tip.ID, police)
	if err != nil || onA.Outcome != camera.OutcomeCriminal || onA.People != 2 || !reflect.DeepEqual(onA.IncidentIDs, []string{in.ID}) || !onA.UpdatedAt.Equal(up.UpdatedAt) {
		t.Errorf("on A after the update on B: %+v, %v", onA, err)
	}
	if _, err := a.st.UpdateTip(ctx, tip.ID, police, func(t *camera.Tip) error {
		t.IncidentIDs = append(t.IncidentIDs, "INC-NONE")
		return nil
	}); camera.ErrorCode(err) != camera.EINVALID {
		t.Errorf("link to no incident: %v, want invalid", err)
	}

	// A bulk import on B, one anonymous; a list on A.
	bulk := []*camera.Tip{testTip(tipT0.Add(-48 * time.Hour)), testTip(tipT0.Add(-47 * time.Hour))}
	if n, err := b.st.CreateTips(ctx, bulk, [][]byte{sealed, nil}, police); err != nil || n != 2 || bulk[1].ID == "" || !bulk[0].Informant || bulk[1].Informant {
		t.Fatalf("import on B: %d, %v, %+v", n, err, bulk)
	}
	catchUp(t, a, b)
	page, next, err := a.st.ListTips(ctx, registry.TipQuery{Limit: 2}, police)
	if err != nil || len(page) != 2 || page[0].ID != tip.ID || page[1].ID != bulk[1].ID || next == "" {
		t.Fatalf("list on A: %v, %q, %v", page, next, err)
	}
	rest, last, err := b.st.ListTips(ctx, registry.TipQuery{Limit: 2, After: next}, police)
	if err != nil || len(rest) != 1 || rest[0].ID != bulk[0].ID || last != "" {
		t.Fatalf("next page on B: %v, %q, %v", rest, last, err)
	}
	if none, _, err := a.st.ListTips(ctx, registry.TipQuery{Outcome: camera.OutcomeEducation}, police); err != nil || len(none) != 0 {
		t.Errorf("empty list: %v, %v", none, err)
	}

	// Both nodes hold the same tips and the same audit of them.
	catchUp(t, a, b)
	countsA, err := a.reg.TipCounts(ctx, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	countsB, err := b.reg.TipCounts(ctx, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if countsA.Tips != 3 || countsA.People != 2 || !reflect.DeepEqual(countsA, countsB) {
		t.Errorf("tip counts on A %+v, on B %+v; want 3 tips, 2 people on both", countsA, countsB)
	}
	for _, n := range nodes {
		var reveal *registry.AuditEntry
		for _, e := range tipAudit(t, n.reg) {
			if e.Action == registry.ActionTipInformant {
				reveal = &e
			}
		}
		if reveal == nil || reveal.Target != tip.ID || !reflect.DeepEqual(reveal.Changes, []string{"reason: " + reason}) {
			t.Errorf("node %s: the reveal on B audited as %+v", n.id, reveal)
		}
	}
	if ea, eb := tipAudit(t, a.reg), tipAudit(t, b.reg); !reflect.DeepEqual(ea, eb) || len(ea) < 8 {
		t.Errorf("tip audit on A (%d entries) and B (%d) differ or miss reads:\n%+v\n%+v", len(ea), len(eb), ea, eb)
	}

	// Retention on A purges the two old ones on both nodes.
	if n, err := a.st.PurgeTips(ctx, tipT0.Add(-24*time.Hour), camera.SystemActor); err != nil || n != 2 {
		t.Errorf("purge on A: %d, %v; want 2", n, err)
	}
	catchUp(t, a, b)
	for _, n := range nodes {
		if c, err := n.reg.CountTips(ctx); err != nil || c != 1 {
			t.Errorf("node %s: %d tips after the purge, %v; want 1", n.id, c, err)
		}
	}
	if _, err := b.st.RekeyTips(ctx, func(s []byte) ([]byte, error) { return s, nil }, police); !errors.Is(err, registry.ErrRekeyInCluster) {
		t.Errorf("rekey in cluster mode: %v, want %v", err, registry.ErrRekeyInCluster)
	}
	checkEqual(t, a, b)
}

// Updates of one tip on two nodes at once all take effect: each is a
// compare-and-set, run again on a fresh read when the other got in first.
func TestTipUpdatesRaceAcrossNodes(t *testing.T) {
	nodes := startCluster(t, 2)
	ctx := ctxT(t)
	tip := testTip(tipT0)
	tip.Outcome = camera.OutcomeAdministrative
	if err := nodes[0].st.CreateTip(ctx, tip, nil, police); err != nil {
		t.Fatal(err)
	}
	catchUp(t, nodes...)
	const each = 5
	var wg sync.WaitGroup
	errs := make(chan error, 2*each)
	for _, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				_, err := n.st.UpdateTip(ctx, tip.ID, police, func(t *camera.Tip) error {
					t.People++
					return nil
				})
				if err != nil {
					errs <- fmt.Errorf("node %s: %w", n.id, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	catchUp(t, nodes...)
	for _, n := range nodes {
		got, err := n.st.GetTip(ctx, tip.ID, police)
		if err != nil || got.People != 2*each {
			t.Errorf("node %s: people %v, %v; want %d", n.id, got, err, 2*each)
		}
	}
	checkEqual(t, nodes...)
}

// A tip with an informant posted to A's API is sealed there: the log
// holds its summary but neither the informant's name nor phone; B's API
// hands the same ciphertext out, after auditing the reveal on both nodes.
func TestTipInformantNotInLog(t *testing.T) {
	nodes := startCluster(t, 2)
	a, b := nodes[0], nodes[1]
	chief, sealer := newChief(t)
	srvA, srvB := serveTips(t, a, sealer), serveTips(t, b, sealer)
	const summary = "có người buôn bán ma túy ở quán cà phê gần cầu Chợ Gạo"
	body, err := json.Marshal(map[string]any{
		"received_at": tipT0.Format(time.RFC3339), "channel": "hotline", "commune": "Thị trấn Chợ Gạo",
		"place": "quán cà phê gần cầu", "category": "drugs", "summary": summary,
		"informant": map[string]any{"name": plantedName, "phone": plantedPhone, "address": "ấp Bình Thạnh"},
	})
	if err != nil {
		t.Fatal(err)
	}
	st, out := post(t, srvA.URL+"/api/v1/tips", "application/json", body)
	if st != http.StatusCreated {
		t.Fatalf("POST a tip to A: %d %s", st, out)
	}
	var tip camera.Tip
	if err := json.Unmarshal(out, &tip); err != nil {
		t.Fatal(err)
	}

	st, out = post(t, srvB.URL+"/api/v1/tips/"+tip.ID+"/informant", "application/json", []byte(`{"reason":"xác minh nguồn tin"}`))
	if st != http.StatusOK {
		t.Fatalf("reveal on B: %d %s", st, out)
	}
	var ans struct{ Ciphertext string }
	if err := json.Unmarshal(out, &ans); err != nil {
		t.Fatal(err)
	}
	sealedB, err := informant.Dearmor(ans.Ciphertext)
	if err != nil {
		t.Fatal(err)
	}
	sealedA, err := a.reg.TipInformant(ctxT(t), tip.ID, police, "so sánh trong kiểm thử")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sealedA, sealedB) {
		t.Error("B's API answers another ciphertext than A's file holds")
	}
	if who, err := informant.Open(sealedB, chief); err != nil || who.Name != plantedName {
		t.Errorf("opened: %+v, %v", who, err)
	}
	catchUp(t, a, b)
	for _, n := range nodes {
		es, _, err := n.reg.QueryAudit(ctxT(t), registry.AuditQuery{Actions: []string{registry.ActionTipInformant}, Limit: 10})
		if err != nil || len(es) == 0 || es[len(es)-1].Target != tip.ID {
			t.Errorf("node %s: reveal audit %+v, %v", n.id, es, err)
		}
	}

	log := logText(t, a.cli)
	if !strings.Contains(log, summary) {
		t.Fatalf("the log does not hold the tip's summary: the scan below would prove nothing\n%.2000s", log)
	}
	for _, s := range []string{plantedName, plantedPhone, "0987654321"} {
		if strings.Contains(log, s) {
			t.Errorf("the log holds the informant's %q", s)
		}
	}
}

// serveTips starts n's API with tips, sealing to sealer.
func serveTips(t testing.TB, n *node, sealer *informant.Sealer) *httptest.Server {
	t.Helper()
	srv, err := api.New(api.Options{
		Store: n.st,
		Capabilities: api.Capabilities{
			Health: n.st, History: n.st, Uptime: n.st, Costs: n.st, Layers: n.st,
			Incidents: n.st, Donations: n.st, Statements: n.st, Sessions: n.st, Users: n.st,
		},
		Registry:   prometheus.NewRegistry(),
		AdminToken: adminToken,
		Tips:       n.st,
		TipSealer:  sealer,
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return hs
}

// logText returns every key and value under the cluster's prefix, with
// each command's payload as its JSON (gunzipped when it travels
// compressed).
func logText(t testing.TB, cli *clientv3.Client) string {
	t.Helper()
	resp, err := cli.Get(ctxT(t), "/matthan/", clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for _, kv := range resp.Kvs {
		fmt.Fprintf(&sb, "%s %s\n", kv.Key, kv.Value)
		var c cluster.Command
		if json.Unmarshal(kv.Value, &c) != nil || c.Kind == "" {
			continue
		}
		var z struct{ Gzip []byte }
		if json.Unmarshal(c.Payload, &z) == nil && z.Gzip != nil {
			zr, err := gzip.NewReader(bytes.NewReader(z.Gzip))
			if err != nil {
				t.Fatal(err)
			}
			plain, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&sb, "%s %s\n", c.Kind, plain)
		}
	}
	return sb.String()
}
