package registry

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/matthan/matthan/camera"
)

// Command kinds of incidents, clips, custody, retention, public
// statements and reference layers. Generated incident ids come from the
// store's sequence, the same on every node.
const (
	KindIncidentCreate  = "incident.create"
	KindIncidentImport  = "incident.import"
	KindIncidentUpdate  = "incident.update"
	KindIncidentPurge   = "incident.purge"
	KindClipAttach      = "clip.attach"
	KindCustodyAppend   = "custody.append"
	KindPublish         = "public.publish"
	KindUnpublish       = "public.unpublish"
	KindLayerPiece      = "layer.piece"
	KindLayerCommit     = "layer.commit"
	KindLayerDropPieces = "layer.drop"
)

// IncidentCreate is KindIncidentCreate's payload; Value is the incident
// as stored (*camera.Incident).
type IncidentCreate struct {
	Incident *camera.Incident `json:"incident"`
	Actor    camera.Actor     `json:"actor"`
}

// IncidentImport is KindIncidentImport's payload; Value is
// IncidentImportOutcome.
type IncidentImport struct {
	Incidents []*camera.Incident `json:"incidents"`
	Actor     camera.Actor       `json:"actor"`
}

// IncidentImportOutcome is the Value of KindIncidentImport: how many were
// created, and the incidents as the store left them.
type IncidentImportOutcome struct {
	Created   int
	Incidents []*camera.Incident
}

// IncidentUpdate is KindIncidentUpdate's payload, a compare-and-set as
// CameraUpdate: Next is stored only if the incident is still Prev
// (ErrStale otherwise). Value is *camera.Incident.
type IncidentUpdate struct {
	ID    string           `json:"id"`
	Prev  *camera.Incident `json:"prev"`
	Next  *camera.Incident `json:"next"`
	Actor camera.Actor     `json:"actor"`
}

// IncidentPurge is KindIncidentPurge's payload; Value is PurgeResult.
type IncidentPurge struct {
	ID     string       `json:"id"`
	Cutoff time.Time    `json:"cutoff"`
	Actor  camera.Actor `json:"actor"`
}

// ClipAttach is KindClipAttach's payload; Value is ClipAttachOutcome.
type ClipAttach struct {
	IncidentID string       `json:"incident_id"`
	Clip       *camera.Clip `json:"clip"`
	Actor      camera.Actor `json:"actor"`
}

// ClipAttachOutcome is the Value of KindClipAttach.
type ClipAttachOutcome struct {
	Clip     *camera.Clip
	Attached bool
}

// CustodyAppend is KindCustodyAppend's payload; Value is the entry as
// stored (camera.CustodyEntry).
type CustodyAppend struct {
	Entry camera.CustodyEntry `json:"entry"`
}

// PublicCommune is the payload of KindPublish and KindUnpublish; Value
// is PublishOutcome and Publication.
type PublicCommune struct {
	Commune string       `json:"commune"`
	Actor   camera.Actor `json:"actor"`
}

// PublishOutcome is the Value of KindPublish.
type PublishOutcome struct {
	Publication Publication
	Created     bool
}

// LayerPiece is KindLayerPiece's payload; Value is the generation
// (uint64).
type LayerPiece struct {
	Name  string `json:"name"`
	Gen   uint64 `json:"gen"`
	Index uint32 `json:"index"`
	Data  []byte `json:"data"`
}

// LayerCommits is KindLayerCommit's payload; Value is nil.
type LayerCommits struct {
	Layers []LayerCommit `json:"layers"`
	Actor  camera.Actor  `json:"actor"`
}

// LayerDrop is KindLayerDropPieces's payload; Value is nil.
type LayerDrop struct {
	Name string `json:"name"`
	Gen  uint64 `json:"gen"`
}

// evidenceApplier is applierOf for the kinds of this file.
func evidenceApplier(k string) (applyFunc, bool) {
	switch k {
	case KindIncidentCreate:
		return kind(func(s *Store, ctx context.Context, p IncidentCreate) (any, error) {
			if p.Incident == nil {
				return nil, badPayload{errors.New("no incident")}
			}
			return p.Incident, s.CreateIncident(ctx, p.Incident, p.Actor)
		}), true
	case KindIncidentImport:
		return kind(func(s *Store, ctx context.Context, p IncidentImport) (any, error) {
			if slices.Contains(p.Incidents, nil) {
				return nil, badPayload{errors.New("no incident")}
			}
			n, err := s.CreateIncidents(ctx, p.Incidents, p.Actor)
			return IncidentImportOutcome{Created: n, Incidents: p.Incidents}, err
		}), true
	case KindIncidentUpdate:
		return kind(applyIncidentUpdate), true
	case KindIncidentPurge:
		return kind(func(s *Store, ctx context.Context, p IncidentPurge) (any, error) {
			return s.PurgeIncident(ctx, p.ID, p.Cutoff, p.Actor)
		}), true
	case KindClipAttach:
		return kind(func(s *Store, ctx context.Context, p ClipAttach) (any, error) {
			if p.Clip == nil {
				return nil, badPayload{errors.New("no clip")}
			}
			c, attached, err := s.AttachClip(ctx, p.IncidentID, p.Clip, p.Actor)
			return ClipAttachOutcome{Clip: c, Attached: attached}, err
		}), true
	case KindCustodyAppend:
		return kind(func(s *Store, ctx context.Context, p CustodyAppend) (any, error) {
			return s.AppendCustody(ctx, p.Entry)
		}), true
	case KindPublish:
		return kind(func(s *Store, ctx context.Context, p PublicCommune) (any, error) {
			pub, created, err := s.Publish(ctx, p.Commune, p.Actor)
			return PublishOutcome{Publication: pub, Created: created}, err
		}), true
	case KindUnpublish:
		return kind(func(s *Store, ctx context.Context, p PublicCommune) (any, error) {
			return s.Unpublish(ctx, p.Commune, p.Actor)
		}), true
	case KindLayerPiece:
		return kind(func(s *Store, ctx context.Context, p LayerPiece) (any, error) {
			return s.PutLayerPiece(ctx, p.Name, p.Gen, p.Index, p.Data)
		}), true
	case KindLayerCommit:
		return kind(func(s *Store, ctx context.Context, p LayerCommits) (any, error) {
			return nil, s.CommitLayers(ctx, p.Layers, p.Actor)
		}), true
	case KindLayerDropPieces:
		return kind(func(s *Store, ctx context.Context, p LayerDrop) (any, error) {
			return nil, s.DropLayerPieces(ctx, p.Name, p.Gen)
		}), true
	}
	return nil, false
}

// applyIncidentUpdate stores p.Next if the incident is still p.Prev.
func applyIncidentUpdate(s *Store, ctx context.Context, p IncidentUpdate) (any, error) {
	if p.Prev == nil || p.Next == nil {
		return nil, badPayload{errors.New("no incident")}
	}
	return s.UpdateIncident(ctx, p.ID, p.Actor, func(in *camera.Incident) error {
		if !SameIncident(in, p.Prev) {
			return ErrStale
		}
		*in = *p.Next.Clone()
		return nil
	})
}

// SameIncident reports whether a and b hold the same stored values.
func SameIncident(a, b *camera.Incident) bool {
	return len(diffIncident(a, b)) == 0 && slices.Equal(a.Clips, b.Clips) && a.CreatedBy == b.CreatedBy &&
		a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt)
}
