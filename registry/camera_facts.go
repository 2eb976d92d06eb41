package registry

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/matthan/matthan/registry/record"
	bolt "go.etcd.io/bbolt"
)

// The camera facts are a compact copy of the four fields of each camera
// record that the money side reads — name, commune, status and cost —
// under the camera's id, written by putCamera and removed by
// deleteCamera in the camera's own transaction. The funding views, the
// donation import's snapshot of places and the incident counts read every
// camera of a million-camera registry or look many up; reading these
// 40-byte records instead of scanning 400-byte JSON ones takes a fraction
// of the time and of the pages.
//
// Value: a version byte, the cost as a uvarint, then name, commune and
// status, each a uvarint length and its bytes.

var bucketCameraFacts = []byte("camera_facts")

const cameraFactsVersion = 1

var errCameraFacts = errors.New("camera facts record is malformed")

func appendCameraFacts(b []byte, f *cameraFacts) []byte {
	b = append(b, cameraFactsVersion)
	b = binary.AppendUvarint(b, uint64(f.cost))
	b = record.AppendString(b, f.name)
	b = record.AppendString(b, f.commune)
	return record.AppendString(b, f.status)
}

// decodeCameraFacts reads a facts record into f; f's slices point into v.
func decodeCameraFacts(v []byte, f *cameraFacts) error {
	r := record.NewReader(v)
	if r.Byte() != cameraFactsVersion {
		return errCameraFacts
	}
	f.cost = int64(r.Uvarint())
	f.name, f.commune, f.status = r.Bytes(), r.Bytes(), r.Bytes()
	if r.Bad() || r.Len() != 0 {
		return errCameraFacts
	}
	return nil
}

// getCameraFacts reads the facts of camera id into f; found is false when
// there is no such camera.
func getCameraFacts(tx *bolt.Tx, id []byte, f *cameraFacts) (found bool, err error) {
	b, err := derivedBucket(tx, bucketCameraFacts)
	if err != nil {
		return false, err
	}
	v := b.Get(id)
	if v == nil {
		return false, nil
	}
	if err := decodeCameraFacts(v, f); err != nil {
		return false, fmt.Errorf("camera %q: %w", id, err)
	}
	return true, nil
}

// eachCameraFacts calls fn with each camera's id and facts (valid during
// the call), in id order — the order of the cameras bucket — until fn
// fails or ctx is done.
func eachCameraFacts(ctx context.Context, tx *bolt.Tx, fn func(id []byte, f *cameraFacts) error) error {
	b, err := derivedBucket(tx, bucketCameraFacts)
	if err != nil {
		return err
	}
	t := ticker{ctx: ctx}
	var f cameraFacts
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := t.tick(); err != nil {
			return err
		}
		if err := decodeCameraFacts(v, &f); err != nil {
			return fmt.Errorf("camera %q: %w", k, err)
		}
		if err := fn(k, &f); err != nil {
			return err
		}
	}
	return nil
}

// buildCameraFacts writes the facts of every camera record into a fresh
// bucket: the migration to schema 4. Whatever the bucket held is dropped
// first — a migration cut off, then an older program's camera writes,
// must not leave stale records behind.
func buildCameraFacts(tx *bolt.Tx) error {
	b, err := freshBucket(tx, bucketCameraFacts)
	if err != nil {
		return err
	}
	b.FillPercent = 0.9 // written in key order
	var f cameraFacts
	var buf []byte
	c := tx.Bucket(bucketCameras).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := scanCamera(v, &f); err != nil {
			return fmt.Errorf("camera %q: %w", k, err)
		}
		buf = appendCameraFacts(buf[:0], &f)
		if err := b.Put(k, bytes.Clone(buf)); err != nil {
			return err
		}
	}
	return nil
}

// checkCameraFacts reports whether the facts match the camera records
// one for one (Store.Check). A file of an older schema opened read-only
// has none to check.
func checkCameraFacts(tx *bolt.Tx) error {
	b := tx.Bucket(bucketCameraFacts)
	if b == nil {
		return nil
	}
	cams, facts := tx.Bucket(bucketCameras).Cursor(), b.Cursor()
	ck, cv := cams.First()
	fk, fv := facts.First()
	var want, got cameraFacts
	for ck != nil || fk != nil {
		switch {
		case fk == nil || (ck != nil && bytes.Compare(ck, fk) < 0):
			return fmt.Errorf("camera %q has no facts record", ck)
		case ck == nil || bytes.Compare(fk, ck) < 0:
			return fmt.Errorf("camera facts of %q, a camera that is not stored", fk)
		}
		if err := scanCamera(cv, &want); err != nil {
			return fmt.Errorf("camera %q: %w", ck, err)
		}
		if err := decodeCameraFacts(fv, &got); err != nil {
			return fmt.Errorf("camera %q: %w", fk, err)
		}
		if got.cost != want.cost || !bytes.Equal(got.name, want.name) || !bytes.Equal(got.commune, want.commune) || !bytes.Equal(got.status, want.status) {
			return fmt.Errorf("camera facts of %q (%q, %q, %q, %d) differ from its record (%q, %q, %q, %d)", ck,
				got.name, got.commune, got.status, got.cost, want.name, want.commune, want.status, want.cost)
		}
		ck, cv = cams.Next()
		fk, fv = facts.Next()
	}
	return nil
}

// derivedBucket returns a bucket that a migration added, or an error that
// says so when the file predates it: a file of an older schema opened
// read-only (a backup of an older daemon being checked) is not migrated.
func derivedBucket(tx *bolt.Tx, name []byte) (*bolt.Bucket, error) {
	if b := tx.Bucket(name); b != nil {
		return b, nil
	}
	return nil, fmt.Errorf("the database has no %s bucket: an older matthan wrote it; open it read-write (start the daemon on it) once to migrate it", name)
}

// freshBucket empties (or creates) the bucket name.
func freshBucket(tx *bolt.Tx, name []byte) (*bolt.Bucket, error) {
	if tx.Bucket(name) != nil {
		if err := tx.DeleteBucket(name); err != nil {
			return nil, err
		}
	}
	return tx.CreateBucket(name)
}
