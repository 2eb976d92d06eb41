package replica_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// A camera created through node A is read on node B as A stores it,
// credentials and times included; replaced, patched, retired and deleted
// through B, A follows.
func TestCameraWritesReachEveryNode(t *testing.T) {
	nodes := startCluster(t, 2)
	a, b := nodes[0], nodes[1]
	ctx := ctxT(t)

	c := testCamera("CG-0001")
	if err := a.st.CreateCamera(ctx, c, police); err != nil {
		t.Fatal(err)
	}
	if c.CreatedAt.IsZero() || !c.UpdatedAt.Equal(c.CreatedAt) {
		t.Errorf("created camera's times %v, %v: want set by the store", c.CreatedAt, c.UpdatedAt)
	}
	catchUp(t, a, b)
	got, err := b.st.GetCamera(ctx, "CG-0001")
	if err != nil {
		t.Fatalf("read on B: %v", err)
	}
	if !registry.SameCamera(got, c) {
		t.Errorf("B reads %+v, want %+v", got, c)
	}

	// Replace through B, keeping credentials the client never saw.
	bare := c.Clone()
	bare.Credentials = camera.Credentials{}
	bare.Notes = "gắn lại"
	created, err := b.st.ReplaceCamera(ctx, bare, true, police)
	if err != nil || created {
		t.Fatalf("replace: created %v, %v", created, err)
	}
	if bare.Credentials != c.Credentials {
		t.Errorf("replaced camera's credentials %+v, want kept %+v", bare.Credentials, c.Credentials)
	}

	// Patch through A: the change runs where it is taken.
	up, err := a.st.UpdateCamera(ctx, "CG-0001", "camera.patch", police, func(c *camera.Camera) error {
		c.Name = "Cổng chợ"
		return nil
	})
	if err != nil || up.Name != "Cổng chợ" || up.Notes != "gắn lại" {
		t.Fatalf("patch: %+v, %v", up, err)
	}
	// A change that changes nothing writes nothing (B reads what it has
	// applied: let it catch up with A's patch first).
	catchUp(t, a, b)
	same, err := b.st.UpdateCamera(ctx, "CG-0001", "camera.patch", police, func(c *camera.Camera) error { return nil })
	if err != nil || !same.UpdatedAt.Equal(up.UpdatedAt) {
		t.Errorf("empty patch: %+v, %v; want the camera unchanged", same, err)
	}
	// A change refused is the change's own error.
	refuse := camera.Errorf(camera.EINVALID, "lat", "out of range")
	if _, err := b.st.UpdateCamera(ctx, "CG-0001", "camera.patch", police, func(c *camera.Camera) error { return refuse }); !errors.Is(err, refuse) {
		t.Errorf("refused patch: %v, want %v", err, refuse)
	}
	if _, err := b.st.UpdateCamera(ctx, "CG-0404", "camera.retire", police, func(c *camera.Camera) error { return nil }); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Errorf("retire of a missing camera: %v, want not found", err)
	}
	checkEqual(t, a, b)

	if err := b.st.DeleteCamera(ctx, "CG-0001", police); err != nil {
		t.Fatal(err)
	}
	if err := a.st.DeleteCamera(ctx, "CG-0001", police); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Errorf("second delete: %v, want not found", err)
	}
	catchUp(t, a, b)
	if _, err := a.st.GetCamera(ctx, "CG-0001"); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Errorf("A reads the deleted camera: %v", err)
	}
	checkEqual(t, a, b)
}

// The same new camera id created on A and on B at once: exactly one
// succeeds, the other gets the registry's conflict, and both nodes end
// with the same camera and the same audit log.
func TestSameNewCameraOnTwoNodes(t *testing.T) {
	nodes := startCluster(t, 2)
	ctx := ctxT(t)
	for round, id := range cameraIDs("CG", 5) {
		errs := make([]error, len(nodes))
		var wg sync.WaitGroup
		for i, n := range nodes {
			wg.Go(func() {
				c := testCamera(id)
				c.Name = "taken by " + n.id
				errs[i] = n.st.CreateCamera(ctx, c, police)
			})
		}
		wg.Wait()
		ok, conflict := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case camera.ErrorCode(err) == camera.ECONFLICT:
				conflict++
			default:
				t.Errorf("round %d: %v", round, err)
			}
		}
		if ok != 1 || conflict != 1 {
			t.Errorf("round %d: %d created, %d conflicts (%v); want one of each", round, ok, conflict, errs)
		}
	}
	checkEqual(t, nodes...)
}

// An import through the log is one command whose outcome is the
// registry's counts, with the cameras as stored given back.
func TestImportThroughLog(t *testing.T) {
	nodes := startCluster(t, 2)
	a, b := nodes[0], nodes[1]
	ctx := ctxT(t)
	ids := cameraIDs("BG", 300)
	cams := make([]*camera.Camera, len(ids))
	for i, id := range ids {
		cams[i] = testCamera(id)
	}
	res, err := a.st.Import(ctx, cams, registry.ImportOptions{}, police)
	if err != nil || res.Created != 300 {
		t.Fatalf("import on A: %+v, %v", res, err)
	}
	// Again on B, without credentials: kept, so unchanged.
	again := make([]*camera.Camera, len(ids))
	for i, id := range ids {
		again[i] = testCamera(id)
		again[i].Credentials = camera.Credentials{}
	}
	res, err = b.st.Import(ctx, again, registry.ImportOptions{}, police)
	if err != nil || res.Unchanged != 300 {
		t.Fatalf("import again on B: %+v, %v", res, err)
	}
	if again[7].Credentials != cams[7].Credentials || !again[7].CreatedAt.Equal(cams[7].CreatedAt) {
		t.Errorf("re-imported camera %+v: want the stored credentials and times", again[7])
	}
	checkEqual(t, a, b)
}

// An import larger than one command goes as several when it is not
// atomic, and is refused whole when it is.
func TestImportSplitsWhenLarge(t *testing.T) {
	nodes := startCluster(t, 2)
	a, b := nodes[0], nodes[1]
	small := replicaWithLimit(a, 2<<10)
	ctx := ctxT(t)
	ids := cameraIDs("LG", 200)
	cams := func() []*camera.Camera {
		out := make([]*camera.Camera, len(ids))
		for i, id := range ids {
			out[i] = testCamera(id)
		}
		return out
	}
	if _, err := small.Import(ctx, cams(), registry.ImportOptions{Atomic: true}, police); camera.ErrorCode(err) != camera.ETOOLARGE {
		t.Errorf("atomic import over the limit: %v, want too large", err)
	}
	before := a.fol.Applied()
	res, err := small.Import(ctx, cams(), registry.ImportOptions{}, police)
	if err != nil || res.Created != len(ids) {
		t.Fatalf("import in parts: %+v, %v", res, err)
	}
	if n := a.fol.Applied() - before; n < 2 {
		t.Errorf("the import took %d commands, want several", n)
	}
	checkEqual(t, a, b)
}
