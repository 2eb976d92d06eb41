package replica

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// Hotline tips through the log. The informant arrives sealed (the API
// encrypts it to the chiefs' keys before calling the store) and travels
// so; the plaintext never reaches this package. Every read of a tip
// writes an audit entry, so reads are commands too: the taking node
// answers with what its own apply read, after that apply has committed
// the audit entry.

// CreateTip is registry.Store.CreateTip through the log; a generated id
// is the one the apply gives, the same on every node.
func (s *Store) CreateTip(ctx context.Context, t *camera.Tip, sealed []byte, actor camera.Actor) error {
	v, err := s.write(ctx, registry.KindTipCreate, registry.TipCreate{Tip: t, Sealed: sealed, Actor: actor})
	if err != nil {
		return err
	}
	*t = *v.(*camera.Tip)
	return nil
}

// CreateTips is registry.Store.CreateTips through the log, as one command
// (ETOOLARGE when the tips do not fit one): all of them are stored or
// none.
func (s *Store) CreateTips(ctx context.Context, tips []*camera.Tip, sealed [][]byte, actor camera.Actor) (int, error) {
	v, err := s.write(ctx, registry.KindTipImport, registry.TipImport{Tips: tips, Sealed: sealed, Actor: actor})
	out, ok := v.(registry.TipImportOutcome)
	if !ok {
		return 0, err
	}
	for i, t := range out.Tips {
		*tips[i] = *t
	}
	return out.Created, err
}

// UpdateTip is registry.Store.UpdateTip through the log, as UpdateIncident:
// fn runs here, and the command stores its result only if the tip is
// still as read (else fn runs again on a fresh read).
func (s *Store) UpdateTip(ctx context.Context, id string, actor camera.Actor, fn func(*camera.Tip) error) (*camera.Tip, error) {
	for range staleAttempts {
		p, err := s.Store.TipUpdateOf(ctx, id, actor, fn)
		if err != nil {
			return nil, err
		}
		v, err := s.write(ctx, registry.KindTipUpdate, p)
		if errors.Is(err, registry.ErrStale) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return v.(*camera.Tip), nil
	}
	return nil, fmt.Errorf("update tip %s: changed by other writes %d times in a row: %w", id, staleAttempts, registry.ErrStale)
}

// GetTip is registry.Store.GetTip through the log: the read is audited on
// every node, and the tip answered is the one this node's apply read.
func (s *Store) GetTip(ctx context.Context, id string, actor camera.Actor) (*camera.Tip, error) {
	v, err := s.write(ctx, registry.KindTipRead, registry.TipRead{ID: id, Actor: actor})
	if err != nil {
		return nil, err
	}
	return v.(*camera.Tip), nil
}

// ListTips is registry.Store.ListTips through the log: the page is found
// here (registry.Store.TipPage, which reads no tip out), then read by a
// command that audits it on every node (ReadTips). A tip purged between
// the two is left out of the page. An empty page is no command, as it
// leaves no audit entry.
func (s *Store) ListTips(ctx context.Context, q registry.TipQuery, actor camera.Actor) ([]*camera.Tip, string, error) {
	ids, next, err := s.Store.TipPage(ctx, q)
	if err != nil || len(ids) == 0 {
		return nil, next, err
	}
	items, err := s.ReadTips(ctx, ids, actor)
	if err != nil {
		return nil, "", err
	}
	return items, next, nil
}

// ReadTips is registry.Store.ReadTips through the log.
func (s *Store) ReadTips(ctx context.Context, ids []string, actor camera.Actor) ([]*camera.Tip, error) {
	v, err := s.write(ctx, registry.KindTipList, registry.TipList{IDs: ids, Actor: actor})
	if err != nil {
		return nil, err
	}
	items, _ := v.([]*camera.Tip)
	return items, nil
}

// TipInformant is registry.Store.TipInformant through the log: the audit
// entry of the reveal, with its reason, is committed by this node's own
// apply before the sealed informant is answered, and every node writes
// it. The ciphertext answered is the one this node's apply read; it is
// not in the command.
func (s *Store) TipInformant(ctx context.Context, id string, actor camera.Actor, reason string) ([]byte, error) {
	// A reason the apply would refuse costs no command.
	if err := camera.ValidateAccessReason(reason); err != nil {
		return nil, err
	}
	v, err := s.write(ctx, registry.KindTipInformant, registry.TipInformantRead{ID: id, Reason: reason, Actor: actor})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

// PurgeTips is registry.Store.PurgeTips through the log, as one command:
// the cutoff is the caller's, so every node purges the same tips.
func (s *Store) PurgeTips(ctx context.Context, cutoff time.Time, actor camera.Actor) (int, error) {
	v, err := s.write(ctx, registry.KindTipPurge, registry.TipPurge{Cutoff: cutoff, Actor: actor})
	if err != nil {
		return 0, err
	}
	return v.(int), nil
}

// RekeyTips refuses with registry.ErrRekeyInCluster: a rekey reseals
// every informant with a chief's private key, which is not on the
// daemon, and sealing draws random numbers, which an apply must not; it
// is run offline by `matthan tips rekey` on a single node's file, which
// refuses a cluster node's.
func (s *Store) RekeyTips(context.Context, func([]byte) ([]byte, error), camera.Actor) (int, error) {
	return 0, registry.ErrRekeyInCluster
}
