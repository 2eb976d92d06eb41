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

// geoFilter reads the filters every spatial query takes: commune (see
// communeMatcher), road_class and state, each a comma-separated list.
func geoFilter(q url.Values) (geo.Filter, error) {
	var f geo.Filter
	if v := strings.TrimSpace(q.Get("commune")); v != "" {
		f.CommuneMatch = communeMatcher(strings.Split(v, ",")...)
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

// communeMatcher returns the test of a commune= filter naming any of
// filters: accent-insensitive, with or without the administrative prefix
// ("cho gao" finds "Thị trấn Chợ Gạo"; the rule is vntext.CommuneFilter's).
// It remembers its answer for each name: a list meets the same few
// commune names again and again, and folding one costs microseconds. A
// matcher serves one request (it is not safe for concurrent use); nil
// when no filter is given.
func communeMatcher(filters ...string) func(name string) bool {
	var fs []vntext.CommuneFilter
	for _, v := range filters {
		if f := vntext.NewCommuneFilter(v); !f.Empty() {
			fs = append(fs, f)
		}
	}
	if len(fs) == 0 {
		return nil
	}
	memo := map[string]bool{}
	return func(name string) bool {
		if ok, seen := memo[name]; seen {
			return ok
		}
		ok := false
		for _, f := range fs {
			if ok = f.Match(name); ok {
				break
			}
		}
		if len(memo) < 1<<16 {
			memo[name] = ok
		}
		return ok
	}
}
