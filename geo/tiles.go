package geo

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/simplify"
)

// Tile layer names.
const (
	LayerCameras       = "cameras"
	LayerFOV           = "fov"
	LayerIntersections = "intersections"
)

// Tile defaults.
const (
	// DefaultFOVMinZoom is the first zoom with field-of-view polygons: at
	// z 13 a district fits the screen and a 50 m range is a wedge of five
	// pixels (of a tile drawn 512 wide), enough to see which way cameras
	// look and where their views meet; below it a sector is a dot.
	DefaultFOVMinZoom = 13
	// FOVIDMinZoom is the first zoom whose fov features carry the camera
	// id. Below it a sector is too small to pick, the camera point at its
	// apex has the id, and the ids were a third of the layer's bytes.
	FOVIDMinZoom = 15
	// JunctionDetailMinZoom is the first zoom whose junctions carry their
	// id, name, commune and camera counts; below it, only what a dot is
	// drawn with (road_class, covered, covered_live).
	JunctionDetailMinZoom = 14
	// DefaultMaxTileFeatures bounds the features of each layer of a tile;
	// a country-wide tile would otherwise carry a million points.
	DefaultMaxTileFeatures = 20_000
)

// TileOptions tune Tile. The zero value is the defaults.
type TileOptions struct {
	// Filter narrows the cameras (and their fields of view).
	Filter Filter
	// FOVMinZoom is the first zoom with the fov layer (0:
	// DefaultFOVMinZoom; beyond MaxZoom: never).
	FOVMinZoom int
	// MaxFeatures bounds each layer (0: DefaultMaxTileFeatures). Over it,
	// points are thinned to one per cell of a coarser and coarser pixel
	// grid, the higher road classes kept first.
	MaxFeatures int
	// Gzip compresses the tile (Content-Encoding: gzip is then the
	// caller's to set).
	Gzip bool
	// ClusterAbove is the most cameras the tile carries one by one (0:
	// DefaultClusterAbove); over it, the clusters layer counts them by
	// cell instead (tile_layers.go).
	ClusterAbove int
	// HideState leaves out what a role without per-camera health may not
	// see: the state of cameras, fields of view and clusters, and the
	// live coverage of junctions.
	HideState bool
}

// tileBuffer is the margin around a tile, as a fraction of it, within
// which features are kept so that symbols at the edge are drawn whole.
const tileBuffer = 1.0 / 16

// Tile returns the Mapbox Vector Tile z/x/y (Web Mercator, extent 4096)
// with six layers: fov (field-of-view polygons from FOVMinZoom on, with
// state, road_class and, from FOVIDMinZoom, id), intersections (points
// with id, name, road_class, commune, cameras, cameras_live, covered —
// installed — and covered_live), cameras (points with id, commune,
// road_class, direction_deg, fov_deg, range_m, state) or, over
// ClusterAbove cameras, clusters (points with cameras and a count per
// state) and no fov, communes (boundaries with name, from
// CommuneMinZoom), and roads (lines with road_class and name, from the
// zoom of their class: see RoadClassMinZoom). Geometry is clipped
// to the tile and its buffer; sectors are drawn with as few segments as
// their size at the zoom needs and simplified to fovTolerance; boundaries
// and roads are simplified to a quarter of a pixel. Points
// beyond ±85.05° latitude are outside Web Mercator and never in a tile.
// Errors are EINVALID naming z, x or y, or the state of a filter.
func (x *Index) Tile(z, tx, ty int, opt TileOptions) ([]byte, error) {
	if err := ValidateTile(z, tx, ty); err != nil {
		return nil, err
	}
	if opt.FOVMinZoom == 0 {
		opt.FOVMinZoom = DefaultFOVMinZoom
	}
	if opt.MaxFeatures <= 0 {
		opt.MaxFeatures = DefaultMaxTileFeatures
	}
	if opt.ClusterAbove <= 0 {
		opt.ClusterAbove = DefaultClusterAbove
	}
	t := maptile.New(uint32(tx), uint32(ty), maptile.Zoom(z))
	b := t.Bound(tileBuffer)
	box := BBox{math.Max(-180, b.Min[0]), b.Min[1], math.Min(180, b.Max[0]), b.Max[1]}

	x.mu.RLock()
	m, err := compile(opt.Filter, &x.names)
	if err != nil {
		x.mu.RUnlock()
		return nil, err
	}
	var cams []Hit
	clusters := geojson.NewFeatureCollection()
	slots := x.inBox(box, m, "", nil)
	clustered := len(slots) > opt.ClusterAbove
	if clustered {
		clusters = x.clusterSlots(slots, t, opt.HideState)
	} else {
		cams = x.hits(slots)
	}
	communes := geojson.NewFeatureCollection()
	if z >= CommuneMinZoom {
		communes = x.tileCommunes(b)
	}
	var fovs []Hit
	if z >= opt.FOVMinZoom && !clustered {
		// Cameras outside the tile whose sector reaches into it.
		dLat, dLon := sectorReachDeg(math.Max(math.Abs(box.MinLat), math.Abs(box.MaxLat)), x.ranges.max())
		wide := BBox{math.Max(-180, box.MinLon-dLon), math.Max(-90, box.MinLat-dLat), math.Min(180, box.MaxLon+dLon), math.Min(90, box.MaxLat+dLat)}
		// Keep those whose own range reaches the tile: one camera of 5 km
		// widens the search, not the answer.
		reach := x.inBox(wide, m, "", nil)
		keep := reach[:0]
		for _, slot := range reach {
			e := &x.ents[slot]
			rLat, rLon := sectorReachDeg(e.lat, e.rng)
			if e.lat+rLat >= box.MinLat && e.lat-rLat <= box.MaxLat && (rLon >= 180 || (e.lon+rLon >= box.MinLon && e.lon-rLon <= box.MaxLon)) {
				keep = append(keep, slot)
			}
		}
		fovs = x.hits(x.thin(keep, t, opt.MaxFeatures))
	}
	var isects []IntersectionStatus
	if x.cov != nil {
		isects = x.tileIntersections(box, t, opt.MaxFeatures)
	}
	rl := x.roads // never changed once set: read after the unlock
	x.mu.RUnlock()

	fov := geojson.NewFeatureCollection()
	tol := fovTolerance(z)
	for i := range fovs {
		h := &fovs[i]
		sec := Sector(h.Lat, h.Lon, h.DirectionDeg, h.FOVDeg, h.RangeM, tileSectorSegments(h.Lat, h.FOVDeg, h.RangeM, z, tol/2))
		if !sec.Bound().Intersects(b) {
			continue
		}
		f := geojson.NewFeature(sec)
		f.Properties = geojson.Properties{"state": string(h.State), "road_class": string(h.RoadClass)}
		if z >= FOVIDMinZoom {
			f.Properties["id"] = h.ID
		}
		fov.Append(f)
	}
	ifc := geojson.NewFeatureCollection()
	for i := range isects {
		var p geojson.Properties
		if z >= JunctionDetailMinZoom {
			p = intersectionProps(&isects[i])
			delete(p, "roads") // the name says it
		} else {
			// A dot coloured by coverage: what a zoomed-out map draws.
			s := &isects[i]
			p = geojson.Properties{"road_class": string(s.RoadClass), "covered": s.Covered, "covered_live": s.CoveredLive}
		}
		f := geojson.NewFeature(orb.Point{isects[i].Lon, isects[i].Lat})
		f.Properties = p
		ifc.Append(f)
	}
	layers := mvt.Layers{
		mvt.NewLayer(LayerFOV, fov),
		mvt.NewLayer(LayerIntersections, ifc),
		mvt.NewLayer(LayerCameras, CamerasGeoJSON(cams)),
		mvt.NewLayer(LayerClusters, clusters),
		mvt.NewLayer(LayerCommunes, communes),
	}
	if opt.HideState {
		hideTileState(layers)
	}
	layers.ProjectToTile(t)
	// The roads come in tile units already (roadlayer.go).
	n := math.Exp2(float64(z))
	wb := orb.Bound{
		Min: orb.Point{(float64(tx) - tileBuffer) / n, (float64(ty) - tileBuffer) / n},
		Max: orb.Point{(float64(tx) + 1 + tileBuffer) / n, (float64(ty) + 1 + tileBuffer) / n},
	}
	layers = append(layers, mvt.NewLayer(LayerRoads, rl.tile(t, wb, opt.MaxFeatures)))
	pad := tileBuffer * mvt.DefaultExtent
	layers.Clip(orb.Bound{Min: orb.Point{-pad, -pad}, Max: orb.Point{mvt.DefaultExtent + pad, mvt.DefaultExtent + pad}})
	// Only the fov, commune and road layers have lines to simplify.
	layers[0].Simplify(simplify.DouglasPeucker(fovTolerance(z)))
	layers[4].Simplify(simplify.DouglasPeucker(communeTolerance))
	layers[5].Simplify(simplify.DouglasPeucker(roadTolerance))
	layers.RemoveEmpty(1.0, 1.0)
	// A layer with nothing in it is bytes for nothing.
	layers = slices.DeleteFunc(layers, func(l *mvt.Layer) bool { return len(l.Features) == 0 })
	data, err := mvt.Marshal(layers)
	if err != nil || !opt.Gzip {
		return data, err
	}
	return x.gzipTile(data)
}

// tileIntersections returns the intersections in box, thinned; the caller
// holds the read lock.
func (x *Index) tileIntersections(box BBox, t maptile.Tile, maxN int) []IntersectionStatus {
	cv := x.cov
	s := cv.g.boxSpan(box.MinLat, box.MaxLat, box.MinLon, box.MaxLon)
	var idx []int32
	take := func(i int32) {
		if p := &cv.pts[i]; box.Contains(p.lat, p.lon) {
			idx = append(idx, i)
		}
	}
	if cv.g.cellCount(&s) > len(cv.cells) {
		for i := range cv.pts {
			take(int32(i))
		}
	} else {
		cv.g.eachCell(&s, func(k uint64) {
			for _, i := range cv.cells[k] {
				take(i)
			}
		})
	}
	// Highest class first, so thinning keeps the national roads.
	slices.SortFunc(idx, func(a, b int32) int {
		if c := cmp.Compare(cv.pts[a].class, cv.pts[b].class); c != 0 {
			return c
		}
		return strings.Compare(cv.items[a].ID, cv.items[b].ID)
	})
	idx = thinPoints(idx, t, maxN, func(i int32) (float64, float64) { return cv.pts[i].lat, cv.pts[i].lon })
	out := make([]IntersectionStatus, len(idx))
	for j, i := range idx {
		out[j] = cv.status(int(i))
	}
	return out
}

// thin orders camera slots by road class then id and thins them to maxN.
func (x *Index) thin(slots []uint32, t maptile.Tile, maxN int) []uint32 {
	if len(slots) <= maxN {
		return slots
	}
	slices.SortFunc(slots, func(a, b uint32) int {
		if c := cmp.Compare(x.ents[a].class, x.ents[b].class); c != 0 {
			return c
		}
		return x.cmpID(a, b)
	})
	return thinPoints(slots, t, maxN, func(s uint32) (float64, float64) { return x.ents[s].lat, x.ents[s].lon })
}

// thinPoints keeps at most maxN of items: the first of each pixel of a
// grid over the tile, 4096 pixels a side and halving until few enough
// remain, then the first maxN if still too many.
func thinPoints[T any](items []T, t maptile.Tile, maxN int, at func(T) (lat, lon float64)) []T {
	if len(items) <= maxN {
		return items
	}
	type px struct{ x, y int64 }
	pos := make([]px, len(items))
	for i, it := range items {
		lat, lon := at(it)
		f := maptile.Fraction(orb.Point{lon, lat}, t.Z)
		pos[i] = px{int64((f[0] - float64(t.X)) * mvt.DefaultExtent), int64((f[1] - float64(t.Y)) * mvt.DefaultExtent)}
	}
	for shift := uint(0); shift < 12 && len(items) > maxN; shift++ {
		seen := map[px]bool{}
		keep, kpos := items[:0], pos[:0]
		for i, it := range items {
			k := px{pos[i].x >> shift, pos[i].y >> shift}
			if !seen[k] {
				seen[k] = true
				keep = append(keep, it)
				kpos = append(kpos, pos[i])
			}
		}
		items, pos = keep, kpos
	}
	return items[:min(len(items), maxN)]
}

// fovTolerance is the Douglas-Peucker tolerance of the fov layer of a tile
// of zoom z, in tile units (1/4096 of a tile side, an eighth of a pixel of
// a tile drawn 512 pixels wide): one unit from zoom 15, doubling at each
// zoom below, to half a pixel at zoom 13, where a 50 m sector is a wedge
// of five pixels.
func fovTolerance(z int) float64 {
	if z >= 15 {
		return 1
	}
	return math.Exp2(float64(15 - z))
}

// tileSectorSegments returns how many straight pieces draw the arc of a
// field of view of fovDeg and rangeM at latitude lat in a tile of zoom z:
// as few as keep every chord within tol tile units of the arc, and at
// most DefaultSectorSegments.
func tileSectorSegments(lat, fovDeg, rangeM float64, z int, tol float64) int {
	unitM := 2 * math.Pi * EarthRadius * math.Cos(lat*deg2rad) / (math.Exp2(float64(z)) * mvt.DefaultExtent)
	least := 1
	if fovDeg >= 360 {
		least = 3
	}
	r := rangeM / unitM
	if r <= tol {
		return least
	}
	step := 2 * math.Acos(1-tol/r)
	n := int(math.Ceil(math.Min(fovDeg, 360) * deg2rad / step))
	return min(max(n, least), DefaultSectorSegments)
}
