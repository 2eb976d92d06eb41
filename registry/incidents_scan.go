package registry

import (
	"bytes"
	"container/heap"

	bolt "go.etcd.io/bbolt"
)

// Every index key is prefix start(8) id, so one prefix's entries are in
// (start, id) order and a list is a walk backwards from an upper bound
// (the page's cursor, or To) to a lower one (From). A query over several
// prefixes (the cells of a place) merges their walks.

// descScan walks one prefix of an index backwards over key suffixes in
// [lo, hi) (nil = open).
type descScan struct {
	c      *bolt.Cursor
	prefix []byte
	lo     []byte
	suffix []byte // current entry's key after the prefix; nil when done
	value  []byte
}

func newDescScan(b *bolt.Bucket, prefix, lo, hi []byte) *descScan {
	s := &descScan{c: b.Cursor(), prefix: prefix, lo: lo}
	var k, v []byte
	var seek []byte
	if hi != nil {
		seek = append(append([]byte{}, prefix...), hi...)
	} else {
		seek = successor(prefix)
	}
	if seek == nil {
		k, v = s.c.Last()
	} else if k, _ = s.c.Seek(seek); k == nil {
		k, v = s.c.Last()
	} else {
		k, v = s.c.Prev()
	}
	s.set(k, v)
	return s
}

// set makes k the current entry, or ends the scan when k is outside the
// prefix or below lo.
func (s *descScan) set(k, v []byte) {
	if k == nil || !bytes.HasPrefix(k, s.prefix) || len(k) < len(s.prefix)+9 {
		s.suffix = nil
		return
	}
	suf := k[len(s.prefix):]
	if s.lo != nil && bytes.Compare(suf[:8], s.lo) < 0 {
		s.suffix = nil
		return
	}
	s.suffix, s.value = suf, v
}

func (s *descScan) advance() { s.set(s.c.Prev()) }

// successor returns the smallest key greater than every key with prefix p,
// or nil when there is none (p empty or all 0xff).
func successor(p []byte) []byte {
	out := append([]byte{}, p...)
	for i := len(out) - 1; i >= 0; i-- {
		if out[i] < 0xff {
			out[i]++
			return out[:i+1]
		}
	}
	return nil
}

// merge yields the entries of several scans in one descending order of
// (start, id): a max-heap of the scans by current suffix.
type merge []*descScan

func newMerge(b *bolt.Bucket, prefixes [][]byte, lo, hi []byte) *merge {
	m := make(merge, 0, len(prefixes))
	for _, p := range prefixes {
		if s := newDescScan(b, p, lo, hi); s.suffix != nil {
			m = append(m, s)
		}
	}
	heap.Init(&m)
	return &m
}

// next returns the next entry's suffix (start(8) id) and value. They are
// valid until the following call only.
func (m *merge) next() (suffix, value []byte, ok bool) {
	if m.Len() == 0 {
		return nil, nil, false
	}
	top := (*m)[0]
	suffix, value = top.suffix, top.value
	top.advance()
	if top.suffix == nil {
		heap.Pop(m)
	} else {
		heap.Fix(m, 0)
	}
	return suffix, value, true
}

func (m merge) Len() int           { return len(m) }
func (m merge) Less(i, j int) bool { return bytes.Compare(m[i].suffix, m[j].suffix) > 0 }
func (m merge) Swap(i, j int)      { m[i], m[j] = m[j], m[i] }
func (m *merge) Push(x any)        { *m = append(*m, x.(*descScan)) }
func (m *merge) Pop() any {
	old := *m
	x := old[len(old)-1]
	*m = old[:len(old)-1]
	return x
}
