package informant

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/matthan/matthan/camera"
)

// MaxSealed is the largest sealed record accepted: the informant's
// fields at their limits, as JSON, with age's header for a few dozen
// recipients, fit well under it.
const MaxSealed = 64 << 10

// Sealer encrypts informants to a fixed list of recipients. It is safe
// for concurrent use.
type Sealer struct {
	recipients []age.Recipient
}

// RecipientError is a recipient that is not an age X25519 public key:
// Index is its place in the list given. Its message never quotes the
// value: someone may have pasted a private key where the public one
// belongs, and the message goes to logs.
type RecipientError struct {
	Index int
	// Private is true when the value is an age private key.
	Private bool
}

func (e *RecipientError) Error() string {
	if e.Private {
		return fmt.Sprintf("item %d is an age private key (AGE-SECRET-KEY-1…), which must never be on the server: give its public key (age1…) instead, and make a new key pair, this one has been exposed", e.Index)
	}
	return fmt.Sprintf("item %d is not an age X25519 public key (age1… as age-keygen prints it)", e.Index)
}

// ErrNoRecipients is NewSealer's answer to an empty list.
var ErrNoRecipients = errors.New("no recipients: informants would be sealed to nobody")

// NewSealer parses recipients (age X25519 public keys, "age1…"). Every
// one must parse: a typo would leave a chief unable to read, unnoticed.
func NewSealer(recipients []string) (*Sealer, error) {
	if len(recipients) == 0 {
		return nil, ErrNoRecipients
	}
	s := &Sealer{}
	seen := map[string]bool{}
	for i, r := range recipients {
		r = strings.TrimSpace(r)
		rec, err := age.ParseX25519Recipient(r)
		if err != nil {
			return nil, &RecipientError{Index: i, Private: strings.HasPrefix(strings.ToUpper(r), "AGE-SECRET-KEY-")}
		}
		if seen[r] {
			continue
		}
		seen[r] = true
		s.recipients = append(s.recipients, rec)
	}
	return s, nil
}

// Recipients returns how many distinct recipients s seals to.
func (s *Sealer) Recipients() int { return len(s.recipients) }

// Seal validates the informant and encrypts it as JSON to every recipient.
// The JSON buffer is overwritten before Seal returns; the caller should
// drop its own copy of the informant as soon as it can.
func (s *Sealer) Seal(in *camera.Informant) ([]byte, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	plain, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("encode informant: %w", err)
	}
	defer clear(plain)
	return s.seal(plain)
}

func (s *Sealer) seal(plain []byte) ([]byte, error) {
	var out bytes.Buffer
	out.Grow(len(plain) + 200*len(s.recipients) + 100)
	w, err := age.Encrypt(&out, s.recipients...)
	if err != nil {
		return nil, fmt.Errorf("seal informant: %w", err)
	}
	if _, err := w.Write(plain); err != nil {
		return nil, fmt.Errorf("seal informant: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("seal informant: %w", err)
	}
	return out.Bytes(), nil
}

// ErrWrongIdentity is Open's answer when none of the identities given is
// a recipient of the record.
var ErrWrongIdentity = errors.New("the identity is not one the informant was sealed to")

// Open decrypts a sealed informant with identities (a chief's private
// keys). ErrWrongIdentity when none of them matches.
func Open(sealed []byte, identities ...age.Identity) (*camera.Informant, error) {
	plain, err := openRaw(sealed, identities)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	in := &camera.Informant{}
	if err := json.Unmarshal(plain, in); err != nil {
		return nil, fmt.Errorf("decode informant: %w", err)
	}
	return in, nil
}

func openRaw(sealed []byte, identities []age.Identity) ([]byte, error) {
	r, err := age.Decrypt(bytes.NewReader(sealed), identities...)
	if err != nil {
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			return nil, ErrWrongIdentity
		}
		return nil, fmt.Errorf("open informant: %w", err)
	}
	plain, err := io.ReadAll(io.LimitReader(r, MaxSealed))
	if err != nil {
		return nil, fmt.Errorf("open informant: %w", err)
	}
	return plain, nil
}

// Reseal opens a sealed record with identities and seals it again to s's
// recipients, without the plaintext leaving memory: rotating a chief's
// key.
func (s *Sealer) Reseal(sealed []byte, identities ...age.Identity) ([]byte, error) {
	plain, err := openRaw(sealed, identities)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	return s.seal(plain)
}

// Armor returns a sealed record in age's ASCII armor ("-----BEGIN AGE
// ENCRYPTED FILE-----"), which `age --decrypt` and Dearmor read.
func Armor(sealed []byte) (string, error) {
	var b strings.Builder
	w := armor.NewWriter(&b)
	if _, err := w.Write(sealed); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Dearmor reads a record in age's ASCII armor back to binary.
func Dearmor(text string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(armor.NewReader(strings.NewReader(text)), MaxSealed+1))
	if err != nil {
		return nil, fmt.Errorf("read armored informant: %w", err)
	}
	if len(b) > MaxSealed {
		return nil, fmt.Errorf("read armored informant: more than %d bytes", MaxSealed)
	}
	return b, nil
}

// ReadIdentities reads the private keys of an age identity file (the
// output of age-keygen: "AGE-SECRET-KEY-1…" lines, comments allowed).
func ReadIdentities(path string) ([]age.Identity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("identity file: %w", err)
	}
	defer f.Close()
	ids, err := age.ParseIdentities(f)
	if err != nil {
		return nil, fmt.Errorf("identity file %s: %w", path, err)
	}
	return ids, nil
}

// WriteIdentity writes a new X25519 identity to path (mode 0600, refusing
// to replace an existing file) in the age-keygen format, and returns its
// public key, the recipient to configure.
func WriteIdentity(path string, comment string) (string, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return "", err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("identity file: %w", err)
	}
	pub := id.Recipient().String()
	_, werr := fmt.Fprintf(f, "# %s\n# public key: %s\n%s\n", comment, pub, id)
	if err := errors.Join(werr, f.Close()); err != nil {
		return "", fmt.Errorf("identity file: %w", err)
	}
	return pub, nil
}

// RecipientOf returns the public key of the first X25519 identity of an
// identity file, "" when it holds none.
func RecipientOf(ids []age.Identity) string {
	for _, id := range ids {
		if x, ok := id.(*age.X25519Identity); ok {
			return x.Recipient().String()
		}
	}
	return ""
}
