package sample

import (
	"embed"
	"io/fs"
)

//go:generate go run ./gen -out data

// data holds the generated files (see Generate). It is read only.
//
//go:embed data/*
var data embed.FS

// read returns a copy of an embedded file. The files are part of the
// binary: a missing one is a build error, not a runtime one.
func read(name string) []byte {
	b, err := data.ReadFile("data/" + name)
	if err != nil {
		panic("sample: " + err.Error())
	}
	return b
}

// Cameras returns cameras.csv: the 350 cameras, in the camera CSV format
// of docs/design.md. Each call returns a fresh copy.
func Cameras() []byte { return read(CamerasFile) }

// Communes returns communes.geojson: the 19 commune polygons.
func Communes() []byte { return read(CommunesFile) }

// Roads returns roads.geojson: the road network as LineString features.
func Roads() []byte { return read(RoadsFile) }

// Intersections returns intersections.geojson: the road junctions as Point
// features.
func Intersections() []byte { return read(IntersectionsFile) }

// Donations returns donations.csv: the donations in the donation CSV
// format of docs/design.md.
func Donations() []byte { return read(DonationsFile) }

// Incidents returns incidents.json: a JSON array of incidents.
func Incidents() []byte { return read(IncidentsFile) }

// Tips returns tips.json: a JSON array of hotline tips, as POST
// /api/v1/tips takes them, with made-up informants.
func Tips() []byte { return read(TipsFile) }

// FS returns the sample files as a read-only file system, with the names
// of the *File constants at its root.
func FS() fs.FS {
	sub, err := fs.Sub(data, "data")
	if err != nil {
		panic("sample: " + err.Error())
	}
	return sub
}

// CommuneNames returns the names of the 19 communes and towns of the
// district, in the order of docs/design.md.
func CommuneNames() []string {
	var names []string
	for _, c := range communeTable() {
		names = append(names, c.Name)
	}
	return names
}
