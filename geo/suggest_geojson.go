package geo

import (
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// SuggestionsGeoJSON returns the suggestions of res as two features
// each, in rank order: the camera, a Point whose properties are the
// suggestion's (kind "camera", covers as one text separated by "; ", as
// the gaps write roads), then its field of view, a Polygon (kind "fov",
// see Sector) with the rank and junction_id. A GIS tool that takes one
// geometry type per layer splits them by kind.
func SuggestionsGeoJSON(res *SuggestResult) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	fc.Features = make([]*geojson.Feature, 0, 2*len(res.Suggestions))
	for i := range res.Suggestions {
		s := &res.Suggestions[i]
		cam := geojson.NewFeature(orb.Point{s.Lon, s.Lat})
		cam.ID = s.JunctionID
		cam.Properties = geojson.Properties{
			"kind":            "camera",
			"rank":            s.Rank,
			"junction_id":     s.JunctionID,
			"name":            s.Name,
			"commune":         s.Commune,
			"road_class":      string(s.RoadClass),
			"direction_deg":   s.DirectionDeg,
			"fov_deg":         s.FOVDeg,
			"range_m":         s.RangeM,
			"covers":          strings.Join(s.Covers, "; "),
			"junctions_added": s.JunctionsAdded,
			"gain":            s.Gain,
			"incidents":       s.Incidents,
			"covered_after":   s.CoveredAfter,
			"coverage_ratio":  s.CoverageRatio,
		}
		fov := geojson.NewFeature(Sector(s.Lat, s.Lon, s.DirectionDeg, s.FOVDeg, s.RangeM, 0))
		fov.Properties = geojson.Properties{"kind": "fov", "rank": s.Rank, "junction_id": s.JunctionID}
		fc.Append(cam)
		fc.Append(fov)
	}
	return fc
}
