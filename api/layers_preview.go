package api

import (
	"context"
	"net/http"
	"slices"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/registry"
)

// The dry run of the layer imports (?dry_run=true): the layer is read as
// the import reads it, but past invalid features, each named in the
// answer (geo.CheckIntersections, CheckCommunes); what the valid
// features make is built aside exactly as the import builds it, measured
// against the layer in place, and thrown away. Nothing is stored or
// swapped in. A dry run holds the one import slot while it runs (409 for
// another import meanwhile), as it holds a layer's worth of memory; what
// stops an import — input that is not a FeatureCollection, a limit —
// is answered as the import answers it.

// previewJunctions is how many junctions of a new intersection layer a
// preview lists, to draw.
const previewJunctions = 2000

// intersectionsPreview is the answer of a dry run of POST
// /intersections/import.
type intersectionsPreview struct {
	DryRun bool   `json:"dry_run"`
	Layer  string `json:"layer"`
	geo.LayerCheck
	// The layer the valid features make: its intersections by road
	// class, and how many of them the cameras cover now.
	Intersections int                      `json:"intersections"`
	ByRoadClass   map[camera.RoadClass]int `json:"by_road_class"`
	Covered       int                      `json:"covered"`
	CoveredLive   int                      `json:"covered_live"`
	// Against the layer in place (by id): its size, and the ids added,
	// removed and kept.
	Current int `json:"current"`
	Added   int `json:"added"`
	Removed int `json:"removed"`
	Kept    int `json:"kept"`
	// Junctions are the first previewJunctions intersections of the new
	// layer, uncovered first; MoreJunctions says there are others.
	Junctions     []geo.IntersectionStatus `json:"junctions"`
	MoreJunctions bool                     `json:"more_junctions"`
}

// previewIntersections answers the dry run of an intersection import.
func (s *Server) previewIntersections(li *layerImport, body []byte) {
	ctx := li.c.Request.Context()
	check, items, err := geo.CheckIntersections(ctx, body, s.layerLimits)
	if err != nil {
		li.fail(err)
		return
	}
	p := intersectionsPreview{DryRun: true, Layer: registry.LayerIntersections, LayerCheck: check, ByRoadClass: map[camera.RoadClass]int{}, Junctions: []geo.IntersectionStatus{}}
	var sts []geo.IntersectionStatus
	if len(items) > 0 {
		if _, err := li.u.Intersections(ctx, items); err != nil {
			li.fail(err)
			return
		}
		sts = li.u.Statuses()
	}
	current, err := s.geo.Intersections(geo.AreaFilter{})
	if err != nil {
		li.fail(err)
		return
	}
	now := make(map[string]bool, len(current))
	for i := range current {
		now[current[i].ID] = true
	}
	p.Current = len(current)
	for i := range sts {
		st := &sts[i]
		p.ByRoadClass[st.RoadClass]++
		if st.Covered {
			p.Covered++
		}
		if st.CoveredLive {
			p.CoveredLive++
		}
		if now[st.ID] {
			p.Kept++
		} else {
			p.Added++
		}
	}
	p.Intersections = len(sts)
	p.Removed = p.Current - p.Kept
	// Uncovered first: the gaps the layer would open.
	slices.SortStableFunc(sts, func(a, b geo.IntersectionStatus) int {
		switch {
		case a.Covered == b.Covered:
			return 0
		case !a.Covered:
			return -1
		}
		return 1
	})
	p.Junctions = append(p.Junctions, sts[:min(len(sts), previewJunctions)]...)
	p.MoreJunctions = len(sts) > previewJunctions
	li.result = layerChecked
	ok(li.c, http.StatusOK, p)
}

// communesPreview is the answer of a dry run of POST /communes/import.
type communesPreview struct {
	DryRun bool   `json:"dry_run"`
	Layer  string `json:"layer"`
	geo.LayerCheck
	// The communes the valid features make, by name; against the layer
	// in place, the names that come and go.
	Communes int      `json:"communes"`
	Names    []string `json:"names"`
	Current  int      `json:"current"`
	Added    []string `json:"added"`
	Removed  []string `json:"removed"`
	// IntersectionsChanged would change commune (those whose input named
	// none); CamerasAssigned, cameras without a commune, would get one.
	IntersectionsChanged int `json:"intersections_changed"`
	CamerasAssigned      int `json:"cameras_assigned"`
}

// previewCommunes answers the dry run of a commune import.
func (s *Server) previewCommunes(li *layerImport, body []byte) {
	ctx := li.c.Request.Context()
	check, cs, err := geo.CheckCommunes(ctx, body, s.layerLimits)
	if err != nil {
		li.fail(err)
		return
	}
	p := communesPreview{DryRun: true, Layer: registry.LayerCommunes, LayerCheck: check, Names: []string{}, Added: []string{}, Removed: []string{}}
	if cs.Len() > 0 {
		if err := li.u.Communes(ctx, cs); err != nil {
			li.fail(err)
			return
		}
		p.IntersectionsChanged = li.u.CommuneChanges()
		if p.CamerasAssigned, err = s.camerasToAssign(ctx, cs); err != nil {
			li.fail(err)
			return
		}
	}
	names := map[string]bool{}
	for _, c := range cs.List() {
		if !names[c.Name] {
			p.Names = append(p.Names, c.Name)
		}
		names[c.Name] = true
	}
	p.Communes = cs.Len()
	old := map[string]bool{}
	if in := s.geo.Communes(); in != nil {
		p.Current = in.Len()
		for _, c := range in.List() {
			if !old[c.Name] && !names[c.Name] {
				p.Removed = append(p.Removed, c.Name)
			}
			old[c.Name] = true
		}
	}
	for _, n := range p.Names {
		if !old[n] {
			p.Added = append(p.Added, n)
		}
	}
	li.result = layerChecked
	ok(li.c, http.StatusOK, p)
}

// camerasToAssign counts the stored cameras without a commune that lie
// inside a boundary of cs: those a commune import would give one.
func (s *Server) camerasToAssign(ctx context.Context, cs *geo.Communes) (int, error) {
	n := 0
	err := s.store.ForEachCamera(ctx, func(cam *camera.Camera) error {
		if cam.Commune == "" {
			if _, found := cs.CommuneAt(cam.Lat, cam.Lon); found {
				n++
			}
		}
		return nil
	})
	return n, err
}
