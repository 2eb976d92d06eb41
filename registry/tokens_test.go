package registry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

// clock is a settable clock for stores under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var admin = camera.Actor{Name: "ops", Role: camera.RoleAdmin}

// TestTokenListRevokeExpire: tokens are listed without their secrets,
// expire, and are revoked by id at once; create and revoke are audited.
func TestTokenListRevokeExpire(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	s := registrytest.OpenAt(t, filepath.Join(t.TempDir(), "t.db"), clk.now)

	police, policeSecret, err := s.CreateToken(ctx, registry.TokenSpec{Name: "Công an xã Song Bình", Role: camera.RolePolice}, admin)
	if err != nil {
		t.Fatal(err)
	}
	clk.advance(time.Second)
	temp, tempSecret, err := s.CreateToken(ctx, registry.TokenSpec{Name: "contractor", Role: camera.RolePlanner, ExpiresIn: time.Hour}, admin)
	if err != nil {
		t.Fatal(err)
	}
	if !registry.ValidTokenID(police.ID) || police.ID != registry.HashToken(policeSecret)[:registry.TokenIDLen] {
		t.Errorf("id %q: want the first 16 hex digits of the hash", police.ID)
	}
	if want := clk.now().Add(time.Hour); !temp.ExpiresAt.Equal(want) {
		t.Errorf("expires_at = %v, want %v", temp.ExpiresAt, want)
	}

	list, err := s.ListTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != police.ID || list[1].ID != temp.ID || list[0].Name != "Công an xã Song Bình" || list[1].Role != camera.RolePlanner {
		t.Fatalf("ListTokens = %+v", list)
	}
	raw, _ := json.Marshal(list)
	for _, secret := range []string{policeSecret, tempSecret} {
		if bytes.Contains(raw, []byte(secret)) || bytes.Contains(raw, []byte(registry.HashToken(secret))) {
			t.Errorf("the list %s shows a secret or its hash", raw)
		}
	}
	if n, err := s.CountTokens(ctx); n != 2 || err != nil {
		t.Errorf("CountTokens = %d, %v", n, err)
	}

	// Expiry: the token works until its time, then answers "token expired".
	clk.advance(time.Hour - time.Second)
	if _, err := s.LookupToken(ctx, tempSecret); err != nil {
		t.Errorf("a token one second before its expiry: %v", err)
	}
	clk.advance(time.Second)
	_, err = s.LookupToken(ctx, tempSecret)
	if !errors.Is(err, registry.ErrTokenExpired) || camera.ErrorCode(err) != camera.EUNAUTHORIZED || err.Error() != "token expired" {
		t.Errorf("expired token: %v, want token expired", err)
	}

	// Revocation by id takes effect on the next lookup.
	if _, err := s.LookupToken(ctx, policeSecret); err != nil {
		t.Fatal(err)
	}
	got, err := s.RevokeToken(ctx, police.ID, admin)
	if err != nil || got.Name != police.Name {
		t.Fatalf("RevokeToken = %+v, %v", got, err)
	}
	if _, err := s.LookupToken(ctx, policeSecret); !errors.Is(err, registry.ErrTokenUnknown) {
		t.Errorf("revoked token: %v, want unknown token", err)
	}
	if _, err := s.RevokeToken(ctx, police.ID, admin); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Errorf("revoking twice: %v, want not found", err)
	}
	for _, id := range []string{"", "abc", strings.ToUpper(temp.ID), registry.HashToken(tempSecret), temp.ID[:15] + "g"} {
		if _, err := s.RevokeToken(ctx, id, admin); camera.ErrorCode(err) != camera.EINVALID || camera.ErrorField(err) != "id" {
			t.Errorf("RevokeToken(%q) = %v, want invalid id", id, err)
		}
	}
	if list, _ := s.ListTokens(ctx); len(list) != 1 || list[0].ID != temp.ID {
		t.Errorf("after revoke: %+v", list)
	}

	audit, _, err := s.ListAudit(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range audit {
		actions = append(actions, e.Action+" "+e.Target+" "+strings.Join(e.Changes, "; "))
	}
	wantRevoke := "token.revoke Công an xã Song Bình id: " + police.ID + "; role: police"
	wantCreate := "token.create contractor id: " + temp.ID + "; role: planner; expires_at: 2026-11-28T10:00:01Z"
	if len(actions) != 3 || actions[0] != wantRevoke || actions[1] != wantCreate {
		t.Errorf("audit:\n%s\nwant first\n%s\n%s", strings.Join(actions, "\n"), wantRevoke, wantCreate)
	}
	for _, a := range actions {
		if strings.Contains(a, policeSecret) || strings.Contains(a, tempSecret) {
			t.Errorf("audit entry %q shows a secret", a)
		}
	}
}

func TestCreateTokenExpiryErrors(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	s := registrytest.OpenAt(t, filepath.Join(t.TempDir(), "t.db"), clk.now)
	tests := []struct {
		name  string
		spec  registry.TokenSpec
		field string
	}{
		{"both", registry.TokenSpec{ExpiresIn: time.Hour, ExpiresAt: clk.now().Add(2 * time.Hour)}, "expires_in"},
		{"negative", registry.TokenSpec{ExpiresIn: -time.Hour}, "expires_in"},
		{"past", registry.TokenSpec{ExpiresAt: clk.now().Add(-time.Second)}, "expires_at"},
		{"now", registry.TokenSpec{ExpiresAt: clk.now()}, "expires_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.Name, tt.spec.Role = "x", camera.RolePolice
			if _, _, err := s.CreateToken(ctx, tt.spec, admin); camera.ErrorCode(err) != camera.EINVALID || camera.ErrorField(err) != tt.field {
				t.Errorf("CreateToken(%+v) = %v, want invalid %s", tt.spec, err, tt.field)
			}
		})
	}
	if n, _ := s.CountTokens(ctx); n != 0 {
		t.Errorf("%d tokens stored by failed creates", n)
	}
}

// TestTokenLastUsed: a use is written at most once a minute, the rest
// kept in memory (and listed), and written when the store closes.
func TestTokenLastUsed(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	path := filepath.Join(t.TempDir(), "t.db")
	s, err := registry.Open(path, registry.Options{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tok, secret, err := s.CreateToken(ctx, registry.TokenSpec{Name: "n", Role: camera.RolePolice}, admin)
	if err != nil {
		t.Fatal(err)
	}
	// stored reads last_used_at from a backup: what is in the file, not
	// in memory.
	stored := func() time.Time {
		t.Helper()
		var buf bytes.Buffer
		if _, err := s.WriteBackup(&buf, func(int64) {}); err != nil {
			t.Fatal(err)
		}
		cp := filepath.Join(t.TempDir(), "copy.db")
		if err := writeFile(cp, buf.Bytes()); err != nil {
			t.Fatal(err)
		}
		c := registrytest.OpenAt(t, cp, nil)
		list, err := c.ListTokens(ctx)
		if err != nil || len(list) != 1 {
			t.Fatalf("tokens of the copy: %+v %v", list, err)
		}
		return list[0].LastUsedAt
	}
	// waitStored waits for the background write of want.
	waitStored := func(want time.Time) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for got := stored(); !got.Equal(want); got = stored() {
			if time.Now().After(deadline) {
				t.Fatalf("stored last_used_at %v, want %v", got, want)
			}
			time.Sleep(5 * time.Millisecond) // polling a background write, with a deadline
		}
	}
	if got := stored(); !got.IsZero() {
		t.Errorf("a token never used has last_used_at %v", got)
	}
	t0 := clk.now()
	if _, err := s.LookupToken(ctx, secret); err != nil {
		t.Fatal(err)
	}
	waitStored(t0)
	clk.advance(30 * time.Second)
	got, err := s.LookupToken(ctx, secret)
	if err != nil || !got.LastUsedAt.Equal(t0.Add(30*time.Second)) {
		t.Errorf("LookupToken = %+v, %v; want last use now", got, err)
	}
	if got := stored(); !got.Equal(t0) {
		t.Errorf("a use 30 s after the last write was written: %v", got)
	}
	if list, _ := s.ListTokens(ctx); len(list) != 1 || !list[0].LastUsedAt.Equal(t0.Add(30*time.Second)) {
		t.Errorf("ListTokens shows %+v; want the use kept in memory", list)
	}
	clk.advance(30 * time.Second)
	if _, err := s.LookupToken(ctx, secret); err != nil {
		t.Fatal(err)
	}
	waitStored(t0.Add(time.Minute))
	clk.advance(10 * time.Second)
	if _, err := s.LookupToken(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r := registrytest.OpenAt(t, path, nil)
	list, err := r.ListTokens(ctx)
	if err != nil || len(list) != 1 || list[0].ID != tok.ID || !list[0].LastUsedAt.Equal(t0.Add(70*time.Second)) {
		t.Errorf("after close: %+v %v; want last use %v", list, err, t0.Add(70*time.Second))
	}
}

// TestOldTokenRecords: a record written before tokens had ids (no id,
// no expiry, no last use) is still looked up, listed with the id taken
// from its key, and revoked.
func TestOldTokenRecords(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := registry.Open(path, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	secret := registry.NewTokenSecret()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("tokens")).Put([]byte(registry.HashToken(secret)),
			[]byte(`{"name":"cũ","role":"police","created_at":"2025-01-02T03:04:05Z","created_by":"cli"}`))
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	s = registrytest.OpenAt(t, path, nil)
	id := registry.HashToken(secret)[:registry.TokenIDLen]
	tok, err := s.LookupToken(ctx, secret)
	if err != nil || tok.ID != id || tok.Role != camera.RolePolice || !tok.ExpiresAt.IsZero() {
		t.Fatalf("LookupToken = %+v, %v", tok, err)
	}
	list, err := s.ListTokens(ctx)
	if err != nil || len(list) != 1 || list[0].ID != id || list[0].Name != "cũ" {
		t.Fatalf("ListTokens = %+v, %v", list, err)
	}
	if _, err := s.RevokeToken(ctx, id, admin); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LookupToken(ctx, secret); !errors.Is(err, registry.ErrTokenUnknown) {
		t.Errorf("after revoke: %v", err)
	}
}

func TestParseTokenLifetime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"90d", 90 * 24 * time.Hour}, {"1d", 24 * time.Hour}, {"720h", 720 * time.Hour}, {"30m", 30 * time.Minute}, {" 2h30m ", 150 * time.Minute},
	}
	for _, tt := range tests {
		if got, err := registry.ParseTokenLifetime(tt.in); err != nil || got != tt.want {
			t.Errorf("ParseTokenLifetime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "90", "1.5d", "d", "soon", "99999999d"} {
		if got, err := registry.ParseTokenLifetime(in); err == nil {
			t.Errorf("ParseTokenLifetime(%q) = %v, want an error", in, got)
		}
	}
}
