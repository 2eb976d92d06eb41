package camera

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Channel is how a tip (tin báo) reached the police.
type Channel string

// Channels.
const (
	ChannelHotline  Channel = "hotline"
	ChannelInPerson Channel = "in_person"
	ChannelMessage  Channel = "message"
	ChannelOther    Channel = "other"
)

// Channels lists every channel, in the order reports show them.
var Channels = []Channel{ChannelHotline, ChannelInPerson, ChannelMessage, ChannelOther}

// Valid reports whether ch is a known channel.
func (ch Channel) Valid() bool {
	for _, x := range Channels {
		if x == ch {
			return true
		}
	}
	return false
}

// Outcome is what came of a tip: the words of the district reports ("165
// tips led to 15 criminal cases (17 suspects), 24 administrative cases
// (40 people) and 25 people educated").
type Outcome string

// Outcomes.
const (
	OutcomeCriminal       Outcome = "criminal"
	OutcomeAdministrative Outcome = "administrative"
	OutcomeEducation      Outcome = "education"
	OutcomeUnfounded      Outcome = "unfounded"
	OutcomePending        Outcome = "pending"
)

// Outcomes lists every outcome, in the order reports show them.
var Outcomes = []Outcome{OutcomeCriminal, OutcomeAdministrative, OutcomeEducation, OutcomeUnfounded, OutcomePending}

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool {
	for _, x := range Outcomes {
		if x == o {
			return true
		}
	}
	return false
}

// HasPeople reports whether people can be counted under the outcome: a
// tip still pending, or found unfounded, dealt with nobody.
func (o Outcome) HasPeople() bool {
	return o == OutcomeCriminal || o == OutcomeAdministrative || o == OutcomeEducation
}

// Limits on tip fields.
const (
	MaxTipSummaryLen   = 4000
	MaxTipPlaceLen     = 500
	MaxTipIncidents    = 32
	MaxTipAccessReason = MaxCustodyReason
)

// Tip is one report to the police hotline, in person, or by message: when
// it came, how, where it is about, what kind of matter and what was said,
// and later what came of it. The informant is not part of it: their
// details are sealed (encrypted to the police chiefs' keys) before the
// tip reaches the store, and kept apart; Informant only says whether
// there are any.
//
// A tip's place is a point (Lat, Lon) or, when the caller could not say
// where exactly, a commune and a description (Place); both may be given.
type Tip struct {
	ID         string    `json:"id"`
	ReceivedAt time.Time `json:"received_at"`
	Channel    Channel   `json:"channel"`
	Lat        *float64  `json:"lat,omitempty"`
	Lon        *float64  `json:"lon,omitempty"`
	Commune    string    `json:"commune"`
	Place      string    `json:"place"`
	Category   Category  `json:"category"`
	Summary    string    `json:"summary"`
	// Informant is true when sealed informant details are kept for the
	// tip. Only the store sets it.
	Informant bool `json:"has_informant"`
	// Outcome and People are what came of the tip: people charged,
	// fined or educated.
	Outcome Outcome `json:"outcome"`
	People  int     `json:"people"`
	// IncidentIDs are the incidents the tip led to.
	IncidentIDs []string `json:"incident_ids"`
	// Hold is a legal hold: retention never purges a held tip.
	Hold      bool      `json:"hold"`
	CreatedBy Actor     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// NewTip returns a tip holding the defaults of the fields a user may
// leave out: outcome pending, no incidents.
func NewTip() *Tip {
	return &Tip{Outcome: OutcomePending, IncidentIDs: []string{}}
}

// HasPlace reports whether the tip has a position.
func (t *Tip) HasPlace() bool { return t.Lat != nil && t.Lon != nil }

// SetPlace sets the tip's position.
func (t *Tip) SetPlace(lat, lon float64) { t.Lat, t.Lon = &lat, &lon }

// Clone returns a deep copy of t.
func (t *Tip) Clone() *Tip {
	cp := *t
	cp.IncidentIDs = append([]string{}, t.IncidentIDs...)
	if t.HasPlace() {
		cp.SetPlace(*t.Lat, *t.Lon)
	}
	return &cp
}

// Normalize puts the tip in the form the store keeps: time in UTC, a
// non-nil list of incidents.
func (t *Tip) Normalize() {
	t.ReceivedAt = t.ReceivedAt.UTC()
	if t.IncidentIDs == nil {
		t.IncidentIDs = []string{}
	}
}

// Validate checks every field a user sets and returns an *Error with code
// EINVALID naming the first field at fault. It expects a normalized tip.
// An empty ID is valid: the store generates one.
func (t *Tip) Validate() error {
	if t.ID != "" {
		if err := ValidateID(t.ID); err != nil {
			return err
		}
	}
	if t.ReceivedAt.IsZero() {
		return Errorf(EINVALID, "received_at", "must be an RFC 3339 time with its offset")
	}
	if y := t.ReceivedAt.Year(); y < 1970 || y > 2200 {
		return Errorf(EINVALID, "received_at", "must be in a year from 1970 to 2200")
	}
	if !t.Channel.Valid() {
		return Errorf(EINVALID, "channel", "must be one of hotline, in_person, message, other, got %q", t.Channel)
	}
	if (t.Lat == nil) != (t.Lon == nil) {
		if t.Lat == nil {
			return Errorf(EINVALID, "lat", "must be given with lon")
		}
		return Errorf(EINVALID, "lon", "must be given with lat")
	}
	if t.HasPlace() {
		if err := ValidateLatLon(*t.Lat, *t.Lon); err != nil {
			return err
		}
	}
	if err := checkText("commune", t.Commune, MaxNameLen); err != nil {
		return err
	}
	if err := checkText("place", t.Place, MaxTipPlaceLen); err != nil {
		return err
	}
	if !t.HasPlace() {
		switch {
		case strings.TrimSpace(t.Commune) == "":
			return Errorf(EINVALID, "commune", "is required when lat and lon are not given: a tip needs a point, or a commune and a description of the place")
		case strings.TrimSpace(t.Place) == "":
			return Errorf(EINVALID, "place", "is required when lat and lon are not given: describe where, within the commune")
		}
	}
	if !t.Category.Valid() {
		return Errorf(EINVALID, "category", "must be one of %s, got %q", joinCategories(), t.Category)
	}
	if strings.TrimSpace(t.Summary) == "" {
		return Errorf(EINVALID, "summary", "is required: what was reported")
	}
	if !utf8.ValidString(t.Summary) || utf8.RuneCountInString(t.Summary) > MaxTipSummaryLen {
		return Errorf(EINVALID, "summary", "must be valid UTF-8 of at most %d characters", MaxTipSummaryLen)
	}
	if !t.Outcome.Valid() {
		return Errorf(EINVALID, "outcome", "must be one of criminal, administrative, education, unfounded, pending, got %q", t.Outcome)
	}
	if t.People < 0 || t.People > MaxSubjects {
		return Errorf(EINVALID, "people", "must be from 0 to %d, got %d", MaxSubjects, t.People)
	}
	if t.People > 0 && !t.Outcome.HasPeople() {
		return Errorf(EINVALID, "people", "must be 0 when the outcome is %s", t.Outcome)
	}
	return validateTipIncidents(t.IncidentIDs)
}

func validateTipIncidents(ids []string) error {
	if len(ids) > MaxTipIncidents {
		return Errorf(EINVALID, "incident_ids", "must list at most %d incidents", MaxTipIncidents)
	}
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		if err := ValidateID(id); err != nil {
			return Errorf(EINVALID, "incident_ids", "item %d: %s", i, messageOf(err))
		}
		if seen[id] {
			return Errorf(EINVALID, "incident_ids", "lists %q twice", id)
		}
		seen[id] = true
	}
	return nil
}

// TipIDPrefix starts every generated tip id.
const TipIDPrefix = "TIP-"

// FormatTipID returns the generated id of the seq-th tip recorded on
// day: "TIP-20261128-000123".
func FormatTipID(day time.Time, seq uint64) string {
	s := strconv.FormatUint(seq, 10)
	if len(s) < 6 {
		s = strings.Repeat("0", 6-len(s)) + s
	}
	return TipIDPrefix + day.UTC().Format("20060102") + "-" + s
}

// Limits on the informant's details.
const (
	MaxInformantName    = 200
	MaxInformantPhone   = 40
	MaxInformantAddress = 500
	MaxInformantNote    = 2000
)

// Informant is who gave a tip, in their own words: never stored, logged
// or answered as such. The daemon seals it (encrypts it to the police
// chiefs' public keys) on arrival; only a holder of a chief's private key
// reads it again, on their own machine.
type Informant struct {
	Name    string `json:"name,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Address string `json:"address,omitempty"`
	Note    string `json:"note,omitempty"`
}

// Empty reports whether no detail is given.
func (in *Informant) Empty() bool {
	return strings.TrimSpace(in.Name+in.Phone+in.Address+in.Note) == ""
}

// Validate checks the informant's details. Its messages name the field
// and never quote the value.
func (in *Informant) Validate() error {
	for _, f := range []struct {
		field, v string
		max      int
	}{
		{"informant.name", in.Name, MaxInformantName},
		{"informant.phone", in.Phone, MaxInformantPhone},
		{"informant.address", in.Address, MaxInformantAddress},
	} {
		if err := checkText(f.field, f.v, f.max); err != nil {
			return err
		}
	}
	if !utf8.ValidString(in.Note) || utf8.RuneCountInString(in.Note) > MaxInformantNote {
		return Errorf(EINVALID, "informant.note", "must be valid UTF-8 of at most %d characters", MaxInformantNote)
	}
	if in.Empty() {
		return Errorf(EINVALID, "informant", "must give at least one of name, phone, address, note (leave informant out for an anonymous tip)")
	}
	return nil
}

// ValidateAccessReason checks the reason given for fetching a tip's
// sealed informant: required, at most MaxTipAccessReason characters, no
// control characters. It is written to the audit log.
func ValidateAccessReason(reason string) error {
	if strings.TrimSpace(reason) == "" {
		return Errorf(EINVALID, "reason", "is required: why the informant must be revealed (it is audited)")
	}
	return checkText("reason", reason, MaxTipAccessReason)
}
