// Package geo is the geometry of Mắt Thần: distances and bearings on the
// sphere, camera fields of view, the in-memory spatial index of the active
// cameras with its map queries, the reference layers (intersections, roads
// and their junctions, commune boundaries), the coverage of intersections
// by cameras, the ranking of coverage gaps, where to put the next cameras
// (Suggest), and GeoJSON and vector-tile output for GIS tools.
//
// It is pure: no files, no network, no database, no clock, no global
// mutable state — like tile38's internal/collection. Callers feed it
// cameras and layers (from the registry, from request bodies) and read
// answers; the api package serialises them (result types carry the
// contract's snake_case JSON tags).
//
// # One distance, one coverage
//
// Every distance is the haversine great-circle distance on a sphere of
// EarthRadius (6,371,008.8 m), never orb/geo's equatorial radius. A point
// is covered by a camera when it is at most range_m away and the bearing
// from the camera to it is within fov_deg/2 of direction_deg (Covers);
// the index, the coverage counts, Seeing and the tiles all use that one
// function.
//
// # The index
//
// Index holds active cameras in a uniform grid: rows of 0.01° of
// latitude, each cut into as many longitude cells as keep them about
// square on the ground, down to a single cell at the poles. A radius
// query visits the few cells its circle can reach — its longitude extent
// computed on the sphere, wrapping across the antimeridian, and all the
// way round when the circle holds a pole — and measures the cameras found
// exactly. Cameras are packed in 48-byte entries (commune names interned),
// about 180 bytes each with the id map and the grid. Many readers, one
// writer: see Index. Result slices (Intersection.Roads) may be shared with
// the index: read them, do not modify them.
//
// The intersection layer lives in the same index so that a camera update
// adjusts, under the same lock, the coverage counts of just the
// intersections within its range (Index.Upsert, Index.SetState): coverage
// answers (Coverage, Gaps, CoverageCounts) are then a pass over counts.
//
// A new reference layer is built aside by a LayerUpdate — junctions,
// communes, coverage from a copy of the cameras — while queries and
// camera updates go on, and swapped in under the write lock in
// milliseconds; camera changes made meanwhile are journaled and replayed
// on it. Commune lookups go through an index of each boundary's edges
// (pip.go) whose answers are orb's linear test's.
//
// Suggest answers where to put the next N cameras: a lazy greedy maximal
// covering of the junctions no camera covers, weighted by road class and
// incidents nearby, within 1 − 1/e of the best (suggest.go). It copies
// what it needs under the read lock and searches without it.
//
// # Input
//
// GeoJSON is read by this package's own decoder (not orb/geojson) so that
// 3-D positions and nulls are rejected rather than silently changed, and
// every error is an EINVALID *camera.Error whose field is the JSON path
// at fault ("features[3].properties.road_class"). Layers are read one
// feature at a time within Limits (features, positions, junctions), and
// one past a limit is an ETOOLARGE error naming the field and the limit.
// A check of a layer (CheckIntersections, CheckCommunes: the dry run of an
// import) reads past the invalid features, naming each, and what the
// valid ones make is measured on a LayerUpdate that is never committed.
// The long loops of a layer build look at their context and stop when it
// is done. Names are kept as given:
// the caller normalises text to NFC (normalising the whole JSON body is
// safe, as JSON syntax is ASCII).
package geo
