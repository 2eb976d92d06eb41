package api

import (
	"encoding/json"
	"strings"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/vntext"
)

// tipInput is the JSON a client sends to record or patch a tip. Pointers
// tell "absent" from "zero", as incidentInput's. The informant is only
// ever read here, sealed at once by the handler, and dropped.
type tipInput struct {
	ID          *string         `json:"id"`
	ReceivedAt  *string         `json:"received_at"`
	Channel     *string         `json:"channel"`
	Lat         *float64        `json:"lat"`
	Lon         *float64        `json:"lon"`
	Commune     *string         `json:"commune"`
	Place       *string         `json:"place"`
	Category    *string         `json:"category"`
	Summary     *string         `json:"summary"`
	Outcome     *string         `json:"outcome"`
	People      *int            `json:"people"`
	IncidentIDs *[]string       `json:"incident_ids"`
	Hold        *bool           `json:"hold"`
	Informant   *informantInput `json:"informant"`
	// Read-only fields a client may send back unchanged after a GET.
	HasInformant *json.RawMessage `json:"has_informant"`
	CreatedBy    *json.RawMessage `json:"created_by"`
	CreatedAt    *json.RawMessage `json:"created_at"`
	UpdatedAt    *json.RawMessage `json:"updated_at"`
}

// informantInput is who gave the tip. Strings only: a wrong type is an
// error naming the field (informant.phone), never quoting the value.
type informantInput struct {
	Name    *string `json:"name"`
	Phone   *string `json:"phone"`
	Address *string `json:"address"`
	Note    *string `json:"note"`
}

// informant returns the informant's details, NFC, trimmed.
func (in *informantInput) informant() *camera.Informant {
	text := func(p *string) string {
		if p == nil {
			return ""
		}
		return strings.TrimSpace(vntext.NFC(*p))
	}
	return &camera.Informant{Name: text(in.Name), Phone: text(in.Phone), Address: text(in.Address), Note: text(in.Note)}
}

// requireFields checks that a new tip names what cannot be defaulted.
func (in *tipInput) requireFields() error {
	switch {
	case in.ReceivedAt == nil:
		return invalid("received_at", "is required: an RFC 3339 time with its offset, such as 2026-11-28T21:40:00+07:00")
	case in.Channel == nil:
		return invalid("channel", "is required: hotline, in_person, message or other")
	case in.Category == nil:
		return invalid("category", "is required")
	case in.Summary == nil:
		return invalid("summary", "is required: what was reported")
	}
	return nil
}

// apply writes the fields present onto t, normalising text to NFC.
func (in *tipInput) apply(t *camera.Tip) error {
	text := func(s string) string { return strings.TrimSpace(vntext.NFC(s)) }
	if in.ID != nil {
		t.ID = text(*in.ID)
	}
	if in.ReceivedAt != nil {
		at, err := parseTime("received_at", strings.TrimSpace(*in.ReceivedAt))
		if err != nil {
			return err
		}
		t.ReceivedAt = at
	}
	if in.Channel != nil {
		t.Channel = camera.Channel(strings.TrimSpace(*in.Channel))
	}
	if in.Lat != nil || in.Lon != nil {
		t.Lat, t.Lon = in.Lat, in.Lon
	}
	if in.Commune != nil {
		t.Commune = text(*in.Commune)
	}
	if in.Place != nil {
		t.Place = text(*in.Place)
	}
	if in.Category != nil {
		t.Category = camera.Category(strings.TrimSpace(*in.Category))
	}
	if in.Summary != nil {
		t.Summary = strings.TrimSpace(vntext.NFC(*in.Summary))
	}
	if in.Outcome != nil {
		t.Outcome = camera.Outcome(strings.TrimSpace(*in.Outcome))
	}
	if in.People != nil {
		t.People = *in.People
	}
	if in.IncidentIDs != nil {
		ids := make([]string, len(*in.IncidentIDs))
		for i, id := range *in.IncidentIDs {
			ids[i] = text(id)
		}
		t.IncidentIDs = ids
	}
	if in.Hold != nil {
		t.Hold = *in.Hold
	}
	return nil
}
