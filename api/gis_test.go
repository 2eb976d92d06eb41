package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
)

// featureCollection is the part of a GeoJSON answer the tests read.
type featureCollection struct {
	Type     string
	Features []struct {
		ID         string
		Geometry   struct{ Type string }
		Properties map[string]any
	}
	NextCursor string `json:"next_cursor"`
}

// getGeoJSON fetches a GeoJSON route and returns the raw body, the decoded
// collection and the headers.
func (e *env) getGeoJSON(token, path string) ([]byte, featureCollection, http.Header) {
	e.t.Helper()
	st, body, h := e.do(token, "GET", path, "", nil)
	if st != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, st, body)
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/geo+json") {
		e.t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	var fc featureCollection
	if err := json.Unmarshal(body, &fc); err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
	if fc.Type != "FeatureCollection" {
		e.t.Fatalf("GET %s: type %q", path, fc.Type)
	}
	return body, fc, h
}

// The gaps are a paged list: 100 by default, with next_cursor in the
// collection and a Link rel="next" while more remain; following them
// gives every gap once, ranked 1 to X-Total-Gaps. Never a silent cut.
func TestGapsArePaged(t *testing.T) {
	e, _ := newGeoEnv(t)
	planner := e.tokens[camera.RolePlanner]
	_, fc, h := e.getGeoJSON(planner, "/api/v1/coverage/gaps")
	total, err := strconv.Atoi(h.Get("X-Total-Gaps"))
	if err != nil || total <= 100 {
		t.Fatalf("X-Total-Gaps %q: the sample district should have over 100 gaps", h.Get("X-Total-Gaps"))
	}
	if len(fc.Features) != 100 || fc.NextCursor == "" || !strings.Contains(h.Get("Link"), `rel="next"`) {
		t.Fatalf("first page: %d features, next_cursor %q, Link %q; want 100 of %d and a way on", len(fc.Features), fc.NextCursor, h.Get("Link"), total)
	}

	walk := func(t *testing.T, first string, viaLink bool) []string {
		var ids []string
		path := first
		for range total + 1 {
			_, fc, h := e.on(t).getGeoJSON(planner, path)
			for _, f := range fc.Features {
				if rank := f.Properties["rank"]; rank != float64(len(ids)+1) {
					t.Fatalf("%s: gap %s rank %v, want %d", path, f.ID, rank, len(ids)+1)
				}
				ids = append(ids, f.ID)
			}
			if fc.NextCursor == "" {
				if h.Get("Link") != "" {
					t.Errorf("last page has a Link %q", h.Get("Link"))
				}
				return ids
			}
			if viaLink {
				m := regexp.MustCompile(`^<([^>]+)>; rel="next"$`).FindStringSubmatch(h.Get("Link"))
				if m == nil {
					t.Fatalf("Link %q", h.Get("Link"))
				}
				path = m[1]
			} else {
				path = first + "&cursor=" + url.QueryEscape(fc.NextCursor)
			}
		}
		t.Fatal("the pages do not end")
		return nil
	}
	for _, tc := range []struct {
		name, path string
		viaLink    bool
	}{
		{"next_cursor, limit 30", "/api/v1/coverage/gaps?limit=30", false},
		{"Link, limit 7, live", "/api/v1/coverage/gaps?limit=7&mode=live", true},
		{"limit 1000", "/api/v1/coverage/gaps?limit=1000", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ids := walk(t, tc.path, tc.viaLink)
			_, _, h := e.on(t).getGeoJSON(planner, tc.path)
			want, _ := strconv.Atoi(h.Get("X-Total-Gaps"))
			if len(ids) != want {
				t.Errorf("walked %d gaps, X-Total-Gaps %d", len(ids), want)
			}
			slices.Sort(ids)
			if len(slices.Compact(ids)) != want {
				t.Errorf("a gap came twice")
			}
		})
	}
	// The Link keeps the filters.
	_, _, h = e.getGeoJSON(planner, "/api/v1/coverage/gaps?road_class=national,provincial&limit=2")
	if link := h.Get("Link"); !strings.Contains(link, "road_class=national%2Cprovincial") || !strings.Contains(link, "limit=2") {
		t.Errorf("Link %q lost the filters", link)
	}
	for _, tc := range []struct{ query, field string }{
		{"limit=1001", "limit"},
		{"limit=0", "limit"},
		{"cursor=bm90LWEtY3Vyc29y", "cursor"},
		{"cursor=" + url.QueryEscape("%%%"), "cursor"},
	} {
		if p := e.problem(planner, "GET", "/api/v1/coverage/gaps?"+tc.query, nil, http.StatusBadRequest); p.Field != tc.field {
			t.Errorf("%s: field %q, want %q", tc.query, p.Field, tc.field)
		}
	}
}

// The fields of view are their own collection of Polygons, one per camera
// of cameras.geojson, which answers Points only.
func TestFOVGeoJSON(t *testing.T) {
	e, _ := newGeoEnv(t)
	fundraiser := e.tokens[camera.RoleFundraiser]
	_, cams, _ := e.getGeoJSON(fundraiser, "/api/v1/cameras.geojson")
	_, fov, _ := e.getGeoJSON(fundraiser, "/api/v1/fov.geojson")
	kinds := func(fc featureCollection) (map[string]int, []string) {
		k := map[string]int{}
		var ids []string
		for _, f := range fc.Features {
			k[f.Geometry.Type]++
			ids = append(ids, f.ID)
			if f.Properties["id"] != f.ID {
				t.Errorf("feature %s has the property id %v", f.ID, f.Properties["id"])
			}
		}
		return k, ids
	}
	ck, cids := kinds(cams)
	fk, fids := kinds(fov)
	if len(ck) != 1 || ck["Point"] != 350 {
		t.Errorf("cameras.geojson: %v, want 350 Points only", ck)
	}
	if len(fk) != 1 || fk["Polygon"] != 350 {
		t.Errorf("fov.geojson: %v, want 350 Polygons only", fk)
	}
	if !slices.Equal(cids, fids) {
		t.Errorf("fov.geojson and cameras.geojson list other cameras")
	}
	// Same filters; a 360° camera is a circle.
	_, fc, _ := e.getGeoJSON(fundraiser, "/api/v1/fov.geojson?road_class=national&bbox=106.3,10.2,106.6,10.5")
	_, pts, _ := e.getGeoJSON(fundraiser, "/api/v1/cameras.geojson?road_class=national&bbox=106.3,10.2,106.6,10.5")
	if len(fc.Features) == 0 || len(fc.Features) != len(pts.Features) {
		t.Errorf("filtered: %d sectors, %d points", len(fc.Features), len(pts.Features))
	}
	for _, f := range fc.Features {
		if f.Properties["road_class"] != "national" {
			t.Errorf("filtered sector %s is %v", f.ID, f.Properties["road_class"])
		}
	}

	if p := e.problem(fundraiser, "GET", "/api/v1/cameras.geojson?fov=true", nil, http.StatusBadRequest); p.Field != "fov" || !strings.Contains(p.Detail, "/api/v1/fov.geojson") {
		t.Errorf("fov=true: %+v", p)
	}
	e.getGeoJSON(fundraiser, "/api/v1/cameras.geojson?fov=false")
	e.problem(fundraiser, "GET", "/api/v1/fov.geojson?fov=true", nil, http.StatusBadRequest)
	e.problem(fundraiser, "GET", "/api/v1/fov.geojson?state=sleeping", nil, http.StatusBadRequest)
	e.problem("", "GET", "/api/v1/fov.geojson", nil, http.StatusUnauthorized)
}

// The fov layer of the vector tiles starts at zoom 13, where a district
// fits the screen.
func TestTileFOVFromZoom13(t *testing.T) {
	e, _ := newGeoEnv(t)
	// Thị trấn Chợ Gạo, where the sample's cameras crowd.
	town := orb.Point{106.4612, 10.3541}
	for _, tc := range []struct {
		z       int
		wantFOV bool
	}{{12, false}, {13, true}, {14, true}, {15, true}} {
		tile := maptile.At(town, maptile.Zoom(tc.z))
		st, body, _ := e.do(e.tokens[camera.RolePlanner], "GET", fmt.Sprintf("/tiles/%d/%d/%d.mvt", tile.Z, tile.X, tile.Y), "", nil)
		if st != http.StatusOK {
			t.Fatalf("z%d: %d %s", tc.z, st, body)
		}
		layers, err := mvt.Unmarshal(body)
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, l := range layers {
			n[l.Name] = len(l.Features)
			if l.Name == geo.LayerFOV {
				for _, f := range l.Features {
					if _, ok := f.Geometry.(orb.Polygon); !ok {
						if _, ok := f.Geometry.(orb.MultiPolygon); !ok {
							t.Errorf("z%d: fov feature %T", tc.z, f.Geometry)
						}
					}
				}
			}
		}
		if got := n[geo.LayerFOV] > 0; got != tc.wantFOV {
			t.Errorf("z%d: %d field-of-view features (%d cameras), want some: %v", tc.z, n[geo.LayerFOV], n[geo.LayerCameras], tc.wantFOV)
		}
	}
}

// gdalTool returns the path of a GDAL program. The GIS tests run it when
// it is installed; in CI (CI set) it must be: a missing tool is a failure
// there, not a skip that would leave the check unmade.
func gdalTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed and CI is set: install Debian's gdal-bin (make deps does)", name)
	}
	t.Skipf("%s is not installed (Debian: gdal-bin; make deps installs it)", name)
	return ""
}

// ogrLayer is what ogrinfo says of the one layer of a data set.
type ogrLayer struct {
	geometry string
	count    int
	fields   map[string]string // name → type
	text     string            // ogrinfo's whole answer, with -al the features
}

// ogrFieldRE matches a field line of ogrinfo: "name: Type (width.precision)".
var ogrFieldRE = regexp.MustCompile(`(?m)^(\S+): (String|Integer|Integer64|Real|Date|Time|DateTime|Binary|StringList|IntegerList|Integer64List|RealList)(?:\(\w+\))? \(`)

// ogrInfo runs ogrinfo on a data set, with its features unless summary.
func ogrInfo(t *testing.T, path string, summary bool) ogrLayer {
	t.Helper()
	args := []string{"-ro", "-al", path}
	if summary {
		args = append([]string{"-so"}, args...)
	}
	out, err := exec.Command(gdalTool(t, "ogrinfo"), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo %s: %v\n%s", path, err, out)
	}
	text := string(out)
	if n := strings.Count(text, "\nLayer name: "); n != 1 {
		t.Fatalf("ogrinfo %s: %d layers, want 1\n%s", path, n, out)
	}
	g := regexp.MustCompile(`(?m)^Geometry: (.+)$`).FindStringSubmatch(text)
	c := regexp.MustCompile(`(?m)^Feature Count: (\d+)$`).FindStringSubmatch(text)
	if g == nil || c == nil {
		t.Fatalf("ogrinfo %s: no geometry or count in\n%s", path, out)
	}
	l := ogrLayer{geometry: strings.TrimSpace(g[1]), fields: map[string]string{}, text: text}
	l.count, _ = strconv.Atoi(c[1])
	head, _, _ := strings.Cut(text, "\nOGRFeature(") // the schema, not the features
	for _, m := range ogrFieldRE.FindAllStringSubmatch(head, -1) {
		l.fields[m[1]] = m[2]
	}
	return l
}

// The GeoJSON a planner saves from the daemon — cameras, fields of view,
// a page of gaps, every gap — opens in GDAL with one geometry type, every
// feature and only scalar fields, and converts to a Shapefile whole: every
// feature, every field, and (with the UTF-8 encoding the README gives)
// Vietnamese names intact.
func TestGISFilesWithGDAL(t *testing.T) {
	ogr2ogr := gdalTool(t, "ogr2ogr")
	gdalTool(t, "ogrinfo")
	e, _ := newGeoEnv(t)
	planner := e.tokens[camera.RolePlanner]
	dir := t.TempDir()
	for _, tc := range []struct {
		name, path string
		geometry   string
		text       string // a value with diacritics the Shapefile must keep
	}{
		{"cameras", "/api/v1/cameras.geojson", "Point", "Thị trấn Chợ Gạo"},
		{"fov", "/api/v1/fov.geojson", "Polygon", "Thị trấn Chợ Gạo"},
		{"gaps", "/api/v1/coverage/gaps", "Point", "Quốc lộ 50"},
		{"gaps_all", "/api/v1/coverage/gaps?limit=1000", "Point", "Quốc lộ 50"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, fc, _ := e.on(t).getGeoJSON(planner, tc.path)
			src := filepath.Join(dir, tc.name+".geojson")
			if err := os.WriteFile(src, body, 0o644); err != nil {
				t.Fatal(err)
			}
			in := ogrInfo(t, src, true)
			if in.geometry != tc.geometry || in.count != len(fc.Features) {
				t.Errorf("GDAL reads %s as %s × %d, want %s × %d", src, in.geometry, in.count, tc.geometry, len(fc.Features))
			}
			for name, typ := range in.fields {
				if strings.HasSuffix(typ, "List") {
					t.Errorf("field %s is a %s, which a Shapefile cannot hold", name, typ)
				}
			}
			shp := filepath.Join(dir, tc.name+".shp")
			out, err := exec.Command(ogr2ogr, "-f", "ESRI Shapefile", "-lco", "ENCODING=UTF-8", shp, src).CombinedOutput()
			if err != nil || strings.Contains(string(out), "ERROR") {
				t.Fatalf("ogr2ogr -f \"ESRI Shapefile\": %v\n%s", err, out)
			}
			got := ogrInfo(t, shp, false)
			if got.geometry != tc.geometry || got.count != len(fc.Features) || len(got.fields) != len(in.fields) {
				t.Errorf("the Shapefile holds %s × %d with %d fields, want %s × %d with %d", got.geometry, got.count, len(got.fields), tc.geometry, len(fc.Features), len(in.fields))
			}
			if !strings.Contains(got.text, tc.text) {
				t.Errorf("the Shapefile lost %q", tc.text)
			}
		})
	}
}
