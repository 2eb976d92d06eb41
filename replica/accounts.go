package replica

import (
	"context"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// CreateUser is registry.Store.CreateUser through the log: the password
// is checked and hashed here, and only its hash travels.
func (s *Store) CreateUser(ctx context.Context, u *camera.User, password string, actor camera.Actor) error {
	if err := camera.ValidatePassword(password, camera.NormalizeUserName(u.Name)); err != nil {
		return err
	}
	hash, err := s.Store.HashPassword(ctx, password)
	if err != nil {
		return err
	}
	return s.CreateUserHash(ctx, u, hash, actor)
}

// UpdateUser is registry.Store.UpdateUser through the log; a new password
// travels as its hash.
func (s *Store) UpdateUser(ctx context.Context, name string, ch registry.UserChange, actor camera.Actor) (*camera.User, error) {
	name = camera.NormalizeUserName(name)
	var hash string
	if ch.Password != nil {
		if err := camera.ValidatePassword(*ch.Password, name); err != nil {
			return nil, err
		}
		var err error
		if hash, err = s.Store.HashPassword(ctx, *ch.Password); err != nil {
			return nil, err
		}
		ch.Password = nil
	}
	return s.UpdateUserHash(ctx, name, ch, hash, actor)
}

// CreateToken is registry.Store.CreateToken through the log: the secret
// is drawn here and answered once; only its hash travels.
func (s *Store) CreateToken(ctx context.Context, spec registry.TokenSpec, actor camera.Actor) (registry.Token, string, error) {
	for {
		secret := registry.NewTokenSecret()
		tok, err := s.CreateTokenKey(ctx, spec, registry.HashToken(secret), actor)
		if registry.IsTokenIDTaken(err) {
			continue // as the registry does: draw again
		}
		if err != nil {
			return registry.Token{}, "", err
		}
		return tok, secret, nil
	}
}

// RevokeToken is registry.Store.RevokeToken through the log.
func (s *Store) RevokeToken(ctx context.Context, id string, actor camera.Actor) (registry.Token, error) {
	if !registry.ValidTokenID(id) {
		return registry.Token{}, camera.Errorf(camera.EINVALID, "id", "must be a token id: %d lowercase hex digits, got %q", registry.TokenIDLen, id)
	}
	v, err := s.write(ctx, registry.KindTokenRevoke, registry.TokenRevoke{ID: id, Actor: actor})
	if err != nil {
		return registry.Token{}, err
	}
	return v.(registry.Token), nil
}

// CreateSession is registry.Store.CreateSession through the log: the
// secret is drawn here and answered once; its hash travels.
func (s *Store) CreateSession(ctx context.Context, u *camera.User, l registry.SessionLimits) (string, registry.Session, error) {
	secret := registry.NewSessionSecret()
	sess, err := s.CreateSessionKey(ctx, u, registry.HashToken(secret), registry.NewCSRF(), l)
	if err != nil {
		return "", registry.Session{}, err
	}
	return secret, sess, nil
}

// LookupSession is registry.Store.LookupSession: a read of this node's
// registry, and, when the session's use is due to be recorded (once a
// minute) or it has ended, a command.
func (s *Store) LookupSession(ctx context.Context, secret string, l registry.SessionLimits) (registry.Session, error) {
	key := registry.HashToken(secret)
	out, due, err := s.Store.ReadSession(ctx, key, l)
	switch due {
	case registry.SessionDueEnd:
		_ = s.EndSession(ctx, key)
	case registry.SessionDueTouch:
		now := s.opts.Now().UTC()
		if terr := s.TouchSession(ctx, key); terr != nil {
			return registry.Session{}, terr
		}
		out = out.Touched(now, l)
	}
	return out, err
}

// DeleteSession is registry.Store.DeleteSession through the log.
func (s *Store) DeleteSession(ctx context.Context, secret string, actor camera.Actor) error {
	return s.DeleteSessionKey(ctx, registry.HashToken(secret), actor)
}

// RecordBackup writes the audit entry of a backup through the log.
func (s *Store) RecordBackup(ctx context.Context, actor camera.Actor, name string, size int64) error {
	_, err := s.write(ctx, registry.KindBackupRecord, registry.BackupRecord{Name: name, Size: size, Actor: actor})
	return err
}

// RecordSnapshot writes the audit entry of a copy sent to a joining node
// through the log.
func (s *Store) RecordSnapshot(ctx context.Context, actor camera.Actor, name string, size int64) error {
	_, err := s.write(ctx, registry.KindBackupRecord, registry.BackupRecord{Name: name, Size: size, Actor: actor, Action: registry.ActionSnapshot})
	return err
}

// RecordHealth stores health through the log and the node's registry:
// the confirmed transitions and the current health of the cameras that
// made them are a command; the other current records (the latest probe
// of a camera whose state held) stay on this node, which probes it.
func (s *Store) RecordHealth(ctx context.Context, current []camera.Health, transitions []camera.Transition) error {
	if len(transitions) > 0 {
		moved := make(map[string]bool, len(transitions))
		for _, t := range transitions {
			moved[t.CameraID] = true
		}
		var with, rest []camera.Health
		for _, h := range current {
			if moved[h.CameraID] {
				with = append(with, h)
			} else {
				rest = append(rest, h)
			}
		}
		if _, err := s.write(ctx, registry.KindHealthRecord, registry.HealthRecord{Current: with, Transitions: transitions}); err != nil {
			return err
		}
		current = rest
	}
	return s.Store.RecordHealth(ctx, current, nil)
}
