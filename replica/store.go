package replica

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/cluster"
	"github.com/matthan/matthan/registry"
)

// Store is a node's store in cluster mode: the node's registry for reads,
// the cluster's log for writes. It has every method of *registry.Store
// (reads are the registry's own); the writes the daemon makes are its
// own methods, which make commands.
type Store struct {
	*registry.Store
	log      *cluster.Log
	follower *cluster.Follower
	node     string
	opts     Options
}

// Options tune a Store; zero values take the defaults.
type Options struct {
	// Now is the clock that dates commands; time.Now when nil.
	Now func() time.Time
	// MaxCommandBytes bounds one command's payload, as it travels
	// (gzipped when large: registry.EncodePayload): etcd refuses a
	// request above its --max-request-bytes (1.5 MiB by default). A
	// non-atomic import larger than this goes as several commands.
	// DefaultMaxCommandBytes when 0.
	MaxCommandBytes int
	// AppendAttempts is how many times a write is appended before its
	// error is returned (the same command id each time, so a retry of an
	// append that did commit is dropped). 3 when 0.
	AppendAttempts int
}

// DefaultMaxCommandBytes leaves room under etcd's default request limit
// (1.5 MiB) for the command's envelope and the transaction.
const DefaultMaxCommandBytes = 1 << 20

// New returns the store of node id node in cluster mode: reads from reg,
// writes through log, waiting on f — the follower that applies log to
// reg (cluster.NewFollower(log, NewApplier(reg), node)), which the caller
// runs.
func New(reg *registry.Store, log *cluster.Log, f *cluster.Follower, node string) *Store {
	return NewWith(reg, log, f, node, Options{})
}

// NewWith is New with options.
func NewWith(reg *registry.Store, log *cluster.Log, f *cluster.Follower, node string, o Options) *Store {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxCommandBytes == 0 {
		o.MaxCommandBytes = DefaultMaxCommandBytes
	}
	if o.AppendAttempts == 0 {
		o.AppendAttempts = 3
	}
	return &Store{Store: reg, log: log, follower: f, node: node, opts: o}
}

// Registry returns the node's own registry, for what is the node's alone
// (its backup, its Close): a write made on it does not go through the
// log, and the other nodes never see it.
func (s *Store) Registry() *registry.Store { return s.Store }

// requestIDKey is the context key of WithRequestID.
type requestIDKey struct{}

// WithRequestID returns ctx carrying the id of the request being
// answered: the commands of its writes carry it, for logs.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// ErrOutcomeLost means a write was applied but its outcome is no longer
// known here (its command had been applied long before a retry reached
// the log).
var ErrOutcomeLost = errors.New("the write was applied, its outcome is no longer known: read the record to see it")

// newCommandID returns a fresh random command id.
func newCommandID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// command builds a command of kind with payload data, taken now.
func (s *Store) command(ctx context.Context, kind string, data []byte) cluster.Command {
	rid, _ := ctx.Value(requestIDKey{}).(string)
	return cluster.Command{Kind: kind, ID: newCommandID(), Node: s.node, RequestID: rid, At: s.opts.Now().UTC(), Payload: data}
}

// write appends a command of kind with payload p, waits until this node
// has applied it, and returns its outcome: the value and the error the
// registry's apply gave.
func (s *Store) write(ctx context.Context, kind string, p any) (any, error) {
	data, err := registry.EncodePayload(p)
	if err != nil {
		return nil, fmt.Errorf("%s: encode the command: %w", kind, err)
	}
	return s.writePayload(ctx, kind, data)
}

// writePayload is write with the payload encoded (registry.EncodePayload
// or a builder of the registry).
func (s *Store) writePayload(ctx context.Context, kind string, data []byte) (any, error) {
	p, err := s.appendPayload(ctx, kind, data)
	if err != nil {
		return nil, err
	}
	out, err := s.outcome(ctx, p)
	if err != nil {
		return nil, err
	}
	return out.Value, out.Err
}

// appended is a command in the log whose outcome is not yet collected.
type appended struct {
	cmd cluster.Command
	rev int64
}

// appendPayload appends a command of kind with payload data (again, on
// an error, up to AppendAttempts times, with the same id).
func (s *Store) appendPayload(ctx context.Context, kind string, data []byte) (appended, error) {
	if err := ctx.Err(); err != nil {
		return appended{}, err
	}
	cmd := s.command(ctx, kind, data)
	if n := len(cmd.Payload); n > s.opts.MaxCommandBytes {
		return appended{}, camera.Errorf(camera.ETOOLARGE, "", "%s: the write takes %d bytes, more than one command of the cluster's log holds (%d): send it in smaller parts", kind, n, s.opts.MaxCommandBytes)
	}
	var rev int64
	var err error
	for range s.opts.AppendAttempts {
		if rev, err = s.log.Append(ctx, cmd); err == nil || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return appended{}, err
	}
	return appended{cmd: cmd, rev: rev}, nil
}

// outcome waits until this node has applied p and returns its outcome.
func (s *Store) outcome(ctx context.Context, p appended) (registry.Outcome, error) {
	out, kept, err := s.wait(ctx, p.rev)
	if err == nil && kept && out.DuplicateOf != 0 {
		// An earlier append of the same command did commit: its
		// outcome, if this node still keeps it, is the answer.
		out, kept, err = s.wait(ctx, out.DuplicateOf)
		kept = kept && out.DuplicateOf == 0
	}
	if err != nil {
		return registry.Outcome{}, err
	}
	if !kept {
		return registry.Outcome{}, fmt.Errorf("%s %s: %w", p.cmd.Kind, p.cmd.ID, ErrOutcomeLost)
	}
	return out, nil
}

// wait waits until the follower has applied rev and returns the outcome
// of this node's command there.
// (kept false when the follower no longer keeps it).
func (s *Store) wait(ctx context.Context, rev int64) (out registry.Outcome, kept bool, err error) {
	v, err := s.follower.WaitApplied(ctx, rev)
	if err != nil {
		return registry.Outcome{}, false, err
	}
	out, kept = v.(registry.Outcome)
	return out, kept, nil
}
