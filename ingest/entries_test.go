package ingest

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestEntryIndex checks the index against a map through random puts and
// deletions, growth included.
func TestEntryIndex(t *testing.T) {
	x := newEntryIndex()
	ref := map[string]*entry{}
	mk := func(id string) *entry {
		e := &entry{}
		e.setKey(id, urlOf(id))
		return e
	}
	check := func(step int) {
		t.Helper()
		if x.len() != len(ref) {
			t.Fatalf("step %d: len %d, want %d", step, x.len(), len(ref))
		}
		n := 0
		for e := range x.all() {
			n++
			if ref[e.id()] != e {
				t.Fatalf("step %d: all yields %s, not in the reference", step, e.id())
			}
		}
		if n != len(ref) {
			t.Fatalf("step %d: all yields %d entries, want %d", step, n, len(ref))
		}
		for id, e := range ref {
			if got := x.get(id); got != e {
				t.Fatalf("step %d: get(%s) = %p, want %p", step, id, got, e)
			}
		}
	}
	if x.get("none") != nil {
		t.Fatal("get on an empty index")
	}
	x.del("none")
	rng := rand.New(rand.NewPCG(1, 2))
	for step := range 20_000 {
		id := fmt.Sprintf("CG-%04d", rng.IntN(3000))
		switch rng.IntN(3) {
		case 0, 1:
			e := mk(id)
			if ref[id] != nil {
				x.del(id)
			}
			x.add(e)
			ref[id] = e
		case 2:
			x.del(id)
			delete(ref, id)
			if x.get(id) != nil {
				t.Fatalf("step %d: %s still there after del", step, id)
			}
		}
		if step%997 == 0 {
			check(step)
		}
		if step == 10_000 {
			x.reserve(6000)
			check(step)
		}
	}
	check(-1)
	for id := range ref {
		x.del(id)
		delete(ref, id)
	}
	check(-2)
}
