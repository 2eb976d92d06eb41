package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Command is one write of the daemon, as it travels through the log. It
// carries every value chosen when the write was taken (its id, time, node
// and request) so that every node applying it makes the same change;
// checks that depend on state (a duplicate camera id, a repeated gift)
// are left to the apply, which decides them identically everywhere.
type Command struct {
	// Kind names the write ("camera.create", ...); the applier dispatches
	// on it.
	Kind string `json:"kind"`
	// ID identifies the command itself, chosen by the node that took the
	// write.
	ID string `json:"id"`
	// Node is the id of the node that took the write: its apply answers
	// the request.
	Node string `json:"node"`
	// RequestID ties the command to the request that caused it, for logs.
	RequestID string `json:"request_id,omitempty"`
	// At is when the write was taken, the time every node stores.
	At time.Time `json:"at"`
	// Payload is the write's own data, as the applier of Kind reads it.
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Validate reports the first field a command cannot go without.
func (c Command) Validate() error {
	switch {
	case c.Kind == "":
		return fmt.Errorf("command: kind: %w", ErrInvalidCommand)
	case c.ID == "":
		return fmt.Errorf("command: id: %w", ErrInvalidCommand)
	case c.Node == "":
		return fmt.Errorf("command: node: %w", ErrInvalidCommand)
	case c.At.IsZero():
		return fmt.Errorf("command: at: %w", ErrInvalidCommand)
	}
	return nil
}

// Errors of the package. Callers test them with errors.Is.
var (
	// ErrSnapshotNeeded means a follower is behind the compacted part of
	// the log: the commands it still needs are gone, and it must start
	// again from a snapshot (a peer's backup and its revision).
	ErrSnapshotNeeded = errors.New("log compacted past this node's last applied revision: restore a snapshot of a peer and replay from its revision")
	// ErrInvalidCommand means a command lacks a field every command has.
	ErrInvalidCommand = errors.New("missing")
	// ErrLogCorrupt means the log read back is not what appends write: a
	// gap in the sequence, or a value that is not a command.
	ErrLogCorrupt = errors.New("log corrupt")
	// ErrStopped means the follower stopped before the awaited revision
	// was applied.
	ErrStopped = errors.New("follower stopped")
)

// keys names the etcd keys of one cluster. Everything lives under
// /matthan/<cluster>/ so that several clusters can share an etcd.
type keys struct {
	root string
}

func newKeys(cluster string) (keys, error) {
	if cluster == "" || strings.ContainsAny(cluster, "/ ") {
		return keys{}, fmt.Errorf("cluster name %q: must be non-empty, without / or spaces", cluster)
	}
	return keys{root: "/matthan/" + cluster + "/"}, nil
}

// logPrefix holds the commands, one key each, named by their sequence
// number in fixed-width hex so that key order is log order.
func (k keys) logPrefix() string { return k.root + "log/" }

// logKey is the key of the command with sequence number seq.
func (k keys) logKey(seq int64) string { return fmt.Sprintf("%s%016x", k.logPrefix(), seq) }

// head holds the sequence number of the last command appended.
func (k keys) head() string { return k.root + "head" }

// floor holds how far the log was compacted.
func (k keys) floor() string { return k.root + "floor" }

// nodesPrefix holds the live nodes, one leased key each.
func (k keys) nodesPrefix() string { return k.root + "nodes/" }

// appliedPrefix holds each live node's last applied revision, under its
// lease.
func (k keys) appliedPrefix() string { return k.root + "applied/" }

// seqOf reads the sequence number out of a log key.
func (k keys) seqOf(key []byte) (int64, error) {
	s, ok := strings.CutPrefix(string(key), k.logPrefix())
	if !ok || len(s) != 16 {
		return 0, fmt.Errorf("%w: key %q is not a log key", ErrLogCorrupt, key)
	}
	seq, err := strconv.ParseInt(s, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: key %q: %w", ErrLogCorrupt, key, err)
	}
	return seq, nil
}
