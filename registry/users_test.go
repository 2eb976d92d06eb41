package registry_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

func mustCreateUser(t *testing.T, s *registry.Store, name string, role camera.Role, password string) *camera.User {
	t.Helper()
	u := &camera.User{Name: name, FullName: "Nguyễn Văn An", Role: role}
	if err := s.CreateUser(context.Background(), u, password, admin); err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

func TestUsersCreateAndCheckPassword(t *testing.T) {
	s := registrytest.Open(t)
	ctx := context.Background()
	u := mustCreateUser(t, s, "  CA.SongBinh ", camera.RolePolice, "mật khẩu đủ dài")
	if u.Name != "ca.songbinh" {
		t.Errorf("name = %q, want it lowercased and trimmed", u.Name)
	}
	got, err := s.CheckPassword(ctx, "Ca.SongBinh", "mật khẩu đủ dài")
	if err != nil {
		t.Fatalf("right password: %v", err)
	}
	if got.Role != camera.RolePolice || got.FullName != "Nguyễn Văn An" {
		t.Errorf("user = %+v", got)
	}
	_, errWrong := s.CheckPassword(ctx, "ca.songbinh", "mat khau du dai")
	_, errUnknown := s.CheckPassword(ctx, "nobody", "mật khẩu đủ dài")
	for _, err := range []error{errWrong, errUnknown} {
		if camera.ErrorCode(err) != camera.EUNAUTHORIZED {
			t.Fatalf("err = %v, want unauthorized", err)
		}
	}
	if errWrong.Error() != errUnknown.Error() {
		t.Errorf("a wrong password says %q, an unknown name %q: they must not tell which names exist", errWrong, errUnknown)
	}
	err = s.CreateUser(ctx, &camera.User{Name: "ca.songbinh", Role: camera.RolePlanner}, "another password", admin)
	if camera.ErrorCode(err) != camera.ECONFLICT {
		t.Errorf("same name again: err = %v, want conflict", err)
	}
}

func TestUsersRefuseBadInput(t *testing.T) {
	s := registrytest.Open(t)
	for _, tc := range []struct {
		name, user, password, field string
		role                        camera.Role
	}{
		{"accented name", "công.an", "long enough pw", "name", camera.RolePolice},
		{"short name", "a", "long enough pw", "name", camera.RolePolice},
		{"space in name", "ca song binh", "long enough pw", "name", camera.RolePolice},
		{"unknown role", "ca.x", "long enough pw", "role", "chief"},
		{"short password", "ca.x", "short", "password", camera.RolePolice},
		{"password is the name", "ca.xuandong", "CA.XuanDong", "password", camera.RolePolice},
		{"one character repeated", "ca.x", "aaaaaaaaaaaa", "password", camera.RolePolice},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.CreateUser(context.Background(), &camera.User{Name: tc.user, Role: tc.role}, tc.password, admin)
			if camera.ErrorCode(err) != camera.EINVALID || camera.ErrorField(err) != tc.field {
				t.Errorf("err = %v (field %q), want invalid naming %s", err, camera.ErrorField(err), tc.field)
			}
		})
	}
	if all, _, err := s.CountUsers(context.Background()); err != nil || all != 0 {
		t.Errorf("after refusals: %d users, %v; want none stored", all, err)
	}
}

func TestUsersPasswordHashIsNeverReturned(t *testing.T) {
	s := registrytest.Open(t)
	mustCreateUser(t, s, "quy.hoach", camera.RolePlanner, "một mật khẩu dài")
	users, _, err := s.ListUsers(context.Background(), "", 10)
	if err != nil || len(users) != 1 {
		t.Fatalf("list = %v, %v", users, err)
	}
	var b strings.Builder
	for _, u := range users {
		b.WriteString(u.Name + u.FullName + string(u.Role))
	}
	if strings.Contains(b.String(), "argon2") {
		t.Errorf("a listed user carries its hash: %s", b.String())
	}
}

func TestUsersLastAdminStays(t *testing.T) {
	s := registrytest.Open(t)
	ctx := context.Background()
	mustCreateUser(t, s, "quan.tri", camera.RoleAdmin, "mật khẩu quản trị")
	yes, police := true, camera.RolePolice
	// The refusal names the field that asked for it.
	if _, err := s.UpdateUser(ctx, "quan.tri", registry.UserChange{Disabled: &yes}, admin); camera.ErrorCode(err) != camera.EINVALID || camera.ErrorField(err) != "disabled" {
		t.Errorf("disable the last admin: err = %v (field %q), want invalid naming disabled", err, camera.ErrorField(err))
	}
	if _, err := s.UpdateUser(ctx, "quan.tri", registry.UserChange{Role: &police}, admin); camera.ErrorCode(err) != camera.EINVALID || camera.ErrorField(err) != "role" {
		t.Errorf("demote the last admin: err = %v (field %q), want invalid naming role", err, camera.ErrorField(err))
	}
	mustCreateUser(t, s, "quan.tri2", camera.RoleAdmin, "mật khẩu quản trị 2")
	if _, err := s.UpdateUser(ctx, "quan.tri", registry.UserChange{Role: &police}, admin); err != nil {
		t.Errorf("demote one of two admins: %v", err)
	}
}

func TestSessionsLife(t *testing.T) {
	clk := &clock{t: time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)}
	s := registrytest.OpenAt(t, filepath.Join(t.TempDir(), "m.db"), clk.now)
	ctx := context.Background()
	l := registry.DefaultSessionLimits
	u := mustCreateUser(t, s, "ca.songbinh", camera.RolePolice, "mật khẩu đủ dài")

	t.Run("idle for longer than the idle timeout ends it", func(t *testing.T) {
		secret, _, err := s.CreateSession(ctx, u, l)
		if err != nil {
			t.Fatal(err)
		}
		clk.advance(l.Idle - time.Minute)
		if _, err := s.LookupSession(ctx, secret, l); err != nil {
			t.Fatalf("used within the idle timeout: %v", err)
		}
		clk.advance(l.Idle - time.Minute) // idle again, but used above: still on
		if _, err := s.LookupSession(ctx, secret, l); err != nil {
			t.Fatalf("used within the idle timeout of the last use: %v", err)
		}
		clk.advance(l.Idle)
		if _, err := s.LookupSession(ctx, secret, l); camera.ErrorCode(err) != camera.EUNAUTHORIZED {
			t.Fatalf("after the idle timeout: err = %v, want unauthorized", err)
		}
	})
	t.Run("in use, it still ends at the absolute limit", func(t *testing.T) {
		secret, _, err := s.CreateSession(ctx, u, l)
		if err != nil {
			t.Fatal(err)
		}
		for elapsed := time.Duration(0); elapsed < l.Max-time.Hour; elapsed += time.Hour {
			clk.advance(time.Hour)
			if _, err := s.LookupSession(ctx, secret, l); err != nil {
				t.Fatalf("after %v of use: %v", elapsed+time.Hour, err)
			}
		}
		clk.advance(time.Hour)
		if _, err := s.LookupSession(ctx, secret, l); camera.ErrorCode(err) != camera.EUNAUTHORIZED {
			t.Fatalf("past the absolute limit: err = %v, want unauthorized", err)
		}
	})
	t.Run("sign-out, a password change and disabling end sessions", func(t *testing.T) {
		a, _, _ := s.CreateSession(ctx, u, l)
		b, _, _ := s.CreateSession(ctx, u, l)
		if err := s.DeleteSession(ctx, a, u.Actor()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LookupSession(ctx, a, l); camera.ErrorCode(err) != camera.EUNAUTHORIZED {
			t.Errorf("after sign-out: err = %v", err)
		}
		if _, err := s.LookupSession(ctx, b, l); err != nil {
			t.Errorf("another session of the same user: %v", err)
		}
		pw := "một mật khẩu mới"
		if _, err := s.UpdateUser(ctx, u.Name, registry.UserChange{Password: &pw}, admin); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LookupSession(ctx, b, l); camera.ErrorCode(err) != camera.EUNAUTHORIZED {
			t.Errorf("after a password change: err = %v", err)
		}
		c, _, _ := s.CreateSession(ctx, u, l)
		yes := true
		if _, err := s.UpdateUser(ctx, u.Name, registry.UserChange{Disabled: &yes}, admin); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LookupSession(ctx, c, l); camera.ErrorCode(err) != camera.EUNAUTHORIZED {
			t.Errorf("after disabling: err = %v", err)
		}
		if _, err := s.CheckPassword(ctx, u.Name, pw); camera.ErrorCode(err) != camera.EUNAUTHORIZED {
			t.Errorf("a disabled user signs in: err = %v", err)
		}
	})
	t.Run("a role change applies to the open session", func(t *testing.T) {
		v := mustCreateUser(t, s, "quy.hoach", camera.RolePlanner, "mật khẩu quy hoạch")
		secret, _, _ := s.CreateSession(ctx, v, l)
		fr := camera.RoleFundraiser
		if _, err := s.UpdateUser(ctx, v.Name, registry.UserChange{Role: &fr}, admin); err != nil {
			t.Fatal(err)
		}
		got, err := s.LookupSession(ctx, secret, l)
		if err != nil || got.User.Role != camera.RoleFundraiser {
			t.Errorf("session = %+v, %v; want role fundraiser", got.User, err)
		}
	})
}
