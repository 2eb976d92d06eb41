package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/internal/vntext"
	"github.com/matthan/matthan/registry"
)

// LayerStore keeps the reference layers coverage is computed against.
type LayerStore interface {
	PutLayer(ctx context.Context, name string, raw []byte, summary string, actor camera.Actor) error
}

var _ LayerStore = (*registry.Store)(nil)

// importIntersections replaces the intersection layer: Point features
// (intersections) or LineString features (roads, whose junctions are
// computed). Coverage is recomputed from scratch once, then kept current.
func (s *Server) importIntersections(c *gin.Context) {
	if _, err := checkQuery(c); err != nil {
		s.writeError(c, err)
		return
	}
	body, err := s.readBody(c, s.importLimit)
	if err != nil {
		s.writeError(c, err)
		return
	}
	items, err := geo.ReadIntersections([]byte(vntext.NFC(string(body))))
	if err != nil {
		s.writeError(c, err)
		return
	}
	if err := s.geo.SetIntersections(items); err != nil {
		s.writeError(c, err)
		return
	}
	// Store what the index holds (communes filled in), so a restart
	// rebuilds the same layer without recomputing junctions.
	all, err := s.geo.Intersections(geo.AreaFilter{})
	if err != nil {
		s.writeError(c, err)
		return
	}
	stored := make([]geo.Intersection, len(all))
	byClass := map[camera.RoadClass]int{}
	for i, it := range all {
		stored[i] = it.Intersection
		byClass[it.RoadClass]++
	}
	raw, err := json.Marshal(stored)
	if err != nil {
		s.writeError(c, err)
		return
	}
	summary := fmt.Sprintf("%d intersections", len(stored))
	if err := s.layers.PutLayer(c, registry.LayerIntersections, raw, summary, actor(c)); err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, http.StatusOK, map[string]any{"intersections": len(stored), "by_road_class": byClass})
}

// importCommunes replaces the commune boundaries, then gives every camera
// without a commune the one whose boundary holds it.
func (s *Server) importCommunes(c *gin.Context) {
	if _, err := checkQuery(c); err != nil {
		s.writeError(c, err)
		return
	}
	body, err := s.readBody(c, s.importLimit)
	if err != nil {
		s.writeError(c, err)
		return
	}
	body = []byte(vntext.NFC(string(body)))
	cs, err := geo.ParseCommunes(body)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if err := s.layers.PutLayer(c, registry.LayerCommunes, body, fmt.Sprintf("%d communes", cs.Len()), actor(c)); err != nil {
		s.writeError(c, err)
		return
	}
	s.geo.SetCommunes(cs)
	filled, err := s.fillMissingCommunes(c, actor(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	names := make([]string, 0, cs.Len())
	for _, cm := range cs.List() {
		names = append(names, cm.Name)
	}
	ok(c, http.StatusOK, map[string]any{"communes": cs.Len(), "names": names, "cameras_assigned": filled})
}

// fillMissingCommunes assigns a commune to every stored camera that has
// none and lies inside a commune boundary.
func (s *Server) fillMissingCommunes(ctx context.Context, who camera.Actor) (int, error) {
	var ids []string
	err := s.store.ForEachCamera(ctx, func(cam *camera.Camera) error {
		if cam.Commune == "" {
			if _, found := s.geo.CommuneAt(cam.Lat, cam.Lon); found {
				ids = append(ids, cam.ID)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		cam, err := s.store.UpdateCamera(ctx, id, "camera.commune", who, func(c *camera.Camera) error {
			s.fillCommune(c)
			return nil
		})
		if err != nil {
			return 0, err
		}
		s.notifyCameras(cam)
	}
	return len(ids), nil
}

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
