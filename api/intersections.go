package api

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/geo"
)

// listIntersections answers the junctions of the intersection layer with
// their coverage, as a GeoJSON FeatureCollection of Points (the
// properties of geo.IntersectionsGeoJSON), by id, a page at a time like
// the gaps: commune, road_class, covered=true|false (in mode:
// installed|live), limit and cursor. A page that is not the last carries
// next_cursor and a Link rel="next"; X-Total-Intersections counts every
// junction the filters pass. It is what the console draws when a cell of
// the coverage table is opened.
func (s *Server) listIntersections(c *gin.Context) {
	q, err := checkQuery(c, "commune", "road_class", "mode", "covered", "limit", "cursor")
	if err != nil {
		s.writeError(c, err)
		return
	}
	mode, f, err := coverageParams(q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	var covered *bool
	if q.Has("covered") {
		b, err := boolParam(q, "covered")
		if err != nil {
			s.writeError(c, err)
			return
		}
		covered = &b
	}
	limit, after, err := pageParams(q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	all, err := s.geo.Intersections(f.AreaFilter)
	if err != nil {
		s.writeError(c, err)
		return
	}
	items := all[:0]
	for _, it := range all {
		is := it.Covered
		if mode == geo.Live {
			is = it.CoveredLive
		}
		if covered == nil || *covered == is {
			items = append(items, it)
		}
	}
	slices.SortFunc(items, func(a, b geo.IntersectionStatus) int { return cmp.Compare(a.ID, b.ID) })
	total := len(items)
	start, _ := slices.BinarySearchFunc(items, after, func(it geo.IntersectionStatus, id string) int {
		if cmp.Compare(it.ID, id) <= 0 {
			return -1
		}
		return 1
	})
	if after == "" {
		start = 0
	}
	items = items[start:]
	fc := geo.IntersectionsGeoJSON(items[:min(limit, len(items))])
	if len(items) > limit {
		next := encodeCursor(items[limit-1].ID)
		fc.ExtraMembers = map[string]any{"next_cursor": next}
		nq := c.Request.URL.Query()
		nq.Set("cursor", next)
		c.Header("Link", "<"+c.Request.URL.Path+"?"+nq.Encode()+`>; rel="next"`)
	}
	c.Header("X-Total-Intersections", strconv.Itoa(total))
	writeJSON(c, http.StatusOK, geoJSONType, fc)
}
