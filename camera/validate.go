package camera

import (
	"math"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Validate checks every field of c and returns an *Error with code EINVALID
// naming the first field at fault. Fields left out have their defaults
// already (see New): Validate checks every value as it is.
func (c *Camera) Validate() error {
	if err := ValidateID(c.ID); err != nil {
		return err
	}
	if err := checkText("name", c.Name, MaxNameLen); err != nil {
		return err
	}
	if strings.TrimSpace(c.Name) == "" {
		return Errorf(EINVALID, "name", "must not be empty")
	}
	if math.IsNaN(c.Lat) || math.IsInf(c.Lat, 0) || c.Lat < -90 || c.Lat > 90 {
		return Errorf(EINVALID, "lat", "must be a number from -90 to 90, got %v", c.Lat)
	}
	if math.IsNaN(c.Lon) || math.IsInf(c.Lon, 0) || c.Lon < -180 || c.Lon > 180 {
		return Errorf(EINVALID, "lon", "must be a number from -180 to 180, got %v", c.Lon)
	}
	for _, f := range []struct{ name, v string }{{"commune", c.Commune}, {"district", c.District}, {"province", c.Province}} {
		if err := checkText(f.name, f.v, MaxTextLen); err != nil {
			return err
		}
	}
	if !c.RoadClass.Valid() {
		return Errorf(EINVALID, "road_class", "must be one of national, provincial, district, commune, urban, other, got %q", c.RoadClass)
	}
	if !c.Site.Valid() {
		return Errorf(EINVALID, "site", "must be one of intersection, road, other, got %q", c.Site)
	}
	if math.IsNaN(c.DirectionDeg) || c.DirectionDeg < 0 || c.DirectionDeg >= 360 {
		return Errorf(EINVALID, "direction_deg", "must be from 0 to 359 (0 = north, clockwise), got %v", c.DirectionDeg)
	}
	if math.IsNaN(c.FOVDeg) || c.FOVDeg < 1 || c.FOVDeg > 360 {
		return Errorf(EINVALID, "fov_deg", "must be from 1 to 360, got %v%s", c.FOVDeg, unknownHint(c.FOVDeg))
	}
	if math.IsNaN(c.RangeM) || c.RangeM <= 0 || c.RangeM > MaxRangeM {
		return Errorf(EINVALID, "range_m", "must be more than 0 and at most %d metres, got %v%s", MaxRangeM, c.RangeM, unknownHint(c.RangeM))
	}
	if c.RTSPURL != "" {
		_, creds, err := SplitRTSPURL(c.RTSPURL)
		if err != nil {
			return err
		}
		// Credentials must have been split off before validation.
		if creds.Query != "" {
			return Errorf(EINVALID, "rtsp_url", "credentials must be split off the URL")
		}
		if strings.Contains(c.RTSPURL, "@") {
			if u, err := url.Parse(c.RTSPURL); err == nil && u.User != nil {
				return Errorf(EINVALID, "rtsp_url", "credentials must be split off the URL")
			}
		}
	}
	if err := checkText("rtsp_username", c.Credentials.Username, MaxTextLen); err != nil {
		return err
	}
	if err := checkText("rtsp_password", c.Credentials.Password, MaxTextLen); err != nil {
		return err
	}
	// The query's credentials came in rtsp_url, within its length; the
	// message must not repeat them.
	if len(c.Credentials.Query) > MaxURLLen || checkText("rtsp_url", c.Credentials.Query, MaxURLLen) != nil {
		return Errorf(EINVALID, "rtsp_url", "has credential parameters that are not valid UTF-8 text of at most %d bytes", MaxURLLen)
	}
	if c.InstalledOn != "" {
		if err := ValidateDate("installed_on", c.InstalledOn); err != nil {
			return err
		}
	}
	if c.CostVND < 0 {
		return Errorf(EINVALID, "cost_vnd", "must be 0 or more đồng, got %d", c.CostVND)
	}
	if c.CostVND > MaxVND {
		return Errorf(EINVALID, "cost_vnd", "must be at most %s, got %d", FormatVND(MaxVND), c.CostVND)
	}
	if !c.Status.Valid() {
		return Errorf(EINVALID, "status", "must be active or retired, got %q", c.Status)
	}
	if utf8.RuneCountInString(c.Notes) > MaxNotesLen || !utf8.ValidString(c.Notes) {
		return Errorf(EINVALID, "notes", "must be valid UTF-8 of at most %d characters", MaxNotesLen)
	}
	return nil
}

// unknownHint follows the message about a 0 field of view or range: a
// writer who put 0 for "not known" should leave the field out instead,
// which gives the default.
func unknownHint(v float64) string {
	if v == 0 {
		return " (leave it out if unknown)"
	}
	return ""
}

// ValidateID checks a camera id: non-empty, at most MaxIDLen characters,
// printable UTF-8, no '/' (ids appear in URL paths) and no surrounding
// spaces.
func ValidateID(id string) error {
	switch {
	case id == "":
		return Errorf(EINVALID, "id", "must not be empty")
	case !utf8.ValidString(id):
		return Errorf(EINVALID, "id", "must be valid UTF-8")
	case utf8.RuneCountInString(id) > MaxIDLen:
		return Errorf(EINVALID, "id", "must be at most %d characters", MaxIDLen)
	case strings.ContainsRune(id, '/'):
		return Errorf(EINVALID, "id", "must not contain '/'")
	case strings.TrimSpace(id) != id:
		return Errorf(EINVALID, "id", "must not start or end with spaces")
	}
	for _, r := range id {
		if !unicode.IsPrint(r) {
			return Errorf(EINVALID, "id", "must not contain control characters")
		}
	}
	return nil
}

// ValidateDate checks that s is a calendar date YYYY-MM-DD.
func ValidateDate(field, s string) error {
	if _, err := time.Parse(DateLayout, s); err != nil {
		return Errorf(EINVALID, field, "must be a date YYYY-MM-DD, got %q", s)
	}
	return nil
}

func checkText(field, v string, max int) error {
	if !utf8.ValidString(v) {
		return Errorf(EINVALID, field, "must be valid UTF-8")
	}
	if utf8.RuneCountInString(v) > max {
		return Errorf(EINVALID, field, "must be at most %d characters", max)
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return Errorf(EINVALID, field, "must not contain control characters")
		}
	}
	return nil
}
