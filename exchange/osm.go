package exchange

import (
	"math"
	"strconv"
	"strings"

	"github.com/matthan/matthan/camera"
)

// osmFixedFOVDeg is the field of view given to an OpenStreetMap camera
// tagged camera:type=fixed with a direction but no fov_deg. OSM has no tag
// for the angle of view; a typical fixed bullet camera with a 2.8–4 mm lens
// sees 80–100°. Leaving such a camera at the 360° default would make it
// cover everything around it and hide real gaps from the planners.
const osmFixedFOVDeg = 90

// featureID returns the camera id of a feature and, for an OpenStreetMap
// feature, its object reference such as "node/123".
//
// The id is, in order: the "id" property (a camera field) unless empty; the
// OSM reference from "@id" or from the feature's "id", mapped by
// osmCameraID; the feature's "id" as given (a string, or the literal of a
// number).
func featureID(f *featureJSON) (id, ref string, err *camera.Error) {
	p := &f.Properties
	if s, ok, err := jsonText("@id", p.OSMID); err != nil {
		return "", "", err
	} else if ok && isOSMRef(strings.TrimSpace(s)) {
		ref = strings.TrimSpace(s)
	}
	var fid value
	if present(f.ID) {
		v, err := jsonValue("id", f.ID)
		if err != nil {
			return "", "", camera.Errorf(camera.EINVALID, "id", "the feature's id must be a string or a number")
		}
		fid = v
		if ref == "" && !v.num && isOSMRef(strings.TrimSpace(v.s)) {
			ref = strings.TrimSpace(v.s)
		}
	}
	if present(p.ID) {
		v, err := jsonValue("id", p.ID)
		if err != nil {
			return "", ref, err
		}
		if id := cleanText(v.s); id != "" {
			return id, ref, nil
		}
		// An empty id column, as a spreadsheet-made file may have: the
		// OSM or feature id can still name the camera.
	}
	if ref != "" {
		return osmCameraID(ref), ref, nil
	}
	return cleanText(fid.s), ref, nil
}

// isOSMRef reports whether s is an OpenStreetMap object reference:
// node/123, way/123 or relation/123.
func isOSMRef(s string) bool {
	kind, num, ok := strings.Cut(s, "/")
	if !ok || (kind != "node" && kind != "way" && kind != "relation") || num == "" {
		return false
	}
	for i := 0; i < len(num); i++ {
		if num[i] < '0' || num[i] > '9' {
			return false
		}
	}
	return true
}

// osmCameraID maps an OSM reference to a camera id: "node/123" becomes
// "osm-node-123". Camera ids may not contain '/' (they are URL path
// segments), and the prefix keeps OSM ids apart from the ids a commune
// chooses (CG-0001), so that re-importing a newer OSM extract updates the
// same cameras.
func osmCameraID(ref string) string {
	return "osm-" + strings.Replace(ref, "/", "-", 1)
}

// applyOSM reads the OpenStreetMap tags of a surveillance camera into c,
// after the camera fields: a camera field, where given, wins over the tag
// that means the same thing.
func applyOSM(c *camera.Camera, p *propertiesJSON, ref string) *camera.Error {
	osm := ref != "" || present(p.ManMade) || present(p.SurveillanceType) || present(p.CameraType) || present(p.CameraDirection)
	if s, ok, err := jsonText("man_made", p.ManMade); err != nil {
		return err
	} else if ok && cleanWord(s) != "surveillance" {
		return camera.Errorf(camera.EINVALID, "man_made", "must be surveillance, got %s", quoteShort(s))
	}
	if s, ok, err := jsonText("surveillance:type", p.SurveillanceType); err != nil {
		return err
	} else if ok && cleanWord(s) != "camera" && cleanWord(s) != "alpr" {
		return camera.Errorf(camera.EINVALID, "surveillance:type", "must be camera or ALPR, got %s", quoteShort(s))
	}
	haveDir := given(p.Direction)
	if !haveDir {
		for _, t := range []struct {
			name string
			raw  []byte
		}{{"camera:direction", p.CameraDirection}, {"direction", p.OSMDirection}} {
			if !present(t.raw) {
				continue
			}
			deg, err := osmDirection(t.name, t.raw)
			if err != nil {
				return err
			}
			c.DirectionDeg, haveDir = deg, true
			break
		}
	}
	typ, _, err := jsonText("camera:type", p.CameraType)
	if err != nil {
		return err
	}
	switch cleanWord(typ) {
	case "":
	case "dome", "panning":
		// A dome or a panning camera can look anywhere.
		if !given(p.FOV) {
			c.FOVDeg = 360
		}
	case "fixed":
		if !given(p.FOV) && haveDir {
			c.FOVDeg = osmFixedFOVDeg
		}
	default:
		return camera.Errorf(camera.EINVALID, "camera:type", "must be fixed, dome or panning, got %s", quoteShort(typ))
	}
	var notes []string
	if c.Notes != "" {
		notes = append(notes, c.Notes)
	}
	for _, t := range []struct {
		name string
		raw  []byte
	}{{"operator", p.Operator}, {"height", p.Height}} {
		if !present(t.raw) {
			continue
		}
		v, err := jsonValue(t.name, t.raw)
		if err != nil {
			return err
		}
		if s := cleanText(v.s); s != "" {
			notes = append(notes, t.name+": "+s)
		}
	}
	c.Notes = cleanNotes(strings.Join(notes, "; "))
	if c.Name == "" && osm {
		// OSM cameras rarely have a name; give one that leads back to the
		// object on the map.
		c.Name = "Camera " + c.ID
		if ref != "" {
			c.Name = "OSM camera " + ref
		}
	}
	return nil
}

// osmDirection reads camera:direction or direction: degrees clockwise from
// north (wrapped into 0–360, as OSM allows 360 or -90) or a 16-point compass
// direction such as N, NE or ENE.
func osmDirection(name string, raw []byte) (float64, *camera.Error) {
	v, err := jsonValue(name, raw)
	if err != nil {
		return 0, err
	}
	s := strings.TrimSpace(v.s)
	if deg, ok := compassDeg(strings.ToUpper(s)); ok && !v.num {
		return deg, nil
	}
	if !v.num && !isPlainDecimal(s) {
		return 0, camera.Errorf(camera.EINVALID, name, "must be degrees clockwise from north or a compass direction such as NE, got %s", quoteShort(s))
	}
	deg, perr := strconv.ParseFloat(s, 64)
	if perr != nil || math.IsInf(deg, 0) {
		return 0, camera.Errorf(camera.EINVALID, name, "is out of range, got %s", quoteShort(s))
	}
	deg = math.Mod(deg, 360)
	if deg < 0 {
		deg += 360
	}
	if deg >= 360 { // -1e-20 + 360 rounds to 360
		deg = 0
	}
	return deg, nil
}

// compassDeg returns the bearing of a 16-point compass direction.
func compassDeg(s string) (float64, bool) {
	points := [...]string{"N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"}
	for i, p := range points {
		if p == s {
			return float64(i) * 22.5, true
		}
	}
	return 0, false
}
