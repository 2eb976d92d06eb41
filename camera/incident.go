package camera

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Category is the kind of an incident.
type Category string

// Categories. docs/design.md lists the first six and leaves the list open; the
// others are the kinds commune police reports name most often.
const (
	CategoryTheft         Category = "theft"
	CategoryRobbery       Category = "robbery"
	CategoryAssault       Category = "assault"
	CategoryTraffic       Category = "traffic"
	CategoryVandalism     Category = "vandalism"
	CategoryOther         Category = "other"
	CategoryDrugs         Category = "drugs"
	CategoryFighting      Category = "fighting"
	CategoryFraud         Category = "fraud"
	CategoryMissingPerson Category = "missing_person"
)

// Categories lists every category, in the order of docs/design.md.
var Categories = []Category{
	CategoryTheft, CategoryRobbery, CategoryAssault, CategoryTraffic, CategoryVandalism, CategoryOther,
	CategoryDrugs, CategoryFighting, CategoryFraud, CategoryMissingPerson,
}

// Valid reports whether c is a known category.
func (c Category) Valid() bool {
	for _, x := range Categories {
		if x == c {
			return true
		}
	}
	return false
}

// Handling is how the police dealt with an incident: the words of the
// district reports ("29 criminal cases, 35 suspects").
type Handling string

// Handlings.
const (
	HandlingCriminal       Handling = "criminal"
	HandlingAdministrative Handling = "administrative"
	HandlingEducation      Handling = "education"
	HandlingNone           Handling = "none"
)

// Handlings lists every handling.
var Handlings = []Handling{HandlingCriminal, HandlingAdministrative, HandlingEducation, HandlingNone}

// Valid reports whether h is a known handling.
func (h Handling) Valid() bool {
	for _, x := range Handlings {
		if x == h {
			return true
		}
	}
	return false
}

// Limits on incident fields. MaxIncidentWindow bounds the time window so
// that a time-range query over the start-time indexes can never miss an
// incident by more than a day, and because evidence is a moment, not a
// season.
const (
	MaxIncidentWindow   = 24 * time.Hour
	MaxIncidentCameras  = 32
	MaxCaseRefLen       = 100
	MaxIncidentNoteLen  = 4000
	MaxSubjects         = 10000
	MaxFilenameLen      = 200
	MaxCustodyReason    = 500
	MaxClipsPerIncident = 1000
)

// Incident is an event police mark on one or more cameras over a time
// window, with its case reference, how it was handled, and the ids of the
// evidence clips kept for it. Field names are the contract of docs/design.md.
//
// Lat and Lon are the incident's place. They are optional on input: the
// store fills them with the first camera's position when absent, so that
// every incident of a registered camera is found by place queries.
type Incident struct {
	ID        string    `json:"id"`
	CameraIDs []string  `json:"camera_ids"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Category  Category  `json:"category"`
	CaseRef   string    `json:"case_ref"`
	Subjects  int       `json:"subjects"`
	Handling  Handling  `json:"handling"`
	Note      string    `json:"note"`
	// Hold is a legal hold: retention never purges a held incident.
	Hold      bool      `json:"hold"`
	Lat       *float64  `json:"lat,omitempty"`
	Lon       *float64  `json:"lon,omitempty"`
	CreatedBy Actor     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Clips are the ids (SHA-256 hex) of the evidence clips, in the order
	// they were attached. Only the store changes them (AttachClip).
	Clips []string `json:"clips"`
}

// HasPlace reports whether the incident has a position.
func (in *Incident) HasPlace() bool { return in.Lat != nil && in.Lon != nil }

// SetPlace sets the incident's position.
func (in *Incident) SetPlace(lat, lon float64) { in.Lat, in.Lon = &lat, &lon }

// Clone returns a deep copy of in.
func (in *Incident) Clone() *Incident {
	cp := *in
	cp.CameraIDs = append([]string(nil), in.CameraIDs...)
	cp.Clips = append([]string{}, in.Clips...)
	if in.HasPlace() {
		cp.SetPlace(*in.Lat, *in.Lon)
	}
	return &cp
}

// NewIncident returns an incident holding the default of the field a user
// may leave out: handling none. Decoders of input start from it and set
// only the fields given, so that an explicit "handling": "" is refused
// rather than taken for a missing one.
func NewIncident() *Incident {
	return &Incident{Handling: HandlingNone, Clips: []string{}}
}

// Normalize puts the incident in the form the store keeps: times in UTC
// (clients send any offset) and a non-nil list of clips.
func (in *Incident) Normalize() {
	in.Start, in.End = in.Start.UTC(), in.End.UTC()
	if in.Clips == nil {
		in.Clips = []string{}
	}
}

// ApplyDefaults normalizes the incident and gives handling none to one
// that has no handling. It is for incidents built in Go code, where the
// zero value is the only way to leave a field out; input from users is
// decoded onto NewIncident instead, so that an empty handling it gives is
// validated as given.
func (in *Incident) ApplyDefaults() {
	if in.Handling == "" {
		in.Handling = HandlingNone
	}
	in.Normalize()
}

// Validate checks every field a user sets and returns an *Error with code
// EINVALID naming the first field at fault. It expects the incident to be
// normalized (Normalize). An empty ID is valid: the store generates one.
func (in *Incident) Validate() error {
	if in.ID != "" {
		if err := ValidateID(in.ID); err != nil {
			return err
		}
	}
	if err := validateCameraIDs(in.CameraIDs); err != nil {
		return err
	}
	if in.Start.IsZero() {
		return Errorf(EINVALID, "start", "must be an RFC 3339 time")
	}
	if in.End.IsZero() {
		return Errorf(EINVALID, "end", "must be an RFC 3339 time")
	}
	if !in.End.After(in.Start) {
		return Errorf(EINVALID, "end", "must be after start")
	}
	if in.End.Sub(in.Start) > MaxIncidentWindow {
		return Errorf(EINVALID, "end", "must be at most 24 hours after start, got %v", in.End.Sub(in.Start))
	}
	// Keys hold Unix nanoseconds, which end in 2262.
	if y := in.Start.Year(); y < 1970 || y > 2200 {
		return Errorf(EINVALID, "start", "must be in a year from 1970 to 2200")
	}
	if !in.Category.Valid() {
		return Errorf(EINVALID, "category", "must be one of %s, got %q", joinCategories(), in.Category)
	}
	if err := checkText("case_ref", in.CaseRef, MaxCaseRefLen); err != nil {
		return err
	}
	if strings.TrimSpace(in.CaseRef) != in.CaseRef {
		return Errorf(EINVALID, "case_ref", "must not start or end with spaces")
	}
	if in.Subjects < 0 || in.Subjects > MaxSubjects {
		return Errorf(EINVALID, "subjects", "must be from 0 to %d, got %d", MaxSubjects, in.Subjects)
	}
	if !in.Handling.Valid() {
		return Errorf(EINVALID, "handling", "must be one of criminal, administrative, education, none, got %q", in.Handling)
	}
	if !utf8.ValidString(in.Note) || utf8.RuneCountInString(in.Note) > MaxIncidentNoteLen {
		return Errorf(EINVALID, "note", "must be valid UTF-8 of at most %d characters", MaxIncidentNoteLen)
	}
	if (in.Lat == nil) != (in.Lon == nil) {
		if in.Lat == nil {
			return Errorf(EINVALID, "lat", "must be given with lon")
		}
		return Errorf(EINVALID, "lon", "must be given with lat")
	}
	if in.HasPlace() {
		if err := ValidateLatLon(*in.Lat, *in.Lon); err != nil {
			return err
		}
	}
	if len(in.Clips) > MaxClipsPerIncident {
		return Errorf(EINVALID, "clips", "must be at most %d clips", MaxClipsPerIncident)
	}
	for _, id := range in.Clips {
		if !ValidClipID(id) {
			return Errorf(EINVALID, "clips", "%q is not a clip id (64 lowercase hex digits)", id)
		}
	}
	return nil
}

func validateCameraIDs(ids []string) error {
	if len(ids) == 0 {
		return Errorf(EINVALID, "camera_ids", "must list at least one camera id")
	}
	if len(ids) > MaxIncidentCameras {
		return Errorf(EINVALID, "camera_ids", "must list at most %d camera ids", MaxIncidentCameras)
	}
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		if err := ValidateID(id); err != nil {
			return Errorf(EINVALID, "camera_ids", "item %d: %s", i, messageOf(err))
		}
		if seen[id] {
			return Errorf(EINVALID, "camera_ids", "lists %q twice", id)
		}
		seen[id] = true
	}
	return nil
}

// messageOf returns the message of err's *Error without its field, for
// errors re-labelled with another field.
func messageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// ValidateLatLon checks a WGS84 position and names lat or lon.
func ValidateLatLon(lat, lon float64) error {
	if math.IsNaN(lat) || math.IsInf(lat, 0) || lat < -90 || lat > 90 {
		return Errorf(EINVALID, "lat", "must be a number from -90 to 90, got %v", lat)
	}
	if math.IsNaN(lon) || math.IsInf(lon, 0) || lon < -180 || lon > 180 {
		return Errorf(EINVALID, "lon", "must be a number from -180 to 180, got %v", lon)
	}
	return nil
}

func joinCategories() string {
	s := make([]string, len(Categories))
	for i, c := range Categories {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

// IncidentIDPrefix starts every generated incident id.
const IncidentIDPrefix = "INC-"

// FormatIncidentID returns the generated id of the seq-th incident created
// on day: "INC-20261128-000123". Ids sort by creation day, then sequence.
func FormatIncidentID(day time.Time, seq uint64) string {
	s := strconv.FormatUint(seq, 10)
	if len(s) < 6 {
		s = strings.Repeat("0", 6-len(s)) + s
	}
	return IncidentIDPrefix + day.UTC().Format("20060102") + "-" + s
}

// ClipSource is how a clip came in.
type ClipSource string

// Clip sources.
const (
	ClipUpload  ClipSource = "upload"
	ClipCapture ClipSource = "capture"
)

// Clip is one evidence file. Its ID is the SHA-256 of its bytes (lowercase
// hex), so the same file attached twice is one clip, stored once.
//
// IncidentID is the incident the clip was first attached to; IncidentIDs
// lists every incident it is attached to (a file may be evidence in two
// cases). Codec, Width, Height and Duration come from reading the MP4;
// when it could not be read, Inspected is false and InspectError says why,
// and the file is kept all the same.
type Clip struct {
	ID           string     `json:"id"`
	IncidentID   string     `json:"incident_id"`
	IncidentIDs  []string   `json:"incident_ids"`
	SHA256       string     `json:"sha256"`
	Bytes        int64      `json:"bytes"`
	Duration     float64    `json:"duration"` // seconds
	Codec        string     `json:"codec,omitempty"`
	Width        int        `json:"width,omitempty"`
	Height       int        `json:"height,omitempty"`
	Inspected    bool       `json:"inspected"`
	InspectError string     `json:"inspect_error,omitempty"`
	Source       ClipSource `json:"source"`
	// CameraID, CapturedFrom and CapturedTo describe a captured clip.
	CameraID     string    `json:"camera_id,omitempty"`
	CapturedFrom time.Time `json:"captured_from,omitzero"`
	CapturedTo   time.Time `json:"captured_to,omitzero"`
	// Filename is the uploader's file name, sanitised, for display only:
	// the file system never sees it (see SanitizeFilename).
	Filename  string    `json:"filename,omitempty"`
	CreatedBy Actor     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Clone returns a deep copy of c.
func (c *Clip) Clone() *Clip {
	cp := *c
	cp.IncidentIDs = append([]string(nil), c.IncidentIDs...)
	return &cp
}

// Validate checks the fields of a clip about to be stored.
func (c *Clip) Validate() error {
	if !ValidClipID(c.ID) {
		return Errorf(EINVALID, "id", "must be 64 lowercase hex digits (the SHA-256 of the file)")
	}
	if c.SHA256 != c.ID {
		return Errorf(EINVALID, "sha256", "must equal the clip id")
	}
	if c.Bytes < 0 {
		return Errorf(EINVALID, "bytes", "must not be negative")
	}
	if math.IsNaN(c.Duration) || math.IsInf(c.Duration, 0) || c.Duration < 0 {
		return Errorf(EINVALID, "duration", "must be 0 or more seconds")
	}
	if c.Source != ClipUpload && c.Source != ClipCapture {
		return Errorf(EINVALID, "source", "must be upload or capture, got %q", c.Source)
	}
	if c.CameraID != "" {
		if err := ValidateID(c.CameraID); err != nil {
			return Errorf(EINVALID, "camera_id", "%s", messageOf(err))
		}
	}
	if err := checkText("filename", c.Filename, MaxFilenameLen); err != nil {
		return err
	}
	if err := checkText("codec", c.Codec, 32); err != nil {
		return err
	}
	if !utf8.ValidString(c.InspectError) || len(c.InspectError) > 1000 {
		return Errorf(EINVALID, "inspect_error", "must be valid UTF-8 of at most 1000 bytes")
	}
	return nil
}

// ValidClipID reports whether id is a SHA-256 in lowercase hex.
func ValidClipID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// SanitizeFilename turns a client's file name into something safe to show:
// the last path element only (either slash), no control or format
// characters, no invalid UTF-8, no leading dots or spaces (so neither ".."
// nor a hidden name), at most MaxFilenameLen characters. The result is for
// display: stored files are named by their hash and never by this.
func SanitizeFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	n := 0
	for _, r := range strings.ToValidUTF8(name, "") {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			continue
		}
		if n == MaxFilenameLen {
			break
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(b.String()), "."))
}

// CustodyAction is what was done with a clip.
type CustodyAction string

// Custody actions. Every read of an evidence file leaves one.
const (
	CustodyCreate   CustodyAction = "create"   // stored, or attached to another incident
	CustodyDownload CustodyAction = "download" // read through the API
	CustodyExport   CustodyAction = "export"   // copied out of the system (a backup, a court)
	CustodyVerify   CustodyAction = "verify"   // re-hashed; Result says how it went
	// CustodyView is a viewing in a browser: the file is streamed, in
	// as many range requests as the player makes, for one reason given
	// once (a playback grant).
	CustodyView CustodyAction = "view"
)

// Valid reports whether a is a known custody action.
func (a CustodyAction) Valid() bool {
	switch a {
	case CustodyCreate, CustodyDownload, CustodyExport, CustodyVerify, CustodyView:
		return true
	}
	return false
}

// Verify results, the Result of a verify custody entry.
const (
	VerifyMatch    = "match"    // the file hashes to its id
	VerifyMismatch = "mismatch" // it does not: it was altered
	VerifyMissing  = "missing"  // the file is gone
)

// CustodyEntry is one line of a clip's chain of custody: who did what with
// it, when and why. Entries are append-only; Seq orders them.
type CustodyEntry struct {
	Seq    uint64        `json:"seq"`
	ClipID string        `json:"clip_id"`
	At     time.Time     `json:"at"`
	Actor  Actor         `json:"actor"`
	Action CustodyAction `json:"action"`
	Reason string        `json:"reason,omitempty"`
	Result string        `json:"result,omitempty"`
}

// Validate checks what a caller may set on a custody entry.
func (e *CustodyEntry) Validate() error {
	if !ValidClipID(e.ClipID) {
		return Errorf(EINVALID, "clip_id", "must be 64 lowercase hex digits")
	}
	if !e.Action.Valid() {
		return Errorf(EINVALID, "action", "must be one of create, download, export, verify, view, got %q", e.Action)
	}
	if err := checkText("reason", e.Reason, MaxCustodyReason); err != nil {
		return err
	}
	return checkText("result", e.Result, 32)
}

// VideoTrack describes the video of a camera stream being captured: what
// the RTSP packet source (camera/rtsp) tells the recorder (evidence). SPS and
// PPS are the H.264 parameter sets from the SDP, nil when the camera sends
// them only in the stream.
type VideoTrack struct {
	Codec  string
	SPS    []byte
	PPS    []byte
	Width  int
	Height int
}

// AccessUnit is one picture of a captured H.264 stream: its NAL units
// without start codes, its presentation and decoding times from the start
// of the stream, and whether it is a keyframe (holds an IDR slice), where a
// recording can begin.
type AccessUnit struct {
	PTS      time.Duration
	DTS      time.Duration
	NALUs    [][]byte
	KeyFrame bool
}
