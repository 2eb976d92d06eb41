package replica

import (
	"context"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// The registry's lower-level writes, which its commands are made of, go
// through the log too when called on a Store: none of the registry's
// writes reaches the node's file around the log.

// CreateTokenKey is registry.Store.CreateTokenKey through the log.
func (s *Store) CreateTokenKey(ctx context.Context, spec registry.TokenSpec, key string, actor camera.Actor) (registry.Token, error) {
	v, err := s.write(ctx, registry.KindTokenCreate, registry.TokenCreate{Spec: spec, Key: key, Actor: actor})
	t, _ := v.(registry.Token)
	return t, err
}

// CreateUserHash is registry.Store.CreateUserHash through the log.
func (s *Store) CreateUserHash(ctx context.Context, u *camera.User, hash string, actor camera.Actor) error {
	v, err := s.write(ctx, registry.KindUserCreate, registry.UserCreate{User: *u, PasswordHash: hash, Actor: actor})
	if err != nil {
		return err
	}
	*u = *v.(*camera.User)
	return nil
}

// UpdateUserHash is registry.Store.UpdateUserHash through the log.
func (s *Store) UpdateUserHash(ctx context.Context, name string, ch registry.UserChange, hash string, actor camera.Actor) (*camera.User, error) {
	v, err := s.write(ctx, registry.KindUserUpdate, registry.UserUpdate{Name: name, Change: ch, PasswordHash: hash, Actor: actor})
	u, _ := v.(*camera.User)
	return u, err
}

// CreateSessionKey is registry.Store.CreateSessionKey through the log.
func (s *Store) CreateSessionKey(ctx context.Context, u *camera.User, key, csrf string, l registry.SessionLimits) (registry.Session, error) {
	v, err := s.write(ctx, registry.KindSessionCreate, registry.SessionCreate{User: *u, Key: key, CSRF: csrf, Limits: l})
	sess, _ := v.(registry.Session)
	return sess, err
}

// TouchSession is registry.Store.TouchSession through the log.
func (s *Store) TouchSession(ctx context.Context, key string) error {
	_, err := s.write(ctx, registry.KindSessionTouch, registry.SessionKey{Key: key})
	return err
}

// EndSession is registry.Store.EndSession through the log.
func (s *Store) EndSession(ctx context.Context, key string) error {
	_, err := s.write(ctx, registry.KindSessionEnd, registry.SessionKey{Key: key})
	return err
}

// DeleteSessionKey is registry.Store.DeleteSessionKey through the log.
func (s *Store) DeleteSessionKey(ctx context.Context, key string, actor camera.Actor) error {
	_, err := s.write(ctx, registry.KindSessionDelete, registry.SessionDelete{Key: key, Actor: actor})
	return err
}

// DeleteHealth is registry.Store.DeleteHealth through the log.
func (s *Store) DeleteHealth(ctx context.Context, id string) error {
	_, err := s.write(ctx, registry.KindHealthDelete, registry.HealthDelete{ID: id})
	return err
}

// PutLayerPiece is registry.Store.PutLayerPiece through the log.
func (s *Store) PutLayerPiece(ctx context.Context, name string, gen uint64, i uint32, piece []byte) (uint64, error) {
	v, err := s.write(ctx, registry.KindLayerPiece, registry.LayerPiece{Name: name, Gen: gen, Index: i, Data: piece})
	g, _ := v.(uint64)
	return g, err
}

// CommitLayers is registry.Store.CommitLayers through the log.
func (s *Store) CommitLayers(ctx context.Context, commits []registry.LayerCommit, actor camera.Actor) error {
	_, err := s.write(ctx, registry.KindLayerCommit, registry.LayerCommits{Layers: commits, Actor: actor})
	return err
}

// DropLayerPieces is registry.Store.DropLayerPieces through the log.
func (s *Store) DropLayerPieces(ctx context.Context, name string, gen uint64) error {
	_, err := s.write(ctx, registry.KindLayerDropPieces, registry.LayerDrop{Name: name, Gen: gen})
	return err
}
