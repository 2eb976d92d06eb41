package record

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/jsontext"
)

// The camera codec: fast paths read and write encoding/json's bytes of cameraRecord and hand
// anything else to encoding/json. How much faster: camera_bench_test.go (BenchmarkDecodeCamera).

// cameraRecord is how a camera is stored: the public fields plus the
// credentials, which camera.Camera keeps out of JSON on purpose. The
// reference for the fast paths below.
//
// rtsp_query_credentials (Credentials.Query, the credential parameters of
// the URL's query at their places) came with the query credentials of
// issue 11; a record without it reads as before. A record written before
// it may hold such parameters in rtsp_url itself: DecodeCamera lifts them
// out (camera.LiftURLCredentials), so that the camera reads as if it had
// been written now, and its next write stores them apart.
type cameraRecord struct {
	*camera.Camera
	Username string `json:"rtsp_username,omitempty"`
	Password string `json:"rtsp_password,omitempty"`
	Query    string `json:"rtsp_query_credentials,omitempty"`
}

// EncodeCamera returns the record of c: the bytes json.Marshal writes for
// its cameraRecord (same member order, HTML-safe string escapes, ES6
// number format, RFC 3339 times). A value json.Marshal refuses (NaN, a
// year past 9999) goes through json.Marshal for its error.
func EncodeCamera(c *camera.Camera) ([]byte, error) {
	if b, ok := appendCamera(make([]byte, 0, cameraSizeHint(c)), c); ok {
		return b, nil
	}
	return json.Marshal(cameraRecord{Camera: c, Username: c.Credentials.Username, Password: c.Credentials.Password, Query: c.Credentials.Query})
}

// DecodeCamera reads a camera record as json.Unmarshal into cameraRecord
// reads it. The fast path takes an object whose keys are exactly the
// record's (no escapes, in any order, repeats allowed), whose values have
// the expected types, whose strings are valid UTF-8 without control bytes
// or lone surrogates, with nothing after it but white space. Any other
// input — a key encoding/json would match case-blindly or ignore, a null,
// a number out of range, a time that does not parse, broken JSON — goes
// through json.Unmarshal, which gives the value or the error it always
// gave. Each string is its own allocation, as with encoding/json: the
// spatial index keeps the ids of a million cameras, and an id must not
// keep its whole record alive.
func DecodeCamera(v []byte) (*camera.Camera, error) {
	c := &camera.Camera{}
	if !fastDecodeCamera(v, c) {
		*c = camera.Camera{} // what the fast path set before it gave up
		rec := cameraRecord{Camera: c}
		if err := json.Unmarshal(v, &rec); err != nil {
			return nil, fmt.Errorf("decode camera record: %w", err)
		}
		c.Credentials = camera.Credentials{Username: rec.Username, Password: rec.Password, Query: rec.Query}
	}
	c.LiftURLCredentials()
	return c, nil
}

// Decoding.

// fastDecodeCamera decodes v into c, a zero camera, and reports whether
// it could; false leaves c partly set.
func fastDecodeCamera(v []byte, c *camera.Camera) bool {
	d := cameraDecoder{v: v}
	i := skipSpace(v, 0)
	if i >= len(v) || v[i] != '{' {
		return false
	}
	i = skipSpace(v, i+1)
	if i < len(v) && v[i] == '}' {
		return skipSpace(v, i+1) == len(v)
	}
	for {
		var key []byte
		var ok bool
		if key, i, ok = memberKey(v, i); !ok {
			return false
		}
		if i, ok = d.member(key, i, c); !ok {
			return false
		}
		i = skipSpace(v, i)
		if i >= len(v) {
			return false
		}
		switch v[i] {
		case ',':
			i = skipSpace(v, i+1)
		case '}':
			return skipSpace(v, i+1) == len(v)
		default:
			return false
		}
	}
}

// memberKey reads the key of the object member at v[i], which must have
// no escapes (encoding/json writes none in a camera's keys), and returns
// it with the index of the member's value.
func memberKey(v []byte, i int) (key []byte, value int, ok bool) {
	if i >= len(v) || v[i] != '"' {
		return nil, 0, false
	}
	end, esc, ok := stringEnd(v, i)
	if !ok || esc {
		return nil, 0, false
	}
	key = v[i+1 : end-1]
	i = skipSpace(v, end)
	if i >= len(v) || v[i] != ':' {
		return nil, 0, false
	}
	return key, skipSpace(v, i+1), true
}

// cameraDecoder reads the values of one record.
type cameraDecoder struct{ v []byte }

// Known values of the enumerated fields: a stored one becomes the
// constant rather than a new string.
var (
	knownRoadClasses = []string{"national", "provincial", "district", "commune", "urban", "other"}
	knownSites       = []string{"intersection", "road", "other"}
	knownStatuses    = []string{"active", "retired"}
)

// member decodes the value at v[i] of the member named key into c and
// returns the index past it. Unknown keys are not for the fast path:
// encoding/json matches keys without regard to case.
func (d cameraDecoder) member(key []byte, i int, c *camera.Camera) (int, bool) {
	switch string(key) {
	case "id":
		return d.str(i, &c.ID)
	case "name":
		return d.str(i, &c.Name)
	case "lat":
		return d.float(i, &c.Lat)
	case "lon":
		return d.float(i, &c.Lon)
	case "commune":
		return d.str(i, &c.Commune)
	case "district":
		return d.str(i, &c.District)
	case "province":
		return d.str(i, &c.Province)
	case "road_class":
		s, next, ok := d.enum(i, knownRoadClasses)
		c.RoadClass = camera.RoadClass(s)
		return next, ok
	case "site":
		s, next, ok := d.enum(i, knownSites)
		c.Site = camera.Site(s)
		return next, ok
	case "direction_deg":
		return d.float(i, &c.DirectionDeg)
	case "fov_deg":
		return d.float(i, &c.FOVDeg)
	case "range_m":
		return d.float(i, &c.RangeM)
	case "rtsp_url":
		return d.str(i, &c.RTSPURL)
	case "installed_on":
		return d.str(i, &c.InstalledOn)
	case "cost_vnd":
		return d.int(i, &c.CostVND)
	case "status":
		s, next, ok := d.enum(i, knownStatuses)
		c.Status = camera.Status(s)
		return next, ok
	case "notes":
		return d.str(i, &c.Notes)
	case "created_at":
		return d.time(i, &c.CreatedAt)
	case "updated_at":
		return d.time(i, &c.UpdatedAt)
	case "rtsp_username":
		return d.str(i, &c.Credentials.Username)
	case "rtsp_password":
		return d.str(i, &c.Credentials.Password)
	case "rtsp_query_credentials":
		return d.str(i, &c.Credentials.Query)
	}
	return 0, false
}

func (d cameraDecoder) str(i int, dst *string) (int, bool) {
	raw, esc, next, ok := d.stringToken(i)
	switch {
	case !ok:
		return 0, false
	case esc:
		*dst, ok = unescape(raw)
	default:
		*dst = string(raw)
	}
	return next, ok
}

// enum is str for a field with known values: a known value costs no
// allocation.
func (d cameraDecoder) enum(i int, known []string) (string, int, bool) {
	raw, esc, next, ok := d.stringToken(i)
	if !ok {
		return "", 0, false
	}
	if esc {
		s, ok := unescape(raw)
		return s, next, ok
	}
	for _, k := range known {
		if string(raw) == k {
			return k, next, true
		}
	}
	return string(raw), next, true
}

// stringToken finds the JSON string at v[i]: its bytes between the
// quotes, whether they hold an escape, and the index past it. It refuses
// what encoding/json would refuse or repair: control bytes, invalid UTF-8
// (escapes are checked by unescape).
func (d cameraDecoder) stringToken(i int) (raw []byte, esc bool, next int, ok bool) {
	v := d.v
	if i >= len(v) || v[i] != '"' {
		return nil, false, 0, false
	}
	for j := i + 1; j < len(v); {
		b := v[j]
		if b >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(v[j:])
			if r == utf8.RuneError && size == 1 {
				return nil, false, 0, false
			}
			j += size
			continue
		}
		switch {
		case plainASCII[b]:
			j++
		case b == '"':
			return v[i+1 : j], esc, j + 1, true
		case b == '\\':
			esc = true
			j += 2 // past the escaped byte, a quote perhaps
		default: // a control byte
			return nil, false, 0, false
		}
	}
	return nil, false, 0, false
}

// plainASCII marks the ASCII bytes that stand for themselves in a JSON
// string: all but control bytes, the quote and the backslash.
var plainASCII = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// unescape returns the text of the JSON string body s, which has at least
// one backslash, as encoding/json decodes it; false for an escape it
// would refuse, and for a lone surrogate (which it would make U+FFFD:
// the slow path does that). The text is never longer than s, and the
// Builder makes it a string without a copy: one allocation.
func unescape(s []byte) (string, bool) {
	var sb strings.Builder
	sb.Grow(len(s))
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			j := bytes.IndexByte(s[i:], '\\')
			if j < 0 {
				j = len(s) - i
			}
			sb.Write(s[i : i+j])
			i += j
			continue
		}
		if i+1 >= len(s) {
			return "", false
		}
		switch c := s[i+1]; c {
		case '"', '\\', '/':
			sb.WriteByte(c)
		case 'b':
			sb.WriteByte('\b')
		case 'f':
			sb.WriteByte('\f')
		case 'n':
			sb.WriteByte('\n')
		case 'r':
			sb.WriteByte('\r')
		case 't':
			sb.WriteByte('\t')
		case 'u':
			r, ok := hex4(s[i+2:])
			if !ok {
				return "", false
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 > len(s) || s[i] != '\\' || s[i+1] != 'u' {
					return "", false
				}
				lo, ok := hex4(s[i+2:])
				if r = utf16.DecodeRune(r, lo); !ok || r == utf8.RuneError {
					return "", false
				}
				i += 6
			}
			sb.WriteRune(r)
			continue
		default:
			return "", false
		}
		i += 2
	}
	return sb.String(), true
}

// hex4 reads the four hex digits of a \u escape.
func hex4(s []byte) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number finds the JSON number at v[i] (RFC 8259's grammar: no leading
// zeros, no '+', digits on both sides of the point) and whether it is an
// integer (no fraction, no exponent).
func (d cameraDecoder) number(i int) (num []byte, integer bool, next int, ok bool) {
	v := d.v
	j := i
	if j < len(v) && v[j] == '-' {
		j++
	}
	switch {
	case j < len(v) && v[j] == '0':
		j++
	case j < len(v) && '1' <= v[j] && v[j] <= '9':
		j = digits(v, j)
	default:
		return nil, false, 0, false
	}
	integer = true
	if j < len(v) && v[j] == '.' {
		integer = false
		k := digits(v, j+1)
		if k == j+1 {
			return nil, false, 0, false
		}
		j = k
	}
	if j < len(v) && (v[j] == 'e' || v[j] == 'E') {
		integer = false
		j++
		if j < len(v) && (v[j] == '+' || v[j] == '-') {
			j++
		}
		k := digits(v, j)
		if k == j {
			return nil, false, 0, false
		}
		j = k
	}
	return v[i:j], integer, j, true
}

func digits(v []byte, j int) int {
	for j < len(v) && '0' <= v[j] && v[j] <= '9' {
		j++
	}
	return j
}

// float decodes a number as encoding/json does for a float64 field, with
// the correctly rounded result of strconv.ParseFloat; one out of range is
// for the slow path (an error there).
func (d cameraDecoder) float(i int, dst *float64) (int, bool) {
	num, _, next, ok := d.number(i)
	if !ok {
		return 0, false
	}
	if f, ok := shortDecimal(num); ok {
		*dst = f
		return next, true
	}
	f, err := strconv.ParseFloat(string(num), 64)
	if err != nil {
		return 0, false
	}
	*dst = f
	return next, true
}

// pow10 are the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// shortDecimal converts a JSON number without exponent and with at most
// 15 digits (coordinates, angles, ranges: nearly every stored number).
// It is an integer below 2^53 divided by a power of ten below 10^16, both
// exact in a float64, and one IEEE division rounds the quotient
// correctly: the float64 nearest the number, as strconv.ParseFloat gives
// (by the same division: its "exact" path).
func shortDecimal(num []byte) (float64, bool) {
	neg := num[0] == '-'
	if neg {
		num = num[1:]
	}
	if len(num) > 16 {
		return 0, false
	}
	var m uint64
	frac := 0
	for k, c := range num {
		switch {
		case '0' <= c && c <= '9':
			m = m*10 + uint64(c-'0')
		case c == '.':
			frac = len(num) - k - 1
		default: // an exponent
			return 0, false
		}
	}
	if m >= 1<<53 {
		return 0, false
	}
	f := float64(m) / pow10[frac]
	if neg {
		f = -f
	}
	return f, true
}

// int decodes an integer as encoding/json does for an int64 field; a
// fraction, an exponent or one out of range is for the slow path.
func (d cameraDecoder) int(i int, dst *int64) (int, bool) {
	num, integer, next, ok := d.number(i)
	if !ok || !integer {
		return 0, false
	}
	n, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil {
		return 0, false
	}
	*dst = n
	return next, true
}

// time decodes a time as encoding/json does, through time.Time's
// UnmarshalJSON (whose parse UnmarshalText is, given the string's body):
// a time with an escape or that does not parse is for the slow path.
func (d cameraDecoder) time(i int, dst *time.Time) (int, bool) {
	raw, esc, next, ok := d.stringToken(i)
	if !ok || esc || dst.UnmarshalText(raw) != nil {
		return 0, false
	}
	return next, true
}

// Encoding.

// cameraSizeHint is about the size of c's record, so that EncodeCamera
// allocates once: the member names, numbers and times take under 400
// bytes, and text grows by at most six bytes a byte when escaped, rarely.
func cameraSizeHint(c *camera.Camera) int {
	n := 400
	for _, s := range [...]string{c.ID, c.Name, c.Commune, c.District, c.Province, string(c.RoadClass), string(c.Site),
		c.RTSPURL, c.InstalledOn, string(c.Status), c.Notes, c.Credentials.Username, c.Credentials.Password, c.Credentials.Query} {
		n += len(s) + len(s)/8
	}
	return n
}

// appendCamera appends c's record as json.Marshal writes it, or reports
// false for a value json.Marshal refuses. Strings are escaped as
// encoding/json escapes them, <, > and & too (appendJSONString).
func appendCamera(b []byte, c *camera.Camera) ([]byte, bool) {
	ok := true
	b = appendJSONString(append(b, `{"id":`...), c.ID)
	b = appendJSONString(append(b, `,"name":`...), c.Name)
	b, ok = appendJSONFloat(append(b, `,"lat":`...), c.Lat, ok)
	b, ok = appendJSONFloat(append(b, `,"lon":`...), c.Lon, ok)
	b = appendJSONString(append(b, `,"commune":`...), c.Commune)
	b = appendJSONString(append(b, `,"district":`...), c.District)
	b = appendJSONString(append(b, `,"province":`...), c.Province)
	b = appendJSONString(append(b, `,"road_class":`...), string(c.RoadClass))
	b = appendJSONString(append(b, `,"site":`...), string(c.Site))
	b, ok = appendJSONFloat(append(b, `,"direction_deg":`...), c.DirectionDeg, ok)
	b, ok = appendJSONFloat(append(b, `,"fov_deg":`...), c.FOVDeg, ok)
	b, ok = appendJSONFloat(append(b, `,"range_m":`...), c.RangeM, ok)
	b = appendJSONString(append(b, `,"rtsp_url":`...), c.RTSPURL)
	b = appendJSONString(append(b, `,"installed_on":`...), c.InstalledOn)
	b = strconv.AppendInt(append(b, `,"cost_vnd":`...), c.CostVND, 10)
	b = appendJSONString(append(b, `,"status":`...), string(c.Status))
	b = appendJSONString(append(b, `,"notes":`...), c.Notes)
	b, ok = appendJSONTime(append(b, `,"created_at":`...), c.CreatedAt, ok)
	b, ok = appendJSONTime(append(b, `,"updated_at":`...), c.UpdatedAt, ok)
	if c.Credentials.Username != "" {
		b = appendJSONString(append(b, `,"rtsp_username":`...), c.Credentials.Username)
	}
	if c.Credentials.Password != "" {
		b = appendJSONString(append(b, `,"rtsp_password":`...), c.Credentials.Password)
	}
	if c.Credentials.Query != "" {
		b = appendJSONString(append(b, `,"rtsp_query_credentials":`...), c.Credentials.Query)
	}
	return append(b, '}'), ok
}

// appendJSONString appends s as a JSON string escaped as json.Marshal
// escapes it (<, > and & too): the records must be the bytes encoding/json
// writes.
func appendJSONString(b []byte, s string) []byte { return jsontext.AppendString(b, s, true) }

// appendJSONFloat appends f as encoding/json writes a float64 (ES6
// number formatting); ok becomes false for NaN and infinities.
func appendJSONFloat(b []byte, f float64, ok bool) ([]byte, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' { // e-07 is written e-7
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, ok
}

// appendJSONTime appends t as time.Time's MarshalJSON writes it (strict
// RFC 3339); ok becomes false for a time it refuses.
func appendJSONTime(b []byte, t time.Time, ok bool) ([]byte, bool) {
	b = append(b, '"')
	b, err := t.AppendText(b)
	if err != nil {
		return b, false
	}
	return append(b, '"'), ok
}

// skipSpace returns the index of the first byte at or after i that is
// not JSON white space.
func skipSpace(v []byte, i int) int {
	for i < len(v) && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the JSON string starting at
// v[i] == '"', and whether it holds a backslash escape. A plain loop:
// the strings of a camera are short, and bytes.IndexByte's setup costs
// more than it saves on them.
func stringEnd(v []byte, i int) (end int, esc, ok bool) {
	for j := i + 1; j < len(v); j++ {
		switch v[j] {
		case '"':
			return j + 1, esc, true
		case '\\':
			esc = true
			j++ // the escaped byte, a quote perhaps
		}
	}
	return 0, false, false
}
