package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/vntext"
)

// Users sign in to the web console with a name and a password; the
// bucket "users" maps the normalised name to a userRecord: the user and
// the argon2id hash of the password (passwords.go). No read of a user
// ever returns the hash.

// userRecord is a stored user.
type userRecord struct {
	camera.User
	PasswordHash string `json:"password_hash"`
}

func getUser(tx *bolt.Tx, name string) (*userRecord, error) {
	b := tx.Bucket(bucketUsers)
	if b == nil {
		return nil, nil // a file of an older program, opened read-only
	}
	v := b.Get([]byte(name))
	if v == nil {
		return nil, nil
	}
	var r userRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("user %s: %w", name, err)
	}
	return &r, nil
}

func putUser(tx *bolt.Tx, r *userRecord) error {
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketUsers).Put([]byte(r.Name), v)
}

// cleanUser normalises what a person typed: the name lowercased and
// trimmed, the full name NFC and trimmed.
func cleanUser(u *camera.User) {
	u.Name = camera.NormalizeUserName(u.Name)
	u.FullName = strings.TrimSpace(vntext.NFC(u.FullName))
}

// CreateUser stores a new user with the given password. The name must be
// free (ECONFLICT otherwise). u's times and creator are set.
func (s *Store) CreateUser(ctx context.Context, u *camera.User, password string, actor camera.Actor) error {
	cleanUser(u)
	if err := u.Validate(); err != nil {
		return err
	}
	if err := camera.ValidatePassword(password, u.Name); err != nil {
		return err
	}
	hash, err := s.HashPassword(ctx, password)
	if err != nil {
		return err
	}
	return s.CreateUserHash(ctx, u, hash, actor)
}

// CreateUserHash is CreateUser with the password already hashed
// (HashPassword), by the node that took the request: the hash, never the
// password, travels to the store.
func (s *Store) CreateUserHash(ctx context.Context, u *camera.User, hash string, actor camera.Actor) error {
	cleanUser(u)
	if err := u.Validate(); err != nil {
		return err
	}
	if _, _, _, _, _, ok := parsePHC(hash); !ok {
		return camera.Errorf(camera.EINVALID, "password", "not a password hash")
	}
	now := s.now().UTC()
	u.Disabled = false
	u.CreatedAt, u.UpdatedAt, u.PasswordChangedAt, u.CreatedBy = now, now, now, actor.Name
	return s.update(func(tx *bolt.Tx) error {
		old, err := getUser(tx, u.Name)
		if err != nil {
			return err
		}
		if old != nil {
			return camera.Errorf(camera.ECONFLICT, "name", "a user named %q exists already", u.Name)
		}
		if err := putUser(tx, &userRecord{User: *u, PasswordHash: hash}); err != nil {
			return err
		}
		return appendAudit(tx, now, actor, "user.create", u.Name, []string{string(u.Role)})
	})
}

// GetUser returns the user named name (in any case), ENOTFOUND when there
// is none.
func (s *Store) GetUser(ctx context.Context, name string) (*camera.User, error) {
	name = camera.NormalizeUserName(name)
	var u *camera.User
	err := s.view(func(tx *bolt.Tx) error {
		r, err := getUser(tx, name)
		if err != nil {
			return err
		}
		if r == nil {
			return camera.Errorf(camera.ENOTFOUND, "", "no user named %q", name)
		}
		u = &r.User
		return nil
	})
	return u, err
}

// ListUsers returns up to limit users in name order after the name after
// (""), and the name to pass as after for the next page ("" on the last).
func (s *Store) ListUsers(ctx context.Context, after string, limit int) ([]camera.User, string, error) {
	var out []camera.User
	next := ""
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketUsers)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		k, v := c.First()
		if after != "" {
			k, v = c.Seek([]byte(after))
			if k != nil && string(k) == after {
				k, v = c.Next()
			}
		}
		for ; k != nil; k, v = c.Next() {
			if len(out) == limit {
				next = out[len(out)-1].Name
				return nil
			}
			var r userRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("user %s: %w", k, err)
			}
			out = append(out, r.User)
		}
		return nil
	})
	return out, next, err
}

// CountUsers returns how many users there are, and how many of them are
// enabled admins.
func (s *Store) CountUsers(ctx context.Context) (all, admins int, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketUsers)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var r userRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("user %s: %w", k, err)
			}
			all++
			if r.Role == camera.RoleAdmin && !r.Disabled {
				admins++
			}
			return nil
		})
	})
	return all, admins, err
}

// UserChange is a change to a user; nil fields stay as they are.
type UserChange struct {
	FullName *string
	Role     *camera.Role
	Disabled *bool
	// Password, when set, replaces the password.
	Password *string
}

// UpdateUser applies ch to the user named name and returns it as stored.
// Disabling a user or changing their password ends every session of
// theirs, so that a stolen phone's session dies with the reset. The last
// enabled admin cannot be disabled or made another role (EINVALID): the
// console would have no one left to manage it.
func (s *Store) UpdateUser(ctx context.Context, name string, ch UserChange, actor camera.Actor) (*camera.User, error) {
	name = camera.NormalizeUserName(name)
	var hash string
	if ch.Password != nil {
		if err := camera.ValidatePassword(*ch.Password, name); err != nil {
			return nil, err
		}
		var err error
		if hash, err = s.HashPassword(ctx, *ch.Password); err != nil {
			return nil, err
		}
		ch.Password = nil
	}
	return s.UpdateUserHash(ctx, name, ch, hash, actor)
}

// UpdateUserHash is UpdateUser with the new password, if any, already
// hashed (hash; "" keeps the password): ch.Password must be nil.
func (s *Store) UpdateUserHash(ctx context.Context, name string, ch UserChange, hash string, actor camera.Actor) (*camera.User, error) {
	name = camera.NormalizeUserName(name)
	if ch.Password != nil {
		return nil, camera.Errorf(camera.EINVALID, "password", "give the password's hash, not the password")
	}
	if _, _, _, _, _, ok := parsePHC(hash); hash != "" && !ok {
		return nil, camera.Errorf(camera.EINVALID, "password", "not a password hash")
	}
	var out *camera.User
	err := s.update(func(tx *bolt.Tx) error {
		r, err := getUser(tx, name)
		if err != nil {
			return err
		}
		if r == nil {
			return camera.Errorf(camera.ENOTFOUND, "", "no user named %q", name)
		}
		wasAdmin := r.Role == camera.RoleAdmin && !r.Disabled
		var changes []string
		if ch.FullName != nil {
			r.FullName = *ch.FullName
			changes = append(changes, "full_name")
		}
		if ch.Role != nil {
			r.Role = *ch.Role
			changes = append(changes, "role="+string(r.Role))
		}
		if ch.Disabled != nil {
			r.Disabled = *ch.Disabled
			changes = append(changes, fmt.Sprintf("disabled=%t", r.Disabled))
		}
		cleanUser(&r.User)
		if err := r.Validate(); err != nil {
			return err
		}
		if wasAdmin && (r.Role != camera.RoleAdmin || r.Disabled) {
			if n, err := enabledAdmins(tx); err != nil {
				return err
			} else if n == 1 {
				// The refusal names the field that would have done it, so
				// that a form shows it beside that field.
				field := "role"
				if r.Role == camera.RoleAdmin {
					field = "disabled"
				}
				return camera.Errorf(camera.EINVALID, field, "%s is the last enabled admin: make another admin first", name)
			}
		}
		now := s.now().UTC()
		if hash != "" {
			r.PasswordHash, r.PasswordChangedAt = hash, now
			changes = append(changes, "password")
		}
		r.UpdatedAt = now
		if err := putUser(tx, r); err != nil {
			return err
		}
		if hash != "" || r.Disabled {
			if err := deleteUserSessions(tx, name); err != nil {
				return err
			}
		}
		out = &r.User
		return appendAudit(tx, now, actor, "user.update", name, changes)
	})
	return out, err
}

func enabledAdmins(tx *bolt.Tx) (int, error) {
	n := 0
	err := tx.Bucket(bucketUsers).ForEach(func(k, v []byte) error {
		var r userRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("user %s: %w", k, err)
		}
		if r.Role == camera.RoleAdmin && !r.Disabled {
			n++
		}
		return nil
	})
	return n, err
}

// CheckPassword returns the user named name when password is theirs and
// they are enabled; otherwise EUNAUTHORIZED with one message for an
// unknown name and a wrong password, so that sign-in does not tell which
// names exist. It takes the time of one hash either way.
func (s *Store) CheckPassword(ctx context.Context, name, password string) (*camera.User, error) {
	name = camera.NormalizeUserName(name)
	var r *userRecord
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		r, err = getUser(tx, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	phc := ""
	if r != nil {
		phc = r.PasswordHash
	}
	ok, err := s.checkPassword(ctx, phc, password)
	if err != nil {
		return nil, err
	}
	if !ok || r == nil {
		return nil, camera.Errorf(camera.EUNAUTHORIZED, "password", "wrong user name or password")
	}
	if r.Disabled {
		return nil, camera.Errorf(camera.EUNAUTHORIZED, "name", "this account is disabled: ask an administrator")
	}
	return &r.User, nil
}
