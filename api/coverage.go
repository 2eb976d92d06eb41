package api

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
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

// gaps answers the uncovered intersections as a GeoJSON FeatureCollection,
// worst first — road class, then incidents nearby, then distance to the
// nearest camera — a page at a time like every list: limit (default 100,
// at most 1000) and cursor. A page that is not the last carries
// "next_cursor" (a foreign member of the collection, so a saved file says
// it is not the whole) and a Link rel="next"; X-Total-Gaps counts every
// gap the filters pass. With format=geojson, csv or xlsx the answer is a
// file of every gap instead (gaps_export.go).
func (s *Server) gaps(c *gin.Context) {
	q, err := checkQuery(c, "commune", "road_class", "mode", "limit", "cursor", "format", "bom")
	if err != nil {
		s.writeError(c, err)
		return
	}
	mode, f, err := coverageParams(q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if q.Has("format") {
		s.exportGaps(c, q, mode, f.AreaFilter)
		return
	}
	if _, err := bomParam(q, false); err != nil {
		s.writeError(c, err)
		return
	}
	limit, cursor, err := pageParams(q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	var after *geo.GapKey
	if cursor != "" {
		k, err := parseGapCursor(cursor)
		if err != nil {
			s.writeError(c, err)
			return
		}
		after = &k
	}
	var incidents func(lat, lon float64) int
	if s.incidentCounter != nil {
		incidents = s.incidentCounter()
	}
	gaps, total, err := s.geo.GapsAfter(f.AreaFilter, mode, after, limit, incidents)
	if err != nil {
		s.writeError(c, err)
		return
	}
	fc := geo.GapsGeoJSON(gaps)
	if n := len(gaps); n > 0 && gaps[n-1].Rank < total {
		next := encodeCursor(gapCursor(gaps[n-1].Key()))
		fc.ExtraMembers = map[string]any{"next_cursor": next}
		nq := c.Request.URL.Query()
		nq.Set("cursor", next)
		c.Header("Link", "<"+c.Request.URL.Path+"?"+nq.Encode()+`>; rel="next"`)
	}
	c.Header("X-Total-Gaps", strconv.Itoa(total))
	writeJSON(c, http.StatusOK, geoJSONType, fc)
}

// gapCursor is the key of a page's last gap as the cursor holds it:
// road class, incidents, distance (shortest exact decimal, "+Inf" when no
// camera) and id, separated by '|'; the id comes last, so it may hold any
// character.
func gapCursor(k geo.GapKey) string {
	return string(k.RoadClass) + "|" + strconv.Itoa(k.Incidents) + "|" + strconv.FormatFloat(k.FarM, 'g', -1, 64) + "|" + k.ID
}

// parseGapCursor reads what gapCursor wrote.
func parseGapCursor(s string) (geo.GapKey, error) {
	bad := invalid("cursor", "is not a cursor this server gave out")
	parts := strings.SplitN(s, "|", 4)
	if len(parts) != 4 {
		return geo.GapKey{}, bad
	}
	k := geo.GapKey{RoadClass: camera.RoadClass(parts[0]), ID: parts[3]}
	var err error
	if k.Incidents, err = strconv.Atoi(parts[1]); err != nil || k.Incidents < 0 || !k.RoadClass.Valid() {
		return geo.GapKey{}, bad
	}
	if k.FarM, err = strconv.ParseFloat(parts[2], 64); err != nil || math.IsNaN(k.FarM) {
		return geo.GapKey{}, bad
	}
	return k, nil
}
