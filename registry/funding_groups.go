package registry

import (
	"bytes"
	"context"
	"fmt"
	"hash/maphash"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry/record"
)

// The walking parts of the funding views: a cursor over index groups,
// distinct counts, cancellation.

// ticker checks for cancellation every few thousand steps of a walk.
type ticker struct {
	ctx context.Context
	n   int
}

func (t *ticker) tick() error {
	if t.n++; t.n%4096 == 0 {
		return t.ctx.Err()
	}
	return nil
}

// groups walks an index whose keys are prefix 0x00 tail, one prefix (one
// camera, commune or donor) at a time.
type groups struct {
	c    *bolt.Cursor
	k, v []byte
	err  error
}

func newGroups(b *bolt.Bucket) *groups {
	g := &groups{c: b.Cursor()}
	g.k, g.v = g.c.First()
	return g
}

// prefix returns the prefix of the current key; nil at the end or on a
// malformed key (then err is set and the walk ends).
func (g *groups) prefix() []byte {
	if g.k == nil {
		return nil
	}
	p, _, _, ok := record.SplitTail(g.k, true)
	if !ok {
		g.err = fmt.Errorf("index key %q: %w", g.k, record.ErrDamagedDonation)
		g.k = nil
		return nil
	}
	return p
}

// each calls fn with the value of every entry of the current prefix and
// moves past them.
func (g *groups) each(t *ticker, p []byte, fn func(val []byte) bool) error {
	for g.k != nil && len(g.k) == len(p)+1+record.TailLen && bytes.HasPrefix(g.k, p) {
		if err := t.tick(); err != nil {
			return err
		}
		if !fn(g.v) {
			return fmt.Errorf("index entry %q: %w", g.k, record.ErrDamagedDonation)
		}
		g.k, g.v = g.c.Next()
	}
	return nil
}

// distinctSet counts distinct values. Groups are small for a camera (a
// few gifts) and large for a commune or a company (hundreds): a pairwise
// comparison serves the first, a hash set the others, which sorting
// would cost twice as much. The set holds the values themselves and
// checks them on equal hashes, so a collision cannot merge two donors.
type distinctSet struct {
	seed maphash.Seed
	m    map[uint64][]byte
}

func newDistinctSet() *distinctSet {
	return &distinctSet{seed: maphash.MakeSeed(), m: map[uint64][]byte{}}
}

// count returns the number of distinct values in xs.
func (d *distinctSet) count(xs [][]byte) int {
	if len(xs) <= 16 {
		n := 0
	outer:
		for i, x := range xs {
			for _, y := range xs[:i] {
				if bytes.Equal(x, y) {
					continue outer
				}
			}
			n++
		}
		return n
	}
	clear(d.m)
	for _, x := range xs {
		h := maphash.Bytes(d.seed, x)
		if y, ok := d.m[h]; ok {
			if !bytes.Equal(x, y) {
				return sortedDistinct(xs) // a collision: count the slow way
			}
			continue
		}
		d.m[h] = x
	}
	return len(d.m)
}

// sortedDistinct counts the distinct values in xs by sorting it.
func sortedDistinct(xs [][]byte) int {
	slices.SortFunc(xs, bytes.Compare)
	n := 1
	for i := 1; i < len(xs); i++ {
		if !bytes.Equal(xs[i], xs[i-1]) {
			n++
		}
	}
	return n
}

// statusOf returns a camera's status without allocating for the two
// known ones.
func statusOf(b []byte) camera.Status {
	switch string(b) {
	case string(camera.StatusActive):
		return camera.StatusActive
	case string(camera.StatusRetired):
		return camera.StatusRetired
	}
	return camera.Status(b)
}
