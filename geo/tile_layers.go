package geo

import (
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"github.com/matthan/matthan/camera"
)

// What a tile carries where a point per camera would be too much, and the
// daemon's own base map.
//
// Clusters: a tile whose box holds more than ClusterAbove cameras (a
// province at zoom 10, a country at zoom 6) carries, instead of one point
// per camera, one point per cell of a 16 × 16 grid over the tile — at the
// mean position of the cell's cameras, with how many there are in each
// health state — and no fields of view. So every tile of a national map
// stays small and fast however many cameras it covers, and the map still
// shows where cameras are and where they are down.
//
// Communes: the commune boundaries, from CommuneMinZoom (a province fits
// the screen), simplified to a pixel: with the roads and the junctions,
// the base map of a site with no internet.
//
// Roads: the lines of the last import of roads (roadlayer.go), the
// national and provincial roads from RoadMajorMinZoom, the district roads
// from RoadDistrictMinZoom, every road from RoadMinZoom; a feature per
// road, its lines joined, simplified to a quarter of a pixel.

// Tile layer names beside LayerCameras, LayerFOV and LayerIntersections.
const (
	LayerClusters = "clusters"
	LayerCommunes = "communes"
	LayerRoads    = "roads"
)

// Defaults of the cluster and commune layers.
const (
	// DefaultClusterAbove is the most cameras a tile carries one by one.
	// 1,500 points are about 40 KB of tile; a district of 350 cameras is
	// one by one from its first zoom.
	DefaultClusterAbove = 1500
	// clusterGrid is the side of the grid of clusters, in cells: a cell
	// is 16 pixels of a 256-pixel tile.
	clusterGrid = 16
	// CommuneMinZoom is the first zoom with commune boundaries.
	CommuneMinZoom = 9
	// communeTolerance is the simplification of boundaries, in tile units
	// (4096 a tile side): a quarter of a pixel of a 256-pixel tile.
	communeTolerance = 4
	// roadTolerance is the simplification of roads: a quarter of a pixel
	// too, half a pixel of a phone's screen drawing two to the pixel.
	roadTolerance = 4
)

// cluster sums the cameras of one cell.
type cluster struct {
	n          int
	lat, lon   float64
	byState    [8]int // index in camera.HealthStates
	firstIndex int    // the cell's order of appearance, for a stable layer
}

// clusterSlots groups the cameras of slots by cell of the tile's grid and
// returns one point feature per cell; the caller holds the read lock.
// Without state (HideState) a cluster says only how many cameras it has.
func (x *Index) clusterSlots(slots []uint32, t maptile.Tile, hideState bool) *geojson.FeatureCollection {
	cells := map[int]*cluster{}
	for _, slot := range slots {
		e := &x.ents[slot]
		f := maptile.Fraction(orb.Point{e.lon, e.lat}, t.Z)
		cx := int((f[0] - float64(t.X)) * clusterGrid)
		cy := int((f[1] - float64(t.Y)) * clusterGrid)
		// The tile's buffer reaches a little beyond it: clamp into the
		// edge cells rather than make cells of a neighbour's.
		cx, cy = min(max(cx, 0), clusterGrid-1), min(max(cy, 0), clusterGrid-1)
		k := cy*clusterGrid + cx
		c := cells[k]
		if c == nil {
			c = &cluster{firstIndex: len(cells)}
			cells[k] = c
		}
		c.n++
		c.lat += e.lat
		c.lon += e.lon
		if int(e.state) < len(c.byState) {
			c.byState[e.state]++
		}
	}
	list := make([]*cluster, 0, len(cells))
	for _, c := range cells {
		list = append(list, c)
	}
	slices.SortFunc(list, func(a, b *cluster) int { return a.firstIndex - b.firstIndex })
	fc := geojson.NewFeatureCollection()
	for _, c := range list {
		f := geojson.NewFeature(orb.Point{c.lon / float64(c.n), c.lat / float64(c.n)})
		f.Properties = geojson.Properties{"cameras": c.n}
		if !hideState {
			for i, st := range camera.HealthStates {
				if i < len(c.byState) && c.byState[i] > 0 {
					f.Properties[string(st)] = c.byState[i]
				}
			}
		}
		fc.Append(f)
	}
	return fc
}

// tileCommunes returns the commune boundaries whose box meets bound, as
// features with their name; the caller holds the read lock.
func (x *Index) tileCommunes(bound orb.Bound) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	if x.communes == nil {
		return fc
	}
	for i := range x.communes.list {
		c := &x.communes.list[i]
		if !x.communes.bounds[i].Intersects(bound) {
			continue
		}
		f := geojson.NewFeature(c.Geometry.Clone())
		f.Properties = geojson.Properties{"name": c.Name}
		fc.Append(f)
	}
	return fc
}

// hideTileState removes what a role without per-camera health may not
// see from the tile's layers: the state of cameras and fields of view,
// and the live coverage of junctions.
func hideTileState(layers mvt.Layers) {
	for _, l := range layers {
		for _, f := range l.Features {
			switch l.Name {
			case LayerCameras, LayerFOV:
				delete(f.Properties, "state")
			case LayerIntersections:
				delete(f.Properties, "cameras_live")
				delete(f.Properties, "covered_live")
			}
		}
	}
}
