package exchange

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/matthan/matthan/camera"
)

// featureJSON is one element of "features". Every leaf is kept raw, so that
// decoding it never fails on a value's type: each property is checked by
// hand and a wrong one rejects the feature with a reason naming it. The
// decoder reuses one featureJSON, whose RawMessage buffers then stop
// allocating after the first features.
type featureJSON struct {
	Type       json.RawMessage `json:"type"`
	ID         json.RawMessage `json:"id"`
	Geometry   geometryJSON    `json:"geometry"`
	Properties propertiesJSON  `json:"properties"`
}

// propertiesJSON holds the properties the decoder reads: the camera fields
// (the CSV column names) and the OpenStreetMap tags of a surveillance
// camera. Others are ignored. lat and lon are deliberately absent: the
// Point geometry is the one source of a feature's position.
type propertiesJSON struct {
	ID          json.RawMessage `json:"id"`
	Name        json.RawMessage `json:"name"`
	Commune     json.RawMessage `json:"commune"`
	District    json.RawMessage `json:"district"`
	Province    json.RawMessage `json:"province"`
	RoadClass   json.RawMessage `json:"road_class"`
	Site        json.RawMessage `json:"site"`
	Direction   json.RawMessage `json:"direction_deg"`
	FOV         json.RawMessage `json:"fov_deg"`
	Range       json.RawMessage `json:"range_m"`
	RTSPURL     json.RawMessage `json:"rtsp_url"`
	InstalledOn json.RawMessage `json:"installed_on"`
	CostVND     json.RawMessage `json:"cost_vnd"`
	Status      json.RawMessage `json:"status"`
	Notes       json.RawMessage `json:"notes"`

	OSMID            json.RawMessage `json:"@id"`
	ManMade          json.RawMessage `json:"man_made"`
	SurveillanceType json.RawMessage `json:"surveillance:type"`
	CameraType       json.RawMessage `json:"camera:type"`
	CameraDirection  json.RawMessage `json:"camera:direction"`
	OSMDirection     json.RawMessage `json:"direction"`
	Height           json.RawMessage `json:"height"`
	Operator         json.RawMessage `json:"operator"`
}

// geometryJSON is a feature's geometry. Coordinates that are not a flat
// array of numbers (any geometry but a Point, or a bad Point) make
// json.Decoder report an *json.UnmarshalTypeError for
// "geometry.coordinates"; it still fills Type, which then says which
// message to give.
type geometryJSON struct {
	Type        string    `json:"type"`
	Coordinates []float64 `json:"coordinates"`
}

// reset empties f for the next feature, keeping its buffers: fields absent
// from the next feature must not keep this one's values.
func (f *featureJSON) reset() {
	f.Geometry.Type = ""
	f.Geometry.Coordinates = f.Geometry.Coordinates[:0]
	p := &f.Properties
	for _, m := range []*json.RawMessage{
		&f.Type, &f.ID,
		&p.ID, &p.Name, &p.Commune, &p.District, &p.Province, &p.RoadClass, &p.Site,
		&p.Direction, &p.FOV, &p.Range, &p.RTSPURL, &p.InstalledOn, &p.CostVND, &p.Status, &p.Notes,
		&p.OSMID, &p.ManMade, &p.SurveillanceType, &p.CameraType, &p.CameraDirection,
		&p.OSMDirection, &p.Height, &p.Operator,
	} {
		*m = (*m)[:0]
	}
}

// raw returns the property holding camera field col (nil for lat and lon,
// which come from the geometry).
func (p *propertiesJSON) raw(col column) json.RawMessage {
	switch col {
	case colID:
		return p.ID
	case colName:
		return p.Name
	case colCommune:
		return p.Commune
	case colDistrict:
		return p.District
	case colProvince:
		return p.Province
	case colRoadClass:
		return p.RoadClass
	case colSite:
		return p.Site
	case colDirection:
		return p.Direction
	case colFOV:
		return p.FOV
	case colRange:
		return p.Range
	case colRTSPURL:
		return p.RTSPURL
	case colInstalledOn:
		return p.InstalledOn
	case colCostVND:
		return p.CostVND
	case colStatus:
		return p.Status
	case colNotes:
		return p.Notes
	}
	return nil
}

// toCamera turns the decoded feature number i into a valid camera, or says
// why it cannot be one. typeErr is the type mismatch json.Decoder found in
// the feature, if any.
func (d *GeoJSONDecoder) toCamera(i int, typeErr *json.UnmarshalTypeError) (*camera.Camera, *Rejection) {
	f := &d.f
	p := &f.Properties
	id, ref, err := featureID(f)
	reject := func(e *camera.Error) *Rejection { return newRejection(0, i, id, e.Field, e.Message) }
	if err != nil {
		return nil, reject(err)
	}
	if typeErr != nil && !strings.HasPrefix(typeErr.Field, "geometry") {
		// Only "properties" (or the feature itself) can mismatch: every
		// other leaf is a RawMessage.
		if typeErr.Field == "" {
			return nil, reject(camera.Errorf(camera.EINVALID, "", "must be a GeoJSON Feature object"))
		}
		return nil, reject(camera.Errorf(camera.EINVALID, typeErr.Field, "must be an object"))
	}
	if !bytes.Equal(f.Type, []byte(`"Feature"`)) {
		return nil, reject(camera.Errorf(camera.EINVALID, "type", "must be Feature"))
	}
	c := camera.New()
	c.ID = id
	if err := position(c, &f.Geometry, typeErr); err != nil {
		return nil, reject(err)
	}
	for col := range numColumns {
		raw := p.raw(col)
		if col == colID || !present(raw) {
			continue
		}
		v, err := jsonValue(col.String(), raw)
		if err != nil {
			return nil, reject(err)
		}
		if err := setField(c, col, v); err != nil {
			return nil, reject(err)
		}
	}
	if err := applyOSM(c, p, ref); err != nil {
		return nil, reject(err)
	}
	if err := finish(c); err != nil {
		return nil, reject(err)
	}
	return c, nil
}

// position sets lat and lon from the Point geometry g. A third coordinate,
// the altitude RFC 7946 allows, is ignored; the range checks are Validate's.
func position(c *camera.Camera, g *geometryJSON, typeErr *json.UnmarshalTypeError) *camera.Error {
	switch {
	case typeErr != nil && typeErr.Field == "geometry":
		return camera.Errorf(camera.EINVALID, "geometry", "must be a GeoJSON Point object")
	case g.Type == "" && typeErr == nil:
		return camera.Errorf(camera.EINVALID, "geometry", "is required: a Point with [lon, lat] coordinates")
	case g.Type != "Point":
		return camera.Errorf(camera.EINVALID, "geometry", "must be a Point, got %s", quoteShort(g.Type))
	case typeErr != nil && strings.HasPrefix(typeErr.Value, "number"):
		return camera.Errorf(camera.EINVALID, "geometry", "has a coordinate out of range")
	case typeErr != nil:
		return camera.Errorf(camera.EINVALID, "geometry", "coordinates must be an array of numbers [lon, lat]")
	}
	if n := len(g.Coordinates); n != 2 && n != 3 {
		return camera.Errorf(camera.EINVALID, "geometry", "coordinates must be [lon, lat] or [lon, lat, altitude], got %d numbers", n)
	}
	c.Lon, c.Lat = g.Coordinates[0], g.Coordinates[1]
	return nil
}

// present reports whether a property was given: absent and null are the
// same, as an empty CSV field is.
func present(raw json.RawMessage) bool {
	return len(raw) > 0 && !bytes.Equal(raw, []byte("null"))
}

// given reports whether a property gives a value: present, and not a
// string of spaces, which is "not given" as an empty CSV field is. A
// string that cannot be read counts as given, so that its error is told.
func given(raw json.RawMessage) bool {
	if !present(raw) {
		return false
	}
	if raw[0] != '"' {
		return true
	}
	s, _, err := jsonText("", raw)
	return err != nil || strings.TrimSpace(s) != ""
}

// jsonValue reads a property that is a string or a number.
func jsonValue(name string, raw json.RawMessage) (value, *camera.Error) {
	switch raw[0] {
	case '"':
		s, _, err := jsonText(name, raw)
		return value{s: s}, err
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return value{s: string(raw), num: true}, nil
	}
	return value{}, camera.Errorf(camera.EINVALID, name, "must be a string or a number")
}

// jsonText reads a property that must be a string. ok is false when it is
// absent or null. Invalid UTF-8 is refused, as in a CSV, rather than
// replaced by U+FFFD as encoding/json would do.
func jsonText(name string, raw json.RawMessage) (string, bool, *camera.Error) {
	if !present(raw) {
		return "", false, nil
	}
	if raw[0] != '"' {
		return "", false, camera.Errorf(camera.EINVALID, name, "must be a string")
	}
	if !utf8.Valid(raw) {
		return "", false, camera.Errorf(camera.EINVALID, name, "is not valid UTF-8")
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), true, nil
	}
	return unquoteJSON(name, raw)
}

// unquoteJSON decodes a JSON string with escapes. It is apart from jsonText
// so that the variable json.Unmarshal writes to, which escapes to the heap,
// costs an allocation only for strings that have escapes.
func unquoteJSON(name string, raw json.RawMessage) (string, bool, *camera.Error) {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false, camera.Errorf(camera.EINVALID, name, "is not a valid JSON string")
	}
	return s, true, nil
}
