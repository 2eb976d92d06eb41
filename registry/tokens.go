package registry

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// TokenPrefix starts every token, so that a leaked one is easy to recognise
// in a log or a repository scan.
const TokenPrefix = "mt_"

// TokenIDLen is the length of a token's public id: the first 16 hex digits
// (64 bits) of the SHA-256 of its secret, which is the record's key. It
// names the token in lists, revocations and the audit log; it cannot lead
// back to the secret (that would take a preimage of SHA-256 of 256 random
// bits), and the full hash never leaves the store except in a backup.
const TokenIDLen = 16

// Token is a stored API token. The secret itself is never stored: the key
// of the record is its SHA-256, and nothing here can be turned back into
// it, so a Token may be shown to an admin as it is.
type Token struct {
	ID        string      `json:"id"`
	Name      string      `json:"name"`
	Role      camera.Role `json:"role"`
	CreatedAt time.Time   `json:"created_at"`
	CreatedBy string      `json:"created_by"`
	// ExpiresAt is when the token stops working; zero = never.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// LastUsedAt is the last successful authentication with the token,
	// to the minute: it is written at most once a minute per token (and
	// when the store closes), not on every request (token_use.go).
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// Expired reports whether the token no longer works at now.
func (t Token) Expired(now time.Time) bool {
	return !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)
}

// TokenSpec describes a token to create.
type TokenSpec struct {
	Name string
	Role camera.Role
	// ExpiresAt, when not zero, is when the token stops working; it must
	// be in the future. ExpiresIn, when not zero, sets it that long after
	// now. At most one of the two may be given; neither = no expiry.
	ExpiresAt time.Time
	ExpiresIn time.Duration
}

// Errors of LookupToken: both are EUNAUTHORIZED, told apart with
// errors.Is (the API counts failed authentications by reason).
var (
	ErrTokenUnknown = camera.Errorf(camera.EUNAUTHORIZED, "", "unknown token")
	ErrTokenExpired = camera.Errorf(camera.EUNAUTHORIZED, "", "token expired")
)

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

// ValidTokenID reports whether id has the form of a token id: 16
// lowercase hex digits.
func ValidTokenID(id string) bool {
	if len(id) != TokenIDLen {
		return false
	}
	for _, r := range id {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

// ParseTokenLifetime reads a token's lifetime as the API and the command
// line accept it: whole days ("90d") or a Go duration ("720h", "30m").
func ParseTokenLifetime(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("must be a duration such as 90d, 12h or 30m, got %q", s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n > 100*366 || n < -100*366 {
			return 0, bad
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, bad
	}
	return d, nil
}

// CreateToken stores a new token and returns it with its secret, which is
// shown once and never again.
func (s *Store) CreateToken(ctx context.Context, spec TokenSpec, actor camera.Actor) (Token, string, error) {
	for {
		// Two tokens sharing an id (the first 64 bits of their hashes)
		// will not happen by chance, but if it ever did the second would
		// be impossible to revoke alone: draw again.
		secret := NewTokenSecret()
		tok, err := s.CreateTokenKey(ctx, spec, HashToken(secret), actor)
		if errors.Is(err, errTokenIDTaken) {
			continue
		}
		if err != nil {
			return Token{}, "", err
		}
		return tok, secret, nil
	}
}

// errTokenIDTaken means the id of a new token's key is another token's.
var errTokenIDTaken = camera.Errorf(camera.ECONFLICT, "id", "a token with this id exists: draw another secret")

// CreateTokenKey stores a new token under key, the HashToken of a secret
// its caller drew (NewTokenSecret) and keeps: the store never sees the
// secret. A key whose id another token has is refused with ECONFLICT;
// draw another secret.
func (s *Store) CreateTokenKey(ctx context.Context, spec TokenSpec, key string, actor camera.Actor) (Token, error) {
	name := strings.TrimSpace(spec.Name)
	now := s.now().UTC()
	switch {
	case name == "":
		return Token{}, camera.Errorf(camera.EINVALID, "name", "must not be empty")
	case !utf8.ValidString(name) || utf8.RuneCountInString(name) > camera.MaxTextLen:
		return Token{}, camera.Errorf(camera.EINVALID, "name", "must be valid UTF-8 of at most %d characters", camera.MaxTextLen)
	case !spec.Role.Valid():
		return Token{}, camera.Errorf(camera.EINVALID, "role", "must be one of admin, police, planner, fundraiser, got %q", spec.Role)
	case !spec.ExpiresAt.IsZero() && spec.ExpiresIn != 0:
		return Token{}, camera.Errorf(camera.EINVALID, "expires_in", "give expires_in or expires_at, not both")
	case spec.ExpiresIn < 0:
		return Token{}, camera.Errorf(camera.EINVALID, "expires_in", "must be more than 0, got %v", spec.ExpiresIn)
	case !spec.ExpiresAt.IsZero() && !spec.ExpiresAt.After(now):
		return Token{}, camera.Errorf(camera.EINVALID, "expires_at", "must be in the future, got %s", spec.ExpiresAt.Format(time.RFC3339))
	case len(key) < TokenIDLen:
		return Token{}, camera.Errorf(camera.EINVALID, "key", "must be a token hash")
	}
	if err := ctx.Err(); err != nil {
		return Token{}, err
	}
	tok := Token{ID: key[:TokenIDLen], Name: name, Role: spec.Role, CreatedAt: now, CreatedBy: actor.Name, ExpiresAt: spec.ExpiresAt.UTC()}
	if spec.ExpiresIn > 0 {
		tok.ExpiresAt = now.Add(spec.ExpiresIn)
	}
	changes := []string{"role: " + string(tok.Role)}
	if !tok.ExpiresAt.IsZero() {
		changes = append(changes, "expires_at: "+tok.ExpiresAt.Format(time.RFC3339))
	}
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTokens)
		if k, _ := b.Cursor().Seek([]byte(tok.ID)); bytes.HasPrefix(k, []byte(tok.ID)) {
			return errTokenIDTaken
		}
		v, err := json.Marshal(tok)
		if err != nil {
			return err
		}
		if err := b.Put([]byte(key), v); err != nil {
			return err
		}
		return appendAudit(tx, now, actor, "token.create", name, append([]string{"id: " + tok.ID}, changes...))
	})
	if err != nil {
		return Token{}, err
	}
	return tok, nil
}

// IsTokenIDTaken reports whether err is CreateTokenKey's refusal of a key
// whose id another token has.
func IsTokenIDTaken(err error) bool { return errors.Is(err, errTokenIDTaken) }

// LookupToken returns the token whose secret this is: ErrTokenUnknown
// when there is none (or it was revoked), ErrTokenExpired when it has
// expired. Every lookup reads the store, so a revocation takes effect on
// the next request. A successful lookup is the token's use: it is kept in
// memory and written as last_used_at at most once a minute, in the
// background (token_use.go).
func (s *Store) LookupToken(ctx context.Context, secret string) (Token, error) {
	key := HashToken(secret)
	var t Token
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketTokens).Get([]byte(key))
		if v == nil {
			return ErrTokenUnknown
		}
		return decodeToken(key, v, &t)
	})
	if err != nil {
		return Token{}, err
	}
	now := s.now().UTC()
	if t.Expired(now) {
		return Token{}, ErrTokenExpired
	}
	if !s.readOnly && s.uses.use(key, t.LastUsedAt, now) {
		// In the background: the request must not wait for the write
		// lock behind a long import. Best effort: a failed write does
		// not refuse anything; the use stays pending, for the next
		// minute or Close, which waits for these writes.
		s.bg.Go(func() {
			if s.writeLastUsed(map[string]time.Time{key: now}) == nil {
				s.uses.save(key, now)
			}
		})
	}
	if last := s.uses.latest(key); last.After(t.LastUsedAt) {
		t.LastUsedAt = last
	}
	return t, nil
}

// ListTokens returns every token, oldest first (then by id), with its
// last use as this process knows it. Secrets are not stored, so none can
// be listed.
func (s *Store) ListTokens(ctx context.Context) ([]Token, error) {
	var out []Token
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTokens).ForEach(func(k, v []byte) error {
			var t Token
			if err := decodeToken(string(k), v, &t); err != nil {
				return err
			}
			if last := s.uses.latest(string(k)); last.After(t.LastUsedAt) {
				t.LastUsedAt = last
			}
			out = append(out, t)
			return ctx.Err()
		})
	})
	slices.SortFunc(out, func(a, b Token) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out, err
}

// CountTokens returns the number of stored tokens.
func (s *Store) CountTokens(ctx context.Context) (int, error) {
	var n int
	err := s.view(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketTokens).Stats().KeyN
		return nil
	})
	return n, err
}

// RevokeToken deletes the token with this id and returns it; the next
// request with its secret is refused. The revocation is audited.
func (s *Store) RevokeToken(ctx context.Context, id string, actor camera.Actor) (Token, error) {
	if !ValidTokenID(id) {
		return Token{}, camera.Errorf(camera.EINVALID, "id", "must be a token id: %d lowercase hex digits, got %q", TokenIDLen, id)
	}
	if err := ctx.Err(); err != nil {
		return Token{}, err
	}
	var t Token
	var key string
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTokens)
		k, v := b.Cursor().Seek([]byte(id))
		if !bytes.HasPrefix(k, []byte(id)) {
			return notFound("token", id)
		}
		key = string(k)
		if err := decodeToken(key, v, &t); err != nil {
			return err
		}
		if err := b.Delete(k); err != nil {
			return err
		}
		return appendAudit(tx, s.now().UTC(), actor, "token.revoke", t.Name, []string{"id: " + t.ID, "role: " + string(t.Role)})
	})
	if err != nil {
		return Token{}, err
	}
	s.uses.forget(key)
	return t, nil
}

// decodeToken decodes a token record stored under key. Records written
// before tokens had ids get theirs from the key.
func decodeToken(key string, v []byte, t *Token) error {
	if err := json.Unmarshal(v, t); err != nil {
		return fmt.Errorf("token record %.*s: %w", TokenIDLen, key, err)
	}
	if t.ID == "" && len(key) >= TokenIDLen {
		t.ID = key[:TokenIDLen]
	}
	return nil
}

// writeLastUsed writes last_used_at of the tokens under these keys, each
// only forward; a token revoked meanwhile is skipped.
func (s *Store) writeLastUsed(uses map[string]time.Time) error {
	if len(uses) == 0 {
		return nil
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTokens)
		for key, at := range uses {
			v := b.Get([]byte(key))
			if v == nil {
				continue
			}
			var t Token
			if err := decodeToken(key, v, &t); err != nil {
				return err
			}
			if !at.After(t.LastUsedAt) {
				continue
			}
			t.LastUsedAt = at
			nv, err := json.Marshal(t)
			if err != nil {
				return err
			}
			if err := b.Put([]byte(key), nv); err != nil {
				return err
			}
		}
		return nil
	})
}

// flushTokenUses waits for the last-use writes under way, then writes
// every use not yet written; Close calls it.
func (s *Store) flushTokenUses() error {
	s.bg.Wait()
	if s.readOnly {
		return nil
	}
	pending := s.uses.pending()
	if err := s.writeLastUsed(pending); err != nil {
		return fmt.Errorf("write the tokens' last use: %w", err)
	}
	for key, at := range pending {
		s.uses.save(key, at)
	}
	return nil
}
