package evidence

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/metricstest"
)

func TestVerify(t *testing.T) {
	ctx := context.Background()
	r := newClipsRig(t)
	var ids []string
	for i, frames := range []int{30, 40, 50} {
		c, err := r.clips.Upload(ctx, r.inc[i%2].ID, bytes.NewReader(testMP4(t, frames, 40*time.Millisecond)), 1<<20, "c.mp4", police)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}

	res, err := r.clips.Verify(ctx, ids[0], police)
	if err != nil || res.Result != camera.VerifyMatch || res.SHA256 != ids[0] || res.Custody.Action != camera.CustodyVerify || res.Custody.Result != camera.VerifyMatch {
		t.Fatalf("intact file: %+v %v", res, err)
	}

	// Alter one byte of the second file.
	path := r.files.Path(ids[1])
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	b[len(b)/2] ^= 0x01
	if err := os.WriteFile(path, b, 0o440); err != nil {
		t.Fatal(err)
	}
	res, err = r.clips.Verify(ctx, ids[1], police)
	if err != nil || res.Result != camera.VerifyMismatch || res.SHA256 == ids[1] || res.OK() {
		t.Errorf("altered file: %+v %v", res, err)
	}

	// Delete the third.
	if err := os.Remove(r.files.Path(ids[2])); err != nil {
		t.Fatal(err)
	}
	res, err = r.clips.Verify(ctx, ids[2], police)
	if err != nil || res.Result != camera.VerifyMissing {
		t.Errorf("deleted file: %+v %v", res, err)
	}
	if _, _, err := r.clips.Open(ctx, ids[2], camera.CustodyDownload, "x", police); camera.ErrorCode(err) != camera.ENOTFOUND || camera.ErrorField(err) != "file" {
		t.Errorf("download of a missing file: %v", err)
	}
	if _, err := r.clips.Verify(ctx, "0000000000000000000000000000000000000000000000000000000000000000", police); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Errorf("unknown clip: %v", err)
	}
	if v := metricstest.Value(t, r.reg, "matthan_clip_verify_failures_total", nil); v != 2 {
		t.Errorf("matthan_clip_verify_failures_total = %v, want 2", v)
	}

	// The whole store, as "matthan verify" walks it, and each chain
	// records it.
	got := map[string]string{}
	if err := r.clips.VerifyAll(ctx, func(v VerifyResult) error { got[v.ClipID] = v.Result; return nil }); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{ids[0]: camera.VerifyMatch, ids[1]: camera.VerifyMismatch, ids[2]: camera.VerifyMissing}
	if len(got) != 3 || got[ids[0]] != want[ids[0]] || got[ids[1]] != want[ids[1]] || got[ids[2]] != want[ids[2]] {
		t.Errorf("VerifyAll: %v, want %v", got, want)
	}
	chain, _, _ := r.store.ListCustody(ctx, ids[1], 0, 10)
	var results []string
	for _, e := range chain {
		if e.Action == camera.CustodyVerify {
			results = append(results, e.Result+" by "+e.Actor.Name)
		}
	}
	if len(results) != 2 || results[0] != "mismatch by ca-xa" || results[1] != "mismatch by system" {
		t.Errorf("verify entries of the altered clip: %v", results)
	}
}
