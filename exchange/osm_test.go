package exchange

import (
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
)

// osm.geojson is shaped like an overpass-turbo export of
// man_made=surveillance nodes around Chợ Gạo.
func TestOSMFeatures(t *testing.T) {
	cams, rejects := decodeFile(t, FormatGeoJSON, "osm.geojson")
	osm := func(id, name string, lat, lon, dir, fov float64, notes string) *camera.Camera {
		return &camera.Camera{
			ID: id, Name: name, Lat: lat, Lon: lon, DirectionDeg: dir, FOVDeg: fov,
			RangeM: camera.DefaultRangeM, RoadClass: camera.RoadOther, Site: camera.SiteOther,
			Status: camera.StatusActive, Notes: notes,
		}
	}
	checkCameras(t, cams, []*camera.Camera{
		// fixed, camera:direction NE: 45°, the fixed-camera field of view.
		osm("osm-node-11223344", "OSM camera node/11223344", 10.3521, 106.4612, 45, osmFixedFOVDeg,
			"operator: Công an huyện Chợ Gạo; height: 5"),
		// dome: 360° whatever its direction; the altitude is ignored.
		osm("osm-node-11223345", "Camera chợ Bình Phục Nhứt", 10.3390, 106.4520, 90, 360, ""),
		// panning, id from the feature id only.
		osm("osm-node-11223346", "OSM camera node/11223346", 10.3602, 106.4701, 0, 360, ""),
		// direction -45 wraps to 315.
		osm("osm-node-11223347", "OSM camera node/11223347", 10.3455, 106.4803, 315, osmFixedFOVDeg, ""),
		// fixed without a direction: the mount is unknown, the default 360°.
		osm("osm-node-11223348", "OSM camera node/11223348", 10.3301, 106.4899, 0, 360, ""),
	})
	checkRejections(t, rejects, []Rejection{
		{Feature: 5, ID: "osm-node-11223349", Field: "surveillance:type", Reason: `must be camera or ALPR, got "guard"`},
		{Feature: 6, ID: "osm-way-5550001", Field: "geometry", Reason: `must be a Point, got "LineString"`},
	})
}

func TestOSMDirection(t *testing.T) {
	tests := []struct {
		raw  string
		want float64
		ok   bool
	}{
		{`"N"`, 0, true},
		{`"NNE"`, 22.5, true},
		{`"ene"`, 67.5, true},
		{`"SE"`, 135, true},
		{`"S"`, 180, true},
		{`"WSW"`, 247.5, true},
		{`"NNW"`, 337.5, true},
		{`" 90 "`, 90, true},
		{`90`, 90, true},
		{`360`, 0, true},
		{`"-90"`, 270, true},
		{`725.5`, 5.5, true},
		{`-1e-20`, 0, true},
		{`"90;180"`, 0, false},
		{`"NEE"`, 0, false},
		{`"north"`, 0, false},
		{`true`, 0, false},
		{`1e400`, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := osmDirection("camera:direction", []byte(tt.raw))
			if (err == nil) != tt.ok {
				t.Fatalf("osmDirection(%s) error = %v, want ok %v", tt.raw, err, tt.ok)
			}
			if err != nil {
				if err.Field != "camera:direction" {
					t.Errorf("error field = %q, want camera:direction", err.Field)
				}
				return
			}
			if got != tt.want {
				t.Errorf("osmDirection(%s) = %v, want %v", tt.raw, got, tt.want)
			}
		})
	}
}

func TestOSMCameraID(t *testing.T) {
	tests := []struct {
		featureID, atID, propID string
		want                    string
	}{
		{`"node/123"`, ``, ``, "osm-node-123"},
		{``, `"way/9"`, ``, "osm-way-9"},
		{`"node/1"`, `"relation/2"`, ``, "osm-relation-2"},
		{`"node/1"`, `"node/1"`, `"CG-1"`, "CG-1"}, // a camera id wins
		{`"node/1"`, ``, `" "`, "osm-node-1"},      // unless it is empty
		{`"CG-8"`, ``, `""`, "CG-8"},
		{`"CG-7"`, ``, ``, "CG-7"},
		{`7`, ``, ``, "7"},
		{`"node/x"`, ``, ``, "node/x"}, // not OSM: rejected later for its '/'
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			var props []string
			if tt.atID != "" {
				props = append(props, `"@id":`+tt.atID)
			}
			if tt.propID != "" {
				props = append(props, `"id":`+tt.propID)
			}
			fid := ""
			if tt.featureID != "" {
				fid = `"id":` + tt.featureID + ","
			}
			body := `{"type":"FeatureCollection","features":[{"type":"Feature",` + fid + `"geometry":{"type":"Point","coordinates":[1,2]},"properties":{` + strings.Join(props, ",") + `}}]}`
			cams, rejects := decodeBytes(t, FormatGeoJSON, []byte(body))
			switch {
			case len(cams) == 1:
				if cams[0].ID != tt.want {
					t.Errorf("id = %q, want %q", cams[0].ID, tt.want)
				}
			case len(rejects) == 1:
				if rejects[0].ID != tt.want {
					t.Errorf("rejected id = %q, want %q", rejects[0].ID, tt.want)
				}
			default:
				t.Fatalf("got %v %v", cams, rejects)
			}
		})
	}
}
