package exchange

import (
	"io"
	"iter"
	"strconv"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/jsontext"
)

// GeoJSONEncoder writes cameras as a GeoJSON FeatureCollection of Point
// features, one feature per line, in the order given. The properties are
// the camera fields under their CSV names, in that order, plus status,
// notes and has_credentials; the feature's id is the camera id. Credentials
// are never written. The output is deterministic and reads back through
// GeoJSONDecoder to the same cameras (without credentials).
type GeoJSONEncoder struct {
	w   io.Writer
	buf []byte
	n   int // features written
	err error
}

// flushSize is how much the encoder buffers before writing to w.
const flushSize = 32 << 10

// NewGeoJSONEncoder returns an encoder writing to w. Call Close at the end,
// which writes the closing brackets.
func NewGeoJSONEncoder(w io.Writer) *GeoJSONEncoder {
	return &GeoJSONEncoder{w: w, buf: make([]byte, 0, flushSize+4096)}
}

const (
	geojsonHead = `{"type":"FeatureCollection","features":[` + "\n"
	geojsonTail = "\n]}\n"
)

// Encode writes one camera as a feature.
func (e *GeoJSONEncoder) Encode(c *camera.Camera) error {
	if e.err != nil {
		return e.err
	}
	if err := finite(c); err != nil {
		return err
	}
	b := e.buf
	if e.n == 0 {
		b = append(b, geojsonHead...)
	} else {
		b = append(b, ",\n"...)
	}
	e.n++
	b = append(b, `{"type":"Feature","id":`...)
	b = appendJSONString(b, c.ID)
	b = append(b, `,"geometry":{"type":"Point","coordinates":[`...)
	b = appendFloat(b, c.Lon)
	b = append(b, ',')
	b = appendFloat(b, c.Lat)
	b = append(b, `]},"properties":{"id":`...)
	b = appendJSONString(b, c.ID)
	for _, p := range [...]struct {
		name string
		v    string
	}{
		{"name", c.Name}, {"commune", c.Commune}, {"district", c.District}, {"province", c.Province},
		{"road_class", string(c.RoadClass)}, {"site", string(c.Site)},
	} {
		b = appendKey(b, p.name)
		b = appendJSONString(b, p.v)
	}
	b = appendFloat(appendKey(b, "direction_deg"), c.DirectionDeg)
	b = appendFloat(appendKey(b, "fov_deg"), c.FOVDeg)
	b = appendFloat(appendKey(b, "range_m"), c.RangeM)
	b = appendJSONString(appendKey(b, "rtsp_url"), exportURL(c.RTSPURL))
	b = appendJSONString(appendKey(b, "installed_on"), c.InstalledOn)
	b = strconv.AppendInt(appendKey(b, "cost_vnd"), c.CostVND, 10)
	b = appendJSONString(appendKey(b, "status"), string(c.Status))
	b = appendJSONString(appendKey(b, "notes"), c.Notes)
	b = strconv.AppendBool(appendKey(b, "has_credentials"), c.HasCredentials())
	b = append(b, "}}"...)
	e.buf = b
	if len(b) >= flushSize {
		return e.flush()
	}
	return nil
}

// Close writes the end of the FeatureCollection (all of it if no camera was
// encoded) and flushes. It does not close the underlying writer.
func (e *GeoJSONEncoder) Close() error {
	if e.err != nil {
		return e.err
	}
	if e.n == 0 {
		e.buf = append(e.buf, geojsonHead...)
	}
	e.buf = append(e.buf, geojsonTail...)
	return e.flush()
}

func (e *GeoJSONEncoder) flush() error {
	if _, err := e.w.Write(e.buf); err != nil {
		e.err = err
		return err
	}
	e.buf = e.buf[:0]
	return nil
}

// WriteGeoJSON writes the cameras of seq as a FeatureCollection (use
// slices.Values for a slice). The order is seq's: give it a stable one for
// a deterministic export.
func WriteGeoJSON(w io.Writer, seq iter.Seq[*camera.Camera]) error {
	enc := NewGeoJSONEncoder(w)
	for c := range seq {
		if err := enc.Encode(c); err != nil {
			return err
		}
	}
	return enc.Close()
}

func appendKey(b []byte, name string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

// appendFloat writes v as a JSON number in its shortest exact decimal form,
// the same text as in the CSV.
func appendFloat(b []byte, v float64) []byte { return strconv.AppendFloat(b, v, 'f', -1, 64) }

// appendJSONString writes s as a JSON string, escaped as encoding/json
// escapes it but for <, > and & (a GeoJSON file is not embedded in HTML).
// Written by hand because encoding/json would allocate for every field of
// every row.
func appendJSONString(b []byte, s string) []byte { return jsontext.AppendString(b, s, false) }
