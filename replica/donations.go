package replica

import (
	"context"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// CreateDonation is CreateDonationWith without options.
func (s *Store) CreateDonation(ctx context.Context, d *camera.Donation, actor camera.Actor) error {
	return s.CreateDonationWith(ctx, d, actor, registry.DonationOptions{})
}

// CreateDonationWith is registry.Store.CreateDonationWith through the
// log: the id is the one the apply gives, the same on every node.
func (s *Store) CreateDonationWith(ctx context.Context, d *camera.Donation, actor camera.Actor, o registry.DonationOptions) error {
	v, err := s.write(ctx, registry.KindDonationCreate, registry.DonationCreate{Donation: d, Options: o, Actor: actor})
	if err != nil {
		return err
	}
	*d = *v.(*camera.Donation)
	return nil
}

// ImportDonations is ImportDonationsWith without options.
func (s *Store) ImportDonations(ctx context.Context, ds []*camera.Donation, actor camera.Actor) (registry.DonationImport, error) {
	return s.ImportDonationsWith(ctx, ds, actor, registry.DonationOptions{})
}

// ImportDonationsWith is registry.Store.ImportDonationsWith through the
// log, as one command: its checks (a bad reference, a repeated gift) span
// the whole file, so it is not split; a file too large for one command is
// refused (ETOOLARGE) before anything is stored.
func (s *Store) ImportDonationsWith(ctx context.Context, ds []*camera.Donation, actor camera.Actor, o registry.DonationOptions) (registry.DonationImport, error) {
	v, err := s.write(ctx, registry.KindDonationImport, registry.DonationImportCmd{Donations: ds, Options: o, Actor: actor})
	out, ok := v.(registry.DonationImportOutcome)
	if !ok {
		return registry.DonationImport{}, err
	}
	for i, d := range out.Donations {
		*ds[i] = *d
	}
	return out.Result, err
}

// DeleteDonation is registry.Store.DeleteDonation through the log.
func (s *Store) DeleteDonation(ctx context.Context, id, reason string, actor camera.Actor) (*camera.Donation, error) {
	v, err := s.write(ctx, registry.KindDonationDelete, registry.DonationDelete{ID: id, Reason: reason, Actor: actor})
	d, _ := v.(*camera.Donation)
	return d, err
}

// SetDonationPublic is registry.Store.SetDonationPublic through the log.
func (s *Store) SetDonationPublic(ctx context.Context, id string, public bool, actor camera.Actor) (*camera.Donation, error) {
	v, err := s.write(ctx, registry.KindDonationPublic, registry.DonationPublic{ID: id, Public: public, Actor: actor})
	d, _ := v.(*camera.Donation)
	return d, err
}
