package registry

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// A console session is a random secret in a cookie. The bucket
// "sessions" maps the secret's SHA-256 (HashToken, as for tokens: a
// stolen database or backup holds no usable session) to a
// sessionRecord. A session ends when it has been idle for longer than
// SessionLimits.Idle, when it is older than SessionLimits.Max, at
// sign-out, and when its user is disabled or changes password. Every
// lookup reads the user too, so a change of role applies at the next
// request.

// SessionLimits bound a session's life.
type SessionLimits struct {
	// Idle ends a session not used for this long (8 h: a working day).
	Idle time.Duration
	// Max ends a session this long after sign-in, used or not (7 days).
	Max time.Duration
}

// DefaultSessionLimits are the limits of the console's sessions.
var DefaultSessionLimits = SessionLimits{Idle: 8 * time.Hour, Max: 7 * 24 * time.Hour}

// touchEvery is how stale a session's last use may be before a lookup
// writes it: one write a minute per session at most, not one per
// request (the idle timeout is hours).
const touchEvery = time.Minute

// Session is a signed-in user's session.
type Session struct {
	// User is the session's user as stored now.
	User camera.User
	// CSRF is the token the console sends back in X-CSRF-Token with every
	// request that changes something.
	CSRF       string
	CreatedAt  time.Time
	LastSeenAt time.Time
	// ExpiresAt is when the session ends if it is not used before.
	ExpiresAt time.Time
}

type sessionRecord struct {
	User       string    `json:"user"`
	CSRF       string    `json:"csrf"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
}

func (r *sessionRecord) expires(l SessionLimits) time.Time {
	idle, max := r.LastSeenAt.Add(l.Idle), r.CreatedAt.Add(l.Max)
	if idle.Before(max) {
		return idle
	}
	return max
}

func randomSecret(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateSession starts a session for u (checked by CheckPassword) and
// returns its secret, the cookie's value, shown once. Sessions that have
// ended are swept out on the way.
func (s *Store) CreateSession(ctx context.Context, u *camera.User, l SessionLimits) (string, Session, error) {
	secret := randomSecret(32)
	sess, err := s.CreateSessionKey(ctx, u, HashToken(secret), NewCSRF(), l)
	if err != nil {
		return "", Session{}, err
	}
	return secret, sess, nil
}

// NewCSRF returns a fresh random CSRF token for a session.
func NewCSRF() string { return randomSecret(24) }

// NewSessionSecret returns a fresh random session secret (the cookie's
// value); the store keeps only its HashToken.
func NewSessionSecret() string { return randomSecret(32) }

// CreateSessionKey is CreateSession for a secret its caller drew
// (NewSessionSecret) and keeps: key is its HashToken, csrf the session's
// CSRF token (NewCSRF).
func (s *Store) CreateSessionKey(ctx context.Context, u *camera.User, key, csrf string, l SessionLimits) (Session, error) {
	now := s.now().UTC()
	rec := sessionRecord{User: u.Name, CSRF: csrf, CreatedAt: now, LastSeenAt: now}
	v, err := json.Marshal(rec)
	if err != nil {
		return Session{}, err
	}
	err = s.update(func(tx *bolt.Tx) error {
		if err := sweepSessions(tx, now, l); err != nil {
			return err
		}
		if err := tx.Bucket(bucketSessions).Put([]byte(key), v); err != nil {
			return err
		}
		return appendAudit(tx, now, u.Actor(), "session.create", u.Name, nil)
	})
	if err != nil {
		return Session{}, err
	}
	return Session{User: *u, CSRF: rec.CSRF, CreatedAt: now, LastSeenAt: now, ExpiresAt: rec.expires(l)}, nil
}

// SessionDue is the write a session lookup calls for.
type SessionDue int

// The writes a lookup calls for: none, recording its use (at most once a
// minute), or removing the session, which has ended.
const (
	SessionDueNone SessionDue = iota
	SessionDueTouch
	SessionDueEnd
)

// LookupSession returns the session of secret, EUNAUTHORIZED when there
// is none or it has ended. It records the use (at most once a minute).
func (s *Store) LookupSession(ctx context.Context, secret string, l SessionLimits) (Session, error) {
	key := HashToken(secret)
	out, due, err := s.ReadSession(ctx, key, l)
	switch due {
	case SessionDueEnd:
		_ = s.EndSession(ctx, key)
	case SessionDueTouch:
		if terr := s.TouchSession(ctx, key); terr != nil {
			return Session{}, terr
		}
		out = out.touched(s.now().UTC(), l)
	}
	return out, err
}

// touched is the session as TouchSession at now leaves it.
func (o Session) touched(now time.Time, l SessionLimits) Session {
	o.LastSeenAt = now
	o.ExpiresAt = (&sessionRecord{CreatedAt: o.CreatedAt, LastSeenAt: now}).expires(l)
	return o
}

// Touched returns the session as TouchSession at now leaves it.
func (o Session) Touched(now time.Time, l SessionLimits) Session { return o.touched(now, l) }

// ReadSession is the read of LookupSession, by the HashToken of the
// secret, without its writes: it returns the session (or EUNAUTHORIZED)
// and the write the lookup calls for, which the caller makes
// (TouchSession, EndSession) through the store or, in cluster mode, the
// log.
func (s *Store) ReadSession(ctx context.Context, key string, l SessionLimits) (Session, SessionDue, error) {
	now := s.now().UTC()
	var out Session
	var rec sessionRecord
	ended := false
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		if b == nil {
			return camera.Errorf(camera.EUNAUTHORIZED, "", "no such session")
		}
		v := b.Get([]byte(key))
		if v == nil {
			return camera.Errorf(camera.EUNAUTHORIZED, "", "no such session: sign in again")
		}
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("session: %w", err)
		}
		if !now.Before(rec.expires(l)) {
			ended = true
			return camera.Errorf(camera.EUNAUTHORIZED, "", "the session has ended: sign in again")
		}
		u, err := getUser(tx, rec.User)
		if err != nil {
			return err
		}
		if u == nil || u.Disabled {
			ended = true
			return camera.Errorf(camera.EUNAUTHORIZED, "", "the session's account is disabled or gone")
		}
		out = Session{User: u.User, CSRF: rec.CSRF, CreatedAt: rec.CreatedAt, LastSeenAt: rec.LastSeenAt}
		return nil
	})
	if ended {
		return Session{}, SessionDueEnd, err
	}
	if err != nil {
		return Session{}, SessionDueNone, err
	}
	out.ExpiresAt = rec.expires(l)
	if now.Sub(rec.LastSeenAt) >= touchEvery {
		return out, SessionDueTouch, nil
	}
	return out, SessionDueNone, nil
}

// TouchSession records a use of the session under key now; EUNAUTHORIZED
// when it is gone (signed out meanwhile).
func (s *Store) TouchSession(ctx context.Context, key string) error {
	now := s.now().UTC()
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		v := b.Get([]byte(key))
		if v == nil { // signed out meanwhile
			return camera.Errorf(camera.EUNAUTHORIZED, "", "no such session: sign in again")
		}
		var rec sessionRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("session: %w", err)
		}
		if !now.After(rec.LastSeenAt) {
			return nil
		}
		rec.LastSeenAt = now
		nv, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		return b.Put([]byte(key), nv)
	})
}

// EndSession removes the session under key, which has ended; no audit
// entry, as no one signed out.
func (s *Store) EndSession(ctx context.Context, key string) error {
	return s.update(func(tx *bolt.Tx) error { return tx.Bucket(bucketSessions).Delete([]byte(key)) })
}

// DeleteSession ends the session of secret (signing out). Ending one that
// does not exist is not an error.
func (s *Store) DeleteSession(ctx context.Context, secret string, actor camera.Actor) error {
	return s.DeleteSessionKey(ctx, HashToken(secret), actor)
}

// DeleteSessionKey is DeleteSession by the HashToken of the secret.
func (s *Store) DeleteSessionKey(ctx context.Context, key string, actor camera.Actor) error {
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		if b.Get([]byte(key)) == nil {
			return nil
		}
		if err := b.Delete([]byte(key)); err != nil {
			return err
		}
		return appendAudit(tx, s.now().UTC(), actor, "session.delete", actor.Name, nil)
	})
}

// deleteUserSessions ends every session of the user named name.
func deleteUserSessions(tx *bolt.Tx, name string) error {
	return deleteSessionsWhere(tx, func(r *sessionRecord) bool { return r.User == name })
}

// sweepSessions deletes the sessions that have ended.
func sweepSessions(tx *bolt.Tx, now time.Time, l SessionLimits) error {
	return deleteSessionsWhere(tx, func(r *sessionRecord) bool { return !now.Before(r.expires(l)) })
}

// deleteSessionsWhere deletes the sessions for which drop is true. The
// bucket holds one record per signed-in person: a walk is cheap.
func deleteSessionsWhere(tx *bolt.Tx, drop func(*sessionRecord) bool) error {
	b := tx.Bucket(bucketSessions)
	var keys [][]byte
	err := b.ForEach(func(k, v []byte) error {
		var r sessionRecord
		if err := json.Unmarshal(v, &r); err != nil || drop(&r) {
			keys = append(keys, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
