package geo

import "slices"

// smallest sorts xs by cmp and returns its first k elements (all when k ≤
// 0 or k ≥ len(xs)). When k is much smaller than len(xs) — the first page
// of a country-wide box — it keeps a bounded max-heap instead of sorting
// everything: O(n log k) instead of O(n log n).
func smallest[T any](xs []T, k int, cmp func(a, b T) int) []T {
	if k <= 0 || len(xs) <= 4*k {
		slices.SortFunc(xs, cmp)
		if k > 0 && len(xs) > k {
			xs = xs[:k]
		}
		return xs
	}
	h := xs[:k:k]
	for i := k/2 - 1; i >= 0; i-- {
		siftDown(h, i, cmp)
	}
	for _, v := range xs[k:] {
		if cmp(v, h[0]) < 0 {
			h[0] = v
			siftDown(h, 0, cmp)
		}
	}
	slices.SortFunc(h, cmp)
	return h
}

// siftDown restores the max-heap order of h below i.
func siftDown[T any](h []T, i int, cmp func(a, b T) int) {
	for {
		big := i
		if l := 2*i + 1; l < len(h) && cmp(h[l], h[big]) > 0 {
			big = l
		}
		if r := 2*i + 2; r < len(h) && cmp(h[r], h[big]) > 0 {
			big = r
		}
		if big == i {
			return
		}
		h[i], h[big] = h[big], h[i]
		i = big
	}
}
