package informant

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/matthan/matthan/camera"
)

func newIdentity(t testing.TB) *age.X25519Identity {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestSealOpen(t *testing.T) {
	chief, deputy, stranger := newIdentity(t), newIdentity(t), newIdentity(t)
	s, err := NewSealer([]string{chief.Recipient().String(), " " + deputy.Recipient().String() + " ", chief.Recipient().String()})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Recipients(), 2; got != want {
		t.Errorf("recipients = %d, want %d (a repeated key counts once)", got, want)
	}
	in := &camera.Informant{Name: "Nguyễn Thị Mật", Phone: "0909123456", Note: "gọi sau 9 giờ"}
	sealed, err := s.Seal(in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("0909123456")) || bytes.Contains(sealed, []byte("Mật")) {
		t.Fatal("the sealed record holds the plaintext")
	}
	for name, id := range map[string]age.Identity{"chief": chief, "deputy": deputy} {
		got, err := Open(sealed, id)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if *got != *in {
			t.Errorf("%s opened %+v, want %+v", name, got, in)
		}
	}
	if _, err := Open(sealed, stranger); !errors.Is(err, ErrWrongIdentity) {
		t.Errorf("stranger: err = %v, want ErrWrongIdentity", err)
	}

	// Rotation: sealed again to a new chief only.
	next := newIdentity(t)
	to, err := NewSealer([]string{next.Recipient().String()})
	if err != nil {
		t.Fatal(err)
	}
	resealed, err := to.Reseal(sealed, chief)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Open(resealed, next); err != nil || *got != *in {
		t.Errorf("new chief opened %+v, %v", got, err)
	}
	if _, err := Open(resealed, chief); !errors.Is(err, ErrWrongIdentity) {
		t.Errorf("old chief after rekey: err = %v, want ErrWrongIdentity", err)
	}
	if _, err := to.Reseal(sealed, stranger); !errors.Is(err, ErrWrongIdentity) {
		t.Errorf("reseal with a stranger's key: err = %v, want ErrWrongIdentity", err)
	}

	// Armor round trip, readable by the age tool.
	text, err := Armor(sealed)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(text, "-----BEGIN AGE ENCRYPTED FILE-----") {
		t.Errorf("armor starts %q", text[:30])
	}
	back, err := Dearmor(text)
	if err != nil || !bytes.Equal(back, sealed) {
		t.Errorf("dearmor: %v, equal %v", err, bytes.Equal(back, sealed))
	}
}

func TestNewSealerErrors(t *testing.T) {
	good := newIdentity(t).Recipient().String()
	for _, tc := range []struct {
		name  string
		list  []string
		index int
	}{
		{"empty", nil, -1},
		{"typo", []string{good, "age1notakey"}, 1},
		{"private key", []string{newIdentity(t).String()}, 0},
		{"ssh key", []string{"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewSealer(tc.list)
			var re *RecipientError
			switch {
			case tc.index < 0 && !errors.Is(err, ErrNoRecipients):
				t.Errorf("err = %v, want ErrNoRecipients", err)
			case tc.index >= 0 && (!errors.As(err, &re) || re.Index != tc.index || re.Private != (tc.name == "private key")):
				t.Errorf("err = %v, want a RecipientError at %d", err, tc.index)
			}
		})
	}
}

func TestSealRefusesBadInformant(t *testing.T) {
	s, err := NewSealer([]string{newIdentity(t).Recipient().String()})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in    camera.Informant
		field string
	}{
		{camera.Informant{}, "informant"},
		{camera.Informant{Phone: strings.Repeat("9", 41)}, "informant.phone"},
		{camera.Informant{Name: "A\x00B"}, "informant.name"},
	} {
		_, err := s.Seal(&tc.in)
		if got := camera.ErrorField(err); got != tc.field {
			t.Errorf("Seal(%+v): field %q, want %q (err %v)", tc.in, got, tc.field, err)
		}
		if err != nil && strings.Contains(err.Error(), "999999") {
			t.Errorf("the error quotes the value: %v", err)
		}
	}
}

func TestWriteIdentity(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chief.key")
	pub, err := WriteIdentity(path, "test chief")
	if err != nil {
		t.Fatal(err)
	}
	ids, err := ReadIdentities(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := RecipientOf(ids); got != pub {
		t.Errorf("recipient of the file = %q, want %q", got, pub)
	}
	if _, err := WriteIdentity(path, "again"); err == nil {
		t.Error("WriteIdentity replaced an existing key file")
	}
}
