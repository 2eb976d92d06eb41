package sample

import "fmt"

// File names of the sample district, as Generate returns them and as they
// are embedded.
const (
	CamerasFile       = "cameras.csv"
	CommunesFile      = "communes.geojson"
	RoadsFile         = "roads.geojson"
	IntersectionsFile = "intersections.geojson"
	DonationsFile     = "donations.csv"
	IncidentsFile     = "incidents.json"
	TipsFile          = "tips.json"
)

// Generate makes the sample district from scratch and returns its files by
// name. It is deterministic: every run, on every platform, returns the same
// bytes, which are the files embedded in this package (a test checks it).
// Run `go run ./internal/sample/gen` after changing the generator.
func Generate() (map[string][]byte, error) {
	w, err := buildWorld()
	if err != nil {
		return nil, fmt.Errorf("sample: geography: %w", err)
	}
	cams, err := buildCameras(w)
	if err != nil {
		return nil, fmt.Errorf("sample: cameras: %w", err)
	}
	dons, err := buildDonations(w.d.communes, cams)
	if err != nil {
		return nil, fmt.Errorf("sample: donations: %w", err)
	}
	incs, err := buildIncidents(cams)
	if err != nil {
		return nil, fmt.Errorf("sample: incidents: %w", err)
	}
	tips, err := buildTips(w.d.communes, cams, incs)
	if err != nil {
		return nil, fmt.Errorf("sample: tips: %w", err)
	}

	files := map[string][]byte{}
	for _, f := range []struct {
		name string
		make func() ([]byte, error)
	}{
		{CommunesFile, func() ([]byte, error) { return communesGeoJSON(w.d.communes) }},
		{RoadsFile, func() ([]byte, error) { return roadsGeoJSON(w.roads) }},
		{IntersectionsFile, func() ([]byte, error) { return intersectionsGeoJSON(w.d.communes, w.roads, w.junctions) }},
		{CamerasFile, func() ([]byte, error) { return camerasCSV(w.d.communes, cams) }},
		{DonationsFile, func() ([]byte, error) { return donationsCSV(dons) }},
		{IncidentsFile, func() ([]byte, error) { return incidentsJSON(incs) }},
		{TipsFile, func() ([]byte, error) { return tipsJSON(tips) }},
	} {
		b, err := f.make()
		if err != nil {
			return nil, fmt.Errorf("sample: %s: %w", f.name, err)
		}
		files[f.name] = b
	}
	return files, nil
}
