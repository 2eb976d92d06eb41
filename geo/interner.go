package geo

import (
	"math"

	"github.com/matthan/matthan/camera"
)

// rangeHist counts cameras by range (whole metres, rounded up), so that
// the largest range — how far a field-of-view search must look — stays
// exact as cameras come and go.
type rangeHist struct {
	n   [camera.MaxRangeM + 1]int32
	top int
}

func rangeBucket(r float64) int { return min(int(math.Ceil(r)), camera.MaxRangeM) }

func (h *rangeHist) add(r float64) {
	b := rangeBucket(r)
	h.n[b]++
	h.top = max(h.top, b)
}

func (h *rangeHist) remove(r float64) {
	h.n[rangeBucket(r)]--
	for h.top > 0 && h.n[h.top] == 0 {
		h.top--
	}
}

// max returns an upper bound of every camera's range, in metres.
func (h *rangeHist) max() float64 { return float64(h.top) }

// interner maps commune names to small integers, so that a camera carries
// 4 bytes instead of a string header. Names are never forgotten: there are
// only as many as there are communes.
type interner struct {
	byName map[string]uint32
	names  []string
}

func newInterner() interner {
	return interner{byName: map[string]uint32{"": 0}, names: []string{""}}
}

func (in *interner) id(name string) uint32 {
	if i, ok := in.byName[name]; ok {
		return i
	}
	i := uint32(len(in.names))
	in.byName[name] = i
	in.names = append(in.names, name)
	return i
}

func (in *interner) lookup(name string) (uint32, bool) {
	i, ok := in.byName[name]
	return i, ok
}

func (in *interner) name(i uint32) string { return in.names[i] }
