package api

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/registry"
)

// CostStore gives the costs of the stored cameras, which a suggested
// camera's cost is estimated from.
type CostStore interface {
	CameraCosts(ctx context.Context, keep func(commune string) bool) ([]int64, error)
}

var _ CostStore = (*registry.Store)(nil)

// suggestion is a proposed camera with its estimated cost.
type suggestion struct {
	geo.Suggestion
	// EstCostVND is the median cost_vnd of the area's cameras; nil when
	// no camera of the area has a cost.
	EstCostVND *int64 `json:"est_cost_vnd"`
}

// suggestAnswer is the answer of GET /coverage/suggest.
type suggestAnswer struct {
	geo.SuggestResult
	Suggestions []suggestion `json:"suggestions"`
	// EstCostVND is the cost of every suggestion together; CostCameras
	// how many cameras' costs the estimate is the median of.
	EstCostVND  *int64 `json:"est_cost_vnd"`
	CostCameras int    `json:"cost_cameras"`
}

// suggestCameras answers where to put the next n cameras (geo.Suggest):
// n (1–500, default 10), road_class (classes to favour, comma-separated),
// commune (the area), mode (installed|live: what counts as covered
// already), fov_deg and range_m (the mount; the median of the area's
// cameras without them), format=geojson for the cameras and their fields
// of view as features. Each suggestion's cost is the median cost_vnd of
// the area's active cameras that have one (of every camera when the area
// has none).
func (s *Server) suggestCameras(c *gin.Context) {
	q, err := checkQuery(c, "n", "road_class", "commune", "mode", "fov_deg", "range_m", "format")
	if err != nil {
		s.writeError(c, err)
		return
	}
	o := geo.SuggestOptions{}
	if o.N, err = intParam(q, "n", 10, 1, geo.MaxSuggestions); err != nil {
		s.writeError(c, err)
		return
	}
	for _, v := range splitList(q.Get("road_class")) {
		rc := camera.RoadClass(v)
		if !rc.Valid() {
			s.writeError(c, invalid("road_class", "must be one of national, provincial, district, commune, urban, other, got %q", v))
			return
		}
		o.Favour = append(o.Favour, rc)
	}
	if o.Mode, err = geo.ParseMode(q.Get("mode")); err != nil {
		s.writeError(c, err)
		return
	}
	for _, p := range []struct {
		name string
		to   *float64
	}{{"fov_deg", &o.FOVDeg}, {"range_m", &o.RangeM}} {
		v, given, err := floatParam(q, p.name, false)
		if err != nil {
			s.writeError(c, err)
			return
		}
		if given && v == 0 {
			s.writeError(c, invalid(p.name, "must be more than 0"))
			return
		}
		*p.to = v
	}
	format := q.Get("format")
	if format != "" && format != "json" && format != "geojson" {
		s.writeError(c, invalid("format", "must be json or geojson, got %q", format))
		return
	}
	communes := strings.TrimSpace(q.Get("commune"))
	if communes != "" {
		o.Area.CommuneMatch = communeMatcher(strings.Split(communes, ",")...)
	}
	if s.incidentCounter != nil {
		o.Incidents = s.incidentCounter()
	}

	// The costs are read from the store while the index searches.
	ctx := c.Request.Context()
	type costs struct {
		costs []int64
		err   error
	}
	done := make(chan costs, 1)
	go func() {
		var r costs
		var keep func(string) bool
		if communes != "" {
			keep = communeMatcher(strings.Split(communes, ",")...) // its own: a matcher serves one goroutine
		}
		r.costs, r.err = s.costs.CameraCosts(ctx, keep)
		if r.err == nil && len(r.costs) == 0 && keep != nil {
			r.costs, r.err = s.costs.CameraCosts(ctx, nil)
		}
		done <- r
	}()
	res, err := s.geo.Suggest(ctx, o)
	cr := <-done
	if err == nil {
		err = cr.err
	}
	if err != nil && ctx.Err() != nil {
		c.AbortWithStatus(statusClientClosed) // nobody reads it
		return
	}
	if err != nil {
		s.writeError(c, err)
		return
	}
	ans := suggestAnswer{SuggestResult: res, Suggestions: make([]suggestion, len(res.Suggestions))}
	unit, n := medianCost(cr.costs)
	ans.CostCameras = n
	for i := range res.Suggestions {
		ans.Suggestions[i] = suggestion{Suggestion: res.Suggestions[i], EstCostVND: unit}
	}
	if unit != nil {
		total := *unit * int64(len(res.Suggestions))
		ans.EstCostVND = &total
	}
	if format == "geojson" {
		fc := geo.SuggestionsGeoJSON(&res)
		for _, f := range fc.Features {
			if unit != nil && f.Properties["kind"] == "camera" {
				f.Properties["est_cost_vnd"] = *unit
			}
		}
		writeJSON(c, http.StatusOK, geoJSONType, fc)
		return
	}
	ok(c, http.StatusOK, ans)
}

// medianCost returns the lower median of costs (a cost some camera
// really had) and how many there are; nil when there are none.
func medianCost(costs []int64) (*int64, int) {
	if len(costs) == 0 {
		return nil, 0
	}
	slices.Sort(costs)
	m := costs[(len(costs)-1)/2]
	return &m, len(costs)
}
