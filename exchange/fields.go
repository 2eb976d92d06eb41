package exchange

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/vntext"
)

// value is one camera field as a file gave it: the text of a CSV field or
// of a JSON string, or the literal of a JSON number. Both formats go through
// the same setField, so that a CSV and a GeoJSON import of the same camera
// agree on every rule.
type value struct {
	s   string
	num bool // s is a JSON number literal (exponents allowed)
}

// setField parses v into the field col of c. Text is trimmed and put in
// NFC; the enumerations (road_class, site, status) are also lower-cased,
// since "National" can only mean national.
//
// An empty field (a CSV cell, a GeoJSON property "" or null) is "not
// given": c keeps what camera.New gave it — the default of a field that
// has one, zero or empty otherwise — except lat and lon, which are
// required. A value given is stored as given, a 0 field of view or range
// included, and Validate then judges it.
func setField(c *camera.Camera, col column, v value) *camera.Error {
	if v.num && col != colID && !isNumeric(col) {
		return camera.Errorf(camera.EINVALID, col.String(), "must be a string, got a number")
	}
	if !v.num && strings.TrimSpace(v.s) == "" {
		if col == colLat || col == colLon {
			return camera.Errorf(camera.EINVALID, col.String(), "is required")
		}
		return nil
	}
	switch col {
	case colID:
		c.ID = cleanText(v.s)
	case colName:
		c.Name = cleanText(v.s)
	case colCommune:
		c.Commune = cleanText(v.s)
	case colDistrict:
		c.District = cleanText(v.s)
	case colProvince:
		c.Province = cleanText(v.s)
	case colRoadClass:
		c.RoadClass = camera.RoadClass(cleanWord(v.s))
	case colSite:
		c.Site = camera.Site(cleanWord(v.s))
	case colStatus:
		c.Status = camera.Status(cleanWord(v.s))
	case colRTSPURL:
		// Not NFC: a URL is bytes for the camera's server, not text. But
		// url.Parse lets bytes that are not UTF-8 through, and nothing else
		// would catch them.
		if !utf8.ValidString(v.s) {
			return camera.Errorf(camera.EINVALID, col.String(), "is not valid UTF-8")
		}
		c.RTSPURL = strings.TrimSpace(v.s)
	case colInstalledOn:
		c.InstalledOn = strings.TrimSpace(v.s)
	case colNotes:
		c.Notes = cleanNotes(v.s)
	case colCostVND:
		n, err := parseCost(v)
		if err != nil {
			return err
		}
		c.CostVND = n
	case colLat, colLon, colDirection, colFOV, colRange:
		f, err := parseDecimal(col, v)
		if err != nil {
			return err
		}
		setNumber(c, col, f)
	}
	return nil
}

// setNumber stores a parsed number in its field.
func setNumber(c *camera.Camera, col column, f float64) {
	switch col {
	case colLat:
		c.Lat = f
	case colLon:
		c.Lon = f
	case colDirection:
		c.DirectionDeg = f
	case colFOV:
		c.FOVDeg = f
	case colRange:
		c.RangeM = f
	}
}

// isNumeric reports whether col holds a number.
func isNumeric(col column) bool {
	switch col {
	case colLat, colLon, colDirection, colFOV, colRange, colCostVND:
		return true
	}
	return false
}

// parseDecimal parses a decimal number. Text must be a plain decimal with
// '.' as separator (10.35, -0.5, 42): no exponent, hexadecimal, Inf, NaN or
// thousands separators, which a spreadsheet never means and a typo often
// does. A JSON number literal may use an exponent, since JSON encoders write
// small values that way (1e-07). The field is not empty: setField has
// dealt with that.
func parseDecimal(col column, v value) (float64, *camera.Error) {
	s := strings.TrimSpace(v.s)
	if !v.num && !isPlainDecimal(s) {
		if strings.Count(s, ",") == 1 && isPlainDecimal(strings.Replace(s, ",", ".", 1)) {
			return 0, camera.Errorf(camera.EINVALID, col.String(), "must use '.' as the decimal separator, got %s", quoteShort(s))
		}
		return 0, camera.Errorf(camera.EINVALID, col.String(), "must be a decimal number such as 10.35, got %s", quoteShort(s))
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, camera.Errorf(camera.EINVALID, col.String(), "is out of range, got %s", quoteShort(s))
	}
	return f, nil
}

// isPlainDecimal reports whether s is [+-]digits[.digits], allowing either
// side of the point to be empty but not both.
func isPlainDecimal(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	digits, point := 0, false
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b >= '0' && b <= '9':
			digits++
		case b == '.' && !point:
			point = true
		default:
			return false
		}
	}
	return digits > 0
}

// parseCost parses cost_vnd: a whole number of đồng, at most
// camera.MaxVND. Text is read as parseVND reads amounts ("4.500.000 ₫"); a
// JSON number must be a plain integer, since 4.500 there is four and a
// half. Money is never a float (docs/design.md), so a fraction is refused rather
// than rounded.
func parseCost(v value) (int64, *camera.Error) {
	name := colCostVND.String()
	s := strings.TrimSpace(v.s)
	if s == "" {
		return 0, nil
	}
	var n int64
	if v.num {
		var err error
		n, err = strconv.ParseInt(s, 10, 64)
		if errors.Is(err, strconv.ErrRange) {
			return 0, camera.Errorf(camera.EINVALID, name, "is too large, got %s", quoteShort(s))
		}
		if err != nil {
			return 0, camera.Errorf(camera.EINVALID, name, "must be a whole number of đồng, got %s", quoteShort(s))
		}
	} else {
		var why string
		if n, why = parseVND(v.s); why != "" {
			return 0, camera.Errorf(camera.EINVALID, name, "%s", why)
		}
	}
	if n < 0 {
		return 0, camera.Errorf(camera.EINVALID, name, "must be 0 or more đồng, got %d", n)
	}
	if n > camera.MaxVND {
		return 0, camera.Errorf(camera.EINVALID, name, "must be at most %s, got %d", camera.FormatVND(camera.MaxVND), n)
	}
	return n, nil
}

// cleanText is how every free-text field is stored: NFC (docs/design.md: names
// typed with combining marks must equal precomposed ones), then trimmed.
func cleanText(s string) string { return strings.TrimSpace(vntext.NFC(s)) }

// cleanWord is how an enumeration is read: trimmed and lower-cased.
func cleanWord(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// cleanNotes is cleanText for multi-line notes, with every line ending made
// "\n". Without that a note with "\r\n" would not survive a CSV round trip:
// encoding/csv turns "\r\n" inside a quoted field into "\n" on reading.
func cleanNotes(s string) string {
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	return cleanText(s)
}

// finish turns a camera whose fields are set (on camera.New) into a stored
// one: splits credentials off the RTSP URL and validates.
//
// SplitRTSPURL is only needed when the URL has an '@' or a credential
// query parameter (camera.MayHoldCredentials): without them it carries no
// credentials, and Validate checks the URL anyway. Skipping it keeps such
// URLs byte for byte as given (SplitRTSPURL re-serialises) and saves a URL
// parse per row.
func finish(c *camera.Camera) *camera.Error {
	if camera.MayHoldCredentials(c.RTSPURL) {
		clean, creds, err := camera.SplitRTSPURL(c.RTSPURL)
		if err != nil {
			return asDomain(err)
		}
		c.RTSPURL, c.Credentials = clean, creds
	}
	if err := c.Validate(); err != nil {
		e := asDomain(err)
		// The credentials came from rtsp_url: say so, since the file has no
		// column of that name.
		switch e.Field {
		case "rtsp_username":
			return camera.Errorf(camera.EINVALID, colRTSPURL.String(), "user name %s", e.Message)
		case "rtsp_password":
			return camera.Errorf(camera.EINVALID, colRTSPURL.String(), "password %s", e.Message)
		}
		return e
	}
	return nil
}

// asDomain returns err as a *camera.Error, wrapping any other error as
// invalid input.
func asDomain(err error) *camera.Error {
	var e *camera.Error
	if errors.As(err, &e) {
		return e
	}
	return camera.Errorf(camera.EINVALID, "", "%s", err.Error())
}

// quoteShort quotes s for a message, cut to a length that a report can
// show: a rejection should point at the value, not repeat a 60 KiB field.
func quoteShort(s string) string {
	const max = 40
	if len(s) > max {
		s = cutUTF8(s, max) + "…"
	}
	return strconv.Quote(s)
}

// cutUTF8 returns at most n bytes of s, cut at a rune boundary and with
// invalid bytes replaced, so that the result is safe in JSON and logs.
func cutUTF8(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
