package sample

import "hash/fnv"

// rng is a small deterministic pseudo-random generator (SplitMix64).
//
// The generator carries its own instead of using math/rand so that the
// sample files are byte-for-byte reproducible on every Go release: the
// derived methods of math/rand/v2 (IntN, Shuffle, ...) make no promise to
// keep their output stable.
type rng struct{ state uint64 }

// seed is the one fixed seed of the sample district. Every part of the
// generator draws from its own stream (see newRNG) so that changing how one
// file is made does not reshuffle the others.
const seed uint64 = 0x43686f47616f // "ChoGao"

// newRNG returns the stream named stream of the fixed seed.
func newRNG(stream string) *rng {
	h := fnv.New64a()
	h.Write([]byte(stream))
	r := &rng{state: seed ^ h.Sum64()}
	r.next() // mix the seed once
	return r
}

// next returns the next 64 random bits.
func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns an int in [0, n). The modulo bias is irrelevant here.
func (r *rng) intn(n int) int {
	if n <= 0 {
		panic("sample: intn of a non-positive number")
	}
	return int(r.next() % uint64(n))
}

// intBetween returns an int in [lo, hi].
func (r *rng) intBetween(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// float returns a float64 in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// between returns a float64 in [lo, hi).
func (r *rng) between(lo, hi float64) float64 { return lo + (hi-lo)*r.float() }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

// sign returns +1 or -1 with equal probability.
func (r *rng) sign() float64 {
	if r.next()&1 == 0 {
		return 1
	}
	return -1
}

// pick returns a random element of xs, which must not be empty.
func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }

// shuffle permutes xs in place (Fisher–Yates).
func shuffle[T any](r *rng, xs []T) {
	for i := len(xs) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		xs[i], xs[j] = xs[j], xs[i]
	}
}

// weighted returns an index drawn with probability proportional to w[i].
func (r *rng) weighted(w []float64) int {
	total := 0.0
	for _, x := range w {
		total += x
	}
	x := r.float() * total
	for i, wi := range w {
		if x < wi {
			return i
		}
		x -= wi
	}
	return len(w) - 1
}
