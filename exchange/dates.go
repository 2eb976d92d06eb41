package exchange

import (
	"strings"
	"time"

	"github.com/matthan/matthan/camera"
)

// receivedOnLayouts are the dates a donation import reads in received_on:
// the contract's YYYY-MM-DD, and the day-first DD/MM/YYYY (or D/M/YYYY,
// also with '-' or '.') that Vietnamese banks print, each optionally
// followed by a time of day, which a date does not keep. A month-first
// date (05/13/2024) is refused, never swapped: in Vietnam 05/01/2024 is
// the 5th of January. Two-digit years are refused too.
var receivedOnLayouts = []string{
	camera.DateLayout,
	"2006-01-02 15:04", "2006-01-02 15:04:05",
	// ISO 8601 date-times, as a spreadsheet's date cells (t="d") hold them.
	"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04Z07:00", "2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05.999999999Z07:00",
	"2/1/2006", "2/1/2006 15:04", "2/1/2006 15:04:05",
	"2-1-2006", "2-1-2006 15:04", "2-1-2006 15:04:05",
	"2.1.2006", "2.1.2006 15:04", "2.1.2006 15:04:05",
}

// parseReceivedOn returns received_on in the contract's layout
// (YYYY-MM-DD), from any of receivedOnLayouts. An empty field is left to
// camera.Donation.Validate, which words what is required; a date from
// before MinDonationYear or in the future is too.
func parseReceivedOn(raw string) (string, *camera.Error) {
	s := strings.TrimSpace(raw)
	if s == "" || len(s) == len(camera.DateLayout) && s[4] == '-' {
		// The common case, checked by Validate as it is.
		return s, nil
	}
	s = strings.Join(strings.Fields(s), " ") // "01/05/2024  10:32" as one space
	for _, layout := range receivedOnLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			// The date as written: a zone, if any, is not applied.
			return t.Format(camera.DateLayout), nil
		}
	}
	return "", camera.Errorf(camera.EINVALID, dcReceivedOn.String(), "must be a date YYYY-MM-DD or DD/MM/YYYY (day first), got %s", quoteShort(raw))
}
