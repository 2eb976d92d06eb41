package geo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/paulmach/orb"

	"github.com/matthan/matthan/camera"
)

// The GeoJSON readers of this package decode documents themselves rather
// than through orb/geojson, for two reasons: orb silently drops a third
// coordinate (and turns null into 0), which the validation must see, and
// an error must name the feature and the property at fault.

// rawDoc is any GeoJSON object: a FeatureCollection, a Feature or a bare
// geometry; only the members of its type are set.
type rawDoc struct {
	Type        string                     `json:"type"`
	Features    []rawFeature               `json:"features"`
	Geometry    *rawGeometry               `json:"geometry"`
	Properties  map[string]json.RawMessage `json:"properties"`
	ID          json.RawMessage            `json:"id"`
	Coordinates json.RawMessage            `json:"coordinates"`
}

type rawFeature struct {
	Type       string                     `json:"type"`
	ID         json.RawMessage            `json:"id"`
	Geometry   *rawGeometry               `json:"geometry"`
	Properties map[string]json.RawMessage `json:"properties"`
}

type rawGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// decodeDoc decodes a whole GeoJSON document; a syntax error is an error of
// the whole input (field "body").
func decodeDoc(raw []byte) (*rawDoc, error) {
	var d rawDoc
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, camera.Errorf(camera.EINVALID, "body", "is not GeoJSON: %s", jsonErr(err))
	}
	return &d, nil
}

// jsonErr words a decoding error for a person, without Go type names.
func jsonErr(err error) string {
	switch e := err.(type) {
	case *json.SyntaxError:
		return fmt.Sprintf("invalid JSON at byte %d", e.Offset)
	case *json.UnmarshalTypeError:
		if e.Field != "" {
			return fmt.Sprintf("%s has the wrong type (%s)", e.Field, e.Value)
		}
		return fmt.Sprintf("wrong type (%s) at byte %d", e.Value, e.Offset)
	}
	return err.Error()
}

// eachFeature reads a layer — a FeatureCollection of at least one
// feature — one feature at a time, handing each to fn, so that the layer
// is never held twice in memory and a limit stops the reading as soon as
// it is passed: more than lim.Features features, or more than
// lim.Positions positions (counted in the raw coordinates before they are
// decoded). Anything but a FeatureCollection is an error of the whole
// input. ctx is looked at between features.
func eachFeature(ctx context.Context, raw []byte, lim Limits, fn func(i int, f *rawFeature) error) error {
	return eachFeatureChecked(ctx, raw, lim, nil, fn)
}

// eachFeatureChecked is eachFeature, but with check it goes on past a
// feature that is invalid (its own error, or fn's, EINVALID), recording
// the error in check; what stops the reading — input that is no longer
// JSON, a limit passed, ctx done — is still returned.
func eachFeatureChecked(ctx context.Context, raw []byte, lim Limits, check *LayerCheck, fn func(i int, f *rawFeature) error) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	notGeoJSON := func(err error) error {
		return camera.Errorf(camera.EINVALID, "body", "is not GeoJSON: %s", jsonErr(err))
	}
	if tok, err := dec.Token(); err != nil {
		return notGeoJSON(err)
	} else if d, ok := tok.(json.Delim); !ok || d != '{' {
		return camera.Errorf(camera.EINVALID, "body", "is not GeoJSON: a FeatureCollection object is required")
	}
	var (
		typ       string
		n         int  // features read
		positions int  // positions of the features read
		seen      bool // "features" was given
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return notGeoJSON(err)
		}
		switch key, _ := tok.(string); key {
		case "type":
			if err := dec.Decode(&typ); err != nil {
				return camera.Errorf(camera.EINVALID, "type", "must be FeatureCollection")
			}
		case "features":
			if seen {
				return camera.Errorf(camera.EINVALID, "features", "is given twice")
			}
			seen = true
			tok, err := dec.Token()
			if err != nil {
				return notGeoJSON(err)
			}
			if tok == nil { // null: no features
				continue
			}
			if d, ok := tok.(json.Delim); !ok || d != '[' {
				return camera.Errorf(camera.EINVALID, "features", "must be an array of features")
			}
			for ; dec.More(); n++ {
				if n%256 == 0 {
					if err := canceled(ctx); err != nil {
						return err
					}
				}
				if n >= lim.Features {
					return tooLarge("features", lim.Features, "max_features", "the layer has more than %d features", lim.Features)
				}
				if check != nil {
					check.Features = n + 1
				}
				var f rawFeature
				if err := dec.Decode(&f); err != nil {
					ferr := camera.Errorf(camera.EINVALID, fmt.Sprintf("features[%d]", n), "is not a GeoJSON feature: %s", jsonErr(err))
					var syntax *json.SyntaxError
					if check == nil || errors.As(err, &syntax) || errors.Is(err, io.ErrUnexpectedEOF) {
						return ferr // the rest cannot be read
					}
					check.add(n, ferr)
					continue
				}
				var err error
				switch {
				case f.Type != "Feature":
					err = camera.Errorf(camera.EINVALID, fmt.Sprintf("features[%d].type", n), "must be Feature, got %q", f.Type)
				case f.Geometry == nil:
					err = camera.Errorf(camera.EINVALID, fmt.Sprintf("features[%d].geometry", n), "must not be null")
				default:
					positions += countPositions(f.Geometry.Coordinates)
					if positions > lim.Positions {
						return tooLarge(fmt.Sprintf("features[%d].geometry.coordinates", n), lim.Positions, "max_positions",
							"the layer has more than %d positions by this feature", lim.Positions)
					}
					err = fn(n, &f)
				}
				if err != nil {
					if check == nil || camera.ErrorCode(err) != camera.EINVALID {
						return err
					}
					check.add(n, err)
				}
			}
			if _, err := dec.Token(); err != nil { // the closing ]
				return notGeoJSON(err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return notGeoJSON(err)
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing }
		return notGeoJSON(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return camera.Errorf(camera.EINVALID, "body", "is not GeoJSON: data after the FeatureCollection")
	}
	if typ != "FeatureCollection" {
		return camera.Errorf(camera.EINVALID, "type", "must be FeatureCollection, got %q", typ)
	}
	if n == 0 {
		return camera.Errorf(camera.EINVALID, "features", "must hold at least one feature")
	}
	return nil
}

// countPositions counts the positions in the raw coordinates of a
// geometry without decoding them: the arrays that open on a number. For
// valid coordinates that is exact; for anything else the decoding that
// follows fails.
func countPositions(c json.RawMessage) int {
	n := 0
	for i := 0; i < len(c); i++ {
		if c[i] != '[' {
			continue
		}
		j := i + 1
		for j < len(c) && (c[j] == ' ' || c[j] == '\t' || c[j] == '\n' || c[j] == '\r') {
			j++
		}
		if j < len(c) && (c[j] == '-' || c[j] >= '0' && c[j] <= '9') {
			n++
		}
		i = j - 1
	}
	return n
}

// num is a coordinate: a JSON number, never null (encoding/json would
// leave a float64 at 0 for null).
type num float64

func (n *num) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || !finite(f) {
		b = bytes.TrimSpace(b)
		if len(b) > 40 {
			b = append(b[:40:40], "..."...)
		}
		return fmt.Errorf("%s is not a finite number", b)
	}
	*n = num(f)
	return nil
}

// decodeCoords decodes the coordinates member into v (nested slices of
// num); the error names path.
func decodeCoords(c json.RawMessage, path string, v any) error {
	if len(c) == 0 || string(c) == "null" {
		return camera.Errorf(camera.EINVALID, path, "is missing")
	}
	if err := json.Unmarshal(c, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return camera.Errorf(camera.EINVALID, path, "has the wrong nesting for this geometry type")
		}
		return camera.Errorf(camera.EINVALID, path, "%s", jsonErr(err))
	}
	return nil
}

// position turns a GeoJSON position into a point, checking it: exactly
// two numbers (no elevation: the system is flat on the sphere, and orb
// would drop the third silently), longitude and latitude in range.
func position(p []num, path string) (orb.Point, error) {
	switch {
	case len(p) == 3:
		return orb.Point{}, camera.Errorf(camera.EINVALID, path, "has 3-D coordinates; send [lon, lat] positions without elevation")
	case len(p) != 2:
		return orb.Point{}, camera.Errorf(camera.EINVALID, path, "must be a [lon, lat] position, got %d numbers", len(p))
	}
	lon, lat := float64(p[0]), float64(p[1])
	if lon < -180 || lon > 180 {
		return orb.Point{}, camera.Errorf(camera.EINVALID, path, "longitude must be from -180 to 180, got %v", lon)
	}
	if lat < -90 || lat > 90 {
		return orb.Point{}, camera.Errorf(camera.EINVALID, path, "latitude must be from -90 to 90, got %v", lat)
	}
	return orb.Point{lon, lat}, nil
}

// line turns a list of positions into a line string.
func line(ps [][]num, path string) (orb.LineString, error) {
	ls := make(orb.LineString, len(ps))
	for i, p := range ps {
		pt, err := position(p, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		ls[i] = pt
	}
	return ls, nil
}

// decodePoint decodes a Point geometry.
func decodePoint(g *rawGeometry, path string) (orb.Point, error) {
	if g.Type != "Point" {
		return orb.Point{}, camera.Errorf(camera.EINVALID, path+".type", "must be Point, got %q", g.Type)
	}
	var p []num
	if err := decodeCoords(g.Coordinates, path+".coordinates", &p); err != nil {
		return orb.Point{}, err
	}
	return position(p, path+".coordinates")
}

// decodeLines decodes a LineString or MultiLineString geometry into its
// parts, each of at least two positions.
func decodeLines(g *rawGeometry, path string) ([]orb.LineString, error) {
	cpath := path + ".coordinates"
	var parts [][][]num
	switch g.Type {
	case "LineString":
		var ps [][]num
		if err := decodeCoords(g.Coordinates, cpath, &ps); err != nil {
			return nil, err
		}
		parts = [][][]num{ps}
	case "MultiLineString":
		if err := decodeCoords(g.Coordinates, cpath, &parts); err != nil {
			return nil, err
		}
	default:
		return nil, camera.Errorf(camera.EINVALID, path+".type", "must be LineString or MultiLineString, got %q", g.Type)
	}
	out := make([]orb.LineString, 0, len(parts))
	for i, ps := range parts {
		p := cpath
		if g.Type == "MultiLineString" {
			p = fmt.Sprintf("%s[%d]", cpath, i)
		}
		if len(ps) < 2 {
			return nil, camera.Errorf(camera.EINVALID, p, "a line needs at least 2 positions, got %d", len(ps))
		}
		ls, err := line(ps, p)
		if err != nil {
			return nil, err
		}
		out = append(out, ls)
	}
	return out, nil
}

// decodePolygonal decodes and validates a Polygon or MultiPolygon geometry
// (see ValidatePolygon for the rules) of at most maxPositions positions,
// counted before anything is decoded.
func decodePolygonal(g *rawGeometry, path string, maxPositions int) (orb.Geometry, error) {
	cpath := path + ".coordinates"
	if path == "" {
		cpath = "coordinates"
	}
	if g.Type == "Polygon" || g.Type == "MultiPolygon" {
		if n := countPositions(g.Coordinates); n > maxPositions {
			return nil, tooLarge(cpath, maxPositions, "max_polygon_positions", "the boundary has %d positions", n)
		}
	}
	switch g.Type {
	case "Polygon":
		var rings [][][]num
		if err := decodeCoords(g.Coordinates, cpath, &rings); err != nil {
			return nil, err
		}
		return polygon(rings, cpath)
	case "MultiPolygon":
		var polys [][][][]num
		if err := decodeCoords(g.Coordinates, cpath, &polys); err != nil {
			return nil, err
		}
		if len(polys) == 0 {
			return nil, camera.Errorf(camera.EINVALID, cpath, "a MultiPolygon needs at least one polygon")
		}
		mp := make(orb.MultiPolygon, len(polys))
		for i, rings := range polys {
			p, err := polygon(rings, fmt.Sprintf("%s[%d]", cpath, i))
			if err != nil {
				return nil, err
			}
			mp[i] = p
		}
		return mp, nil
	}
	field := path + ".type"
	if path == "" {
		field = "type"
	}
	return nil, camera.Errorf(camera.EINVALID, field, "must be Polygon or MultiPolygon, got %q", g.Type)
}

// propString reads a string property; a missing or null property is "".
// Numbers are accepted and written as in the input, for ids such as OSM
// node numbers.
func propString(f *rawFeature, i int, key string) (string, error) {
	v, ok := f.Properties[key]
	if !ok || string(v) == "null" {
		return "", nil
	}
	return jsonString(v, fmt.Sprintf("features[%d].properties.%s", i, key))
}

// jsonString reads a JSON string or number as a string.
func jsonString(v json.RawMessage, field string) (string, error) {
	v = bytes.TrimSpace(v)
	if len(v) > 0 && v[0] == '"' {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", camera.Errorf(camera.EINVALID, field, "is not a valid string")
		}
		return s, nil
	}
	if _, err := strconv.ParseFloat(string(v), 64); err == nil {
		return string(v), nil
	}
	return "", camera.Errorf(camera.EINVALID, field, "must be a string")
}

// propRoadClass reads a road_class property: missing or empty means
// other; anything else must be one of the classes.
func propRoadClass(f *rawFeature, i int) (camera.RoadClass, error) {
	s, err := propString(f, i, "road_class")
	if err != nil {
		return "", err
	}
	if s == "" {
		return camera.RoadOther, nil
	}
	c := camera.RoadClass(s)
	if !c.Valid() {
		return "", camera.Errorf(camera.EINVALID, fmt.Sprintf("features[%d].properties.road_class", i), "must be one of national, provincial, district, commune, urban, other, got %q", s)
	}
	return c, nil
}
