package registry

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// TokenPrefix starts every token, so that a leaked one is easy to recognise
// in a log or a repository scan.
const TokenPrefix = "mt_"

// Token is a stored API token. The secret itself is never stored: the key
// of the record is its SHA-256.
type Token struct {
	Name      string      `json:"name"`
	Role      camera.Role `json:"role"`
	CreatedAt time.Time   `json:"created_at"`
	CreatedBy string      `json:"created_by"`
}

// NewTokenSecret returns a fresh random token: the prefix and 32 random
// bytes, URL-safe.
func NewTokenSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashToken returns the stored key of a token secret.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateToken stores a new token with the given name and role and returns
// its secret, which is shown once and never again.
func (s *Store) CreateToken(ctx context.Context, name string, role camera.Role, actor camera.Actor) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", camera.Errorf(camera.EINVALID, "name", "must not be empty")
	case !utf8.ValidString(name) || utf8.RuneCountInString(name) > camera.MaxTextLen:
		return "", camera.Errorf(camera.EINVALID, "name", "must be valid UTF-8 of at most %d characters", camera.MaxTextLen)
	case !role.Valid():
		return "", camera.Errorf(camera.EINVALID, "role", "must be one of admin, police, planner, fundraiser, got %q", role)
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	secret := NewTokenSecret()
	now := s.now().UTC()
	v, err := json.Marshal(Token{Name: name, Role: role, CreatedAt: now, CreatedBy: actor.Name})
	if err != nil {
		return "", err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketTokens).Put([]byte(HashToken(secret)), v); err != nil {
			return err
		}
		return appendAudit(tx, now, actor, "token.create", name, []string{string(role)})
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// LookupToken returns the token whose secret this is, or EUNAUTHORIZED.
func (s *Store) LookupToken(ctx context.Context, secret string) (Token, error) {
	var t Token
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketTokens).Get([]byte(HashToken(secret)))
		if v == nil {
			return camera.Errorf(camera.EUNAUTHORIZED, "", "unknown token")
		}
		return json.Unmarshal(v, &t)
	})
	return t, err
}
