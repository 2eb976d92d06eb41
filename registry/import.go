package registry

import (
	"context"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry/record"
)

// importBatch is how many cameras one import transaction writes. bbolt has
// one writer and fsyncs per commit: large batches make a 100,000-camera
// import a handful of commits, while bounding the memory of one
// transaction's dirty pages.
const importBatch = 20000

// ImportResult counts what an import did.
type ImportResult struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// ImportOptions tune an import.
type ImportOptions struct {
	// Atomic writes every camera in one transaction: all or nothing.
	Atomic bool
	// KeepStatus and KeepNotes keep an existing camera's status and notes
	// when the file had no such column: the contract CSV has neither, and
	// re-importing an export must not bring retired cameras back to life
	// or wipe notes.
	KeepStatus, KeepNotes bool
}

// ImportCameras upserts cameras by id with only the atomic option; see
// Import.
func (s *Store) ImportCameras(ctx context.Context, cams []*camera.Camera, atomic bool, actor camera.Actor) (ImportResult, error) {
	return s.Import(ctx, cams, ImportOptions{Atomic: atomic}, actor)
}

// Import upserts cameras by id. Credentials of an existing camera are kept
// when the imported row has none (a CSV export carries none). Without
// Atomic, batches commit one by one, and a failure leaves the earlier
// batches stored (they were valid rows) and reports the error.
func (s *Store) Import(ctx context.Context, cams []*camera.Camera, opts ImportOptions, actor camera.Actor) (ImportResult, error) {
	var res ImportResult
	batch := importBatch
	if opts.Atomic {
		batch = len(cams)
	}
	for start := 0; start < len(cams); start += batch {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		end := min(start+batch, len(cams))
		var r ImportResult
		err := s.update(func(tx *bolt.Tx) error {
			r = ImportResult{}
			b := tx.Bucket(bucketCameras)
			// Imports mostly add ids in order (CG-0001, CG-0002, ...):
			// fuller pages than bbolt's default halves keep the file and
			// the pages a start must read smaller.
			b.FillPercent = 0.9
			tx.Bucket(bucketCameraFacts).FillPercent = 0.9 // keyed alike
			now := s.now().UTC()
			for _, c := range cams[start:end] {
				c.CreatedAt, c.UpdatedAt = now, now
				old := b.Get([]byte(c.ID))
				action := "camera.import.create"
				var changes []string
				var prev *camera.Camera
				if old != nil {
					var err error
					prev, err = record.DecodeCamera(old)
					if err != nil {
						return err
					}
					c.CreatedAt = prev.CreatedAt
					if c.Credentials.Empty() {
						c.Credentials = prev.Credentials
					}
					if opts.KeepStatus {
						c.Status = prev.Status
					}
					if opts.KeepNotes {
						c.Notes = prev.Notes
					}
					changes = camera.Diff(prev, c)
					if len(changes) == 0 {
						c.UpdatedAt = prev.UpdatedAt
						r.Unchanged++
						continue
					}
					action = "camera.import.update"
					r.Updated++
				} else {
					r.Created++
				}
				if err := putCamera(tx, c, prev); err != nil {
					return err
				}
				if err := appendAudit(tx, now, actor, action, c.ID, changes); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		res.Created += r.Created
		res.Updated += r.Updated
		res.Unchanged += r.Unchanged
	}
	return res, nil
}
