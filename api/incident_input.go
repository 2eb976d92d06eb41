package api

import (
	"encoding/json"
	"strings"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/vntext"
)

// incidentInput is the JSON a client sends to create or patch an
// incident. Pointers tell "absent" from "zero" (PATCH needs it, and POST
// insists on the fields that cannot be defaulted); only an absent handling
// takes the default none. Times are read as text so that a bad one is an
// error naming its field.
type incidentInput struct {
	ID        *string   `json:"id"`
	CameraIDs *[]string `json:"camera_ids"`
	Start     *string   `json:"start"`
	End       *string   `json:"end"`
	Category  *string   `json:"category"`
	CaseRef   *string   `json:"case_ref"`
	Subjects  *int      `json:"subjects"`
	Handling  *string   `json:"handling"`
	Note      *string   `json:"note"`
	Hold      *bool     `json:"hold"`
	Lat       *float64  `json:"lat"`
	Lon       *float64  `json:"lon"`
	// Read-only fields a client may send back unchanged after a GET; the
	// store keeps its own values whatever they say.
	Clips     *json.RawMessage `json:"clips"`
	CreatedBy *json.RawMessage `json:"created_by"`
	CreatedAt *json.RawMessage `json:"created_at"`
	UpdatedAt *json.RawMessage `json:"updated_at"`
}

// requireFields checks that a new incident names what cannot be defaulted.
func (in *incidentInput) requireFields() error {
	switch {
	case in.CameraIDs == nil:
		return invalid("camera_ids", "is required: the cameras that saw the incident")
	case in.Start == nil:
		return invalid("start", "is required: an RFC 3339 time")
	case in.End == nil:
		return invalid("end", "is required: an RFC 3339 time")
	case in.Category == nil:
		return invalid("category", "is required")
	}
	return nil
}

// apply writes the fields present onto inc, normalising text to NFC. The
// result is validated by the caller (camera.Incident.Validate, through
// the store).
func (in *incidentInput) apply(inc *camera.Incident) error {
	text := func(s string) string { return strings.TrimSpace(vntext.NFC(s)) }
	if in.ID != nil {
		inc.ID = text(*in.ID)
	}
	if in.CameraIDs != nil {
		ids := make([]string, len(*in.CameraIDs))
		for i, id := range *in.CameraIDs {
			ids[i] = text(id)
		}
		inc.CameraIDs = ids
	}
	if in.Start != nil {
		t, err := parseTime("start", strings.TrimSpace(*in.Start))
		if err != nil {
			return err
		}
		inc.Start = t
	}
	if in.End != nil {
		t, err := parseTime("end", strings.TrimSpace(*in.End))
		if err != nil {
			return err
		}
		inc.End = t
	}
	if in.Category != nil {
		inc.Category = camera.Category(strings.TrimSpace(*in.Category))
	}
	if in.CaseRef != nil {
		inc.CaseRef = text(*in.CaseRef)
	}
	if in.Subjects != nil {
		inc.Subjects = *in.Subjects
	}
	if in.Handling != nil {
		inc.Handling = camera.Handling(strings.TrimSpace(*in.Handling))
	}
	if in.Note != nil {
		inc.Note = vntext.NFC(*in.Note)
	}
	if in.Hold != nil {
		inc.Hold = *in.Hold
	}
	// A place is given whole or not at all; Validate names the missing
	// half.
	if in.Lat != nil || in.Lon != nil {
		inc.Lat, inc.Lon = in.Lat, in.Lon
	}
	return nil
}

// newIncident builds a new incident from a create request and checks it
// as the store will, so that an import can reject an item without
// stopping.
func (in *incidentInput) newIncident() (*camera.Incident, error) {
	if err := in.requireFields(); err != nil {
		return nil, err
	}
	inc := camera.NewIncident()
	if err := in.apply(inc); err != nil {
		return nil, err
	}
	inc.Normalize()
	if err := inc.Validate(); err != nil {
		return nil, err
	}
	return inc, nil
}

// patch applies the fields present onto a stored incident and validates
// the result here, before the store's own checks: the store gives an
// incident built in Go code without a handling the default, and an empty
// handling a client sends must be refused instead.
func (in *incidentInput) patch(inc *camera.Incident) error {
	if err := in.apply(inc); err != nil {
		return err
	}
	inc.Normalize()
	return inc.Validate()
}
