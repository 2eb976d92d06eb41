package geo

import (
	"fmt"

	"github.com/paulmach/orb"

	"github.com/matthan/matthan/camera"
)

// Road is one feature of a road layer.
type Road struct {
	Name      string           `json:"name"`
	RoadClass camera.RoadClass `json:"road_class"`
	Lines     []orb.LineString `json:"-"` // lon/lat; a LineString is one line
}

// ParseRoads reads a road layer: a FeatureCollection of LineString or
// MultiLineString features with properties name and road_class (missing =
// other). Errors name the feature and the property.
func ParseRoads(raw []byte) ([]Road, error) {
	fs, err := readCollection(raw)
	if err != nil {
		return nil, err
	}
	return roadsOf(fs)
}

func roadsOf(fs []rawFeature) ([]Road, error) {
	out := make([]Road, 0, len(fs))
	for i := range fs {
		f := &fs[i]
		lines, err := decodeLines(f.Geometry, fmt.Sprintf("features[%d].geometry", i))
		if err != nil {
			return nil, err
		}
		r := Road{Lines: lines}
		if r.Name, err = propString(f, i, "name"); err != nil {
			return nil, err
		}
		if r.RoadClass, err = propRoadClass(f, i); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
