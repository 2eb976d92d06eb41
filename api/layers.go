package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

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

// Layer imports (POST /intersections/import, /communes/import) replace a
// reference layer of the spatial index. Each one:
//
//   - is alone: a second import while one runs is answered 409 at once,
//     before its body is read, so that two imports never hold two layers'
//     worth of memory;
//   - reads its body within the layer limits (Options.LayerLimits),
//     refusing with 413 as soon as one is passed;
//   - builds the new layer aside (geo.LayerUpdate) while queries and camera
//     writes go on, stores it, and only then swaps it in, in
//     milliseconds;
//   - stops when its client goes away: nothing is stored or swapped.

// Outcomes of a layer import, the result label of matthan_layer_imports_total.
const (
	layerOK        = "ok"
	layerInvalid   = "invalid"   // 400: bad GeoJSON
	layerTooLarge  = "too_large" // 413: a limit passed
	layerConflict  = "conflict"  // 409: another import was running
	layerCancelled = "cancelled" // the client went away
	layerFailed    = "failed"    // anything else
	layerChecked   = "checked"   // a dry run answered
)

// statusClientClosed answers an import whose client went away: nobody
// reads it, but the request metrics count it apart (nginx's 499).
const statusClientClosed = 499

func newLayerImports(reg prometheus.Registerer) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "matthan_layer_imports_total",
		Help: "Layer imports (intersections, communes) by outcome: ok, invalid, too_large, conflict, cancelled (the client went away), failed, checked (a dry run).",
	}, []string{"layer", "result"})
	reg.MustRegister(c)
	return c
}

// layerImport is one layer import in progress.
type layerImport struct {
	s      *Server
	c      *gin.Context
	layer  string
	u      *geo.LayerUpdate
	result string
	dryRun bool // ?dry_run=true: check and measure, store nothing (layers_preview.go)
}

// startLayerImport begins an import of layer: the query (none), the layer
// update (409 while another runs), the body. On failure it has answered
// and returns nil. The caller defers end.
func (s *Server) startLayerImport(c *gin.Context, layer string) (*layerImport, []byte) {
	li := &layerImport{s: s, c: c, layer: layer, result: layerFailed}
	q, err := checkQuery(c, "dry_run")
	if err != nil {
		li.fail(err)
		return li, nil
	}
	if li.dryRun, err = boolParam(q, "dry_run"); err != nil {
		li.fail(err)
		return li, nil
	}
	u, err := s.geo.BeginLayerUpdate()
	if err != nil {
		li.fail(err)
		return li, nil
	}
	li.u = u
	body, err := s.readBody(c, s.importLimit)
	if err != nil {
		li.fail(err)
		return li, nil
	}
	s.layerHook(c.Request.Context(), layer, "read")
	return li, []byte(vntext.NFC(string(body)))
}

// fail answers err, and counts it.
func (li *layerImport) fail(err error) {
	ctx := li.c.Request.Context()
	switch {
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		li.result = layerCancelled
		li.s.log.Info("layer import cancelled: the client went away", slog.String("layer", li.layer))
		li.c.AbortWithStatus(statusClientClosed)
		return
	case camera.ErrorCode(err) == camera.ETOOLARGE:
		li.result = layerTooLarge
	case camera.ErrorCode(err) == camera.EINVALID:
		li.result = layerInvalid
	case camera.ErrorCode(err) == camera.ECONFLICT:
		li.result = layerConflict
	}
	li.s.writeError(li.c, err)
}

// commit stores the layer built aside and swaps it in. Once the store has
// it, it is swapped in whatever happens to the client, so that the store
// and the index never disagree. It reports whether it did.
func (li *layerImport) commit(raw []byte, summary string) bool {
	ctx := li.c.Request.Context()
	li.s.layerHook(ctx, li.layer, "built")
	if err := ctx.Err(); err != nil {
		li.fail(err)
		return false
	}
	if err := li.s.layers.PutLayer(ctx, li.layer, raw, summary, actor(li.c)); err != nil {
		li.fail(err)
		return false
	}
	li.u.Commit()
	li.result = layerOK
	return true
}

// end ends the import (discarding the layer unless it was committed) and
// counts it.
func (li *layerImport) end() {
	if li.u != nil {
		li.u.Close()
	}
	li.s.layerImports.WithLabelValues(li.layer, li.result).Inc()
	li.s.layerHook(li.c.Request.Context(), li.layer, "end")
}

// importIntersections replaces the intersection layer: Point features
// (intersections) or LineString features (roads, whose junctions are
// computed). Coverage is computed once for the new layer, aside, then
// kept current.
func (s *Server) importIntersections(c *gin.Context) {
	li, body := s.startLayerImport(c, registry.LayerIntersections)
	defer li.end()
	if body == nil {
		return
	}
	if li.dryRun {
		s.previewIntersections(li, body)
		return
	}
	ctx := c.Request.Context()
	items, err := geo.ReadIntersections(ctx, body, s.layerLimits)
	if err != nil {
		li.fail(err)
		return
	}
	body = nil
	// Store what the index will hold (communes filled in), so that a
	// restart rebuilds the same layer without recomputing junctions.
	held, err := li.u.Intersections(ctx, items)
	if err != nil {
		li.fail(err)
		return
	}
	byClass := map[camera.RoadClass]int{}
	for i := range held {
		byClass[held[i].RoadClass]++
	}
	raw, err := json.Marshal(held)
	if err != nil {
		li.fail(err)
		return
	}
	if !li.commit(raw, fmt.Sprintf("%d intersections", len(held))) {
		return
	}
	ok(c, http.StatusOK, map[string]any{"intersections": len(held), "by_road_class": byClass})
}

// importCommunes replaces the commune boundaries, then gives every camera
// without a commune the one whose boundary holds it.
func (s *Server) importCommunes(c *gin.Context) {
	li, body := s.startLayerImport(c, registry.LayerCommunes)
	defer li.end()
	if body == nil {
		return
	}
	if li.dryRun {
		s.previewCommunes(li, body)
		return
	}
	ctx := c.Request.Context()
	cs, err := geo.ParseCommunes(ctx, body, s.layerLimits)
	if err != nil {
		li.fail(err)
		return
	}
	if err := li.u.Communes(ctx, cs); err != nil {
		li.fail(err)
		return
	}
	if !li.commit(body, fmt.Sprintf("%d communes", cs.Len())) {
		return
	}
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
