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
	now := s.now().UTC()
	rec := sessionRecord{User: u.Name, CSRF: randomSecret(24), CreatedAt: now, LastSeenAt: now}
	v, err := json.Marshal(rec)
	if err != nil {
		return "", Session{}, err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := sweepSessions(tx, now, l); err != nil {
			return err
		}
		if err := tx.Bucket(bucketSessions).Put([]byte(HashToken(secret)), v); err != nil {
			return err
		}
		return appendAudit(tx, now, u.Actor(), "session.create", u.Name, nil)
	})
	if err != nil {
		return "", Session{}, err
	}
	return secret, Session{User: *u, CSRF: rec.CSRF, CreatedAt: now, LastSeenAt: now, ExpiresAt: rec.expires(l)}, nil
}

// LookupSession returns the session of secret, EUNAUTHORIZED when there
// is none or it has ended. It records the use (at most once a minute).
func (s *Store) LookupSession(ctx context.Context, secret string, l SessionLimits) (Session, error) {
	key := []byte(HashToken(secret))
	now := s.now().UTC()
	var out Session
	var rec sessionRecord
	ended := false
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		if b == nil {
			return camera.Errorf(camera.EUNAUTHORIZED, "", "no such session")
		}
		v := b.Get(key)
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
		_ = s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketSessions).Delete(key) })
	}
	if err != nil {
		return Session{}, err
	}
	if now.Sub(rec.LastSeenAt) >= touchEvery {
		rec.LastSeenAt = now
		v, err := json.Marshal(rec)
		if err != nil {
			return Session{}, err
		}
		err = s.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketSessions)
			if b.Get(key) == nil { // signed out meanwhile
				return camera.Errorf(camera.EUNAUTHORIZED, "", "no such session: sign in again")
			}
			return b.Put(key, v)
		})
		if err != nil {
			return Session{}, err
		}
		out.LastSeenAt = now
	}
	out.ExpiresAt = rec.expires(l)
	return out, nil
}

// DeleteSession ends the session of secret (signing out). Ending one that
// does not exist is not an error.
func (s *Store) DeleteSession(ctx context.Context, secret string, actor camera.Actor) error {
	key := []byte(HashToken(secret))
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		if b.Get(key) == nil {
			return nil
		}
		if err := b.Delete(key); err != nil {
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
