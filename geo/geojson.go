package geo

import (
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

func newFC(n int) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	fc.Features = make([]*geojson.Feature, 0, n)
	return fc
}

// CamerasGeoJSON returns the cameras as Point features.
func CamerasGeoJSON(hits []Hit) *geojson.FeatureCollection {
	fc := newFC(len(hits))
	for i := range hits {
		f := geojson.NewFeature(orb.Point{hits[i].Lon, hits[i].Lat})
		f.ID = hits[i].ID
		f.Properties = cameraProps(&hits[i])
		fc.Append(f)
	}
	return fc
}

// NearGeoJSON returns the cameras of a Near, Nearest or Seeing answer as
// Point features with their distance_m, in the answer's order.
func NearGeoJSON(hits []NearHit) *geojson.FeatureCollection {
	fc := newFC(len(hits))
	for i := range hits {
		f := geojson.NewFeature(orb.Point{hits[i].Lon, hits[i].Lat})
		f.ID = hits[i].ID
		f.Properties = cameraProps(&hits[i].Hit)
		f.Properties["distance_m"] = hits[i].DistanceM
		fc.Append(f)
	}
	return fc
}

// FOVGeoJSON returns the fields of view of the cameras as Polygon features
// (see Sector; segments ≤ 0 means DefaultSectorSegments), with the camera
// properties.
func FOVGeoJSON(hits []Hit, segments int) *geojson.FeatureCollection {
	fc := newFC(len(hits))
	for i := range hits {
		h := &hits[i]
		f := geojson.NewFeature(Sector(h.Lat, h.Lon, h.DirectionDeg, h.FOVDeg, h.RangeM, segments))
		f.ID = h.ID
		f.Properties = cameraProps(h)
		fc.Append(f)
	}
	return fc
}

// intersectionProps returns the properties of an intersection feature.
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
		p["roads"] = s.Roads
	}
	return p
}

// IntersectionsGeoJSON returns intersections and their coverage as Point
// features.
func IntersectionsGeoJSON(items []IntersectionStatus) *geojson.FeatureCollection {
	fc := newFC(len(items))
	for i := range items {
		f := geojson.NewFeature(orb.Point{items[i].Lon, items[i].Lat})
		f.ID = items[i].ID
		f.Properties = intersectionProps(&items[i])
		fc.Append(f)
	}
	return fc
}

// GapsGeoJSON returns ranked gaps as Point features (the answer of GET
// /coverage/gaps), with rank, incidents and the nearest camera's id,
// distance and state as nearest_camera_id, nearest_camera_m and
// nearest_camera_state.
func GapsGeoJSON(gaps []Gap) *geojson.FeatureCollection {
	fc := newFC(len(gaps))
	for i := range gaps {
		g := &gaps[i]
		f := geojson.NewFeature(orb.Point{g.Lon, g.Lat})
		f.ID = g.ID
		f.Properties = intersectionProps(&g.IntersectionStatus)
		f.Properties["rank"] = g.Rank
		f.Properties["incidents"] = g.Incidents
		if c := g.NearestCamera; c != nil {
			f.Properties["nearest_camera_id"] = c.ID
			f.Properties["nearest_camera_m"] = c.DistanceM
			f.Properties["nearest_camera_state"] = string(c.State)
		}
		fc.Append(f)
	}
	return fc
}
