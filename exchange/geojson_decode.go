package exchange

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/matthan/matthan/camera"
)

// MaxFeatureBytes bounds one GeoJSON feature, or any other member of the
// FeatureCollection. A camera feature is well under 1 KiB and an
// OpenStreetMap one with all its tags a few KiB; a larger one is refused
// rather than buffered, which ends the import.
const MaxFeatureBytes = 1 << 20

// geojsonSlack lets the JSON decoder read ahead of the feature it is on
// without tripping MaxFeatureBytes.
const geojsonSlack = 64 << 10

// Decoding states: the body is consumed token by token at the top level and
// value by value inside "features", so memory does not grow with the number
// of features.
const (
	stateStart    = iota // before the opening '{'
	stateMembers         // between members of the FeatureCollection
	stateFeatures        // inside the "features" array
)

// GeoJSONDecoder reads a GeoJSON FeatureCollection of camera Point features
// one feature at a time. See the package documentation for the properties
// it reads, including the OpenStreetMap tags.
//
// Fatal errors: a body that is not JSON, not an object, or whose "type" is
// not FeatureCollection; a missing "features" array; a member larger than
// MaxFeatureBytes. "type" may come after "features" (JSON objects are
// unordered), in which case a wrong type is only found after the features
// were returned.
type GeoJSONDecoder struct {
	src *boundedReader
	dec *json.Decoder

	state       int
	err         error // sticky: io.EOF or a fatal error
	index       int   // index of the next feature
	start       int64 // input offset where the current value starts
	sawType     bool
	sawFeatures bool

	f    featureJSON // reused for every feature, see reset
	seen map[string]int
}

// NewGeoJSONDecoder returns a decoder reading r. It reads nothing until the
// first call to Next.
func NewGeoJSONDecoder(r io.Reader) *GeoJSONDecoder {
	src := newBoundedReader(r, MaxFeatureBytes+geojsonSlack)
	return &GeoJSONDecoder{src: src, dec: json.NewDecoder(src), seen: make(map[string]int)}
}

// Next returns the next feature as a row, io.EOF after the last one, or a
// fatal error.
func (d *GeoJSONDecoder) Next() (Row, error) {
	for d.err == nil {
		switch d.state {
		case stateStart:
			d.err = d.open()
		case stateMembers:
			d.err = d.member()
		case stateFeatures:
			d.mark()
			if !d.dec.More() {
				d.err = d.closeFeatures()
				continue
			}
			row, err := d.feature()
			if err != nil {
				d.err = err
				continue
			}
			return row, nil
		}
	}
	return Row{}, d.err
}

// open reads the '{' that starts the FeatureCollection.
func (d *GeoJSONDecoder) open() error {
	d.mark()
	tok, err := d.dec.Token()
	if err == io.EOF {
		return camera.Errorf(camera.EINVALID, "body", "is empty: send a GeoJSON FeatureCollection")
	}
	if err != nil {
		return d.fatal(err, "body")
	}
	if tok != json.Delim('{') {
		return camera.Errorf(camera.EINVALID, "body", "must be a GeoJSON FeatureCollection object, got %s", describeToken(tok))
	}
	d.state = stateMembers
	return nil
}

// member reads one member of the FeatureCollection, or its closing '}'.
func (d *GeoJSONDecoder) member() error {
	d.mark()
	if !d.dec.More() {
		if _, err := d.dec.Token(); err != nil { // the closing '}'
			return d.fatal(err, "body")
		}
		if _, err := d.dec.Token(); err != io.EOF {
			if err != nil {
				return d.fatal(err, "body")
			}
			return camera.Errorf(camera.EINVALID, "body", "has data after the FeatureCollection")
		}
		if !d.sawType {
			return camera.Errorf(camera.EINVALID, "type", "is missing: the body must be a GeoJSON FeatureCollection")
		}
		if !d.sawFeatures {
			return camera.Errorf(camera.EINVALID, "features", "is missing: the FeatureCollection has no features array")
		}
		return io.EOF
	}
	tok, err := d.dec.Token()
	if err != nil {
		return d.fatal(err, "body")
	}
	key, _ := tok.(string)
	d.mark()
	switch key {
	case "type":
		var typ string
		if err := d.dec.Decode(&typ); err != nil {
			if isTypeError(err) {
				return camera.Errorf(camera.EINVALID, "type", "must be the string FeatureCollection")
			}
			return d.fatal(err, "type")
		}
		if typ != "FeatureCollection" {
			hint := ""
			if typ == "Feature" {
				hint = " (put the feature in a FeatureCollection)"
			}
			return camera.Errorf(camera.EINVALID, "type", "must be FeatureCollection, got %s%s", quoteShort(typ), hint)
		}
		d.sawType = true
	case "features":
		if d.sawFeatures {
			return camera.Errorf(camera.EINVALID, "features", "appears twice")
		}
		tok, err := d.dec.Token()
		if err != nil {
			return d.fatal(err, "features")
		}
		if tok != json.Delim('[') {
			return camera.Errorf(camera.EINVALID, "features", "must be an array, got %s", describeToken(tok))
		}
		d.sawFeatures = true
		d.state = stateFeatures
	default:
		// Foreign members (bbox, crs, name, generator, ...) are allowed by
		// RFC 7946 and carry nothing for us.
		if err := d.dec.Decode(&skipValue{}); err != nil {
			return d.fatal(err, key)
		}
		if d.dec.InputOffset()-d.start > MaxFeatureBytes {
			return d.fatal(errTooLarge, key)
		}
	}
	return nil
}

// closeFeatures reads the ']' that ends the features array.
func (d *GeoJSONDecoder) closeFeatures() error {
	if _, err := d.dec.Token(); err != nil {
		return d.fatal(err, "features")
	}
	d.state = stateMembers
	return nil
}

// feature decodes the next element of "features" into a row.
func (d *GeoJSONDecoder) feature() (Row, error) {
	i := d.index
	d.index++
	d.f.reset()
	err := d.dec.Decode(&d.f)
	if d.dec.InputOffset()-d.start > MaxFeatureBytes {
		return Row{}, d.fatal(errTooLarge, fmt.Sprintf("feature %d", i))
	}
	typeErr, ok := typeError(err)
	if !ok {
		return Row{}, d.fatal(err, fmt.Sprintf("feature %d", i))
	}
	// On a type mismatch the feature was still read whole: only its shape
	// is wrong, and toCamera says how.
	c, rej := d.toCamera(i, typeErr)
	if rej != nil {
		return Row{Feature: i, Reject: rej}, nil
	}
	if first, dup := d.seen[c.ID]; dup {
		return rejectFeature(i, c.ID, colID.String(), fmt.Sprintf("repeats the id of feature %d", first)), nil
	}
	d.seen[c.ID] = i
	return Row{Feature: i, Camera: c}, nil
}

// mark records where the next value starts and lets the reader deliver at
// most MaxFeatureBytes (plus read-ahead) past it.
func (d *GeoJSONDecoder) mark() {
	d.start = d.dec.InputOffset()
	d.src.allow(d.start, MaxFeatureBytes+geojsonSlack)
}

// fatal turns an error of the JSON decoder into the decoder's fatal error;
// where names the value being read.
func (d *GeoJSONDecoder) fatal(err error, where string) error {
	var se *json.SyntaxError
	switch {
	case errors.Is(err, errTooLarge):
		return camera.Errorf(camera.EINVALID, where, "is larger than %d bytes", MaxFeatureBytes)
	case errors.As(err, &se):
		return camera.Errorf(camera.EINVALID, "body", "is not valid JSON at byte %d: %s", se.Offset, se.Error())
	case err == io.EOF, errors.Is(err, io.ErrUnexpectedEOF):
		return camera.Errorf(camera.EINVALID, "body", "ends in the middle of the JSON (in %s)", where)
	case isTypeError(err):
		return camera.Errorf(camera.EINVALID, where, "has the wrong JSON type")
	}
	return fmt.Errorf("read geojson: %w", err)
}

// typeError returns err as a JSON type mismatch; ok is false for any other
// error. The target of errors.As escapes to the heap, so it is declared only
// once err is known to be non-nil.
func typeError(err error) (te *json.UnmarshalTypeError, ok bool) {
	if err == nil {
		return nil, true
	}
	var target *json.UnmarshalTypeError
	if errors.As(err, &target) {
		return target, true
	}
	return nil, false
}

// isTypeError reports whether err is a JSON type mismatch.
func isTypeError(err error) bool {
	var te *json.UnmarshalTypeError
	return errors.As(err, &te)
}

// describeToken names a JSON token for a message.
func describeToken(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return "an array"
		}
		return "an object"
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "something else"
}

// skipValue consumes a JSON value without keeping it.
type skipValue struct{}

// UnmarshalJSON implements json.Unmarshaler.
func (*skipValue) UnmarshalJSON([]byte) error { return nil }

func rejectFeature(i int, id, field, reason string) Row {
	return Row{Feature: i, Reject: newRejection(0, i, id, field, reason)}
}
