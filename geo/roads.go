package geo

import (
	"context"
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
// other). Errors name the feature and the property. The default Limits
// apply.
func ParseRoads(raw []byte) ([]Road, error) {
	var out []Road
	err := eachFeature(context.Background(), raw, DefaultLimits(), func(i int, f *rawFeature) error {
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
