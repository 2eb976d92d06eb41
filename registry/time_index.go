package registry

import (
	"bytes"
	"context"
	"time"

	bolt "go.etcd.io/bbolt"
)

// walkTimeIndex calls fn with each entry of an index keyed by an 8-byte
// time (encTime) and then an id, from from up to but not including to; a
// zero from or to leaves that end open. The counts of incidents and of
// tips read their time indexes this way; the walk checks ctx every 4,096
// entries, so a request given up stops a long count.
func walkTimeIndex(ctx context.Context, b *bolt.Bucket, from, to time.Time, fn func(k, v []byte) error) error {
	c := b.Cursor()
	var k, v []byte
	if from.IsZero() {
		k, v = c.First()
	} else {
		t := encTime(from)
		k, v = c.Seek(t[:])
	}
	var end [8]byte
	if !to.IsZero() {
		end = encTime(to)
	}
	for n := 0; k != nil; k, v = c.Next() {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if !to.IsZero() && bytes.Compare(k[:8], end[:]) >= 0 {
			return nil
		}
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}
