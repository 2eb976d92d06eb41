package geo

import (
	"context"
	"fmt"
	"strconv"

	"github.com/paulmach/orb"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/jsontext"
)

// Road is one feature of a road layer.
type Road struct {
	Name      string           `json:"name"`
	RoadClass camera.RoadClass `json:"road_class"`
	Lines     []orb.LineString `json:"-"` // lon/lat; a LineString is one line
}

// ParseRoads reads a road layer: a FeatureCollection of LineString or
// MultiLineString features with properties name and road_class (missing =
// other). Errors name the feature and the property. The default Limits
// apply.
func ParseRoads(raw []byte) ([]Road, error) {
	return ReadRoads(context.Background(), raw, DefaultLimits())
}

// ReadRoads reads a road layer (see ParseRoads) within lim (NoLimits for
// a layer read back from the store, see RoadsGeoJSON). ctx is looked at
// between features.
func ReadRoads(ctx context.Context, raw []byte, lim Limits) ([]Road, error) {
	out := []Road{}
	err := eachFeature(ctx, raw, lim.resolve(), func(i int, f *rawFeature) error {
		r, err := roadOf(i, f)
		out = append(out, r)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// roadOf reads feature i of a road layer.
func roadOf(i int, f *rawFeature) (Road, error) {
	lines, err := decodeLines(f.Geometry, fmt.Sprintf("features[%d].geometry", i))
	if err != nil {
		return Road{}, err
	}
	r := Road{Lines: lines}
	if r.Name, err = propString(f, i, "name"); err != nil {
		return Road{}, err
	}
	if r.RoadClass, err = propRoadClass(f, i); err != nil {
		return Road{}, err
	}
	return r, nil
}

// RoadsGeoJSON writes roads as the road layer they were read from holds
// them: a FeatureCollection of LineString features (MultiLineString for a
// road of several lines) with name and road_class, positions written with
// as few digits as read them back exactly, one feature a line of text.
// ReadRoads reads it back.
func RoadsGeoJSON(roads []Road) []byte {
	n := 64
	for i := range roads {
		for _, l := range roads[i].Lines {
			n += 40 * len(l)
		}
	}
	b := make([]byte, 0, n)
	b = append(b, `{"type":"FeatureCollection","features":[`...)
	for i := range roads {
		r := &roads[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n{\"type\":\"Feature\",\"properties\":{\"name\":"...)
		b = jsontext.AppendString(b, r.Name, false)
		b = append(b, `,"road_class":`...)
		b = jsontext.AppendString(b, string(r.RoadClass), false)
		b = append(b, `},"geometry":{"type":`...)
		if len(r.Lines) == 1 {
			b = append(b, `"LineString","coordinates":`...)
			b = appendLine(b, r.Lines[0])
		} else {
			b = append(b, `"MultiLineString","coordinates":[`...)
			for j, l := range r.Lines {
				if j > 0 {
					b = append(b, ',')
				}
				b = appendLine(b, l)
			}
			b = append(b, ']')
		}
		b = append(b, "}}"...)
	}
	return append(b, "\n]}\n"...)
}

// appendLine appends the coordinates of a line.
func appendLine(b []byte, l orb.LineString) []byte {
	b = append(b, '[')
	for i, p := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = strconv.AppendFloat(b, p[0], 'f', -1, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, p[1], 'f', -1, 64)
		b = append(b, ']')
	}
	return append(b, ']')
}
