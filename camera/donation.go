package camera

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on the text of a donation, in characters.
const (
	MaxDonorLen        = 200
	MaxDonationNoteLen = 1000
	// MaxDonationRefLen bounds a bank's transaction reference: banks
	// use 10 to 30 characters ("FT24123456789012", "MBVCB.5821763.
	// 042315.Ung ho camera"); a hundred leaves room without letting a
	// note pass for one.
	MaxDonationRefLen = 100
)

// MinDonationYear bounds received_on from below: a date before it is a
// typo (a year 0019 for 2019), not a gift.
const MinDonationYear = 1900

// DonationIDPrefix starts every donation id.
const DonationIDPrefix = "DN-"

// Donation is one gift of money: to a camera, or — with no CameraID — to a
// commune's pool, which pays for the part of cameras donors did not cover
// and for their upkeep. Field names are the contract of docs/design.md.
//
// Commune is always set on a stored donation: a camera's gift takes the
// camera's commune. It is the commune the gift was given in and stays so,
// whatever later happens to the camera.
//
// Ref is optional: the bank's reference of the transaction that brought
// the gift, when it came through a bank. Two gifts with the same ref are
// one transaction; the registry compares refs as it compares names
// (case, accents and runs of spaces do not count).
type Donation struct {
	ID         string    `json:"id"`
	Donor      string    `json:"donor"`
	AmountVND  int64     `json:"amount_vnd"`
	ReceivedOn string    `json:"received_on"`
	CameraID   string    `json:"camera_id"`
	Commune    string    `json:"commune"`
	Note       string    `json:"note"`
	Ref        string    `json:"ref,omitempty"`
	Public     bool      `json:"public"`
	CreatedBy  Actor     `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// Pool reports whether the donation is a gift to its commune's pool rather
// than to one camera.
func (d *Donation) Pool() bool { return d.CameraID == "" }

// Validate checks every field a user sets and returns an *Error with code
// EINVALID naming the first field at fault. now decides what "the future"
// is: received_on may be at most now's calendar date in now's location, so
// pass a time in the network's time zone (a gift received on a Vietnamese
// morning is still "yesterday" in UTC). Whether the camera or the commune
// exists is Resolve's business. An empty ID is valid: the store assigns
// one.
func (d *Donation) Validate(now time.Time) error {
	if d.ID != "" {
		if _, ok := ParseDonationID(d.ID); !ok {
			return Errorf(EINVALID, "id", "must be a donation id such as DN-0000001, got %q", d.ID)
		}
	}
	if err := checkText("donor", d.Donor, MaxDonorLen); err != nil {
		return err
	}
	if strings.TrimSpace(d.Donor) == "" {
		return Errorf(EINVALID, "donor", "must not be empty")
	}
	if err := ValidateAmount("amount_vnd", d.AmountVND); err != nil {
		return err
	}
	if err := ValidateReceivedOn(d.ReceivedOn, now); err != nil {
		return err
	}
	if d.CameraID != "" {
		if err := ValidateID(d.CameraID); err != nil {
			return Errorf(EINVALID, "camera_id", "%s", messageOf(err))
		}
	}
	if err := checkText("commune", d.Commune, MaxTextLen); err != nil {
		return err
	}
	if d.CameraID == "" && strings.TrimSpace(d.Commune) == "" {
		return Errorf(EINVALID, "commune", "is required when camera_id is empty (a gift to the commune's pool)")
	}
	// Notes may run over several lines, as a camera's do.
	if !utf8.ValidString(d.Note) || utf8.RuneCountInString(d.Note) > MaxDonationNoteLen {
		return Errorf(EINVALID, "note", "must be valid UTF-8 of at most %d characters", MaxDonationNoteLen)
	}
	return validateRef(d.Ref)
}

// validateRef checks a bank reference: empty (none), or one line of at
// most MaxDonationRefLen characters with a letter or a digit in it — a
// ref of dashes or spaces would make every such gift the same
// transaction.
func validateRef(ref string) error {
	if ref == "" {
		return nil
	}
	if err := checkText("ref", ref, MaxDonationRefLen); err != nil {
		return err
	}
	if !strings.ContainsFunc(ref, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		return Errorf(EINVALID, "ref", "must contain a letter or a digit (the bank's transaction reference), got %q", ref)
	}
	return nil
}

// ValidateAmount checks an amount of đồng given: more than 0 and at most
// MaxVND.
func ValidateAmount(field string, v int64) error {
	if v <= 0 {
		return Errorf(EINVALID, field, "must be more than 0 đồng, got %d", v)
	}
	if v > MaxVND {
		return Errorf(EINVALID, field, "must be at most %s, got %d", FormatVND(MaxVND), v)
	}
	return nil
}

// ValidateReceivedOn checks a donation date: a calendar date YYYY-MM-DD,
// not before MinDonationYear and not after now's date (in now's location).
func ValidateReceivedOn(s string, now time.Time) error {
	if err := ValidateDate("received_on", s); err != nil {
		return err
	}
	if s < strconv.Itoa(MinDonationYear) {
		return Errorf(EINVALID, "received_on", "must be in %d or later, got %q", MinDonationYear, s)
	}
	// Dates in the layout compare as strings.
	if today := now.Format(DateLayout); s > today {
		return Errorf(EINVALID, "received_on", "must not be in the future, got %s (today is %s)", s, today)
	}
	return nil
}

// Places is what Resolve needs to know about the registry: which cameras
// exist and in which commune, and which communes exist. A commune exists
// when some camera is in it; names are compared accent-insensitively ("cho
// gao" is "Chợ Gạo"), which the implementation (registry.Places) does, so
// that this package stays on the standard library.
type Places interface {
	// CameraCommune returns the canonical spelling of camera id's commune
	// ("" when the camera has none); ok is false when there is no such
	// camera.
	CameraCommune(id string) (commune string, ok bool)
	// Commune returns the canonical spelling of the commune named name;
	// ok is false when no camera is in it.
	Commune(name string) (canonical string, ok bool)
}

// Resolve checks where the donation goes and sets its commune to the
// canonical spelling: a camera's gift takes the camera's commune when none
// is given, and a given one must be the camera's; a pool gift needs a
// commune that has cameras. Errors are EINVALID naming camera_id or
// commune: the donation refers to something that is not there.
func (d *Donation) Resolve(p Places) error {
	if d.CameraID == "" {
		canon, ok := p.Commune(d.Commune)
		if !ok {
			return Errorf(EINVALID, "commune", "no camera is in a commune named %q: a gift to a commune's pool needs a commune of the network", d.Commune)
		}
		d.Commune = canon
		return nil
	}
	camCommune, ok := p.CameraCommune(d.CameraID)
	if !ok {
		return Errorf(EINVALID, "camera_id", "no camera with id %q", d.CameraID)
	}
	if d.Commune != "" {
		if given, ok := p.Commune(d.Commune); !ok || given != camCommune {
			if camCommune == "" {
				return Errorf(EINVALID, "commune", "camera %s has no commune, but the donation names %q: leave commune empty", d.CameraID, d.Commune)
			}
			return Errorf(EINVALID, "commune", "camera %s is in %s, not %q: leave commune empty or give the camera's", d.CameraID, camCommune, d.Commune)
		}
	}
	d.Commune = camCommune
	return nil
}

// FormatDonationID returns the id of the seq-th donation: "DN-0000001".
// Ids of more than seven digits just grow longer; the store keys
// donations by seq, not by this text, so their order does not depend on
// the width.
func FormatDonationID(seq uint64) string {
	s := strconv.FormatUint(seq, 10)
	if len(s) < 7 {
		s = strings.Repeat("0", 7-len(s)) + s
	}
	return DonationIDPrefix + s
}

// ParseDonationID returns the sequence number of a donation id, ok false
// when id is not one (FormatDonationID's output, seq ≥ 1).
func ParseDonationID(id string) (seq uint64, ok bool) {
	digits, found := strings.CutPrefix(id, DonationIDPrefix)
	if !found || len(digits) < 7 || len(digits) > 20 {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	// More than seven digits only when the leading one is not a zero:
	// exactly one spelling per id.
	if len(digits) > 7 && digits[0] == '0' {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n == 0 {
		return 0, false
	}
	return n, true
}
