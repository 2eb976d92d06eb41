package registry

import (
	"sync"
	"time"
)

// lastUsedEvery is how often, at most, a token's last_used_at is written.
// Writing it on every request would turn every authenticated GET into a
// bbolt write (an fsync); a minute is precise enough to tell a token in
// use from a forgotten one. Close writes what is left.
const lastUsedEvery = time.Minute

// tokenUses remembers when each token was last used, by record key. It
// holds one entry per token that authenticated a request since the store
// opened: bounded by the number of tokens, since only a stored token gets
// here.
type tokenUses struct {
	mu      sync.Mutex
	last    map[string]time.Time // the latest use
	claimed map[string]time.Time // when a write of last_used_at was last started
	saved   map[string]time.Time // last_used_at as last written by this process
}

// use records a use of the token under key at now; stored is the
// last_used_at of its record. It reports whether last_used_at is due to
// be written (a minute since it last was, or since a write was last
// tried); the caller writes it and then calls saved. Claiming the write
// here keeps a burst of requests from writing it once each, and a failed
// write from being retried on every request.
func (u *tokenUses) use(key string, stored, now time.Time) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.last == nil {
		u.last, u.claimed, u.saved = map[string]time.Time{}, map[string]time.Time{}, map[string]time.Time{}
	}
	if now.After(u.last[key]) {
		u.last[key] = now
	}
	base := u.claimed[key]
	if stored.After(base) {
		base = stored
	}
	if now.Sub(base) < lastUsedEvery {
		return false
	}
	u.claimed[key] = now
	return true
}

// save records that last_used_at of key was written as at.
func (u *tokenUses) save(key string, at time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.saved != nil && at.After(u.saved[key]) {
		u.saved[key] = at
	}
}

// latest returns the latest use of key seen by this process, zero if none.
func (u *tokenUses) latest(key string) time.Time {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.last[key]
}

// pending returns the uses this process has not written, by key.
func (u *tokenUses) pending() map[string]time.Time {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := map[string]time.Time{}
	for key, at := range u.last {
		if at.After(u.saved[key]) {
			out[key] = at
		}
	}
	return out
}

// forget drops a revoked token.
func (u *tokenUses) forget(key string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.last, key)
	delete(u.claimed, key)
	delete(u.saved, key)
}
