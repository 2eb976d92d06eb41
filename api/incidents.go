package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/registry"
)

// IncidentStore is what the incident and clip routes need of the
// registry.
type IncidentStore interface {
	CreateIncident(ctx context.Context, in *camera.Incident, actor camera.Actor) error
	CreateIncidents(ctx context.Context, ins []*camera.Incident, actor camera.Actor) (int, error)
	GetIncident(ctx context.Context, id string) (*camera.Incident, error)
	UpdateIncident(ctx context.Context, id string, actor camera.Actor, fn func(*camera.Incident) error) (*camera.Incident, error)
	ListIncidents(ctx context.Context, q registry.IncidentQuery) ([]*camera.Incident, string, error)
	IncidentCounts(ctx context.Context, from, to time.Time) (*registry.IncidentCounts, error)
	HandlingCounts(ctx context.Context, from, to time.Time) (*registry.IncidentCounts, error)
	IncidentClips(ctx context.Context, incidentID string) ([]*camera.Clip, error)
	ListCustody(ctx context.Context, clipID string, after uint64, limit int) ([]camera.CustodyEntry, uint64, error)
}

var _ IncidentStore = (*registry.Store)(nil)

// IncidentRecorder counts created incidents in the metrics
// (*evidence.IncidentMetrics).
type IncidentRecorder interface {
	IncidentsCreated(category camera.Category, n int)
}

// recordIncidents counts created incidents by category.
func (s *Server) recordIncidents(ins ...*camera.Incident) {
	if s.incidentMetrics == nil {
		return
	}
	by := map[camera.Category]int{}
	for _, in := range ins {
		by[in.Category]++
	}
	for cat, n := range by {
		s.incidentMetrics.IncidentsCreated(cat, n)
	}
}

// createIncident stores a new incident: its cameras must be registered
// (400 naming camera_ids otherwise); the id is generated unless given.
func (s *Server) createIncident(c *gin.Context) {
	if _, err := checkQuery(c); err != nil {
		s.writeError(c, err)
		return
	}
	var in incidentInput
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	inc, err := in.newIncident()
	if err != nil {
		s.writeError(c, err)
		return
	}
	if err := s.incidents.CreateIncident(c, inc, actor(c)); err != nil {
		s.writeError(c, err)
		return
	}
	s.recordIncidents(inc)
	c.Header("Location", "/api/v1/incidents/"+inc.ID)
	ok(c, http.StatusCreated, inc)
}

func (s *Server) getIncident(c *gin.Context) {
	id, err := idWithoutQuery(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	inc, err := s.incidents.GetIncident(c, id)
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, http.StatusOK, inc)
}

// patchIncident applies the fields present in the body (a merge patch):
// a note added, the handling decided, a legal hold set or lifted. The id,
// the creator and the clips cannot change.
func (s *Server) patchIncident(c *gin.Context) {
	id, err := idWithoutQuery(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	var in incidentInput
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	if in.ID != nil && strings.TrimSpace(*in.ID) != id {
		s.writeError(c, invalid("id", "%q does not match the id %q in the path", *in.ID, id))
		return
	}
	inc, err := s.incidents.UpdateIncident(c, id, actor(c), in.patch)
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, http.StatusOK, inc)
}

// listIncidents answers the incidents matching the filters, newest first,
// a page at a time.
func (s *Server) listIncidents(c *gin.Context) {
	q, err := checkQuery(c, "camera_id", "from", "to", "category", "case_ref", "commune", "lat", "lon", "radius_m", "bbox", "limit", "cursor")
	if err != nil {
		s.writeError(c, err)
		return
	}
	iq, err := incidentQuery(q.Get)
	if err != nil {
		s.writeError(c, err)
		return
	}
	items, next, err := s.incidents.ListIncidents(c, iq)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if items == nil {
		items = []*camera.Incident{}
	}
	// The store's cursor is already opaque (base64url).
	ok(c, http.StatusOK, page[*camera.Incident]{Items: items, NextCursor: next})
}

// incidentQuery reads the list filters. A place is a radius (lat, lon and
// radius_m together) or a box, or both.
func incidentQuery(get func(string) string) (registry.IncidentQuery, error) {
	var iq registry.IncidentQuery
	var err error
	iq.CameraID = strings.TrimSpace(get("camera_id"))
	if v := strings.TrimSpace(get("from")); v != "" {
		if iq.From, err = parseTime("from", v); err != nil {
			return iq, err
		}
	}
	if v := strings.TrimSpace(get("to")); v != "" {
		if iq.To, err = parseTime("to", v); err != nil {
			return iq, err
		}
	}
	if v := strings.TrimSpace(get("category")); v != "" {
		iq.Category = camera.Category(v)
		if !iq.Category.Valid() {
			return iq, invalid("category", "must be one of %s, got %q", categoryList(), v)
		}
	}
	iq.CaseRef = strings.TrimSpace(get("case_ref"))
	iq.Commune = strings.TrimSpace(get("commune"))
	if iq.Limit, err = limitParam(get("limit")); err != nil {
		return iq, err
	}
	iq.After = get("cursor")

	if iq.Lat, iq.Lon, iq.RadiusM, err = radiusParams(get); err != nil {
		return iq, err
	}
	if v := strings.TrimSpace(get("bbox")); v != "" {
		b, err := geo.ParseBBox(v)
		if err != nil {
			return iq, err
		}
		iq.BBox = &registry.BBox{MinLon: b.MinLon, MinLat: b.MinLat, MaxLon: b.MaxLon, MaxLat: b.MaxLat}
	}
	return iq, iq.Validate()
}

// floatValue reads an optional number parameter.
// radiusParams reads the place filter of a list (lat, lon and radius_m,
// all three or none): radius 0 when there is none.
func radiusParams(get func(string) string) (lat, lon, radius float64, err error) {
	lat, hasLat, err := floatValue("lat", get("lat"))
	if err != nil {
		return 0, 0, 0, err
	}
	lon, hasLon, err := floatValue("lon", get("lon"))
	if err != nil {
		return 0, 0, 0, err
	}
	r, hasR, err := floatValue("radius_m", get("radius_m"))
	if err != nil {
		return 0, 0, 0, err
	}
	switch {
	case hasR && r <= 0:
		return 0, 0, 0, invalid("radius_m", "must be more than 0 metres, got %v", r)
	case hasR && !hasLat:
		return 0, 0, 0, invalid("lat", "is required with radius_m")
	case hasR && !hasLon:
		return 0, 0, 0, invalid("lon", "is required with radius_m")
	case !hasR && (hasLat || hasLon):
		return 0, 0, 0, invalid("radius_m", "is required with lat and lon")
	case !hasR:
		return 0, 0, 0, nil
	}
	if err := geo.ValidateLatLon(lat, lon); err != nil {
		return 0, 0, 0, err
	}
	return lat, lon, r, nil
}

func floatValue(name, v string) (float64, bool, error) {
	return floatParam(map[string][]string{name: {v}}, name, false)
}

// limitParam reads limit as pageParams does.
func limitParam(v string) (int, error) {
	limit, _, err := pageParams(map[string][]string{"limit": {v}})
	return limit, err
}

func categoryList() string {
	names := make([]string, len(camera.Categories))
	for i, c := range camera.Categories {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

// countsWindow reads the from and to of a counts route, the only
// parameters it takes; either may be left out for an open end.
func countsWindow(c *gin.Context) (from, to time.Time, err error) {
	q, err := checkQuery(c, "from", "to")
	if err != nil {
		return from, to, err
	}
	if v := strings.TrimSpace(q.Get("from")); v != "" {
		if from, err = parseTime("from", v); err != nil {
			return from, to, err
		}
	}
	if v := strings.TrimSpace(q.Get("to")); v != "" {
		if to, err = parseTime("to", v); err != nil {
			return from, to, err
		}
	}
	return from, to, nil
}

// incidentCounts answers the aggregated counts every role may see: per
// commune × category × month and per commune × handling, with the number
// of subjects — never an id, a note, a case reference or a clip. Months
// are calendar months in the daemon's zone (Options.Location), whatever
// offset from is written with.
func (s *Server) incidentCounts(c *gin.Context) {
	from, to, err := countsWindow(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	// The store counts months in from's location; a zero from carries it
	// too.
	counts, err := s.incidents.IncidentCounts(c, from.In(s.loc), to)
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, http.StatusOK, counts)
}
