package registry

import (
	"context"
	"errors"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// Command kinds of hotline tips. A tip's informant travels as the API
// sealed it (age ciphertext to the chiefs' keys), never in the clear;
// generated tip ids come from the store's sequence and the command's
// time, the same on every node. Reads of tips are commands too: each
// writes an audit entry, on every node, before the taking node answers.
const (
	KindTipCreate    = "tip.create"
	KindTipImport    = "tip.import"
	KindTipUpdate    = "tip.update"
	KindTipRead      = "tip.read"
	KindTipList      = "tip.list"
	KindTipInformant = "tip.informant"
	KindTipPurge     = "tip.purge"
)

// TipCreate is KindTipCreate's payload: the tip as given and its sealed
// informant (nil for an anonymous tip). Value is the tip as stored
// (*camera.Tip).
type TipCreate struct {
	Tip    *camera.Tip  `json:"tip"`
	Sealed []byte       `json:"sealed"`
	Actor  camera.Actor `json:"actor"`
}

// TipImport is KindTipImport's payload (CreateTips), with Sealed[i] the
// sealed informant of Tips[i]. Value is TipImportOutcome.
type TipImport struct {
	Tips   []*camera.Tip `json:"tips"`
	Sealed [][]byte      `json:"sealed"`
	Actor  camera.Actor  `json:"actor"`
}

// TipImportOutcome is the Value of KindTipImport: how many were created,
// and the tips as the store left them.
type TipImportOutcome struct {
	Created int
	Tips    []*camera.Tip
}

// TipUpdate is KindTipUpdate's payload, a compare-and-set as
// CameraUpdate: Next is stored only if the tip is still Prev (ErrStale
// otherwise). Value is *camera.Tip. TipUpdateOf builds it.
type TipUpdate struct {
	ID    string       `json:"id"`
	Prev  *camera.Tip  `json:"prev"`
	Next  *camera.Tip  `json:"next"`
	Actor camera.Actor `json:"actor"`
}

// TipRead is KindTipRead's payload (GetTip); Value is *camera.Tip.
type TipRead struct {
	ID    string       `json:"id"`
	Actor camera.Actor `json:"actor"`
}

// TipList is KindTipList's payload: the ids of a page found by TipPage
// on the taking node (ReadTips). Value is []*camera.Tip.
type TipList struct {
	IDs   []string     `json:"ids"`
	Actor camera.Actor `json:"actor"`
}

// TipInformantRead is KindTipInformant's payload: the reveal of a tip's
// sealed informant, with its reason. Value is the sealed informant
// ([]byte), which stays with the outcome on each node and is not in the
// log.
type TipInformantRead struct {
	ID     string       `json:"id"`
	Reason string       `json:"reason"`
	Actor  camera.Actor `json:"actor"`
}

// TipPurge is KindTipPurge's payload: the cutoff the taking node
// computed. Value is the number purged (int).
type TipPurge struct {
	Cutoff time.Time    `json:"cutoff"`
	Actor  camera.Actor `json:"actor"`
}

// ErrRekeyInCluster is what a rekey of the informants answers in cluster
// mode: a rekey is done offline on one stopped node's file, which would
// leave every other node's informants sealed to the old keys.
var ErrRekeyInCluster = errors.New("tips rekey is not available in cluster mode: it rewrites one node's file only, and every other node would keep its informants sealed to the old keys")

// tipApplier is applierOf for the kinds of this file.
func tipApplier(k string) (applyFunc, bool) {
	switch k {
	case KindTipCreate:
		return kind(func(s *Store, ctx context.Context, p TipCreate) (any, error) {
			if p.Tip == nil {
				return nil, badPayload{errors.New("no tip")}
			}
			return p.Tip, s.CreateTip(ctx, p.Tip, p.Sealed, p.Actor)
		}), true
	case KindTipImport:
		return kind(func(s *Store, ctx context.Context, p TipImport) (any, error) {
			if slices.Contains(p.Tips, nil) {
				return nil, badPayload{errors.New("no tip")}
			}
			n, err := s.CreateTips(ctx, p.Tips, p.Sealed, p.Actor)
			return TipImportOutcome{Created: n, Tips: p.Tips}, err
		}), true
	case KindTipUpdate:
		return kind(applyTipUpdate), true
	case KindTipRead:
		return kind(func(s *Store, ctx context.Context, p TipRead) (any, error) {
			return s.GetTip(ctx, p.ID, p.Actor)
		}), true
	case KindTipList:
		return kind(func(s *Store, ctx context.Context, p TipList) (any, error) {
			return s.ReadTips(ctx, p.IDs, p.Actor)
		}), true
	case KindTipInformant:
		return kind(func(s *Store, ctx context.Context, p TipInformantRead) (any, error) {
			return s.TipInformant(ctx, p.ID, p.Actor, p.Reason)
		}), true
	case KindTipPurge:
		return kind(func(s *Store, ctx context.Context, p TipPurge) (any, error) {
			return s.PurgeTips(ctx, p.Cutoff, p.Actor)
		}), true
	}
	return nil, false
}

// TipUpdateOf builds the payload of a KindTipUpdate: it reads the tip
// (ENOTFOUND when there is none) and runs fn on a copy, on the node that
// takes the write, since fn is the API's and cannot travel. The read is
// not audited: it is part of the update, which the apply audits
// (tip.update) when it changes anything.
func (s *Store) TipUpdateOf(ctx context.Context, id string, actor camera.Actor, fn func(*camera.Tip) error) (TipUpdate, error) {
	if err := ctx.Err(); err != nil {
		return TipUpdate{}, err
	}
	var prev *camera.Tip
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketTips).Get([]byte(id))
		if v == nil {
			return notFound("tip", id)
		}
		var err error
		prev, err = decodeTip(v)
		return err
	})
	if err != nil {
		return TipUpdate{}, err
	}
	next := prev.Clone()
	if err := fn(next); err != nil {
		return TipUpdate{}, err
	}
	return TipUpdate{ID: id, Prev: prev, Next: next, Actor: actor}, nil
}

// applyTipUpdate stores p.Next if the tip is still p.Prev.
func applyTipUpdate(s *Store, ctx context.Context, p TipUpdate) (any, error) {
	if p.Prev == nil || p.Next == nil {
		return nil, badPayload{errors.New("no tip")}
	}
	return s.UpdateTip(ctx, p.ID, p.Actor, func(t *camera.Tip) error {
		if !SameTip(t, p.Prev) {
			return ErrStale
		}
		*t = *p.Next.Clone()
		return nil
	})
}

// SameTip reports whether a and b hold the same stored values.
func SameTip(a, b *camera.Tip) bool {
	return len(diffTip(a, b)) == 0 && a.Informant == b.Informant && a.CreatedBy == b.CreatedBy &&
		a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt)
}
