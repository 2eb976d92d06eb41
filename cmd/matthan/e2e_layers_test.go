package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// TestLayersAfterRestart: junctions whose commune the input did not name
// take it from the commune layer in place — also after a restart, when
// the commune layer was replaced after the junctions were imported. A
// restart must not bring back the communes of the old layer.
func TestLayersAfterRestart(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "layers.db")
	env := []string{"MATTHAN_ADMIN_TOKEN=" + e2eAdminToken, "MATTHAN_POLLER_ENABLED=false"}
	serve := func() *proc {
		return startDaemon(t, env, "serve", "--db", db, "--listen", "127.0.0.1:0")
	}
	square := func(name string, lon0 float64) string {
		return fmt.Sprintf(`{"type":"Feature","properties":{"name":%q},"geometry":{"type":"Polygon","coordinates":[[[%g,10.30],[%g,10.30],[%g,10.40],[%g,10.40],[%g,10.30]]]}}`,
			name, lon0, lon0+0.1, lon0+0.1, lon0, lon0)
	}
	communes := func(west, east string) []byte {
		return []byte(`{"type":"FeatureCollection","features":[` + square(west, 106.4) + "," + square(east, 106.5) + `]}`)
	}
	junctions := []byte(`{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"id":"J-W","road_class":"national"},"geometry":{"type":"Point","coordinates":[106.45,10.35]}},
		{"type":"Feature","properties":{"id":"J-E","road_class":"district"},"geometry":{"type":"Point","coordinates":[106.55,10.35]}},
		{"type":"Feature","properties":{"id":"J-N","road_class":"district","commune":"Xã Đã Đặt Tên"},"geometry":{"type":"Point","coordinates":[106.46,10.36]}}]}`)
	byCommune := func(d *proc) []string {
		t.Helper()
		var rep struct {
			Communes []struct {
				Commune       string `json:"commune"`
				Intersections int    `json:"intersections"`
			} `json:"communes"`
		}
		unmarshal(t, mustCall(t, http.StatusOK, "GET", d.URL+"/api/v1/coverage", e2eAdminToken, "", nil), &rep)
		var out []string
		for _, c := range rep.Communes {
			out = append(out, fmt.Sprintf("%s=%d", c.Commune, c.Intersections))
		}
		slices.Sort(out)
		return out
	}
	d := serve()
	mustCall(t, http.StatusOK, "POST", d.URL+"/api/v1/communes/import", e2eAdminToken, "application/geo+json", communes("Xã Tây Cũ", "Xã Đông Cũ"))
	mustCall(t, http.StatusOK, "POST", d.URL+"/api/v1/intersections/import", e2eAdminToken, "application/geo+json", junctions)
	mustCall(t, http.StatusOK, "POST", d.URL+"/api/v1/communes/import", e2eAdminToken, "application/geo+json", communes("Xã Tây Mới", "Xã Đông Mới"))
	want := []string{"Xã Đã Đặt Tên=1", "Xã Đông Mới=1", "Xã Tây Mới=1"}
	slices.Sort(want)
	if got := byCommune(d); !slices.Equal(got, want) {
		t.Fatalf("after the new commune layer: %v, want %v", got, want)
	}
	if code := d.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit %d", code)
	}
	d = serve()
	if got := byCommune(d); !slices.Equal(got, want) {
		raw, _ := json.Marshal(got)
		t.Errorf("after a restart: %s, want %v (the communes of the layer in place, the one the input named kept)", raw, want)
	}
}
