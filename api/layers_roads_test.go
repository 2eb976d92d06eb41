package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/internal/sample"
	"github.com/matthan/matthan/registry"
)

// roadsInTile returns the roads layer of the tile at zoom z holding
// (lon, lat): name → road_class.
func (e *layerEnv) roadsInTile(z int, lon, lat float64) map[string]string {
	e.t.Helper()
	tile := maptile.At(orb.Point{lon, lat}, maptile.Zoom(z))
	st, body, _ := e.do(adminToken, "GET", fmt.Sprintf("/tiles/%d/%d/%d.mvt", z, tile.X, tile.Y), "", nil)
	if st != http.StatusOK {
		e.t.Fatalf("tile: %d %s", st, body)
	}
	layers, err := mvt.Unmarshal(body)
	if err != nil {
		e.t.Fatalf("decode tile: %v", err)
	}
	out := map[string]string{}
	for _, l := range layers {
		if l.Name != geo.LayerRoads {
			continue
		}
		for _, f := range l.Features {
			name, _ := f.Properties["name"].(string)
			class, _ := f.Properties["road_class"].(string)
			out[name] = class
		}
	}
	return out
}

// storedRoads returns the stored road layer, nil when there is none.
func (e *layerEnv) storedRoads() []byte {
	e.t.Helper()
	raw, err := e.store.GetLayer(context.Background(), registry.LayerRoads)
	if err != nil {
		e.t.Fatal(err)
	}
	return raw
}

// TestImportKeepsRoads: an import of roads keeps them as the map's road
// layer, stored with the junctions found on them and drawn in the tiles;
// an import of Points leaves them, unless it says roads=drop; a bad
// roads parameter changes nothing.
func TestImportKeepsRoads(t *testing.T) {
	e := newLayerEnv(t, geo.Limits{}) // the sample's Points: no roads
	// Quốc lộ 50 enters the district at its first position.
	const lon, lat = 106.55376, 10.393777
	if got := e.roadsInTile(12, lon, lat); len(got) != 0 {
		t.Fatalf("roads before any import of roads: %v", got)
	}
	if raw := e.storedRoads(); raw != nil {
		t.Fatalf("%d bytes of roads stored before any import of roads", len(raw))
	}

	var out struct{ Intersections, Roads int }
	e.doJSON(adminToken, "POST", "/api/v1/intersections/import", sample.Roads(), http.StatusOK, &out)
	if out.Intersections != 296 || out.Roads != 187 {
		t.Errorf("import of roads answered %+v, want 296 intersections and 187 roads", out)
	}
	stored := e.storedRoads()
	roads, err := geo.ReadRoads(context.Background(), stored, geo.NoLimits())
	if err != nil || len(roads) != 187 || roads[0].Name != "Quốc lộ 50" || roads[0].RoadClass != "national" {
		t.Fatalf("stored roads: %d (%v)", len(roads), err)
	}
	if got := e.roadsInTile(12, lon, lat); got["Quốc lộ 50"] != "national" {
		t.Errorf("z12 tile roads %v, want Quốc lộ 50", got)
	}
	if got := e.roadsInTile(8, lon, lat); len(got) != 0 {
		t.Errorf("z8 tile roads %v, want none", got)
	}

	// Surveyed junctions replace the computed ones; the roads stay.
	e.doJSON(adminToken, "POST", "/api/v1/intersections/import", sample.Intersections(), http.StatusOK, &out)
	if out.Intersections != 296 || out.Roads != 187 {
		t.Errorf("import of points answered %+v, want 296 intersections and the 187 roads kept", out)
	}
	if !bytes.Equal(e.storedRoads(), stored) || e.index.Stats().Roads != 187 {
		t.Errorf("an import of points changed the roads")
	}
	if _, found := e.index.IntersectionCoverage("INT-0001"); !found {
		t.Errorf("the points were not imported")
	}

	// Bad parameters: refused, nothing changes.
	before := e.storedLayer()
	for _, tc := range []struct {
		query string
		body  []byte
	}{
		{"?roads=maybe", sample.Intersections()},
		{"?roads=drop", sample.Roads()},
		{"?road=drop", sample.Intersections()},
	} {
		p := e.problem(adminToken, "POST", "/api/v1/intersections/import"+tc.query, tc.body, http.StatusBadRequest)
		if p.Field != "roads" && p.Field != "road" {
			t.Errorf("%s: problem %+v, want it to name the parameter", tc.query, p)
		}
	}
	if !bytes.Equal(e.storedLayer(), before) || !bytes.Equal(e.storedRoads(), stored) || e.index.Stats().Roads != 187 {
		t.Errorf("a refused import changed the layers")
	}

	// Points with roads=drop: the map has no roads any more.
	e.doJSON(adminToken, "POST", "/api/v1/intersections/import?roads=drop", sample.Intersections(), http.StatusOK, &out)
	if out.Intersections != 296 || out.Roads != 0 {
		t.Errorf("import of points dropping the roads answered %+v", out)
	}
	if raw := e.storedRoads(); raw != nil || e.index.Stats().Roads != 0 {
		t.Errorf("after roads=drop: %d bytes stored, %d roads in the index", len(raw), e.index.Stats().Roads)
	}
	if got := e.roadsInTile(12, lon, lat); len(got) != 0 {
		t.Errorf("after roads=drop the tile has roads %v", got)
	}
}
