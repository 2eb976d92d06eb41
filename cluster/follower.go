package cluster

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Applier makes the commands of the log take effect on one node's own
// store. The registry implements it in cluster mode.
type Applier interface {
	// Apply makes the changes of entries, in their order, and records the
	// last entry's revision as the last applied revision, all in one
	// transaction of the node's store, so that a crash leaves either all
	// or none. A batch, not one command at a time, because a store that
	// syncs each transaction to disk would apply at the pace of fsync
	// (measured in docs/performance.md); a follower catching up passes a
	// page, a follower keeping up passes what one watch answer brought.
	//
	// It returns, for each entry, the outcome the node that took the write
	// answers with ("created", "conflict", per-row rejections): checks
	// that depend on state are decided here, the same way on every node.
	// An error means nothing was applied and the store cannot go on; the
	// follower stops rather than skip a command.
	Apply(entries []Entry) (outcomes []any, err error)
	// LastApplied returns the revision Apply last recorded, 0 for a
	// store that has applied nothing.
	LastApplied() (int64, error)
}

// pageSize is how many commands a follower reads at a time while it
// catches up.
const pageSize = 512

// keptOutcomes bounds the outcomes of this node's own commands that wait
// for WaitApplied: writes nobody waits for (a health transition) must not
// pile up. Waiters collect theirs within a request's time, long before a
// thousand more commands of the same node are applied.
const keptOutcomes = 1024

// retry bounds the pause before a follower reads the log again after an
// etcd error (a member down, a lost leader, a closed watch).
const (
	retryMin = 50 * time.Millisecond
	retryMax = 2 * time.Second
)

// Follower applies the log, in revision order, to one Applier, and lets
// the node's request handlers wait for their own commands.
type Follower struct {
	log  *Log
	app  Applier
	node string

	mu       sync.Mutex
	applied  int64         // every command up to this revision is applied
	changed  chan struct{} // closed and replaced when applied grows or the follower stops
	err      error         // why Run returned, once it has
	outcomes map[int64]any // outcomes of this node's commands, by revision
	order    []int64       // revisions of outcomes, oldest first
}

// NewFollower returns a follower that applies log to app on behalf of the
// node named node (whose own commands' outcomes it keeps for
// WaitApplied).
func NewFollower(log *Log, app Applier, node string) *Follower {
	return &Follower{log: log, app: app, node: node, changed: make(chan struct{}), outcomes: map[int64]any{}}
}

// applyError marks an error of the Applier: the follower stops on it.
type applyError struct{ err error }

func (e applyError) Error() string { return e.err.Error() }
func (e applyError) Unwrap() error { return e.err }

// Run applies the log from the applier's last applied revision on, and
// then every command appended, until ctx ends, the applier fails, or the
// log was compacted past the applier (ErrSnapshotNeeded). Errors of etcd
// (a member down, a lost leader, a broken watch) are retried: each retry
// starts again from the applier's last applied revision, so a command is
// never applied twice nor skipped.
func (f *Follower) Run(ctx context.Context) error {
	err := f.run(ctx)
	f.mu.Lock()
	f.err = err
	close(f.changed)
	f.mu.Unlock()
	return err
}

func (f *Follower) run(ctx context.Context) error {
	pause := retryMin
	for {
		err := f.follow(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var ae applyError
		if errors.As(err, &ae) || errors.Is(err, ErrSnapshotNeeded) || errors.Is(err, ErrLogCorrupt) {
			return err
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		pause = min(2*pause, retryMax)
	}
}

// follow catches up by reading the log in pages at one revision, then
// watches it from the next revision on. It returns on any error.
func (f *Follower) follow(ctx context.Context) error {
	last, err := f.app.LastApplied()
	if err != nil {
		return applyError{fmt.Errorf("last applied revision: %w", err)}
	}
	st, err := f.log.state(ctx)
	if err != nil {
		return err
	}
	if last < st.floor.Rev {
		return fmt.Errorf("applied up to revision %d, log compacted up to %d: %w", last, st.floor.Rev, ErrSnapshotNeeded)
	}
	seq, err := f.log.seqFrom(ctx, last+1, st)
	if err != nil {
		return err
	}
	for seq <= st.head {
		entries, err := f.log.page(ctx, seq, st, pageSize)
		if err != nil {
			return err
		}
		if err := f.apply(entries, last); err != nil {
			return err
		}
		if len(entries) > 0 {
			last = entries[len(entries)-1].Rev
		}
		seq += int64(len(entries))
	}
	f.advance(st.rev)

	// The watch ends when its member loses the leader, so that a node cut
	// off with a minority does not sit on a log that has stopped.
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	wch := f.log.cli.Watch(wctx, f.log.keys.logPrefix(), clientv3.WithPrefix(), clientv3.WithRev(st.rev+1), clientv3.WithFilterDelete())
	for resp := range wch {
		if resp.CompactRevision != 0 {
			// Compaction raced this follower: the next round's floor check
			// says whether it still can go on.
			return fmt.Errorf("watch from revision %d: compacted at %d", st.rev+1, resp.CompactRevision)
		}
		if err := resp.Err(); err != nil {
			return fmt.Errorf("watch the log: %w", err)
		}
		entries := make([]Entry, 0, len(resp.Events))
		for _, ev := range resp.Events {
			if !ev.IsCreate() {
				continue // commands are never rewritten; nothing else lives here
			}
			e, err := f.log.entry(ev.Kv.Key, ev.Kv.Value, ev.Kv.ModRevision)
			if err != nil {
				return err
			}
			if e.Seq < seq {
				continue // delivered again after a reconnect: applied already
			}
			if want := seq + int64(len(entries)); e.Seq != want {
				return fmt.Errorf("%w: command %d arrived when %d was due", ErrLogCorrupt, e.Seq, want)
			}
			entries = append(entries, e)
		}
		if len(entries) == 0 {
			continue
		}
		if err := f.apply(entries, last); err != nil {
			return err
		}
		last, seq = entries[len(entries)-1].Rev, seq+int64(len(entries))
	}
	return fmt.Errorf("watch the log from revision %d: closed", st.rev+1)
}

// apply applies entries, which follow the command at revision last, in
// one call of the applier.
func (f *Follower) apply(entries []Entry, last int64) error {
	if len(entries) == 0 {
		return nil
	}
	for _, e := range entries {
		if e.Rev <= last {
			return fmt.Errorf("%w: command %d at revision %d, after revision %d", ErrLogCorrupt, e.Seq, e.Rev, last)
		}
		last = e.Rev
	}
	outs, err := f.app.Apply(entries)
	if err != nil {
		first, end := entries[0], entries[len(entries)-1]
		return applyError{fmt.Errorf("apply commands %d-%d (revisions %d-%d): %w", first.Seq, end.Seq, first.Rev, end.Rev, err)}
	}
	if len(outs) != len(entries) {
		return applyError{fmt.Errorf("applier gave %d outcomes for %d commands", len(outs), len(entries))}
	}
	f.mu.Lock()
	for i, e := range entries {
		if e.Command.Node == f.node {
			f.keep(e.Rev, outs[i])
		}
	}
	f.mu.Unlock()
	f.advance(last)
	return nil
}

// keep holds the outcome of this node's command at rev for WaitApplied.
// f.mu is held.
func (f *Follower) keep(rev int64, out any) {
	f.outcomes[rev] = out
	f.order = append(f.order, rev)
	if len(f.order) > keptOutcomes {
		delete(f.outcomes, f.order[0])
		f.order = f.order[1:]
	}
}

// advance records that every command up to rev is applied and wakes the
// waiters.
func (f *Follower) advance(rev int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if rev <= f.applied {
		return
	}
	f.applied = rev
	close(f.changed)
	f.changed = make(chan struct{})
}

// Applied returns the revision up to which every command is applied on
// this node, as far as this follower knows (0 before it has read the
// log).
func (f *Follower) Applied() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.applied
}

// WaitApplied waits until this node has applied the log up to rev, the
// revision Append returned, and returns the outcome of the command at rev
// when this node took it (nil for another node's command, or for an
// outcome already collected). It returns early with ctx's error, or with
// ErrStopped when the follower stops first.
func (f *Follower) WaitApplied(ctx context.Context, rev int64) (any, error) {
	for {
		f.mu.Lock()
		if f.applied >= rev {
			out := f.outcomes[rev]
			delete(f.outcomes, rev)
			f.mu.Unlock()
			return out, nil
		}
		if f.err != nil {
			err := f.err
			f.mu.Unlock()
			return nil, fmt.Errorf("wait for revision %d: %w: %w", rev, ErrStopped, err)
		}
		ch := f.changed
		f.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for revision %d: %w", rev, ctx.Err())
		}
	}
}
