package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Compaction is what Compact did.
type Compaction struct {
	// Seq and Rev are the last command compacted away (the new floor);
	// both 0 when the log holds nothing to compact.
	Seq, Rev int64
	// Removed is how many commands this call removed.
	Removed int64
}

// Compact removes from the log the commands every live node has applied
// (the lowest revision under applied/, which only live nodes hold, since
// each is under its node's lease), and also those written before
// retainFrom, a revision the caller derives from its retention window,
// even if a live node has not applied them yet: that node will need a
// snapshot (ErrSnapshotNeeded). retainFrom 0 keeps everything live nodes
// still need. With no node publishing, only retainFrom removes anything.
//
// The commands go with the floor mark in one transaction, and etcd's own
// history is compacted up to the floor, so that a follower behind it
// learns it cannot go on rather than finding a gap. Concurrent calls are
// safe: the floor only rises.
func (l *Log) Compact(ctx context.Context, retainFrom int64) (Compaction, error) {
	return l.compact(ctx, retainFrom, 0)
}

// CompactUpTo is Compact without a retention window and bounded by upTo:
// it removes the commands every live node has applied, at revisions up
// to upTo only, so that a node that is down (and publishes nothing) still
// finds in the log the commands written after upTo when it returns. The
// daemon passes a revision it applied a retention window ago.
func (l *Log) CompactUpTo(ctx context.Context, upTo int64) (Compaction, error) {
	if upTo <= 0 {
		return Compaction{}, nil
	}
	return l.compact(ctx, 0, upTo)
}

// compact is Compact with an upper bound on the removed revisions (none
// when upTo is 0).
func (l *Log) compact(ctx context.Context, retainFrom, upTo int64) (Compaction, error) {
	resp, err := l.cli.Txn(ctx).Then(
		clientv3.OpGet(l.keys.head()),
		clientv3.OpGet(l.keys.floor()),
		clientv3.OpGet(l.keys.appliedPrefix(), clientv3.WithPrefix()),
	).Commit()
	if err != nil {
		return Compaction{}, fmt.Errorf("compact: read the log: %w", err)
	}
	st := logState{rev: resp.Header.Revision}
	if st.head, err = headSeq(resp.Responses[0].GetResponseRange().Kvs); err != nil {
		return Compaction{}, err
	}
	var floorModRev int64
	if kvs := resp.Responses[1].GetResponseRange().Kvs; len(kvs) == 1 {
		floorModRev = kvs[0].ModRevision
		if err := json.Unmarshal(kvs[0].Value, &st.floor); err != nil {
			return Compaction{}, fmt.Errorf("%w: floor %q: %w", ErrLogCorrupt, kvs[0].Value, err)
		}
	}
	var target int64 // commands at revisions up to target go
	for i, kv := range resp.Responses[2].GetResponseRange().Kvs {
		rev, err := strconv.ParseInt(string(kv.Value), 10, 64)
		if err != nil {
			return Compaction{}, fmt.Errorf("compact: applied revision %q of %s: %w", kv.Value, kv.Key, err)
		}
		if i == 0 || rev < target {
			target = rev
		}
	}
	target = max(target, retainFrom-1)
	if upTo > 0 {
		target = min(target, upTo)
	}

	// The last command at or below target.
	next, err := l.seqFrom(ctx, target+1, st)
	if err != nil {
		return Compaction{}, err
	}
	last := next - 1
	if last <= st.floor.Seq {
		return Compaction{Seq: st.floor.Seq, Rev: st.floor.Rev}, nil
	}
	got, err := l.cli.Get(ctx, l.keys.logKey(last), clientv3.WithRev(st.rev), clientv3.WithKeysOnly())
	if err != nil {
		return Compaction{}, fmt.Errorf("compact: read command %d: %w", last, err)
	}
	if len(got.Kvs) != 1 {
		return Compaction{}, fmt.Errorf("%w: command %d missing at revision %d", ErrLogCorrupt, last, st.rev)
	}
	mark := floorMark{Seq: last, Rev: got.Kvs[0].ModRevision}
	value, err := json.Marshal(mark)
	if err != nil {
		return Compaction{}, err
	}
	txn, err := l.cli.Txn(ctx).
		If(clientv3.Compare(clientv3.ModRevision(l.keys.floor()), "=", floorModRev)).
		Then(
			clientv3.OpDelete(l.keys.logKey(st.floor.Seq+1), clientv3.WithRange(l.keys.logKey(last+1))),
			clientv3.OpPut(l.keys.floor(), string(value)),
		).Commit()
	if err != nil {
		return Compaction{}, fmt.Errorf("compact up to command %d: %w", last, err)
	}
	if !txn.Succeeded {
		return Compaction{}, fmt.Errorf("compact up to command %d: another compaction moved the floor first", last)
	}
	// etcd keeps every revision until compacted; keep the revision right
	// after the floor readable, so that a follower that applied up to the
	// floor still watches from there.
	// An etcd compacted further already (by its own auto-compaction) is
	// fine.
	if _, err := l.cli.Compact(ctx, mark.Rev+1); err != nil && !errors.Is(err, rpctypes.ErrCompacted) {
		return Compaction{}, fmt.Errorf("compact etcd history up to revision %d: %w", mark.Rev+1, err)
	}
	return Compaction{Seq: mark.Seq, Rev: mark.Rev, Removed: last - st.floor.Seq}, nil
}
