package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeMakeTargets checks that every `make` command the README
// names is a target the Makefile has, and that the two of the set-up do
// what the README says. A rule lost in a merge once left `make run`
// without a target while every test stayed green: the tests start the
// binary, never make.
func TestReadmeMakeTargets(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)(?:^|`)make ([a-z][a-z0-9-]*)").FindAllStringSubmatch(string(readme), -1) {
		targets[m[1]] = true
	}
	for _, must := range []string{"run", "test"} {
		if !targets[must] {
			t.Errorf("the README does not name `make %s`", must)
		}
	}
	// What each dry run must show: the recipe the README promises.
	want := map[string]string{
		"run":  "matthan demo",
		"test": "go test",
	}
	for target := range targets {
		cmd := exec.Command("make", "-n", "-C", root, target)
		cmd.Env = append(os.Environ(), "MAKEFLAGS=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("make -n %s: %v\n%s", target, err, out)
			continue
		}
		if w, ok := want[target]; ok && !strings.Contains(string(out), w) {
			t.Errorf("make -n %s does not run %q:\n%s", target, w, out)
		}
	}
}
