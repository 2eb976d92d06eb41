//go:build race

package main

// raceEnabled tells TestMain to build the daemon binary with the race
// detector too, so that "go test -race" checks the real process as well.
const raceEnabled = true
