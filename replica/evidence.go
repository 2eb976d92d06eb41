package replica

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// CreateIncident is registry.Store.CreateIncident through the log; a
// generated id is the one the apply gives, the same on every node.
func (s *Store) CreateIncident(ctx context.Context, in *camera.Incident, actor camera.Actor) error {
	v, err := s.write(ctx, registry.KindIncidentCreate, registry.IncidentCreate{Incident: in, Actor: actor})
	if err != nil {
		return err
	}
	*in = *v.(*camera.Incident)
	return nil
}

// CreateIncidents is registry.Store.CreateIncidents through the log, as
// one command (ETOOLARGE when the incidents do not fit one).
func (s *Store) CreateIncidents(ctx context.Context, ins []*camera.Incident, actor camera.Actor) (int, error) {
	v, err := s.write(ctx, registry.KindIncidentImport, registry.IncidentImport{Incidents: ins, Actor: actor})
	out, ok := v.(registry.IncidentImportOutcome)
	if !ok {
		return 0, err
	}
	for i, in := range out.Incidents {
		*ins[i] = *in
	}
	return out.Created, err
}

// UpdateIncident is registry.Store.UpdateIncident through the log, as
// UpdateCamera: fn runs here, and the command stores its result only if
// the incident is still as read (else fn runs again on a fresh read).
func (s *Store) UpdateIncident(ctx context.Context, id string, actor camera.Actor, fn func(*camera.Incident) error) (*camera.Incident, error) {
	for range staleAttempts {
		prev, err := s.Store.GetIncident(ctx, id)
		if err != nil {
			return nil, err
		}
		in := prev.Clone()
		if err := fn(in); err != nil {
			return nil, err
		}
		v, err := s.write(ctx, registry.KindIncidentUpdate, registry.IncidentUpdate{ID: id, Prev: prev, Next: in, Actor: actor})
		if errors.Is(err, registry.ErrStale) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return v.(*camera.Incident), nil
	}
	return nil, fmt.Errorf("update incident %s: changed by other writes %d times in a row: %w", id, staleAttempts, registry.ErrStale)
}

// PurgeIncident is registry.Store.PurgeIncident through the log. The
// orphaned clips it returns are this caller's to delete from the shared
// clips directory; the other nodes apply the purge of the records only.
func (s *Store) PurgeIncident(ctx context.Context, id string, cutoff time.Time, actor camera.Actor) (registry.PurgeResult, error) {
	v, err := s.write(ctx, registry.KindIncidentPurge, registry.IncidentPurge{ID: id, Cutoff: cutoff, Actor: actor})
	if err != nil {
		return registry.PurgeResult{}, err
	}
	return v.(registry.PurgeResult), nil
}

// AttachClip is registry.Store.AttachClip through the log (the clip's
// file is in the clips directory all nodes share).
func (s *Store) AttachClip(ctx context.Context, incidentID string, clip *camera.Clip, actor camera.Actor) (*camera.Clip, bool, error) {
	if err := clip.Validate(); err != nil {
		return nil, false, err
	}
	v, err := s.write(ctx, registry.KindClipAttach, registry.ClipAttach{IncidentID: incidentID, Clip: clip, Actor: actor})
	if err != nil {
		return nil, false, err
	}
	out := v.(registry.ClipAttachOutcome)
	return out.Clip, out.Attached, nil
}

// AppendCustody is registry.Store.AppendCustody through the log.
func (s *Store) AppendCustody(ctx context.Context, e camera.CustodyEntry) (camera.CustodyEntry, error) {
	if err := e.Validate(); err != nil {
		return e, err
	}
	v, err := s.write(ctx, registry.KindCustodyAppend, registry.CustodyAppend{Entry: e})
	if err != nil {
		return e, err
	}
	return v.(camera.CustodyEntry), nil
}

// Publish is registry.Store.Publish through the log.
func (s *Store) Publish(ctx context.Context, commune string, actor camera.Actor) (registry.Publication, bool, error) {
	v, err := s.write(ctx, registry.KindPublish, registry.PublicCommune{Commune: commune, Actor: actor})
	if err != nil {
		return registry.Publication{}, false, err
	}
	out := v.(registry.PublishOutcome)
	return out.Publication, out.Created, nil
}

// Unpublish is registry.Store.Unpublish through the log.
func (s *Store) Unpublish(ctx context.Context, commune string, actor camera.Actor) (registry.Publication, error) {
	v, err := s.write(ctx, registry.KindUnpublish, registry.PublicCommune{Commune: commune, Actor: actor})
	if err != nil {
		return registry.Publication{}, err
	}
	return v.(registry.Publication), nil
}

// PutLayer stores one reference layer, as PutLayers.
func (s *Store) PutLayer(ctx context.Context, name string, raw []byte, summary string, actor camera.Actor) error {
	return s.PutLayers(ctx, []registry.LayerPut{{Name: name, Raw: raw, Summary: summary}}, actor)
}

// PutLayers is registry.Store.PutLayers through the log: a layer is
// larger than a command may be, so each of its stored pieces is a command
// (registry.KindLayerPiece), and one last command points every layer at
// its new pieces, all at once, as in single-node mode. Pieces of a layer
// not written whole are dropped (another command); a commit that fails,
// or a node that dies before, leaves them to the next import of that layer, which drops every
// generation but its own.
func (s *Store) PutLayers(ctx context.Context, layers []registry.LayerPut, actor camera.Actor) error {
	commits := make([]registry.LayerCommit, len(layers))
	drop := func() {
		for _, c := range commits {
			if c.Gen != 0 {
				_ = s.DropLayerPieces(context.WithoutCancel(ctx), c.Name, c.Gen)
			}
		}
	}
	for i, l := range layers {
		commits[i] = registry.LayerCommit{Name: l.Name, Summary: l.Summary, Remove: l.Raw == nil}
		if l.Raw == nil {
			continue
		}
		up, err := registry.SplitLayer(l.Raw)
		if err != nil {
			return err
		}
		c := &commits[i]
		c.Pieces, c.Size, c.ZSize = uint32(len(up.Pieces)), up.Size, up.ZSize
		for j, piece := range up.Pieces {
			gen, err := s.PutLayerPiece(ctx, l.Name, c.Gen, uint32(j), piece)
			if err != nil {
				drop()
				return fmt.Errorf("store layer %s: %w", l.Name, err)
			}
			c.Gen = gen
		}
	}
	// A commit that failed is not followed by a drop: its error may be
	// an append whose answer was lost while the commit did take effect.
	return s.CommitLayers(ctx, commits, actor)
}
