package evidence

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/matthan/matthan/camera"
)

// VerifyResult is the outcome of re-hashing one clip's file.
type VerifyResult struct {
	ClipID string `json:"clip_id"`
	// Result is camera.VerifyMatch, VerifyMismatch or VerifyMissing.
	Result string `json:"result"`
	// SHA256 is the hash the file has now ("" when it is missing); it
	// differs from ClipID on a mismatch.
	SHA256 string `json:"sha256,omitempty"`
	Bytes  int64  `json:"bytes"`
	// Custody is the "verify" entry appended to the clip's chain.
	Custody camera.CustodyEntry `json:"custody"`
}

// OK reports whether the file is intact.
func (r VerifyResult) OK() bool { return r.Result == camera.VerifyMatch }

// verifyPage is how many clip records VerifyAll reads per transaction.
const verifyPage = 100

// Verify re-hashes a clip's file and compares it with the clip's id: match,
// mismatch (the file was altered) or missing (it is gone). The result is
// appended to the clip's custody as a "verify" entry by actor, and a
// failure counts in matthan_clip_verify_failures_total. The error is for
// what prevents the check itself (ENOTFOUND for an unknown clip, a read
// error); a bad file is a result, not an error.
func (c *Clips) Verify(ctx context.Context, clipID string, actor camera.Actor) (VerifyResult, error) {
	clip, err := c.Store.GetClip(ctx, clipID)
	if err != nil {
		return VerifyResult{}, err
	}
	return c.verify(ctx, clip, actor)
}

func (c *Clips) verify(ctx context.Context, clip *camera.Clip, actor camera.Actor) (VerifyResult, error) {
	res := VerifyResult{ClipID: clip.ID}
	sum, n, err := hashFile(ctx, c.Files.Path(clip.ID))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		res.Result = camera.VerifyMissing
	case err != nil:
		return res, fmt.Errorf("verify clip %s: %w", clip.ID, err)
	case sum == clip.ID:
		res.Result, res.SHA256, res.Bytes = camera.VerifyMatch, sum, n
	default:
		res.Result, res.SHA256, res.Bytes = camera.VerifyMismatch, sum, n
	}
	reason := fmt.Sprintf("re-hashed %d bytes", n)
	if res.Result == camera.VerifyMissing {
		reason = "the file is missing"
	}
	e, err := c.Store.AppendCustody(ctx, camera.CustodyEntry{ClipID: clip.ID, Actor: actor, Action: camera.CustodyVerify, Reason: reason, Result: res.Result})
	if err != nil {
		return res, err
	}
	res.Custody = e
	if !res.OK() {
		c.Metrics.verifyFailed()
		c.log().Error("clip verification failed", "clip", clip.ID, "result", res.Result, "incidents", clip.IncidentIDs)
	}
	return res, nil
}

// VerifyAll verifies every clip, one at a time, as the system actor, and
// calls fn with each result (for "matthan verify" to print). It reads the
// clip records a page at a time and holds no transaction while it hashes,
// so the daemon's writes are never held up. It stops at the first error
// of fn, of a read, or of ctx; bad files are results, not errors.
func (c *Clips) VerifyAll(ctx context.Context, fn func(VerifyResult) error) error {
	after := ""
	for {
		page, next, err := c.Store.ListClips(ctx, after, verifyPage)
		if err != nil {
			return err
		}
		for _, clip := range page {
			res, err := c.verify(ctx, clip, camera.SystemActor)
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return err
			}
			if camera.ErrorCode(err) == camera.ENOTFOUND {
				continue // purged between the page and its check
			}
			if err != nil {
				return err
			}
			if err := fn(res); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		after = next
	}
}
