package replica_test

import (
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// Users, sessions and tokens made on one node work on the other; the
// log holds their hashes, never a password or a secret.
func TestAccountsAcrossNodes(t *testing.T) {
	nodes := startCluster(t, 2)
	a, b := nodes[0], nodes[1]
	ctx := ctxT(t)
	admin := camera.Actor{Name: "admin", Role: camera.RoleAdmin}
	const password = "Mật-khẩu-dài-2026"

	u := &camera.User{Name: "ca.songbinh", FullName: "Nguyễn Văn An", Role: camera.RolePolice}
	if err := a.st.CreateUser(ctx, u, password, admin); err != nil {
		t.Fatal(err)
	}
	if u.CreatedAt.IsZero() || u.CreatedBy != "admin" {
		t.Errorf("created user %+v: want its times and creator set", u)
	}
	if err := b.st.CreateUser(ctx, &camera.User{Name: "ca.songbinh", Role: camera.RolePolice}, password, admin); camera.ErrorCode(err) != camera.ECONFLICT {
		t.Errorf("same name on B: %v, want conflict", err)
	}
	catchUp(t, a, b)
	signed, err := b.st.CheckPassword(ctx, "ca.songbinh", password)
	if err != nil {
		t.Fatalf("sign in on B: %v", err)
	}
	limits := registry.DefaultSessionLimits
	secret, sess, err := b.st.CreateSession(ctx, signed, limits)
	if err != nil || sess.CSRF == "" {
		t.Fatalf("session on B: %+v, %v", sess, err)
	}
	catchUp(t, a, b)
	if got, err := a.st.LookupSession(ctx, secret, limits); err != nil || got.User.Name != "ca.songbinh" || got.CSRF != sess.CSRF {
		t.Errorf("session on A: %+v, %v", got, err)
	}

	// A new password, set on A, ends the session everywhere.
	newPassword := "Một-mật-khẩu-khác-9"
	if _, err := a.st.UpdateUser(ctx, "ca.songbinh", registry.UserChange{Password: &newPassword}, admin); err != nil {
		t.Fatal(err)
	}
	catchUp(t, a, b)
	if _, err := b.st.LookupSession(ctx, secret, limits); camera.ErrorCode(err) != camera.EUNAUTHORIZED {
		t.Errorf("session on B after the password changed: %v, want unauthorized", err)
	}
	if _, err := b.st.CheckPassword(ctx, "ca.songbinh", newPassword); err != nil {
		t.Errorf("new password on B: %v", err)
	}

	// A token made on A works on B until revoked on B.
	tok, tokSecret, err := a.st.CreateToken(ctx, registry.TokenSpec{Name: "tích hợp", Role: camera.RolePlanner, ExpiresIn: time.Hour}, admin)
	if err != nil {
		t.Fatal(err)
	}
	catchUp(t, a, b)
	if got, err := b.st.LookupToken(ctx, tokSecret); err != nil || got.ID != tok.ID || !got.ExpiresAt.Equal(tok.ExpiresAt) {
		t.Errorf("token on B: %+v, %v; want %+v", got, err, tok)
	}
	if _, err := b.st.RevokeToken(ctx, tok.ID, admin); err != nil {
		t.Fatal(err)
	}
	catchUp(t, a, b)
	if _, err := a.st.LookupToken(ctx, tokSecret); camera.ErrorCode(err) != camera.EUNAUTHORIZED {
		t.Errorf("revoked token on A: %v, want unauthorized", err)
	}
	signOut, _, err := a.st.CreateSession(ctx, signed, limits)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.st.DeleteSession(ctx, signOut, signed.Actor()); err != nil {
		t.Fatal(err)
	}
	catchUp(t, a, b)
	if _, err := a.st.LookupSession(ctx, signOut, limits); camera.ErrorCode(err) != camera.EUNAUTHORIZED {
		t.Errorf("signed-out session on A: %v, want unauthorized", err)
	}
	checkEqual(t, a, b)

	// Nothing secret in the log.
	resp, err := a.cli.Get(ctx, "/matthan/test/log/", clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Kvs) == 0 {
		t.Fatal("no command in the log")
	}
	for _, kv := range resp.Kvs {
		for _, s := range []string{password, newPassword, tokSecret, secret, signOut} {
			if strings.Contains(string(kv.Value), s) {
				t.Errorf("command %s holds a secret: %.200s", kv.Key, kv.Value)
			}
		}
	}
}
