package geo

import (
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// The builders below turn query results into GeoJSON FeatureCollections
// for GIS tools (QGIS, geojson.io, Leaflet). Each feature's id is the
// camera's or the intersection's id; properties use the contract's
// snake_case names.

// cameraProps returns the properties of a camera feature.
func cameraProps(h *Hit) geojson.Properties {
	return geojson.Properties{
		"id":            h.ID,
		"commune":       h.Commune,
		"road_class":    string(h.RoadClass),
		"direction_deg": h.DirectionDeg,
		"fov_deg":       h.FOVDeg,
		"range_m":       h.RangeM,
		"state":         string(h.State),
	}
}

// collection makes one feature of each item: its geometry, id and
// properties as feature gives them.
func collection[T any](items []T, feature func(*T) (orb.Geometry, string, geojson.Properties)) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	fc.Features = make([]*geojson.Feature, 0, len(items))
	for i := range items {
		g, id, props := feature(&items[i])
		f := geojson.NewFeature(g)
		f.ID, f.Properties = id, props
		fc.Append(f)
	}
	return fc
}

// CamerasGeoJSON returns the cameras as Point features.
func CamerasGeoJSON(hits []Hit) *geojson.FeatureCollection {
	return collection(hits, func(h *Hit) (orb.Geometry, string, geojson.Properties) {
		return orb.Point{h.Lon, h.Lat}, h.ID, cameraProps(h)
	})
}

// NearGeoJSON returns the cameras of a Near, Nearest or Seeing answer as
// Point features with their distance_m, in the answer's order.
func NearGeoJSON(hits []NearHit) *geojson.FeatureCollection {
	return collection(hits, func(h *NearHit) (orb.Geometry, string, geojson.Properties) {
		p := cameraProps(&h.Hit)
		p["distance_m"] = h.DistanceM
		return orb.Point{h.Lon, h.Lat}, h.ID, p
	})
}

// FOVGeoJSON returns the fields of view of the cameras as Polygon features
// (see Sector; segments ≤ 0 means DefaultSectorSegments), with the camera
// properties.
func FOVGeoJSON(hits []Hit, segments int) *geojson.FeatureCollection {
	return collection(hits, func(h *Hit) (orb.Geometry, string, geojson.Properties) {
		return Sector(h.Lat, h.Lon, h.DirectionDeg, h.FOVDeg, h.RangeM, segments), h.ID, cameraProps(h)
	})
}

// intersectionProps returns the properties of an intersection feature.
// Every value is a scalar, which every GIS format can hold: the names of
// the roads meeting there are one text, separated by "; ", since a list
// (GDAL's StringList) cannot go into a Shapefile column.
func intersectionProps(s *IntersectionStatus) geojson.Properties {
	p := geojson.Properties{
		"id":           s.ID,
		"name":         s.Name,
		"road_class":   string(s.RoadClass),
		"commune":      s.Commune,
		"cameras":      s.Cameras,
		"cameras_live": s.CamerasLive,
		"covered":      s.Covered,
		"covered_live": s.CoveredLive,
	}
	if s.Legs > 0 {
		p["legs"] = s.Legs
	}
	if len(s.Roads) > 0 {
		p["roads"] = strings.Join(s.Roads, "; ")
	}
	return p
}

// IntersectionsGeoJSON returns intersections and their coverage as Point
// features.
func IntersectionsGeoJSON(items []IntersectionStatus) *geojson.FeatureCollection {
	return collection(items, func(it *IntersectionStatus) (orb.Geometry, string, geojson.Properties) {
		return orb.Point{it.Lon, it.Lat}, it.ID, intersectionProps(it)
	})
}

// GapsGeoJSON returns ranked gaps as Point features (the answer of GET
// /coverage/gaps), with rank, incidents and the nearest camera's id,
// distance and state as nearest_camera_id, nearest_camera_m and
// nearest_camera_state.
func GapsGeoJSON(gaps []Gap) *geojson.FeatureCollection {
	return collection(gaps, func(g *Gap) (orb.Geometry, string, geojson.Properties) {
		p := intersectionProps(&g.IntersectionStatus)
		p["rank"] = g.Rank
		p["incidents"] = g.Incidents
		if c := g.NearestCamera; c != nil {
			p["nearest_camera_id"] = c.ID
			p["nearest_camera_m"] = c.DistanceM
			p["nearest_camera_state"] = string(c.State)
		}
		return orb.Point{g.Lon, g.Lat}, g.ID, p
	})
}
