package camera

import (
	"crypto/rand"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on a user's names and password.
const (
	MinUserNameLen = 2
	MaxUserNameLen = 64
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// User is a person who signs in to the web console with a name and a
// password: a commune police officer, a planner, a fundraiser, an
// administrator. Each has one role, as a token has. Machines keep using
// tokens. The password itself is never part of a User: the store keeps
// only its hash.
type User struct {
	// Name is the sign-in name: lowercase a–z, digits, '.', '_' and '-'
	// (e.g. "ca.songbinh"), unique.
	Name string `json:"name"`
	// FullName is how the console greets the person, in Vietnamese with
	// its diacritics ("Nguyễn Văn An").
	FullName string `json:"full_name"`
	Role     Role   `json:"role"`
	// Disabled users cannot sign in; their sessions end when the flag is
	// set.
	Disabled          bool      `json:"disabled"`
	CreatedAt         time.Time `json:"created_at"`
	CreatedBy         string    `json:"created_by"`
	UpdatedAt         time.Time `json:"updated_at"`
	PasswordChangedAt time.Time `json:"password_changed_at"`
}

// Actor returns who the user is in audit and custody logs.
func (u *User) Actor() Actor { return Actor{Name: u.Name, Role: u.Role} }

// NormalizeUserName returns the form in which a sign-in name is stored and
// compared: trimmed and lowercased, so "CA.SongBinh " signs in as
// "ca.songbinh".
func NormalizeUserName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidateUserName checks a normalised sign-in name.
func ValidateUserName(name string) error {
	if n := len(name); n < MinUserNameLen || n > MaxUserNameLen {
		return Errorf(EINVALID, "name", "must be %d to %d characters long, got %d", MinUserNameLen, MaxUserNameLen, utf8.RuneCountInString(name))
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			return Errorf(EINVALID, "name", "may hold only the letters a to z without accents, digits, '.', '_' and '-'")
		}
	}
	if c := name[0]; c == '.' || c == '_' || c == '-' {
		return Errorf(EINVALID, "name", "must start with a letter or a digit")
	}
	return nil
}

// Validate checks what a user sets on a user: the name, the full name and
// the role.
func (u *User) Validate() error {
	if err := ValidateUserName(u.Name); err != nil {
		return err
	}
	if err := checkText("full_name", u.FullName, MaxNameLen); err != nil {
		return err
	}
	if !u.Role.Valid() {
		return Errorf(EINVALID, "role", "must be one of admin, police, planner, fundraiser, got %q", u.Role)
	}
	return nil
}

// ValidatePassword checks a new password for user name: at least
// MinPasswordLen characters (a passphrase of a few words is the easy way),
// at most MaxPasswordLen, not the name itself, and not one character
// repeated. Breach lists are not consulted: the daemon works offline.
func ValidatePassword(password, name string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return Errorf(EINVALID, "password", "must be valid UTF-8")
	case n < MinPasswordLen:
		return Errorf(EINVALID, "password", "must be at least %d characters long", MinPasswordLen)
	case n > MaxPasswordLen:
		return Errorf(EINVALID, "password", "must be at most %d characters long", MaxPasswordLen)
	case strings.EqualFold(strings.TrimSpace(password), name):
		return Errorf(EINVALID, "password", "must not be the user's name")
	case strings.Count(password, string([]rune(password)[0])) == n:
		return Errorf(EINVALID, "password", "must not be one character repeated")
	}
	return nil
}

// NewPassword returns a fresh random password that reads well when
// printed and typed: three groups of four letters and digits without
// look-alikes (about 59 bits). The CLI gives a new user two of them; the
// demo's accounts get one.
func NewPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	out := make([]byte, 0, 14)
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			out = append(out, '-')
		}
		out = append(out, alphabet[int(c)%len(alphabet)])
	}
	return string(out)
}
