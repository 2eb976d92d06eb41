package cluster

import (
	"slices"

	"github.com/cespare/xxhash/v2"
)

// Score is the rendezvous weight of a camera on a node: XXH64 (seed 0)
// of the camera id, one zero byte, and the node id. Ids hold no zero
// byte, so no two pairs hash the same input. XXH64 is a published
// function (github.com/Cyan4973/xxHash) with good avalanche, so scores
// of one camera on different nodes are independent and each node gets
// an even share. Any implementation of XXH64 computes the same owners.
func Score(camera, node string) uint64 {
	d := xxhash.New()
	_, _ = d.WriteString(camera)
	_, _ = d.Write([]byte{0})
	_, _ = d.WriteString(node)
	return d.Sum64()
}

// Owner returns the node of nodes with the highest Score for camera (the
// greater id on a tie), or "" when nodes is empty. When a node leaves,
// only its cameras get a new owner; when one joins, only the cameras it
// wins move, to it.
func Owner(camera string, nodes []string) string {
	var best string
	var bestScore uint64
	for i, n := range nodes {
		s := Score(camera, n)
		if i == 0 || s > bestScore || (s == bestScore && n > best) {
			best, bestScore = n, s
		}
	}
	return best
}

// Move is a camera whose owner changes with the live set.
type Move struct {
	Camera string
	From   string // "" when no node was live before
	To     string // "" when no node is live after
}

// Moves lists the cameras whose owner differs between the live sets
// before and after, in the order of cameras.
func Moves(cameras, before, after []string) []Move {
	if slices.Equal(sorted(before), sorted(after)) {
		return nil
	}
	var out []Move
	for _, c := range cameras {
		from, to := Owner(c, before), Owner(c, after)
		if from != to {
			out = append(out, Move{Camera: c, From: from, To: to})
		}
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
