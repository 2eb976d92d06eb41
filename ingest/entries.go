package ingest

import (
	"hash/maphash"
	"iter"
)

// entryIndex is the poller's entries by camera id: an open-addressing hash
// table of entry pointers (linear probing, deletion by backward shift), at
// most 3/4 full. An entry carries its id, so a slot is 8 bytes, plus a
// byte of its hash (a tag) so that a lookup reads the entries whose tag
// matches only: 9 to 18 bytes a camera, where a map[string]*entry costs
// about 50 (a 24-byte slot at a lower load). The hash is seeded, as a
// map's is, so that ids chosen to collide cannot make lookups slow. Not
// safe for concurrent use: the poller's lock guards it.
type entryIndex struct {
	seed  maphash.Seed
	tags  []uint8  // 0: empty slot; len is 0 or a power of two
	slots []*entry // as tags
	n     int
}

func newEntryIndex() entryIndex { return entryIndex{seed: maphash.MakeSeed()} }

// hash returns id's preferred slot and its tag.
func (x *entryIndex) hash(id string) (int, uint8) {
	h := maphash.String(x.seed, id)
	return int(h & uint64(len(x.slots)-1)), uint8(h>>56) | 1
}

// len is the number of entries.
func (x *entryIndex) len() int { return x.n }

// find returns the slot of id, or -1.
func (x *entryIndex) find(id string) int {
	if x.n == 0 {
		return -1
	}
	mask := len(x.slots) - 1
	i, tag := x.hash(id)
	for ; x.tags[i] != 0; i = (i + 1) & mask {
		if x.tags[i] == tag && x.slots[i].id() == id {
			return i
		}
	}
	return -1
}

// get returns the entry of id, or nil.
func (x *entryIndex) get(id string) *entry {
	if i := x.find(id); i >= 0 {
		return x.slots[i]
	}
	return nil
}

// add adds e, whose id is not in the index.
func (x *entryIndex) add(e *entry) {
	x.reserve(x.n + 1)
	x.insert(e)
	x.n++
}

// reserve makes room for n entries.
func (x *entryIndex) reserve(n int) {
	size := max(len(x.slots), 16)
	for n*4 > size*3 {
		size *= 2
	}
	if size != len(x.slots) {
		x.resize(size)
	}
}

// insert puts e, whose id is not in the index, in the first free slot
// from its home.
func (x *entryIndex) insert(e *entry) {
	mask := len(x.slots) - 1
	i, tag := x.hash(e.id())
	for x.tags[i] != 0 {
		i = (i + 1) & mask
	}
	x.tags[i], x.slots[i] = tag, e
}

// resize moves the entries to a table of size slots.
func (x *entryIndex) resize(size int) {
	old := x.slots
	x.tags, x.slots = make([]uint8, size), make([]*entry, size)
	for _, e := range old {
		if e != nil {
			x.insert(e)
		}
	}
}

// del removes the entry of id, if there is one. The entries after it in
// its run move back, so that no lookup meets a hole before its entry.
func (x *entryIndex) del(id string) {
	i := x.find(id)
	if i < 0 {
		return
	}
	x.tags[i], x.slots[i] = 0, nil
	x.n--
	mask := len(x.slots) - 1
	for j := (i + 1) & mask; x.tags[j] != 0; j = (j + 1) & mask {
		// The entry at j may move to the hole at i unless its home is
		// cyclically in (i, j].
		k, _ := x.hash(x.slots[j].id())
		if i <= j && i < k && k <= j || i > j && (i < k || k <= j) {
			continue
		}
		x.tags[i], x.slots[i] = x.tags[j], x.slots[j]
		x.tags[j], x.slots[j] = 0, nil
		i = j
	}
}

// all yields every entry, in no particular order. The index must not be
// changed while it runs.
func (x *entryIndex) all() iter.Seq[*entry] {
	return func(yield func(*entry) bool) {
		for _, e := range x.slots {
			if e != nil && !yield(e) {
				return
			}
		}
	}
}
