package api

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/geo"
)

// coverage answers intersection coverage per commune × road class and in
// total, in installed or live mode.
func (s *Server) coverage(c *gin.Context) {
	q, err := checkQuery(c, "commune", "road_class", "mode")
	if err != nil {
		s.writeError(c, err)
		return
	}
	mode, f, err := coverageParams(q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	rep, err := s.geo.Coverage(f.AreaFilter, mode)
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, http.StatusOK, rep)
}

// coverageParams reads the mode and the area filter of a coverage query.
func coverageParams(q url.Values) (geo.Mode, geo.Filter, error) {
	mode, err := geo.ParseMode(q.Get("mode"))
	if err != nil {
		return mode, geo.Filter{}, err
	}
	f, err := geoFilter(q)
	return mode, f, err
}

// gaps answers the uncovered intersections as GeoJSON, worst first: road
// class, then incidents nearby, then distance to the nearest camera.
func (s *Server) gaps(c *gin.Context) {
	q, err := checkQuery(c, "commune", "road_class", "mode", "limit")
	if err != nil {
		s.writeError(c, err)
		return
	}
	mode, f, err := coverageParams(q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	limit, err := intParam(q, "limit", defaultLimit, 1, 100_000)
	if err != nil {
		s.writeError(c, err)
		return
	}
	var incidents func(lat, lon float64) int
	if s.incidentCounter != nil {
		incidents = s.incidentCounter()
	}
	gaps, total, err := s.geo.Gaps(f.AreaFilter, mode, limit, incidents)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("X-Total-Gaps", fmt.Sprint(total))
	writeJSON(c, http.StatusOK, geoJSONType, geo.GapsGeoJSON(gaps))
}
