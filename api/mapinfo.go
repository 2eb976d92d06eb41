package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/internal/vntext"
)

// Routes the console's map reads besides the tiles: where the network
// is, and the communes to fly to.

// mapInfo is the answer of GET /api/v1/map.
type mapInfo struct {
	// BBox frames the cameras, junctions, commune boundaries and roads
	// (min_lon, min_lat, max_lon, max_lat); null for an empty network.
	BBox          *[4]float64 `json:"bbox"`
	Cameras       int         `json:"cameras"`
	Intersections int         `json:"intersections"`
	Communes      int         `json:"communes"`
	// FOVMinZoom is the first zoom whose tiles carry fields of view.
	FOVMinZoom int `json:"fov_min_zoom"`
}

// mapOverview answers the extent and size of what the map draws.
func (s *Server) mapOverview(c *gin.Context) {
	if _, err := checkQuery(c); err != nil {
		s.writeError(c, err)
		return
	}
	st := s.geo.Stats()
	out := mapInfo{Cameras: st.Cameras, Intersections: st.Intersections, Communes: st.Communes, FOVMinZoom: geo.DefaultFOVMinZoom}
	if b, found := s.geo.Extent(); found {
		out.BBox = &[4]float64{b.MinLon, b.MinLat, b.MaxLon, b.MaxLat}
	}
	ok(c, http.StatusOK, out)
}

// listCommunes answers the communes whose names hold q, compared without
// accents or case ("song binh" finds "Song Bình"), with the box to frame
// each: the search box of the console's map.
func (s *Server) listCommunes(c *gin.Context) {
	q, err := checkQuery(c, "q", "limit")
	if err != nil {
		s.writeError(c, err)
		return
	}
	limit, err := intParam(q, "limit", defaultLimit, 1, maxLimit)
	if err != nil {
		s.writeError(c, err)
		return
	}
	want := vntext.Fold(q.Get("q"))
	items := s.geo.Places(func(name string) bool { return strings.Contains(vntext.Fold(name), want) }, limit)
	ok(c, http.StatusOK, page[geo.Place]{Items: items})
}
