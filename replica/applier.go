package replica

import (
	"sync"

	"github.com/matthan/matthan/cluster"
	"github.com/matthan/matthan/registry"
)

// Applier is the registry as the cluster's Applier: it applies a batch of
// commands in one registry transaction (registry.Store.Apply).
type Applier struct {
	reg *registry.Store

	mu        sync.Mutex
	observers []func(registry.Command, registry.Outcome)
}

var _ cluster.Applier = (*Applier)(nil)

// NewApplier returns the Applier of reg.
func NewApplier(reg *registry.Store) *Applier { return &Applier{reg: reg} }

// Observe adds fn, called after each batch commits with every command of
// it and its outcome (of every node's commands): what the node keeps in
// memory beside the registry (the spatial index, the poller's list) follows
// the writes of other nodes through it. fn runs on the follower's
// goroutine and must not block.
func (a *Applier) Observe(fn func(registry.Command, registry.Outcome)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.observers = append(a.observers, fn)
}

// Apply applies entries in one registry transaction and returns each
// one's registry.Outcome.
func (a *Applier) Apply(entries []cluster.Entry) ([]any, error) {
	cmds := make([]registry.Command, len(entries))
	for i, e := range entries {
		cmds[i] = registry.Command{Rev: e.Rev, Kind: e.Command.Kind, ID: e.Command.ID, At: e.Command.At, Payload: e.Command.Payload}
	}
	outs, err := a.reg.Apply(cmds)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	obs := a.observers
	a.mu.Unlock()
	if len(obs) > 0 {
		for i, o := range outs {
			for _, fn := range obs {
				fn(cmds[i], o.(registry.Outcome))
			}
		}
	}
	return outs, nil
}

// LastApplied returns the registry's last applied revision.
func (a *Applier) LastApplied() (int64, error) { return a.reg.LastApplied() }
