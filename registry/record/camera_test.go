package record

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/matthan/matthan/camera"
)

// The camera codec is checked against encoding/json, its reference: for
// generated cameras and for records mutated from theirs, DecodeCamera
// must return exactly what json.Unmarshal into cameraRecord returns, and
// fail when it fails; EncodeCamera must write exactly json.Marshal's bytes.

// referenceDecode is DecodeCamera as it was: encoding/json alone.
func referenceDecode(v []byte) (*camera.Camera, error) {
	c := &camera.Camera{}
	rec := cameraRecord{Camera: c}
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, err
	}
	c.Credentials = camera.Credentials{Username: rec.Username, Password: rec.Password, Query: rec.Query}
	c.LiftURLCredentials() // records written before query credentials
	return c, nil
}

func referenceEncode(c *camera.Camera) ([]byte, error) {
	return json.Marshal(cameraRecord{Camera: c, Username: c.Credentials.Username, Password: c.Credentials.Password, Query: c.Credentials.Query})
}

// sameCamera reports whether a and b are identical, floats to the bit
// (0 and -0 differ).
func sameCamera(a, b *camera.Camera) bool {
	if !reflect.DeepEqual(a, b) {
		return false
	}
	for _, p := range [][2]float64{{a.Lat, b.Lat}, {a.Lon, b.Lon}, {a.DirectionDeg, b.DirectionDeg}, {a.FOVDeg, b.FOVDeg}, {a.RangeM, b.RangeM}} {
		if math.Float64bits(p[0]) != math.Float64bits(p[1]) {
			return false
		}
	}
	return true
}

// checkDecode fails t unless DecodeCamera agrees with encoding/json on v.
func checkDecode(t testing.TB, v []byte) {
	t.Helper()
	got, err := DecodeCamera(v)
	want, wantErr := referenceDecode(v)
	switch {
	case (err != nil) != (wantErr != nil):
		t.Fatalf("decode %q: error %v, encoding/json's %v", v, err, wantErr)
	case err != nil:
		if !strings.Contains(err.Error(), wantErr.Error()) {
			t.Fatalf("decode %q: error %v, want encoding/json's %v", v, err, wantErr)
		}
	case !sameCamera(got, want):
		t.Fatalf("decode %q:\n got %#v\nwant %#v", v, got, want)
	}
}

// checkEncode fails t unless EncodeCamera writes json.Marshal's bytes
// (or fails when it fails), and the record decodes as encoding/json
// decodes it. It returns the record, nil when encoding failed.
func checkEncode(t testing.TB, c *camera.Camera) []byte {
	t.Helper()
	got, err := EncodeCamera(c)
	want, wantErr := referenceEncode(c)
	if (err != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
		t.Fatalf("encode %#v:\n got %s (%v)\nwant %s (%v)", c, got, err, want, wantErr)
	}
	if err != nil {
		return nil
	}
	checkDecode(t, got)
	return got
}

// Pools the generator draws from.
var (
	genTexts = []string{
		"", "CG-0001", "Thị trấn Chợ Gạo", "Đăng Hưng Phước", "Ngã tư Quốc lộ 50 – Đường tỉnh 879", "Bình Phục Nhứt",
		"CHỢ GẠO", "Chợ Gạo", // NFD: combining marks
		`Cổng "trường" \ chợ`, `\`, `"`, `\"`, `\\u0041`, `\u00e9`, "/path/", "a<b>&c", "rtsp://10.0.0.1:554/cam/realmonitor?channel=1&subtype=0",
		"rtsp://10.0.0.1:554/cam/realmonitor?channel=1&user=admin&password=S3cr3t&subtype=0", "&user=admin&password=S3cr3t&",
		"tab\tnew\nline\rcr\bbs\fff", "\x00\x01\x1f\x7f", "line\u2028sep\u2029", "🎥 camera 🚓", "\U0010ffff", "\ufffd", "\ufeffbom",
		"bad \xff utf-8 \xe1\xbb", "\xed\xa0\x80 surrogate in utf-8", "\xc0\xaf overlong",
		`,"cost_vnd":1,"status":"retired"`, `x","cost_vnd":7,"status":"retired`, "{QL50} [mới]", "null", "true", "0",
		"national", "provincial", "district", "commune", "urban", "other", "intersection", "road", "active", "retired", "ACTIVE",
		"2022-06-01", "admin", "p@ss:w/rd?#", "Hội Phụ nữ xã tặng; lắp ngày 01/06",
	}
	genFloats = []float64{
		0, math.Copysign(0, -1), 1, -1, 0.5, 10.354281, 106.463917, -90, 90, 180, -180, 359, 360, 1e-6, 9.99999e-7, 1e-7,
		1e20, 1e21, 999999999999999999999, 123456789012345678, 0.1, 0.2, 0.30000000000000004, 1.0 / 3, 2.5e-8, 4.9e-324,
		math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64, 1 << 53, 1<<53 + 2, 9007199254740993, 0.000001234,
		123456.789012345, 12345678901234567890,
	}
	genInts  = []int64{0, 1, -1, 4_500_000, 1_300_000_000, math.MaxInt64, math.MinInt64, 1 << 53, -(1 << 53) - 1}
	genZones = []*time.Location{time.UTC, time.FixedZone("ICT", 7*3600), time.FixedZone("", -(3*3600 + 30*60)),
		time.FixedZone("odd", 3600+59), time.FixedZone("far", 23*3600+59*60), time.FixedZone("too far", 24*3600), time.Local}
)

// genText returns a text from the pool, or a random one mixing ASCII,
// Vietnamese letters, escapes-to-be and the odd invalid byte.
func genText(r *rand.Rand) string {
	if r.IntN(3) > 0 {
		return genTexts[r.IntN(len(genTexts))]
	}
	const parts = "aZ09 -_.,:/?#&<>\"\\\x00\x1f\x7fđĐờỢạẠ\u0300\u2028€😀"
	runes := []rune(parts)
	var b strings.Builder
	for range r.IntN(40) {
		if r.IntN(50) == 0 {
			b.WriteByte(byte(0x80 + r.IntN(0x80))) // a stray byte
			continue
		}
		b.WriteRune(runes[r.IntN(len(runes))])
	}
	return b.String()
}

func genFloat(r *rand.Rand) float64 {
	switch r.IntN(6) {
	case 0:
		return genFloats[r.IntN(len(genFloats))]
	case 1:
		return math.Float64frombits(r.Uint64()) // any bits; NaN and ±Inf too, which encoding refuses
	case 2:
		return float64(r.IntN(360))
	default: // a coordinate with some digits
		f := r.Float64()*360 - 180
		p := math.Pow10(r.IntN(12))
		return math.Round(f*p) / p
	}
}

func genTime(r *rand.Rand) time.Time {
	switch r.IntN(8) {
	case 0:
		return time.Time{}
	case 1: // out of RFC 3339's years: encoding fails
		return time.Date(10000+r.IntN(3), 1, 1, 0, 0, 0, 0, time.UTC)
	case 2:
		return time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC)
	}
	sec := r.Int64N(253402300800) - 62135596800 // years 0001–9999
	return time.Unix(sec, r.Int64N(1e9)*int64(r.IntN(2))).In(genZones[r.IntN(len(genZones))])
}

// genCamera returns a random camera: every road class, site and status,
// odd ones too, texts from genText, any float, times in any zone.
func genCamera(r *rand.Rand) *camera.Camera {
	pick := func(known []string) string {
		if r.IntN(5) == 0 {
			return genText(r)
		}
		return known[r.IntN(len(known))]
	}
	c := &camera.Camera{
		ID: genText(r), Name: genText(r), Lat: genFloat(r), Lon: genFloat(r),
		Commune: genText(r), District: genText(r), Province: genText(r),
		RoadClass: camera.RoadClass(pick(knownRoadClasses)), Site: camera.Site(pick(knownSites)),
		DirectionDeg: genFloat(r), FOVDeg: genFloat(r), RangeM: genFloat(r),
		RTSPURL: genText(r), InstalledOn: genText(r), CostVND: genInts[r.IntN(len(genInts))],
		Status: camera.Status(pick(knownStatuses)), Notes: genText(r),
		CreatedAt: genTime(r), UpdatedAt: genTime(r),
	}
	if r.IntN(2) == 0 {
		c.CostVND = r.Int64N(1e10)
	}
	switch r.IntN(4) {
	case 1:
		c.Credentials.Username = genText(r)
	case 2:
		c.Credentials.Password = genText(r)
	case 3:
		c.Credentials = camera.Credentials{Username: genText(r), Password: genText(r)}
	}
	if r.IntN(4) == 0 {
		c.Credentials.Query = genText(r)
	}
	return c
}

// member is one "key":value of a record, both as raw JSON.
type member struct{ key, value string }

// splitRecord cuts a record EncodeCamera wrote into its members.
func splitRecord(t testing.TB, v []byte) []member {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(v))
	var out []member
	if _, err := dec.Token(); err != nil { // {
		t.Fatal(err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			t.Fatal(err)
		}
		out = append(out, member{`"` + tok.(string) + `"`, string(val)}) // keys need no escapes

	}
	return out
}

func joinRecord(ms []member, sep string) []byte {
	var b strings.Builder
	b.WriteString("{")
	for i, m := range ms {
		if i > 0 {
			b.WriteString("," + sep)
		}
		b.WriteString(m.key + ":" + sep + m.value)
	}
	b.WriteString("}")
	return []byte(b.String())
}

// reescape writes the JSON string literal q (as EncodeCamera wrote it)
// another way encoding/json reads: some characters as \u escapes (upper
// or lower case hex, astral ones as surrogate pairs), '/' as \/; or a way
// it repairs or refuses: a lone or reversed surrogate, a raw control or
// invalid byte, an unknown escape.
func reescape(r *rand.Rand, q string) string {
	var s string
	if err := json.Unmarshal([]byte(q), &s); err != nil {
		return q
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range s {
		switch n := r.IntN(12); {
		case n == 0 && c > 0xffff:
			hi, lo := 0xd800+((c-0x10000)>>10), 0xdc00+((c-0x10000)&0x3ff)
			fmt.Fprintf(&b, `\u%04x\u%04X`, hi, lo)
		case n == 1:
			if c > 0xffff {
				c = utf8.RuneError
			}
			fmt.Fprintf(&b, `\u%04X`, c)
		case n == 2 && c == '/':
			b.WriteString(`\/`)
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteRune(c)
		case c < 0x20 || c == utf8.RuneError:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteRune(c)
		}
	}
	switch r.IntN(16) {
	case 0:
		b.WriteString(`\ud83d`) // lone high surrogate
	case 1:
		b.WriteString(`\ude00\ud83d`) // reversed pair
	case 2:
		b.WriteString(`\ud83dx`)
	case 3:
		b.WriteString("\x01") // raw control byte: invalid
	case 4:
		b.WriteString("\xff") // raw invalid UTF-8: repaired
	case 5:
		b.WriteString(`\x`) // unknown escape
	case 6:
		b.WriteString(`\u12`)
	case 7:
		b.WriteString("\u2028") // raw line separator: valid
	}
	b.WriteByte('"')
	return b.String()
}

// Numbers written other ways: some read the same, some are refused, some
// are out of range.
var numberForms = []string{
	"0", "-0", "0.0", "-0.0", "1e2", "1E+2", "1e-2", "100.0", "0.1e1", "1e400", "-1e400", "1e-400", "01", "+1", ".5", "5.",
	"1.e3", "0x10", "1_000", "Infinity", "NaN", "-", "1e", "9223372036854775807", "9223372036854775808",
	"-9223372036854775808", "-9223372036854775809", "123456789012345678901234567890", "0.000000000000000000001",
	"179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
	"2.2250738585072011e-308", "4.9406564584124654e-324", "10.354281000000001", "106.46391700000000000001", "1.7976931348623157e308",
}

// Values of the wrong kind, and times written other ways.
var odd = []string{
	"null", "true", "false", `""`, `"1"`, "[]", "{}", `{"a":[1,{"b":null}]}`, "[1,2]", `"2024-01-01T00:00:00Z"`,
	`"2024-01-01T07:00:00+07:00"`, `"2024-01-01t00:00:00z"`, `"2024-02-30T00:00:00Z"`, `"2024-01-01T00:00:00.123456789Z"`,
	`"2024-01-01T00:00:00.1234567891Z"`, `"2024-01-01 00:00:00Z"`, `"\u0032024-01-01T00:00:00Z"`, `"0000-01-01T00:00:00Z"`,
	`"2024-01-01T24:00:00Z"`, `"2024-01-01T00:00:00+24:00"`, `"2024-01-01T00:00:00-00:00"`, `"2024-01-01T00:00:60Z"`,
}

// mutate returns a record built from ms some other way.
func mutate(r *rand.Rand, ms []member) []byte {
	ms = append([]member(nil), ms...)
	sep := ""
	for range 1 + r.IntN(3) {
		switch r.IntN(14) {
		case 0: // another order
			r.Shuffle(len(ms), func(i, j int) { ms[i], ms[j] = ms[j], ms[i] })
		case 1: // a member twice, the second another value
			i := r.IntN(len(ms))
			ms = append(ms, member{ms[i].key, ms[r.IntN(len(ms))].value})
		case 2: // a member left out
			i := r.IntN(len(ms))
			ms = append(ms[:i], ms[i+1:]...)
		case 3: // a key encoding/json matches without regard to case, or ignores
			i := r.IntN(len(ms))
			keys := []string{strings.ToUpper(ms[i].key), `"Credentials"`, `"extra"`, `"Id"`, `"\u0069d"`, `"ı` + ms[i].key[1:], `"rtsp_URL"`}
			ms[i].key = keys[r.IntN(len(keys))]
		case 4: // a number written another way
			i := r.IntN(len(ms))
			ms[i].value = numberForms[r.IntN(len(numberForms))]
		case 5: // a value of another kind
			i := r.IntN(len(ms))
			ms[i].value = odd[r.IntN(len(odd))]
		case 6, 7, 8: // strings escaped another way
			for i := range ms {
				if strings.HasPrefix(ms[i].value, `"`) && r.IntN(3) == 0 {
					ms[i].value = reescape(r, ms[i].value)
				}
			}
		case 9: // white space
			sep = []string{" ", "\t", "\n ", "\r\n", "\v", "\u00a0"}[r.IntN(6)]
		case 10: // a value swapped with another member's
			i, j := r.IntN(len(ms)), r.IntN(len(ms))
			ms[i].value, ms[j].value = ms[j].value, ms[i].value
		}
	}
	v := joinRecord(ms, sep)
	switch r.IntN(24) {
	case 0:
		return append(v, " \n"...)
	case 1:
		return append(v, "x"...)
	case 2:
		return v[:r.IntN(len(v))]
	case 3:
		return bytes.Replace(v, []byte("}"), []byte(",}"), 1)
	case 4:
		return bytes.Replace(v, []byte(":"), nil, 1)
	case 5:
		return append([]byte("\ufeff"), v...)
	case 6:
		return append(v, "{}"...)
	case 7:
		return append([]byte(" \t"), v...)
	}
	return v
}

// Records that are not a camera's at all.
var oddRecords = []string{
	"", " ", "{}", " { } ", "{ }x", "[]", "null", `"x"`, "{", "}", `{"id"}`, `{"id":}`, `{"id":"a",}`, `{,"id":"a"}`, `{"id":"a""name":"b"}`,
	`{"id":"a"}{"id":"b"}`, `{"id":"a"} {"id":"b"}`, `{"id" : "a" , "lat" : 1 }`, `{"id":"a","lat":1,"lat":null}`,
	`{"name":"x","name":null}`, `{"cost_vnd":1.5}`, `{"cost_vnd":"1"}`, `{"lat":"1"}`, `{"created_at":null}`,
	`{"created_at":0}`, `{"rtsp_username":"u","rtsp_password":""}`, `{"Credentials":{"Username":"u"}}`,
}

// TestCameraCodecDifferential checks the codec against encoding/json on
// generated cameras and on records mutated from theirs.
func TestCameraCodecDifferential(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n, mutants, fast := 0, 0, 0
	for range 6_000 {
		c := genCamera(r)
		v := checkEncode(t, c)
		if v == nil {
			continue
		}
		// Every record EncodeCamera writes takes the fast path.
		n++
		if !fastDecodeCamera(v, &camera.Camera{}) {
			t.Errorf("record %s: not decoded on the fast path", v)
		}
		ms := splitRecord(t, v)
		for range 6 {
			m := mutate(r, ms)
			checkDecode(t, m)
			mutants++
			if fastDecodeCamera(m, &camera.Camera{}) {
				fast++
			}
		}
	}
	for _, v := range oddRecords {
		checkDecode(t, []byte(v))
	}
	t.Logf("%d records encoded; %d of %d mutants on the fast path", n, fast, mutants)
	// The mutants exercise both paths.
	if n < 2_000 || fast < mutants/10 || fast > mutants*4/5 {
		t.Errorf("%d records encoded; %d of %d mutants on the fast path", n, fast, mutants)
	}
}

// TestCameraCodecPlainCameras checks the cameras of an ordinary registry
// (gendata-like, with times and credentials) through a store and back.
func TestCameraCodecPlainCameras(t *testing.T) {
	c := benchCamera()
	v := checkEncode(t, c)
	got, err := DecodeCamera(v)
	if err != nil {
		t.Fatal(err)
	}
	if !sameCamera(got, c) {
		t.Errorf("round trip:\n got %#v\nwant %#v", got, c)
	}
	if !fastDecodeCamera(v, &camera.Camera{}) {
		t.Error("not decoded on the fast path")
	}
}

// TestCameraCodecFields fails when camera.Camera gains a field the codec
// does not write or read: a camera with every field set must encode as
// json.Marshal does and decode on the fast path.
func TestCameraCodecFields(t *testing.T) {
	c := &camera.Camera{}
	v := reflect.ValueOf(c).Elem()
	for i := range v.NumField() {
		f, sf := v.Field(i), v.Type().Field(i)
		switch {
		case f.Kind() == reflect.String:
			f.SetString("v" + sf.Name)
		case f.Kind() == reflect.Float64:
			f.SetFloat(float64(i) + 0.25)
		case f.Kind() == reflect.Int64:
			f.SetInt(int64(i))
		case f.Type() == reflect.TypeFor[time.Time]():
			f.Set(reflect.ValueOf(time.Date(2024, 1, i, 0, 0, 0, i, time.UTC)))
		case f.Type() == reflect.TypeFor[camera.Credentials]() && f.NumField() == 3:
			f.Set(reflect.ValueOf(camera.Credentials{Username: "u", Password: "p", Query: "&password=q"}))
		default:
			t.Fatalf("camera.Camera.%s (%s): teach camera.go and this test about it", sf.Name, f.Type())
		}
	}
	rec := checkEncode(t, c)
	if !fastDecodeCamera(rec, &camera.Camera{}) {
		t.Errorf("a camera with every field set is not decoded on the fast path: %s", rec)
	}
}

// TestShortDecimal checks the float fast path on the numbers it takes:
// at most 15 digits, no exponent.
func TestShortDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	check := func(s string) {
		want, err := strconv.ParseFloat(s, 64)
		got, ok := shortDecimal([]byte(s))
		if ok && (err != nil || math.Float64bits(got) != math.Float64bits(want)) {
			t.Fatalf("shortDecimal(%s) = %v, strconv %v (%v)", s, got, want, err)
		}
		if !ok && len(strings.Trim(s, "-.")) <= 15 && !strings.ContainsAny(s, "eE") {
			t.Fatalf("shortDecimal(%s) refused a short decimal", s)
		}
	}
	for _, s := range []string{"0", "-0", "0.0", "-0.000", "1", "10.354281", "106.463917", "999999999999999", "9007199254740991",
		"9007199254740992", "9007199254740993", "0.30000000000000004", "0.1", "0.000000000000001", "1234567.89012345"} {
		check(s)
	}
	for range 200_000 {
		digits := 1 + r.IntN(15)
		s := strconv.FormatUint(r.Uint64N(uint64(math.Pow10(digits))), 10)
		if p := r.IntN(len(s) + 1); p < len(s) {
			s = s[:p] + "." + s[p:]
			if p == 0 {
				s = "0" + s
			}
		}
		if r.IntN(2) == 0 {
			s = "-" + s
		}
		check(s)
	}
}

// FuzzDecodeCamera checks DecodeCamera against encoding/json on any
// input, starting from generated records and mutations of them.
func FuzzDecodeCamera(f *testing.F) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 200 {
		v, err := EncodeCamera(genCamera(r))
		if err != nil {
			continue
		}
		f.Add(v)
		f.Add(mutate(r, splitRecord(f, v)))
	}
	for _, v := range oddRecords {
		f.Add([]byte(v))
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		checkDecode(t, v)
	})
}

// FuzzEncodeCamera checks EncodeCamera against json.Marshal, and the
// decoding of what it writes, on any field values.
func FuzzEncodeCamera(f *testing.F) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 100 {
		c := genCamera(r)
		f.Add(c.ID, c.Name, c.Notes, c.Credentials.Password, c.Lat, c.RangeM, c.CostVND, c.CreatedAt.Unix(), int64(c.CreatedAt.Nanosecond()), r.IntN(100_000)-50_000)
	}
	f.Fuzz(func(t *testing.T, id, name, notes, password string, lat, rangeM float64, cost, sec, nsec int64, offset int) {
		c := &camera.Camera{ID: id, Name: name, Lat: lat, Lon: -lat, Commune: notes + name, Status: camera.StatusActive,
			RangeM: rangeM, CostVND: cost, Notes: notes, CreatedAt: time.Unix(sec, nsec).In(time.FixedZone("z", offset)),
			Credentials: camera.Credentials{Password: password}}
		checkEncode(t, c)
	})
}
