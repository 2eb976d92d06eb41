package registry_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

// The tips' commands do on a node what the same calls do on a single
// store: the same generated id, the same record; each read is audited
// in the apply, the reveal with its reason; an update is a
// compare-and-set.
func TestApplyTips(t *testing.T) {
	ctx := context.Background()
	single := registrytest.OpenAt(t, t.TempDir()+"/single.db", func() time.Time { return applyT0 })
	node := registrytest.Open(t)
	at := applyT0.Add(-3 * time.Hour)
	sealed := []byte("age-encryption.org/v1 sealed elsewhere")
	want := mkTip(at, 10.35, 106.46, "Song Bình")
	if err := single.CreateTip(ctx, want, sealed, officer); err != nil {
		t.Fatal(err)
	}

	outs := apply(t, node,
		cmd(t, 1, "c1", registry.KindTipCreate, applyT0, registry.TipCreate{Tip: mkTip(at, 10.35, 106.46, "Song Bình"), Sealed: sealed, Actor: officer}),
		cmd(t, 2, "c2", registry.KindTipCreate, applyT0, registry.TipCreate{Tip: mkTip(at, 10.35, 106.46, "Song Bình"), Sealed: []byte{}, Actor: officer}),
		cmd(t, 3, "c3", registry.KindTipInformant, applyT0, registry.TipInformantRead{ID: want.ID, Reason: "xác minh", Actor: officer}),
		cmd(t, 4, "c4", registry.KindTipRead, applyT0, registry.TipRead{ID: want.ID, Actor: officer}),
		cmd(t, 5, "c5", registry.KindTipList, applyT0, registry.TipList{IDs: []string{"TIP-GONE", want.ID}, Actor: officer}),
	)
	if got, ok := outs[0].Value.(*camera.Tip); outs[0].Err != nil || !ok || !reflect.DeepEqual(got, want) {
		t.Errorf("created %+v, %v\nwant as single-node %+v", outs[0].Value, outs[0].Err, want)
	}
	if camera.ErrorCode(outs[1].Err) != camera.EINVALID {
		t.Errorf("an empty sealed informant: %v, want invalid as single-node", outs[1].Err)
	}
	if got, _ := outs[2].Value.([]byte); outs[2].Err != nil || !bytes.Equal(got, sealed) {
		t.Errorf("reveal: %q, %v", got, outs[2].Err)
	}
	if got, _ := outs[3].Value.(*camera.Tip); outs[3].Err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("read: %+v, %v", got, outs[3].Err)
	}
	if got, _ := outs[4].Value.([]*camera.Tip); outs[4].Err != nil || len(got) != 1 || got[0].ID != want.ID {
		t.Errorf("list of a gone and a kept tip: %+v, %v", got, outs[4].Err)
	}
	var actions []string
	for _, e := range auditActions(t, node) {
		actions = append(actions, e.Action+" "+e.Target)
		if e.Action == registry.ActionTipInformant && !reflect.DeepEqual(e.Changes, []string{"reason: xác minh"}) {
			t.Errorf("reveal audited with %q", e.Changes)
		}
	}
	wantActions := []string{"tip.list 1 tips", "tip.read " + want.ID, "tip.informant " + want.ID, "tip.create " + want.ID}
	if !reflect.DeepEqual(actions, wantActions) {
		t.Errorf("audit %q, want %q", actions, wantActions)
	}

	// Compare-and-set: a change built on the record as it is applies; one
	// built on an older read is stale and changes nothing.
	p, err := node.TipUpdateOf(ctx, want.ID, officer, func(tp *camera.Tip) error {
		tp.Outcome, tp.People = camera.OutcomeCriminal, 2
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !registry.SameTip(p.Prev, want) || p.Next.People != 2 {
		t.Fatalf("payload %+v", p)
	}
	later := applyT0.Add(time.Minute)
	outs = apply(t, node,
		cmd(t, 6, "c6", registry.KindTipUpdate, later, p),
		cmd(t, 7, "c7", registry.KindTipUpdate, later, p),
	)
	if got, _ := outs[0].Value.(*camera.Tip); outs[0].Err != nil || got.People != 2 || !got.UpdatedAt.Equal(later) {
		t.Errorf("update: %+v, %v", got, outs[0].Err)
	}
	if !errors.Is(outs[1].Err, registry.ErrStale) {
		t.Errorf("update on a stale read: %v, want %v", outs[1].Err, registry.ErrStale)
	}
	if _, err := node.TipUpdateOf(ctx, "TIP-GONE", officer, func(*camera.Tip) error { return nil }); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Errorf("update of no tip: %v, want not found", err)
	}

	outs = apply(t, node, cmd(t, 8, "c8", registry.KindTipPurge, later, registry.TipPurge{Cutoff: applyT0, Actor: camera.SystemActor}))
	if n, _ := outs[0].Value.(int); outs[0].Err != nil || n != 1 {
		t.Errorf("purge: %v, %v; want 1", outs[0].Value, outs[0].Err)
	}
}
