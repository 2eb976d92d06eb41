package registry

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Passwords are stored as argon2id hashes in the PHC string format
// ($argon2id$v=19$m=…,t=…,p=…$salt$hash), so that the parameters can be
// raised later without breaking stored hashes: a hash is verified with
// the parameters written in it.
//
// The parameters are OWASP's first recommendation for argon2id: 19 MiB
// of memory, two passes, one lane. A hash costs about 30 ms of one core
// here. Memory is the attacker's cost and also ours: hashing is limited
// to a few at a time (Store.hashSlots), so that a burst of sign-ins —
// throttled anyway by the API — cannot take the box's memory.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// HashPassword returns the PHC string of password under a fresh salt.
// In cluster mode the node that takes a request hashes, and the hash
// travels in the command (registry.KindUserCreate).
func (s *Store) HashPassword(ctx context.Context, password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	_, _ = rand.Read(salt) // crypto/rand.Read never fails on supported platforms
	if err := s.acquireHash(ctx); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	s.releaseHash()
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// checkPassword reports whether password matches the PHC string phc. A
// malformed phc never matches. With phc "" it still spends the time of a
// hash, so that a sign-in with an unknown name takes as long as one with
// a wrong password.
func (s *Store) checkPassword(ctx context.Context, phc, password string) (bool, error) {
	mem, t, p, salt, want, ok := parsePHC(phc)
	if !ok {
		mem, t, p, salt, want = argonMemoryKiB, argonTime, argonThreads, make([]byte, argonSaltLen), make([]byte, argonKeyLen)
	}
	if err := s.acquireHash(ctx); err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, t, mem, p, uint32(len(want)))
	s.releaseHash()
	return ok && subtle.ConstantTimeCompare(got, want) == 1, nil
}

// parsePHC splits an argon2id PHC string. Parameters beyond sane bounds
// are refused, so that a tampered record cannot make a sign-in allocate
// gigabytes.
func parsePHC(phc string) (mem, t uint32, p uint8, salt, key []byte, ok bool) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return 0, 0, 0, nil, nil, false
	}
	var pp uint32
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &pp); err != nil || n != 3 {
		return 0, 0, 0, nil, nil, false
	}
	if mem < 8 || mem > 256*1024 || t < 1 || t > 16 || pp < 1 || pp > 16 {
		return 0, 0, 0, nil, nil, false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(key) > 64 {
		return 0, 0, 0, nil, nil, false
	}
	return mem, t, uint8(pp), salt, key, true
}

// hashConcurrency is how many password hashes run at once: two cores'
// worth, 38 MiB.
const hashConcurrency = 2

func (s *Store) acquireHash(ctx context.Context) error {
	select {
	case s.hashSlots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Store) releaseHash() { <-s.hashSlots }
