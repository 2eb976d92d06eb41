// Package sample is the sample district of Mắt Thần: made-up but realistic
// data for Chợ Gạo district, Tiền Giang province, used by the demo
// (`matthan demo`, `make run`) and by tests of the other packages.
//
// It holds the facts of the camera programme the project started from
// (docs/design.md, "Facts from the field"), exactly: 19 communes and towns, 350
// cameras costing 1,300,000,000 VND in all, of which 72 along national and
// provincial roads (313,000,000 VND) and 48 at junctions of national,
// provincial and district roads (352,800,000 VND); donations adding up to
// the same total; 29 criminal cases with 35 suspects among the incidents.
// The constants of facts.go name these numbers.
//
// The files, in the formats of docs/design.md's domain contracts, all UTF-8 NFC:
//
//   - communes.geojson: 19 Polygon features (name, district, province) that
//     tile the district without gaps or overlaps; counter-clockwise rings,
//     6 decimals.
//   - roads.geojson: LineString features (name, road_class): Quốc lộ 50
//     from north-east to south-west through the town, provincial roads
//     (Đường tỉnh 877, 879, 879B...), district roads (Đường huyện 20...),
//     commune roads (Đường xã ...) and the town's streets.
//   - intersections.geojson: Point features (id, name, road_class, commune,
//     legs, roads) where those roads cross or meet, computed from
//     roads.geojson; many have no camera, so coverage has gaps to show.
//   - cameras.csv: the camera CSV (id CG-0001 to CG-0350, numbered in
//     order of installation); rtsp_url hosts are placeholders without
//     credentials, which the demo replaces with its simulated cameras.
//   - donations.csv: the donation CSV; an empty camera_id is a gift to the
//     commune's pool.
//   - incidents.json: an array of incidents with the JSON fields of
//     docs/design.md, in 2021–2023.
//
// The files are generated, deterministically, by Generate (own random
// generator, fixed seed) and embedded; `go run ./internal/sample/gen` from
// the repository root writes them again. A test checks that the embedded
// files are exactly what Generate returns, so data and generator never
// drift apart, and other tests check the facts above on the files
// themselves.
//
// The generator, file by file: geom.go (plane and sphere geometry), rng.go
// (the random generator), communes.go (commune cells), network.go,
// roads.go, communeroads.go (the road network), junctions.go (the
// junctions, found by geo.JunctionsAlong as the daemon finds them), pois.go
// (markets, schools... worth a camera), names.go (Vietnamese names),
// cameras.go and camattrs.go, donations.go, incidents.go, geojson.go, and
// generate.go which ties them together.
package sample
