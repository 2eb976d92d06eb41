package geo

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/matthan/matthan/camera"
)

// Intersection is a place where roads cross or meet: the unit of coverage.
type Intersection struct {
	ID        string           `json:"id"`
	Name      string           `json:"name"`
	Lat       float64          `json:"lat"`
	Lon       float64          `json:"lon"`
	RoadClass camera.RoadClass `json:"road_class"` // the highest class meeting there
	Commune   string           `json:"commune,omitempty"`
	Legs      int              `json:"legs,omitempty"`  // arms: 3 for a T, 4 for a crossing
	Roads     []string         `json:"roads,omitempty"` // names of the roads meeting there, highest class first
}

// IntersectionLayer is what an intersections import holds: the
// intersections, and the roads they were found on when it was a road
// layer.
type IntersectionLayer struct {
	Intersections []Intersection
	// Roads are the roads of a layer of LineStrings; nil for a layer of
	// Points.
	Roads []Road
	// FromRoads tells a layer of roads from one of Points.
	FromRoads bool
}

// ReadIntersections reads the body of an intersections import (see
// ReadIntersectionLayer) and returns its intersections.
func ReadIntersections(ctx context.Context, raw []byte, lim Limits) ([]Intersection, error) {
	l, err := ReadIntersectionLayer(ctx, raw, lim)
	return l.Intersections, err
}

// ReadIntersectionLayer reads the body of an intersections import: either
// Point features (intersections, see ParseIntersections) or LineString /
// MultiLineString features (roads, see ParseRoads), whose junctions become
// the intersections (see Junctions). A collection mixing the two is an
// error. The layer is read within lim (see Limits): more than
// lim.Junctions Point features, or roads making more junctions, are
// refused as soon as that is known. ctx is looked at as the work goes on.
func ReadIntersectionLayer(ctx context.Context, raw []byte, lim Limits) (IntersectionLayer, error) {
	return readIntersectionLayer(ctx, raw, lim, nil)
}

// readIntersectionLayer is ReadIntersectionLayer; with check it reads past
// invalid features (see CheckIntersections).
func readIntersectionLayer(ctx context.Context, raw []byte, lim Limits, check *LayerCheck) (IntersectionLayer, error) {
	lim = lim.resolve()
	var (
		first string // geometry type of the first feature
		pts   pointReader
		roads []Road
	)
	err := eachFeatureChecked(ctx, raw, lim, check, func(i int, f *rawFeature) error {
		if i == 0 {
			first = f.Geometry.Type
		}
		if (f.Geometry.Type == "Point") != (first == "Point") {
			return camera.Errorf(camera.EINVALID, fmt.Sprintf("features[%d].geometry.type", i),
				"is %s after a %s: send intersections (Points) or roads (LineStrings), not both", f.Geometry.Type, first)
		}
		if first == "Point" {
			return pts.add(i, f, lim.Junctions)
		}
		r, err := roadOf(i, f)
		if err == nil {
			roads = append(roads, r)
		}
		return err
	})
	if check != nil {
		check.Source = "roads"
		if first == "Point" {
			check.Source = "points"
		}
	}
	if err != nil {
		return IntersectionLayer{}, err
	}
	if first == "Point" {
		return IntersectionLayer{Intersections: pts.out}, nil
	}
	items, err := Junctions(ctx, roads, lim.Junctions)
	if err != nil {
		return IntersectionLayer{}, err
	}
	return IntersectionLayer{Intersections: items, Roads: roads, FromRoads: true}, nil
}

// ParseIntersections reads a FeatureCollection of Point features with
// properties id (or the feature's id; an OpenStreetMap reference
// "node/123" becomes "osm-node-123"), name, road_class (missing = other),
// and optionally commune, legs and roads. Ids must be unique. Errors name
// the feature and the property, e.g. "features[3].properties.road_class".
// The default Limits apply.
func ParseIntersections(raw []byte) ([]Intersection, error) {
	lim := DefaultLimits()
	var pts pointReader
	err := eachFeature(context.Background(), raw, lim, func(i int, f *rawFeature) error {
		return pts.add(i, f, lim.Junctions)
	})
	if err != nil {
		return nil, err
	}
	return pts.out, nil
}

// pointReader builds intersections from Point features, one at a time.
type pointReader struct {
	out  []Intersection
	seen map[string]int // id → feature
}

// add reads feature i, the len(out)+1-th intersection, of at most max.
func (r *pointReader) add(i int, f *rawFeature, max int) error {
	if len(r.out) == max {
		return tooLarge("features", max, "max_junctions", "the layer has more than %d intersections", max)
	}
	if r.seen == nil {
		r.seen = map[string]int{}
	}
	pt, err := decodePoint(f.Geometry, fmt.Sprintf("features[%d].geometry", i))
	if err != nil {
		return err
	}
	it := Intersection{Lat: pt[1], Lon: pt[0]}
	if it.ID, err = propString(f, i, "id"); err != nil {
		return err
	}
	idField := fmt.Sprintf("features[%d].properties.id", i)
	if it.ID == "" && len(f.ID) > 0 && string(f.ID) != "null" {
		idField = fmt.Sprintf("features[%d].id", i)
		if it.ID, err = jsonString(f.ID, idField); err != nil {
			return err
		}
	}
	it.ID = osmID(it.ID)
	if err := camera.ValidateID(it.ID); err != nil {
		return camera.Errorf(camera.EINVALID, idField, "%s", camera.ErrorMessage(err))
	}
	if j, dup := r.seen[it.ID]; dup {
		return camera.Errorf(camera.EINVALID, idField, "id %q is already used by feature %d", it.ID, j)
	}
	r.seen[it.ID] = i
	if it.Name, err = propString(f, i, "name"); err != nil {
		return err
	}
	if it.RoadClass, err = propRoadClass(f, i); err != nil {
		return err
	}
	if it.Commune, err = propString(f, i, "commune"); err != nil {
		return err
	}
	if it.Legs, err = propInt(f, i, "legs"); err != nil {
		return err
	}
	if it.Roads, err = propStrings(f, i, "roads"); err != nil {
		return err
	}
	r.out = append(r.out, it)
	return nil
}

// osmID maps an OpenStreetMap reference such as "node/123" to the id
// "osm-node-123", as the camera import does: ids appear in URL paths and
// may not hold '/'.
func osmID(id string) string {
	kind, num, ok := strings.Cut(id, "/")
	if !ok || (kind != "node" && kind != "way" && kind != "relation") || num == "" {
		return id
	}
	for _, r := range num {
		if r < '0' || r > '9' {
			return id
		}
	}
	return "osm-" + kind + "-" + num
}

// propInt reads an optional non-negative integer property.
func propInt(f *rawFeature, i int, key string) (int, error) {
	v, ok := f.Properties[key]
	if !ok || string(v) == "null" {
		return 0, nil
	}
	n, err := strconv.Atoi(string(v))
	if err != nil || n < 0 {
		return 0, camera.Errorf(camera.EINVALID, fmt.Sprintf("features[%d].properties.%s", i, key), "must be a whole number ≥ 0")
	}
	return n, nil
}

// propStrings reads a property that lists names: an array of strings, or
// one text with the names separated by ";" — how GapsGeoJSON writes roads,
// so that every GIS format can hold them, and how a spreadsheet would.
func propStrings(f *rawFeature, i int, key string) ([]string, error) {
	v, ok := f.Properties[key]
	if !ok || string(v) == "null" {
		return nil, nil
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		var ss []string
		for _, name := range strings.Split(s, ";") {
			if name = strings.TrimSpace(name); name != "" {
				ss = append(ss, name)
			}
		}
		return ss, nil
	}
	var ss []string
	if err := json.Unmarshal(v, &ss); err != nil {
		return nil, camera.Errorf(camera.EINVALID, fmt.Sprintf("features[%d].properties.%s", i, key), "must be an array of strings or a text of names separated by ';'")
	}
	return ss, nil
}
