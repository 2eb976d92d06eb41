package registry

import (
	"context"
	"errors"

	"github.com/matthan/matthan/camera"
)

// Command kinds of the donations. Donation ids come from the store's
// sequence, the same on every node that applies the same commands.
const (
	KindDonationCreate = "donation.create"
	KindDonationImport = "donation.import"
	KindDonationDelete = "donation.delete"
	KindDonationPublic = "donation.public"
)

// DonationCreate is KindDonationCreate's payload; Value is the donation
// as stored (*camera.Donation).
type DonationCreate struct {
	Donation *camera.Donation `json:"donation"`
	Options  DonationOptions  `json:"options"`
	Actor    camera.Actor     `json:"actor"`
}

// DonationImportCmd is KindDonationImport's payload; Value is
// DonationImportOutcome.
type DonationImportCmd struct {
	Donations []*camera.Donation `json:"donations"`
	Options   DonationOptions    `json:"options"`
	Actor     camera.Actor       `json:"actor"`
}

// DonationImportOutcome is the Value of KindDonationImport: the result
// and the donations as stored, in the payload's order.
type DonationImportOutcome struct {
	Result    DonationImport
	Donations []*camera.Donation
}

// DonationDelete is KindDonationDelete's payload; Value is the deleted
// donation (*camera.Donation).
type DonationDelete struct {
	ID     string       `json:"id"`
	Reason string       `json:"reason"`
	Actor  camera.Actor `json:"actor"`
}

// DonationPublic is KindDonationPublic's payload; Value is
// *camera.Donation.
type DonationPublic struct {
	ID     string       `json:"id"`
	Public bool         `json:"public"`
	Actor  camera.Actor `json:"actor"`
}

// donationApplier is applierOf for the donations' kinds.
func donationApplier(k string) (applyFunc, bool) {
	switch k {
	case KindDonationCreate:
		return kind(func(s *Store, ctx context.Context, p DonationCreate) (any, error) {
			if p.Donation == nil {
				return nil, badPayload{errors.New("no donation")}
			}
			return p.Donation, s.CreateDonationWith(ctx, p.Donation, p.Actor, p.Options)
		}), true
	case KindDonationImport:
		return kind(func(s *Store, ctx context.Context, p DonationImportCmd) (any, error) {
			for _, d := range p.Donations {
				if d == nil {
					return nil, badPayload{errors.New("no donation")}
				}
			}
			res, err := s.ImportDonationsWith(ctx, p.Donations, p.Actor, p.Options)
			return DonationImportOutcome{Result: res, Donations: p.Donations}, err
		}), true
	case KindDonationDelete:
		return kind(func(s *Store, ctx context.Context, p DonationDelete) (any, error) {
			return s.DeleteDonation(ctx, p.ID, p.Reason, p.Actor)
		}), true
	case KindDonationPublic:
		return kind(func(s *Store, ctx context.Context, p DonationPublic) (any, error) {
			return s.SetDonationPublic(ctx, p.ID, p.Public, p.Actor)
		}), true
	}
	return nil, false
}
