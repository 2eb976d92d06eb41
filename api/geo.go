package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
)

// geoObserver keeps the spatial index in step with camera writes.
type geoObserver struct {
	s *Server
}

func (o geoObserver) CameraChanged(cams ...*camera.Camera) {
	for _, c := range cams {
		if err := o.s.geo.Upsert(c); err != nil {
			o.s.log.Error("spatial index update", "camera_id", c.ID, "err", err)
		}
	}
}

func (o geoObserver) CameraRemoved(id string) { o.s.geo.Remove(id) }

// fillCommune gives a camera without a commune the one whose boundary
// holds it, when a commune layer is loaded.
func (s *Server) fillCommune(c *camera.Camera) {
	if c.Commune != "" || s.geo == nil {
		return
	}
	if name, found := s.geo.CommuneAt(c.Lat, c.Lon); found {
		c.Commune = name
	}
}

// near answers the cameras within radius_m of a point, nearest first,
// each with distance_m.
func (s *Server) near(c *gin.Context) {
	p, err := pointParams(c, withinRadius)
	if err != nil {
		s.writeError(c, err)
		return
	}
	hits, err := s.geo.Near(p.lat, p.lon, p.radius, p.filter, p.limit)
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.answerNear(c, p.format, hits)
}

// nearest answers the k cameras nearest a point.
func (s *Server) nearest(c *gin.Context) {
	p, err := pointParams(c, kNearest)
	if err != nil {
		s.writeError(c, err)
		return
	}
	hits, err := s.geo.Nearest(p.lat, p.lon, p.limit, p.filter)
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.answerNear(c, p.format, hits)
}

// pointSize is how near and nearest size their answer around a point.
type pointSize int

const (
	withinRadius pointSize = iota // near: within radius_m, at most limit cameras
	kNearest                      // nearest: the k nearest
)

// pointQuery is a question about the cameras around a point.
type pointQuery struct {
	lat, lon float64
	radius   float64 // radius_m (withinRadius)
	limit    int     // limit (withinRadius) or k (kNearest)
	filter   geo.Filter
	format   string
}

// pointParams reads the parameters of near or nearest: lat and lon, the
// filters (commune, road_class, state) and format of both, and radius_m
// and limit, or k. The first parameter at fault is answered, in this
// order: an unknown one, the point, radius_m or k, the filters, limit.
func pointParams(c *gin.Context, size pointSize) (pointQuery, error) {
	var (
		q   url.Values
		err error
	)
	if size == withinRadius {
		q, err = checkQuery(c, "lat", "lon", "radius_m", "commune", "road_class", "state", "limit", "format")
	} else {
		q, err = checkQuery(c, "lat", "lon", "k", "commune", "road_class", "state", "format")
	}
	if err != nil {
		return pointQuery{}, err
	}
	var p pointQuery
	if p.lat, p.lon, err = latLonParams(q); err != nil {
		return p, err
	}
	if size == withinRadius {
		if p.radius, _, err = floatParam(q, "radius_m", true); err == nil {
			err = geo.ValidateRadius(p.radius)
		}
	} else {
		p.limit, err = intParam(q, "k", 10, 1, maxLimit)
	}
	if err != nil {
		return p, err
	}
	if p.filter, err = spatialFilter(c, q); err != nil {
		return p, err
	}
	if size == withinRadius {
		if p.limit, err = intParam(q, "limit", defaultLimit, 1, maxLimit); err != nil {
			return p, err
		}
	}
	p.format = q.Get("format")
	return p, nil
}

// spatialFilter reads the filters of a spatial query (geoFilter) and
// refuses a state filter to a role that may not see health.
func spatialFilter(c *gin.Context, q url.Values) (geo.Filter, error) {
	f, err := geoFilter(q)
	if err == nil {
		err = stateFilterAllowed(c, f)
	}
	return f, err
}

func (s *Server) answerNear(c *gin.Context, format string, hits []geo.NearHit) {
	hideNearStates(c, hits)
	switch format {
	case "", "json":
		if hits == nil {
			hits = []geo.NearHit{}
		}
		ok(c, http.StatusOK, page[geo.NearHit]{Items: hits})
	case "geojson":
		writeJSON(c, http.StatusOK, geoJSONType, geo.NearGeoJSON(hits))
	default:
		s.writeError(c, invalid("format", "must be json or geojson, got %q", format))
	}
}

const geoJSONType = "application/geo+json"

// withinBox answers the cameras inside a bounding box, in id order, paged.
func (s *Server) withinBox(c *gin.Context) {
	q, err := checkQuery(c, "bbox", "commune", "road_class", "state", "limit", "cursor", "format")
	if err != nil {
		s.writeError(c, err)
		return
	}
	if q.Get("bbox") == "" {
		s.writeError(c, invalid("bbox", "is required: minLon,minLat,maxLon,maxLat"))
		return
	}
	box, err := geo.ParseBBox(q.Get("bbox"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.answerWithin(c, q, func(f geo.Filter, limit int) ([]geo.Hit, error) { return s.geo.Within(box, f, limit) })
}

// withinPolygon answers the cameras inside a GeoJSON Polygon or
// MultiPolygon (holes excluded) sent as the body.
func (s *Server) withinPolygon(c *gin.Context) {
	q, err := checkQuery(c, "commune", "road_class", "state", "limit", "cursor", "format")
	if err != nil {
		s.writeError(c, err)
		return
	}
	body, err := s.readBody(c, s.bodyLimit)
	if err != nil {
		s.writeError(c, err)
		return
	}
	g, err := geo.ParsePolygonGeoJSON(body)
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.answerWithin(c, q, func(f geo.Filter, limit int) ([]geo.Hit, error) { return s.geo.InPolygon(g, f, limit) })
}

func (s *Server) answerWithin(c *gin.Context, q map[string][]string, query func(geo.Filter, int) ([]geo.Hit, error)) {
	limit, after, err := pageParams(q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	f, err := spatialFilter(c, q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	f.AfterID = after
	hits, err := query(f, limit+1)
	if err != nil {
		s.writeError(c, err)
		return
	}
	next := ""
	if len(hits) > limit {
		hits = hits[:limit]
		next = hits[limit-1].ID
	}
	hideHitStates(c, hits)
	format := ""
	if v := q["format"]; len(v) > 0 {
		format = v[0]
	}
	switch format {
	case "", "json":
		if hits == nil {
			hits = []geo.Hit{}
		}
		ok(c, http.StatusOK, page[geo.Hit]{Items: hits, NextCursor: encodeCursor(next)})
	case "geojson":
		if next != "" {
			c.Header("Link", `<`+c.Request.URL.Path+`?cursor=`+encodeCursor(next)+`>; rel="next"`)
		}
		writeJSON(c, http.StatusOK, geoJSONType, geo.CamerasGeoJSON(hits))
	default:
		s.writeError(c, invalid("format", "must be json or geojson, got %q", format))
	}
}

// seeingHit is a camera whose field of view covers the point, with its
// health at the asked time.
type seeingHit struct {
	geo.NearHit
	At time.Time `json:"at"`
}

// seeing answers "which cameras could have seen this spot at time at, and
// were they working": the cameras covering the point now (field of view
// aware), each with its state at `at` from the health history.
func (s *Server) seeing(c *gin.Context) {
	q, err := checkQuery(c, "lat", "lon", "at", "commune", "road_class")
	if err != nil {
		s.writeError(c, err)
		return
	}
	lat, lon, err := latLonParams(q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	at := s.now()
	past := false
	if v := q.Get("at"); v != "" {
		if at, err = parseTime("at", v); err != nil {
			s.writeError(c, err)
			return
		}
		past = true
	}
	f, err := spatialFilter(c, q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	out, err := s.seeingAt(c, lat, lon, at, past, f)
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, http.StatusOK, page[seeingHit]{Items: out})
}

// seeingAt returns the cameras covering the point, with their health at
// at: the current one, or from the history when past (the tip routes ask
// it for a tip's place and time too).
func (s *Server) seeingAt(ctx context.Context, lat, lon float64, at time.Time, past bool, f geo.Filter) ([]seeingHit, error) {
	hits, err := s.geo.Seeing(lat, lon, f)
	if err != nil {
		return nil, err
	}
	if past && len(hits) > 0 {
		ids := make([]string, len(hits))
		for i, h := range hits {
			ids[i] = h.ID
		}
		states, err := s.history.StatesAt(ctx, ids, at)
		if err != nil {
			return nil, err
		}
		for i := range hits {
			hits[i].State = states[hits[i].ID]
			if hits[i].State == "" {
				hits[i].State = camera.StateUnknown
			}
		}
	}
	out := make([]seeingHit, len(hits))
	for i, h := range hits {
		out[i] = seeingHit{NearHit: h, At: at.UTC()}
	}
	return out, nil
}

// StatesAtStore answers the state of cameras at a time, from the health
// history.
type StatesAtStore interface {
	StatesAt(ctx context.Context, ids []string, t time.Time) (map[string]camera.HealthState, error)
}

// camerasGeoJSON answers the cameras as GeoJSON Point features, for GIS
// tools. Their fields of view are a collection of their own
// (fovGeoJSON): one geometry type per collection is what GDAL, QGIS and a
// Shapefile need. fov=true, which used to add the sectors to the points,
// is refused with a message pointing there, rather than answered with
// points alone as if the sectors did not exist.
func (s *Server) camerasGeoJSON(c *gin.Context) {
	q, err := checkQuery(c, "bbox", "fov", "commune", "road_class", "state")
	if err != nil {
		s.writeError(c, err)
		return
	}
	fov, err := boolParam(q, "fov")
	if err != nil {
		s.writeError(c, err)
		return
	}
	if fov {
		s.writeError(c, invalid("fov", "is no longer taken: the field-of-view sectors are at /api/v1/fov.geojson (Polygon features only, same filters); cameras.geojson answers the points"))
		return
	}
	hits, err := s.geoJSONHits(c, q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	hideHitStates(c, hits)
	writeJSON(c, http.StatusOK, geoJSONType, geo.CamerasGeoJSON(hits))
}

// fovGeoJSON answers the fields of view of the cameras as GeoJSON Polygon
// features only — a sector, or a circle for a 360° camera — with the
// camera's id as the feature id and its properties: the same cameras, for
// the same query, as cameras.geojson, so the two layers join on id.
func (s *Server) fovGeoJSON(c *gin.Context) {
	q, err := checkQuery(c, "bbox", "commune", "road_class", "state")
	if err != nil {
		s.writeError(c, err)
		return
	}
	hits, err := s.geoJSONHits(c, q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	hideHitStates(c, hits)
	writeJSON(c, http.StatusOK, geoJSONType, geo.FOVGeoJSON(hits, geo.DefaultSectorSegments))
}

// geoJSONHits reads the bbox and filters of the GeoJSON layers and
// returns every camera they select, in id order.
func (s *Server) geoJSONHits(c *gin.Context, q url.Values) ([]geo.Hit, error) {
	box := geo.BBox{MinLon: -180, MinLat: -90, MaxLon: 180, MaxLat: 90}
	if v := q.Get("bbox"); v != "" {
		var err error
		if box, err = geo.ParseBBox(v); err != nil {
			return nil, err
		}
	}
	f, err := spatialFilter(c, q)
	if err != nil {
		return nil, err
	}
	return s.geo.Within(box, f, 0)
}

// tile answers a Mapbox vector tile with layers cameras, fov and
// intersections.
func (s *Server) tile(c *gin.Context) {
	if _, err := checkQuery(c, "commune", "road_class", "state"); err != nil {
		s.writeError(c, err)
		return
	}
	yPart, found := strings.CutSuffix(c.Param("y"), ".mvt")
	if !found {
		s.writeError(c, camera.Errorf(camera.ENOTFOUND, "y", "tiles are at /tiles/{z}/{x}/{y}.mvt"))
		return
	}
	var zxy [3]int
	for i, p := range []struct{ name, v string }{{"z", c.Param("z")}, {"x", c.Param("x")}, {"y", yPart}} {
		n, err := strconv.Atoi(p.v)
		if err != nil {
			s.writeError(c, invalid(p.name, "must be a whole number, got %q", p.v))
			return
		}
		zxy[i] = n
	}
	if err := geo.ValidateTile(zxy[0], zxy[1], zxy[2]); err != nil {
		s.writeError(c, err)
		return
	}
	f, err := spatialFilter(c, c.Request.URL.Query())
	if err != nil {
		s.writeError(c, err)
		return
	}
	gz := strings.Contains(c.GetHeader("Accept-Encoding"), "gzip")
	b, err := s.geo.Tile(zxy[0], zxy[1], zxy[2], geo.TileOptions{Filter: f, Gzip: gz, HideState: !seesHealth(c)})
	if err != nil {
		s.writeError(c, err)
		return
	}
	if gz {
		c.Header("Content-Encoding", "gzip")
	}
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "application/vnd.mapbox-vector-tile", b)
}

// readBody reads a whole body of at most limit bytes, which must be valid
// UTF-8 and not empty. A body allowed to be larger than a JSON body (a
// map layer's import) is an upload: it is held to the minimum upload rate
// rather than the JSON deadline (deadline.go).
func (s *Server) readBody(c *gin.Context, limit int64) ([]byte, error) {
	if limit > s.bodyLimit {
		s.upload(c)
	}
	body, err := readAll(c, limit)
	if err != nil {
		return nil, err
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, invalid("body", "is empty")
	}
	if !utf8.Valid(body) {
		return nil, invalid("body", "is not valid UTF-8")
	}
	return body, nil
}
