package exchange

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/matthan/matthan/camera"
)

// Row is one record of an import: a CSV line (or several, when a quoted
// field holds line breaks) or one GeoJSON feature. Exactly one of Camera and
// Reject is set.
type Row struct {
	// Line is the physical line of the file on which a CSV record starts
	// (the header is line 1); 0 for GeoJSON.
	Line int
	// Feature is the 0-based index of a GeoJSON feature in the "features"
	// array, counting rejected features too; -1 for CSV.
	Feature int
	// Camera is the valid camera the row describes: text in NFC, trimmed,
	// credentials split off the RTSP URL into Credentials, defaults applied,
	// and Validate passed.
	Camera *camera.Camera
	// Reject says why the row could not become a camera.
	Reject *Rejection
}

// Rejection is why one row of an import was refused. The rest of the import
// goes on; the caller decides whether to store the valid rows.
type Rejection struct {
	// Line is the CSV line on which the record starts (header = 1); 0 for
	// GeoJSON.
	Line int
	// Feature is the 0-based GeoJSON feature index; -1 for CSV.
	Feature int
	// ID is the camera id the row gave, as far as it could be read; it may
	// be empty or itself invalid (and is then cut to camera.MaxIDLen
	// characters of valid UTF-8).
	ID string
	// Field is the column or property at fault, "" when the record as a
	// whole is broken (for example a stray quote).
	Field string
	// Reason is a lowercase sentence for the person who wrote the file. It
	// never repeats an RTSP URL, which may hold a password.
	Reason string
}

// Error makes a Rejection usable as an error: "line 3: lat: must be ...".
func (r *Rejection) Error() string {
	where := fmt.Sprintf("line %d", r.Line)
	if r.geo() {
		where = fmt.Sprintf("feature %d", r.Feature)
	}
	if r.Field == "" {
		return where + ": " + r.Reason
	}
	return where + ": " + r.Field + ": " + r.Reason
}

// geo reports whether the rejection is of a GeoJSON feature.
func (r *Rejection) geo() bool { return r.Line == 0 && r.Feature >= 0 }

// MarshalJSON writes "line" for a CSV rejection and "feature" for a GeoJSON
// one, never both: a 0 or -1 in the field that does not apply would only
// mislead the reader of an import report.
func (r Rejection) MarshalJSON() ([]byte, error) {
	type out struct {
		Line    *int   `json:"line,omitempty"`
		Feature *int   `json:"feature,omitempty"`
		ID      string `json:"id,omitempty"`
		Field   string `json:"field,omitempty"`
		Reason  string `json:"reason"`
	}
	o := out{ID: r.ID, Field: r.Field, Reason: r.Reason}
	if r.geo() {
		o.Feature = &r.Feature
	} else {
		o.Line = &r.Line
	}
	return json.Marshal(o)
}

// maxReason bounds a rejection's reason. camera.Validate quotes some values
// whole; a report of thousands of rejections should not echo 64 KiB fields.
const maxReason = 300

// newRejection builds a Rejection with its id and reason made safe to show.
func newRejection(line, feature int, id, field, reason string) *Rejection {
	if len(reason) > maxReason {
		reason = cutUTF8(reason, maxReason) + "…"
	}
	return &Rejection{Line: line, Feature: feature, ID: shortID(id), Field: field, Reason: reason}
}

// shortID returns id as valid UTF-8 of at most camera.MaxIDLen characters,
// for a report about a row whose id may itself be what is wrong.
func shortID(id string) string {
	id = strings.ToValidUTF8(id, "\uFFFD")
	if utf8.RuneCountInString(id) <= camera.MaxIDLen {
		return id
	}
	n := 0
	for i := range id {
		if n == camera.MaxIDLen {
			return id[:i]
		}
		n++
	}
	return id
}

// Decoder reads an import one row at a time, so that a large file is never
// held twice in memory. Next returns io.EOF after the last row. Any other
// error is fatal (a broken CSV header, a body that is not a
// FeatureCollection, a record over its size limit, a read error): rows
// returned before it were real, and a caller that wants all or nothing must
// drop them. Fatal input errors are *camera.Error values with code
// camera.EINVALID; read errors are wrapped with %w so that, for example, an
// *http.MaxBytesError can still be recognised.
type Decoder interface {
	Next() (Row, error)
}

// Compile-time checks that both decoders are Decoders.
var (
	_ Decoder = (*CSVDecoder)(nil)
	_ Decoder = (*GeoJSONDecoder)(nil)
)

// NewDecoder returns the decoder for format f reading r.
func NewDecoder(f Format, r io.Reader) (Decoder, error) {
	switch f {
	case FormatCSV:
		return NewCSVDecoder(r), nil
	case FormatGeoJSON:
		return NewGeoJSONDecoder(r), nil
	}
	return nil, camera.Errorf(camera.EINVALID, "format", "must be csv or geojson, got %q", string(f))
}

// ReadAll reads every row of d: the valid cameras and the rejections, each
// in file order. On a fatal error it returns what it had read so far with
// the error.
func ReadAll(d Decoder) (cams []*camera.Camera, rejects []Rejection, err error) {
	for {
		row, err := d.Next()
		if errors.Is(err, io.EOF) {
			return cams, rejects, nil
		}
		if err != nil {
			return cams, rejects, err
		}
		if row.Reject != nil {
			rejects = append(rejects, *row.Reject)
			continue
		}
		cams = append(cams, row.Camera)
	}
}
