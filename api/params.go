package api

import (
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/internal/vntext"
)

// floatParam reads a finite number parameter; required ones must be
// present.
func floatParam(q url.Values, name string, required bool) (float64, bool, error) {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		if required {
			return 0, false, invalid(name, "is required")
		}
		return 0, false, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false, invalid(name, "must be a number, got %q", v)
	}
	return f, true, nil
}

// intParam reads a whole-number parameter within [min, max], def when
// absent.
func intParam(q url.Values, name string, def, min, max int) (int, error) {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, invalid(name, "must be a whole number from %d to %d, got %q", min, max, v)
	}
	return n, nil
}

// boolParam parses an optional true/false parameter (strconv.ParseBool's
// spellings); absent is false.
func boolParam(q url.Values, name string) (bool, error) {
	v := q.Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, invalid(name, "must be true or false, got %q", v)
	}
	return b, nil
}

// latLonParams reads lat and lon, both required and in range.
func latLonParams(q url.Values) (lat, lon float64, err error) {
	if lat, _, err = floatParam(q, "lat", true); err != nil {
		return
	}
	if lon, _, err = floatParam(q, "lon", true); err != nil {
		return
	}
	err = geo.ValidateLatLon(lat, lon)
	return
}

// geoFilter reads the filters every spatial query takes: commune
// (accent-insensitive), road_class and state, each a comma-separated list.
func geoFilter(q url.Values) (geo.Filter, error) {
	var f geo.Filter
	if v := strings.TrimSpace(q.Get("commune")); v != "" {
		want := map[string]bool{}
		for _, c := range strings.Split(v, ",") {
			want[vntext.Fold(c)] = true
		}
		f.CommuneMatch = func(name string) bool { return want[vntext.Fold(name)] }
	}
	for _, v := range splitList(q.Get("road_class")) {
		rc := camera.RoadClass(v)
		if !rc.Valid() {
			return f, invalid("road_class", "must be one of national, provincial, district, commune, urban, other, got %q", v)
		}
		f.RoadClasses = append(f.RoadClasses, rc)
	}
	for _, v := range splitList(q.Get("state")) {
		st := camera.HealthState(v)
		if !st.Valid() {
			return f, invalid("state", "must be one of up, degraded, down, auth_failed, unknown, got %q", v)
		}
		f.States = append(f.States, st)
	}
	return f, nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
