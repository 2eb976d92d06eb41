package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/internal/vntext"
	"github.com/matthan/matthan/registry"
)

// LayerStore keeps the reference layers coverage is computed against.
type LayerStore interface {
	PutLayers(ctx context.Context, layers []registry.LayerPut, actor camera.Actor) error
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
//     milliseconds — an import of roads stores and swaps in the roads and
//     the junctions found on them together;
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

// startLayerImport begins an import of layer: the query (dry_run and the
// parameters known, checked by check when not nil), the layer update (409
// while another runs), the body. On failure it has answered and returns nil.
// The caller defers end.
func (s *Server) startLayerImport(c *gin.Context, layer string, check func(url.Values) error, known ...string) (*layerImport, []byte) {
	li := &layerImport{s: s, c: c, layer: layer, result: layerFailed}
	q, err := checkQuery(c, append(known, "dry_run")...)
	if err == nil {
		li.dryRun, err = boolParam(q, "dry_run")
	}
	if err == nil && check != nil {
		err = check(q)
	}
	if err != nil {
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

// commit stores the layers built aside and swaps them in. Once the store
// has them, they are swapped in whatever happens to the client, so that
// the store and the index never disagree. It reports whether it did.
func (li *layerImport) commit(layers ...registry.LayerPut) bool {
	ctx := li.c.Request.Context()
	li.s.layerHook(ctx, li.layer, "built")
	if err := ctx.Err(); err != nil {
		li.fail(err)
		return false
	}
	if err := li.s.layers.PutLayers(ctx, layers, actor(li.c)); err != nil {
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
//
// The roads of an import of roads are kept as the road layer of the map,
// stored and swapped in with their junctions. An import of Points leaves
// the roads as they are — a planner replacing computed junctions with
// surveyed ones still wants the streets under them — unless it says
// roads=drop (the roads were of another place, or wrong). An answer says
// how many roads the map now draws.
func (s *Server) importIntersections(c *gin.Context) {
	dropRoads := false
	li, body := s.startLayerImport(c, registry.LayerIntersections, func(q url.Values) error {
		switch q.Get("roads") {
		case "", "keep":
		case "drop":
			dropRoads = true
		default:
			return invalid("roads", "must be keep or drop")
		}
		return nil
	}, "roads")
	defer li.end()
	if body == nil {
		return
	}
	if li.dryRun {
		s.previewIntersections(li, body)
		return
	}
	ctx := c.Request.Context()
	layer, err := geo.ReadIntersectionLayer(ctx, body, s.layerLimits)
	if err != nil {
		li.fail(err)
		return
	}
	body = nil
	if layer.FromRoads && dropRoads {
		li.fail(invalid("roads", "applies to an import of Points: an import of roads replaces the roads"))
		return
	}
	held, err := li.u.Intersections(ctx, layer.Intersections)
	if err != nil {
		li.fail(err)
		return
	}
	byClass := map[camera.RoadClass]int{}
	for i := range held {
		byClass[held[i].RoadClass]++
	}
	// Store the junctions as the index holds them (so that a restart does
	// not compute them from the roads again), but with a commune only
	// where the input named one: the others take theirs from the commune
	// layer in place at the start, as they do at an import, so that a
	// commune layer imported after them is not undone by a restart. held
	// is layer.Intersections, checked, in the same order.
	stored := slices.Clone(held)
	for i := range stored {
		stored[i].Commune = layer.Intersections[i].Commune
	}
	raw, err := json.Marshal(stored)
	if err != nil {
		li.fail(err)
		return
	}
	puts := []registry.LayerPut{{Name: registry.LayerIntersections, Raw: raw, Summary: fmt.Sprintf("%d intersections", len(held))}}
	// No other import can change the roads while this one is open.
	roads := s.geo.Stats().Roads
	switch {
	case layer.FromRoads:
		roads = len(layer.Roads)
		if err := li.u.Roads(ctx, layer.Roads); err != nil {
			li.fail(err)
			return
		}
		puts = append(puts, registry.LayerPut{Name: registry.LayerRoads, Raw: geo.RoadsGeoJSON(layer.Roads), Summary: fmt.Sprintf("%d roads", len(layer.Roads))})
	case dropRoads:
		roads = 0
		if err := li.u.Roads(ctx, nil); err != nil {
			li.fail(err)
			return
		}
		puts = append(puts, registry.LayerPut{Name: registry.LayerRoads, Summary: "roads removed"})
	}
	layer.Roads = nil
	if !li.commit(puts...) {
		return
	}
	ok(c, http.StatusOK, map[string]any{"intersections": len(held), "by_road_class": byClass, "roads": roads})
}

// importCommunes replaces the commune boundaries, then gives every camera
// without a commune the one whose boundary holds it.
func (s *Server) importCommunes(c *gin.Context) {
	li, body := s.startLayerImport(c, registry.LayerCommunes, nil)
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
	if !li.commit(registry.LayerPut{Name: registry.LayerCommunes, Raw: body, Summary: fmt.Sprintf("%d communes", cs.Len())}) {
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
