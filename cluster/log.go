package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Log is the command log of one cluster, kept in etcd.
//
// Each command is a key of its own, named by a sequence number that the
// append assigns with a compare-and-put on the head key: the command and
// the new head are written in one etcd transaction, so the log has no
// hole, key order is log order, and etcd's revision of that transaction
// (which Append returns) orders commands the same way. Keying by sequence
// rather than by a random id is what lets a follower read its backlog in
// pages by key range: etcd answers a range sorted by revision, or
// filtered by revision, only by reading the whole prefix, and a watch
// from an old revision replays at most 1,000 revisions per 100 ms.
type Log struct {
	cli  *clientv3.Client
	keys keys

	// mu serialises this node's appends: they would only race each other
	// for the same sequence number, each loser costing a Raft round.
	mu sync.Mutex
	// last is the last sequence number this node saw; 0 means unknown.
	last int64
}

// Entry is a command read back from the log with its place in it.
type Entry struct {
	Rev     int64 // the etcd revision that wrote it, which orders commands
	Seq     int64 // its sequence number, 1 for the first command
	Command Command
}

// floorMark records how far the log was compacted: every command up to
// Seq, which etcd wrote at Rev, is gone.
type floorMark struct {
	Seq int64 `json:"seq"`
	Rev int64 `json:"rev"`
}

// NewLog returns the log of the named cluster on cli. The name keeps
// clusters apart when they share an etcd.
func NewLog(cli *clientv3.Client, cluster string) (*Log, error) {
	k, err := newKeys(cluster)
	if err != nil {
		return nil, err
	}
	return &Log{cli: cli, keys: k}, nil
}

// Append writes cmd at the end of the log and returns the etcd revision
// that orders it. An error means the command may or may not be in the
// log (etcd could have committed it before the answer was lost); its ID
// tells which once a follower reads it.
func (l *Log) Append(ctx context.Context, cmd Command) (int64, error) {
	if err := cmd.Validate(); err != nil {
		return 0, err
	}
	data, err := json.Marshal(cmd)
	if err != nil {
		return 0, fmt.Errorf("append %s: %w", cmd.Kind, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	head := l.keys.head()
	for {
		seq := l.last
		cmp := clientv3.Compare(clientv3.Value(head), "=", strconv.FormatInt(seq, 10))
		if seq == 0 {
			cmp = clientv3.Compare(clientv3.CreateRevision(head), "=", 0)
		}
		next := strconv.FormatInt(seq+1, 10)
		resp, err := l.cli.Txn(ctx).
			If(cmp).
			Then(clientv3.OpPut(l.keys.logKey(seq+1), string(data)), clientv3.OpPut(head, next)).
			Else(clientv3.OpGet(head)).
			Commit()
		if err != nil {
			l.last = 0
			return 0, fmt.Errorf("append %s: %w", cmd.Kind, err)
		}
		if resp.Succeeded {
			l.last = seq + 1
			return resp.Header.Revision, nil
		}
		// Another node appended first: start again after its command.
		l.last, err = headSeq(resp.Responses[0].GetResponseRange().Kvs)
		if err != nil {
			return 0, fmt.Errorf("append %s: %w", cmd.Kind, err)
		}
	}
}

// logState is the log's extent at one etcd revision.
type logState struct {
	rev   int64 // the etcd revision it was read at
	head  int64 // sequence number of the last command, 0 when none
	floor floorMark
}

// state reads the head and the floor at one revision.
func (l *Log) state(ctx context.Context) (logState, error) {
	resp, err := l.cli.Txn(ctx).Then(clientv3.OpGet(l.keys.head()), clientv3.OpGet(l.keys.floor())).Commit()
	if err != nil {
		return logState{}, fmt.Errorf("read log head: %w", err)
	}
	st := logState{rev: resp.Header.Revision}
	if st.head, err = headSeq(resp.Responses[0].GetResponseRange().Kvs); err != nil {
		return logState{}, err
	}
	if kvs := resp.Responses[1].GetResponseRange().Kvs; len(kvs) == 1 {
		if err := json.Unmarshal(kvs[0].Value, &st.floor); err != nil {
			return logState{}, fmt.Errorf("%w: floor %q: %w", ErrLogCorrupt, kvs[0].Value, err)
		}
	}
	return st, nil
}

// seqFrom returns the sequence number of the first command whose revision
// is at least rev, among those after the floor, as the log stood at
// st.rev; st.head+1 when there is none. Sequence and revision grow
// together, so a binary search finds it in a few small reads.
func (l *Log) seqFrom(ctx context.Context, rev int64, st logState) (int64, error) {
	lo, hi := st.floor.Seq+1, st.head+1
	for lo < hi {
		mid := lo + (hi-lo)/2
		resp, err := l.cli.Get(ctx, l.keys.logKey(mid), clientv3.WithRev(st.rev), clientv3.WithKeysOnly())
		if err != nil {
			return 0, fmt.Errorf("find revision %d in the log: %w", rev, err)
		}
		if len(resp.Kvs) != 1 {
			return 0, fmt.Errorf("%w: command %d missing at revision %d", ErrLogCorrupt, mid, st.rev)
		}
		if resp.Kvs[0].ModRevision >= rev {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo, nil
}

// page reads up to limit commands from sequence number from, no further
// than st.head, as the log stood at st.rev.
func (l *Log) page(ctx context.Context, from int64, st logState, limit int64) ([]Entry, error) {
	resp, err := l.cli.Get(ctx, l.keys.logKey(from),
		clientv3.WithRange(l.keys.logKey(st.head+1)), clientv3.WithRev(st.rev), clientv3.WithLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("read the log from command %d: %w", from, err)
	}
	out := make([]Entry, 0, len(resp.Kvs))
	for i, kv := range resp.Kvs {
		e, err := l.entry(kv.Key, kv.Value, kv.ModRevision)
		if err != nil {
			return nil, err
		}
		if e.Seq != from+int64(i) {
			return nil, fmt.Errorf("%w: command %d follows %d", ErrLogCorrupt, e.Seq, from+int64(i)-1)
		}
		out = append(out, e)
	}
	return out, nil
}

// entry decodes one log key and value.
func (l *Log) entry(key, value []byte, rev int64) (Entry, error) {
	seq, err := l.keys.seqOf(key)
	if err != nil {
		return Entry{}, err
	}
	e := Entry{Rev: rev, Seq: seq}
	if err := json.Unmarshal(value, &e.Command); err != nil {
		return Entry{}, fmt.Errorf("%w: command %d: %w", ErrLogCorrupt, seq, err)
	}
	return e, nil
}

// headSeq reads the head key's value: 0 when there is no head yet.
func headSeq(kvs []*mvccpb.KeyValue) (int64, error) {
	if len(kvs) == 0 {
		return 0, nil
	}
	n, err := strconv.ParseInt(string(kvs[0].Value), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: head %q", ErrLogCorrupt, kvs[0].Value)
	}
	return n, nil
}

// Extent is how far the log reaches, read at one etcd revision.
type Extent struct {
	// Rev is the etcd revision it was read at.
	Rev int64
	// Head is the sequence number of the last command; 0 when no command
	// was ever appended.
	Head int64
	// FloorRev is the revision up to which the log was compacted: a node
	// that has applied less than that cannot follow it. 0 when the log was
	// never compacted.
	FloorRev int64
}

// Extent reads how far the log reaches.
func (l *Log) Extent(ctx context.Context) (Extent, error) {
	st, err := l.state(ctx)
	if err != nil {
		return Extent{}, err
	}
	return Extent{Rev: st.rev, Head: st.head, FloorRev: st.floor.Rev}, nil
}
