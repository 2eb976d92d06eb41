package cluster_test

import (
	"fmt"
	"testing"

	"github.com/matthan/matthan/cluster"
)

func cameraIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("CG-%05d", i)
	}
	return ids
}

// TestScoreKnownValues pins the hash, so that another implementation of
// XXH64 can be checked against it.
func TestScoreKnownValues(t *testing.T) {
	tests := []struct {
		camera, node string
		want         uint64
	}{
		{"", "", 0xe934a84adb052768}, // XXH64 of the single byte 0
	}
	for _, tc := range tests {
		if got := cluster.Score(tc.camera, tc.node); got != tc.want {
			t.Errorf("Score(%q, %q) = %#x, want %#x", tc.camera, tc.node, got, tc.want)
		}
	}
}

// TestOwnerBalanced checks that three nodes get an even share.
func TestOwnerBalanced(t *testing.T) {
	nodes := []string{"node-a", "node-b", "node-c"}
	cams := cameraIDs(30000)
	count := map[string]int{}
	for _, c := range cams {
		count[cluster.Owner(c, nodes)]++
	}
	for _, n := range nodes {
		if got := count[n]; got < 9500 || got > 10500 {
			t.Errorf("node %s owns %d of 30000 cameras, want 10000 ± 5%%", n, got)
		}
	}
	if got := cluster.Owner("CG-1", nil); got != "" {
		t.Errorf("owner with no node: %q, want none", got)
	}
}

// TestMovesOnlyOfTheChangedNode checks that a leaving node's cameras, and
// only they, move; and that a joining node takes cameras from the others
// and none move between the others.
func TestMovesOnlyOfTheChangedNode(t *testing.T) {
	cams := cameraIDs(5000)
	tests := []struct {
		name          string
		before, after []string
		node          string // the node that left or joined
		left          bool
	}{
		{"leave", []string{"a", "b", "c"}, []string{"a", "b"}, "c", true},
		{"join", []string{"a", "b"}, []string{"a", "b", "d"}, "d", false},
		{"order does not matter", []string{"c", "a", "b"}, []string{"b", "a"}, "c", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			moves := cluster.Moves(cams, tc.before, tc.after)
			moved := map[string]bool{}
			for _, m := range moves {
				moved[m.Camera] = true
				if tc.left && m.From != tc.node || !tc.left && m.To != tc.node {
					t.Errorf("camera %s moved %s -> %s", m.Camera, m.From, m.To)
				}
			}
			owned := 0
			for _, c := range cams {
				var was bool
				if tc.left {
					was = cluster.Owner(c, tc.before) == tc.node
				} else {
					was = cluster.Owner(c, tc.after) == tc.node
				}
				if was {
					owned++
					if !moved[c] {
						t.Errorf("camera %s of %s did not move", c, tc.node)
					}
				}
			}
			if owned == 0 || len(moves) != owned {
				t.Errorf("%d moves, %s owns %d", len(moves), tc.node, owned)
			}
		})
	}
	if got := cluster.Moves(cams, []string{"a", "b"}, []string{"b", "a"}); got != nil {
		t.Errorf("same set: %d moves", len(got))
	}
}
