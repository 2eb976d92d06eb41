package registry

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/vntext"
	"github.com/matthan/matthan/registry/record"
)

// The commune facts are running sums over the camera records, one record
// per commune spelling: how many cameras are written so and what they
// cost. Every camera write keeps them, and the camera's own facts
// (camera_facts.go), in its own transaction (putCamera, deleteCamera), so the cost of the cameras by commune — the district
// summary's and the camera-cost metric's — and the communes' canonical
// spellings are read from a few thousand records instead of a million
// camera records (about 0.7 s at that size).
//
// Key: 'c' and the spelling as written on the cameras (bbolt keys may not
// be empty, and a camera may have no commune). Value: two uvarints, the
// number of cameras and their cost in đồng.

var bucketCommuneFacts = []byte("commune_facts")

// communeFact is one spelling's sums.
type communeFact struct {
	cameras uint64
	cost    uint64
}

func factKey(commune string) []byte { return append([]byte{'c'}, commune...) }

func decodeFact(v []byte) (communeFact, error) {
	n, i := binary.Uvarint(v)
	cost, j := binary.Uvarint(v[max(i, 0):])
	if i <= 0 || j <= 0 || i+j != len(v) {
		return communeFact{}, errors.New("commune facts record is malformed")
	}
	return communeFact{n, cost}, nil
}

// addFact adds camera id of the commune and cost (sign +1) or takes one
// away (sign -1). Costs are never negative (camera.Validate). An addition
// that would take the commune's cost past limit is refused, EINVALID
// naming cost_vnd: a sum the int64 of a report cannot hold.
func addFact(b *bolt.Bucket, id, commune string, cost int64, sign int, limit uint64) error {
	k := factKey(commune)
	var f communeFact
	if v := b.Get(k); v != nil {
		var err error
		if f, err = decodeFact(v); err != nil {
			return fmt.Errorf("commune %q: %w", commune, err)
		}
	}
	if sign > 0 {
		sum, carry := bits.Add64(f.cost, uint64(cost), 0)
		if carry != 0 || sum > limit || cost < 0 {
			return camera.Errorf(camera.EINVALID, "cost_vnd", "the cost of camera %q, %s, would take the cost of the cameras of commune %q past %s, more than a total can hold",
				id, camera.FormatVND(cost), commune, maxVNDText)
		}
		f.cameras++
		f.cost = sum
	} else {
		if f.cameras == 0 || f.cost < uint64(cost) {
			return fmt.Errorf("commune facts of %q are behind the cameras (taking away a camera of %d đồng from %d cameras of %d)", commune, cost, f.cameras, f.cost)
		}
		f.cameras--
		f.cost -= uint64(cost)
	}
	if f.cameras == 0 {
		return b.Delete(k)
	}
	return b.Put(k, binary.AppendUvarint(binary.AppendUvarint(nil, f.cameras), f.cost))
}

// putCamera stores c, replacing prev (nil for a new camera), and keeps
// the commune facts and its camera facts. A write that would take its
// commune's cost past the int64 range is refused (see money.go); one
// that lowers the cost of a camera in its commune is always taken, so
// that a sum already past it — a cost stored before cost_vnd was
// bounded — can be corrected.
func putCamera(tx *bolt.Tx, c, prev *camera.Camera) error {
	v, err := record.EncodeCamera(c)
	if err != nil {
		return err
	}
	facts := tx.Bucket(bucketCommuneFacts)
	limit := uint64(math.MaxInt64)
	if prev != nil {
		if err := addFact(facts, prev.ID, prev.Commune, prev.CostVND, -1, 0); err != nil {
			return err
		}
		if prev.Commune == c.Commune && c.CostVND <= prev.CostVND {
			limit = math.MaxUint64 // no higher than it was
		}
	}
	if err := addFact(facts, c.ID, c.Commune, c.CostVND, +1, limit); err != nil {
		return err
	}
	f := cameraFacts{name: []byte(c.Name), commune: []byte(c.Commune), status: []byte(c.Status), cost: c.CostVND}
	if err := tx.Bucket(bucketCameraFacts).Put([]byte(c.ID), appendCameraFacts(nil, &f)); err != nil {
		return err
	}
	return tx.Bucket(bucketCameras).Put([]byte(c.ID), v)
}

// deleteCamera removes camera id, its camera facts and its share of the
// commune facts.
func deleteCamera(tx *bolt.Tx, id string) error {
	var f cameraFacts
	found, err := getCameraFacts(tx, []byte(id), &f)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("camera %q has no facts record", id)
	}
	if err := addFact(tx.Bucket(bucketCommuneFacts), id, string(f.commune), f.cost, -1, 0); err != nil {
		return err
	}
	if err := tx.Bucket(bucketCameraFacts).Delete([]byte(id)); err != nil {
		return err
	}
	return tx.Bucket(bucketCameras).Delete([]byte(id))
}

// sumCommuneFacts computes the facts from every camera record.
func sumCommuneFacts(tx *bolt.Tx) (map[string]communeFact, error) {
	sums := map[string]communeFact{}
	var f cameraFacts
	c := tx.Bucket(bucketCameras).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := scanCamera(v, &f); err != nil {
			return nil, fmt.Errorf("camera %q: %w", k, err)
		}
		s := sums[string(f.commune)]
		s.cameras++
		var carry uint64
		if s.cost, carry = bits.Add64(s.cost, uint64(f.cost), 0); carry != 0 {
			return nil, fmt.Errorf("the costs of the cameras of commune %q sum past 2^64 đồng: correct the cost_vnd of those stored over %s", f.commune, camera.FormatVND(camera.MaxVND))
		}
		sums[string(f.commune)] = s
	}
	return sums, nil
}

// buildCommuneFacts writes the facts computed from every camera record:
// the migration to schema 3.
func buildCommuneFacts(tx *bolt.Tx) error {
	sums, err := sumCommuneFacts(tx)
	if err != nil {
		return err
	}
	b, err := freshBucket(tx, bucketCommuneFacts) // see buildCameraFacts
	if err != nil {
		return err
	}
	for commune, s := range sums {
		if err := b.Put(factKey(commune), binary.AppendUvarint(binary.AppendUvarint(nil, s.cameras), s.cost)); err != nil {
			return err
		}
	}
	return nil
}

// checkCommuneFacts reports whether the running sums match the camera
// records (Store.Check). A file of an older schema opened read-only has
// none to check.
func checkCommuneFacts(tx *bolt.Tx) error {
	b := tx.Bucket(bucketCommuneFacts)
	if b == nil {
		return nil
	}
	want, err := sumCommuneFacts(tx)
	if err != nil {
		return err
	}
	n := 0
	err = b.ForEach(func(k, v []byte) error {
		n++
		got, err := decodeFact(v)
		if err != nil {
			return fmt.Errorf("commune facts %q: %w", k, err)
		}
		if w := want[string(k[1:])]; got != w {
			return fmt.Errorf("commune facts %q: %d cameras of %d đồng, the cameras say %d of %d", k[1:], got.cameras, got.cost, w.cameras, w.cost)
		}
		return nil
	})
	if err == nil && n != len(want) {
		err = fmt.Errorf("commune facts hold %d communes, the cameras %d", n, len(want))
	}
	return err
}

// foldCache maps commune spellings to their folded form. Folding (NFD,
// strip marks, lower case) costs about a microsecond a spelling; a
// country's ten thousand communes are read on every single donation and
// every summary, and their spellings rarely change.
type foldCache struct{ m sync.Map }

func (c *foldCache) fold(raw string) string {
	if v, ok := c.m.Load(raw); ok {
		return v.(string)
	}
	f := vntext.Fold(raw)
	c.m.Store(raw, f)
	return f
}

// readCommuneNames returns the spellings of the cameras' communes with
// their counts, canonical spellings picked (see communeNames), and the
// cost of the cameras by spelling — from the facts, without reading a
// camera. A cost may be past the int64 range (see money.go).
func readCommuneNames(tx *bolt.Tx, folds *foldCache) (*communeNames, map[*spelling]uint64, error) {
	b, err := derivedBucket(tx, bucketCommuneFacts)
	if err != nil {
		return nil, nil, err
	}
	names := newCommuneNames()
	cost := map[*spelling]uint64{}
	err = b.ForEach(func(k, v []byte) error {
		if len(k) == 0 || k[0] != 'c' {
			return fmt.Errorf("commune facts key %q is malformed", k)
		}
		f, err := decodeFact(v)
		if err != nil {
			return fmt.Errorf("commune %q: %w", k[1:], err)
		}
		raw := string(k[1:])
		sp := &spelling{raw: raw, fold: folds.fold(raw), n: int(f.cameras)}
		names.spell[raw] = sp
		cost[sp] = f.cost
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	names.finish()
	return names, cost, nil
}

// CostTotals returns the cost of the registered cameras by commune
// (canonical spelling, see Places; "" for cameras without one). Retired
// cameras count: their money was spent. It reads the commune facts, one
// record per commune spelling, so it costs the same with fifty cameras or
// a million. A cost that cannot be held in an int64, a commune's or the
// sum of all, is an error naming the cameras at fault (see money.go).
func (s *Store) CostTotals(ctx context.Context) (map[string]int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out map[string]int64
	err := s.view(func(tx *bolt.Tx) error {
		names, cost, err := readCommuneNames(tx, s.folds)
		if err != nil {
			return err
		}
		out = make(map[string]int64, len(names.canon))
		var all int64 // so that a sum of the totals fits too
		for sp, v := range cost {
			canon := names.canon[sp.fold]
			sum := out[canon]
			if v > math.MaxInt64 || !addVND(&sum, int64(v)) {
				return costTooLarge(tx, fmt.Sprintf("the cameras of commune %q", canon))
			}
			if !addVND(&all, int64(v)) {
				return costTooLarge(tx, "the cameras of all communes")
			}
			out[canon] = sum
		}
		return nil
	})
	return out, err
}
