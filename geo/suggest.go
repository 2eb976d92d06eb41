package geo

import (
	"context"
	"math"

	"github.com/matthan/matthan/camera"
)

// Where to put the next cameras: Suggest proposes N camera placements —
// a junction to mount each at, a direction, a field of view and a range —
// that together cover as much as they can of the junctions no camera
// covers yet, weighted by road class and by incidents nearby.
//
// It is the maximum coverage problem, solved greedily: each step takes the
// placement that adds the most weight not yet covered. Coverage is
// submodular (a camera adds less once others cover part of what it sees),
// so N greedy steps cover at least 1 − 1/e (63 %) of the weight the best
// N placements of the same candidates would (Nemhauser, Wolsey and
// Fisher, 1978); finding the best is NP-hard. The steps are lazy (Minoux,
// 1978): a candidate's gain can only fall as coverage grows, so the gain
// computed earlier bounds it, and a candidate is measured again only
// when it comes to the top of the queue.
//
// The candidates: a camera at any junction of the area (a pole at the
// corner, where the programme's cameras are), with the mount given or the
// one most of the network's cameras have (the median field of view and
// range), turned in whole degrees. At each junction only the directions
// that matter are tried: the sector is swept round the junctions in range,
// so that every set of them one sector can hold together is measured.

// MaxSuggestions is the most placements one Suggest proposes.
const MaxSuggestions = 500

// Weights of the junctions a placement covers: a national road's junction
// counts twice a provincial one's, and so on down (commune and urban
// roads alike); a class the planner favours counts favourWeight times
// more; each incident within the incident function's radius adds the
// junction's weight once more.
var classWeights = [...]int64{16, 8, 4, 2, 2, 1} // by camera.RoadClass rank

const favourWeight = 10

// SuggestOptions ask Suggest for camera placements.
type SuggestOptions struct {
	// N is how many placements to propose, 1 to MaxSuggestions.
	N int
	// Area narrows the junctions that count, and where cameras may go.
	Area AreaFilter
	// Favour lists road classes whose junctions weigh favourWeight times
	// more.
	Favour []camera.RoadClass
	// Mode says which junctions are covered already: by any active camera
	// (installed) or by one that is up (live).
	Mode Mode
	// FOVDeg and RangeM are the mount of the proposed cameras; 0 takes
	// the median of the active cameras of the area (of every camera when
	// the area has none; camera.DefaultFOVDeg and DefaultRangeM when the
	// network has none).
	FOVDeg, RangeM float64
	// Incidents, when set, counts incidents near a position (as for
	// Gaps); it is called once per uncovered junction, without the
	// index's lock.
	Incidents func(lat, lon float64) int
}

// Suggestion is one proposed camera.
type Suggestion struct {
	Rank         int              `json:"rank"`
	JunctionID   string           `json:"junction_id"`
	Name         string           `json:"name"`
	Commune      string           `json:"commune,omitempty"`
	RoadClass    camera.RoadClass `json:"road_class"`
	Lat          float64          `json:"lat"`
	Lon          float64          `json:"lon"`
	DirectionDeg float64          `json:"direction_deg"`
	FOVDeg       float64          `json:"fov_deg"`
	RangeM       float64          `json:"range_m"`
	// Covers are the junctions this camera covers that neither the
	// network nor an earlier suggestion does, nearest first.
	Covers         []string `json:"covers"`
	JunctionsAdded int      `json:"junctions_added"`
	// Gain is the weight of Covers (see classWeights).
	Gain int64 `json:"gain"`
	// Incidents is the sum of the incident counts of Covers.
	Incidents int `json:"incidents"`
	// CoveredAfter and CoverageRatio are the area's covered junctions
	// and their share once this camera and those before it are up.
	CoveredAfter  int     `json:"covered_after"`
	CoverageRatio float64 `json:"coverage_ratio"`
}

// SuggestResult is Suggest's answer.
type SuggestResult struct {
	Mode Mode `json:"mode"`
	// The mount of every suggestion, and where it came from: "asked",
	// "cameras" (the median of MountCameras cameras) or "default".
	FOVDeg       float64 `json:"fov_deg"`
	RangeM       float64 `json:"range_m"`
	MountFrom    string  `json:"mount_from"`
	MountCameras int     `json:"mount_cameras"`
	// Junctions of the area, covered before and after the suggestions.
	Junctions      int     `json:"junctions"`
	CoveredBefore  int     `json:"covered_before"`
	CoverageBefore float64 `json:"coverage_before"`
	CoveredAfter   int     `json:"covered_after"`
	CoverageAfter  float64 `json:"coverage_after"`
	// Gain is the weight the suggestions cover in all.
	Gain        int64        `json:"gain"`
	Suggestions []Suggestion `json:"suggestions"`
}

// sjunc is a junction of the area as Suggest copies it out of the index.
type sjunc struct {
	lat, lon float64
	class    uint8
	covered  bool
	id       string
	name     string
	commune  string
}

// Suggest proposes up to o.N camera placements, best first (see the
// comment at the top of this file). Fewer come back when fewer cameras
// cover every junction of the area that can be covered. The index's
// read lock is held only to copy the junctions of the area, and for a
// chunk of cameras at a time to count their mounts; the search runs
// without it. ctx is looked at as the work goes on.
func (x *Index) Suggest(ctx context.Context, o SuggestOptions) (SuggestResult, error) {
	if o.N < 1 || o.N > MaxSuggestions {
		return SuggestResult{}, camera.Errorf(camera.EINVALID, "n", "must be a whole number from 1 to %d, got %d", MaxSuggestions, o.N)
	}
	mode, err := ParseMode(string(o.Mode))
	if err != nil {
		return SuggestResult{}, err
	}
	var favour uint8
	for _, c := range o.Favour {
		if !c.Valid() {
			return SuggestResult{}, camera.Errorf(camera.EINVALID, "road_class", "must be one of national, provincial, district, commune, urban, other, got %q", c)
		}
		favour |= 1 << c.Rank()
	}
	if o.FOVDeg != 0 && (!finite(o.FOVDeg) || o.FOVDeg < 1 || o.FOVDeg > 360) {
		return SuggestResult{}, camera.Errorf(camera.EINVALID, "fov_deg", "must be from 1 to 360, got %v", o.FOVDeg)
	}
	if o.RangeM != 0 && (!finite(o.RangeM) || o.RangeM <= 0 || o.RangeM > camera.MaxRangeM) {
		return SuggestResult{}, camera.Errorf(camera.EINVALID, "range_m", "must be more than 0 and at most %d metres, got %v", camera.MaxRangeM, o.RangeM)
	}

	js, mount, err := x.suggestInput(o.Area, mode)
	if err != nil {
		return SuggestResult{}, err
	}
	res := SuggestResult{Mode: mode, Junctions: len(js), Suggestions: []Suggestion{}}
	res.FOVDeg, res.RangeM, res.MountFrom, res.MountCameras = mount.choose(o.FOVDeg, o.RangeM)
	for i := range js {
		if js[i].covered {
			res.CoveredBefore++
		}
	}
	res.CoverageBefore = ratio(res.CoveredBefore, res.Junctions)
	res.CoveredAfter, res.CoverageAfter = res.CoveredBefore, res.CoverageBefore

	g := newGreedy(js, res.FOVDeg, res.RangeM)
	for i := range js {
		if js[i].covered {
			continue
		}
		w := classWeights[min(int(js[i].class), len(classWeights)-1)]
		if favour&(1<<js[i].class) != 0 {
			w *= favourWeight
		}
		if o.Incidents != nil {
			n := o.Incidents(js[i].lat, js[i].lon)
			g.incidents[i] = n
			w *= 1 + int64(n)
		}
		g.target(int32(i), w)
	}
	picks, err := g.run(ctx, o.N)
	if err != nil {
		return SuggestResult{}, err
	}
	for k, p := range picks {
		j := &js[p.pos]
		s := Suggestion{
			Rank: k + 1, JunctionID: j.id, Name: j.name, Commune: j.commune, RoadClass: camera.RoadClasses[j.class],
			Lat: j.lat, Lon: j.lon, DirectionDeg: p.dir, FOVDeg: res.FOVDeg, RangeM: res.RangeM,
			Covers: make([]string, len(p.covers)), JunctionsAdded: len(p.covers), Gain: p.gain,
		}
		for i, t := range p.covers {
			s.Covers[i] = js[t].id
			s.Incidents += g.incidents[t]
		}
		res.CoveredAfter += len(p.covers)
		res.Gain += p.gain
		s.CoveredAfter, s.CoverageRatio = res.CoveredAfter, ratio(res.CoveredAfter, res.Junctions)
		res.Suggestions = append(res.Suggestions, s)
	}
	res.CoverageAfter = ratio(res.CoveredAfter, res.Junctions)
	return res, nil
}

func ratio(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// mounts counts the mounts of the cameras of an area (of every camera,
// beside), in whole degrees and metres, for their medians.
type mounts struct {
	area, all struct {
		n   int
		fov [361]int32
		rng [camera.MaxRangeM + 1]int32
	}
}

// choose returns the mount of the suggestions: the one asked for, or the
// median of the area's cameras, of every camera, or the defaults.
func (m *mounts) choose(fov, rng float64) (float64, float64, string, int) {
	h := &m.area
	if h.n == 0 {
		h = &m.all
	}
	from, n := "cameras", h.n
	if h.n == 0 {
		from = "default"
	}
	if fov != 0 && rng != 0 {
		return fov, rng, "asked", 0
	}
	if fov == 0 {
		fov = camera.DefaultFOVDeg
		if h.n > 0 {
			fov = float64(median(h.fov[:], h.n))
		}
	}
	if rng == 0 {
		rng = camera.DefaultRangeM
		if h.n > 0 {
			rng = float64(median(h.rng[:], h.n))
		}
	}
	return fov, rng, from, n
}

// median returns the lower median of n values counted in hist by value.
func median(hist []int32, n int) int {
	half := (n + 1) / 2
	seen := 0
	for v, c := range hist {
		seen += int(c)
		if seen >= half {
			return v
		}
	}
	return len(hist) - 1
}

// mountChunk is how many camera slots suggestInput counts under one hold
// of the read lock: a million cameras take tens of milliseconds to count,
// and a camera write waiting for the lock would hold up every query
// meanwhile.
const mountChunk = 1 << 16

// suggestInput copies, under the read lock, the junctions of the area and
// whether each is covered in mode; then it counts the cameras' mounts,
// taking the lock for a chunk of cameras at a time, so that camera writes
// go on between chunks (a camera written meanwhile counts as it was or as
// it is: for a median of a network's mounts, either will do).
func (x *Index) suggestInput(area AreaFilter, mode Mode) ([]sjunc, *mounts, error) {
	x.mu.RLock()
	m, err := compileArea(area, &x.names)
	if err != nil {
		x.mu.RUnlock()
		return nil, nil, err
	}
	// Which interned communes the area holds, decided once per name.
	communes := make([]bool, len(x.names.names))
	anyClass := uint8(0)
	if m.classes != 0 {
		for anyClass = 0; m.classes&(1<<anyClass) == 0; anyClass++ {
		}
	}
	for c := range communes {
		communes[c] = m.area(uint32(c), anyClass)
	}
	var js []sjunc
	if cv := x.cov; cv != nil {
		for i := range cv.pts {
			p := &cv.pts[i]
			if !m.area(p.commune, p.class) {
				continue
			}
			it := &cv.items[i]
			js = append(js, sjunc{lat: p.lat, lon: p.lon, class: p.class, covered: cv.covered(i, mode), id: it.ID, name: it.Name, commune: it.Commune})
		}
	}
	x.mu.RUnlock()

	mt := &mounts{}
	for from := 0; ; from += mountChunk {
		x.mu.RLock()
		if from >= len(x.ents) {
			x.mu.RUnlock()
			break
		}
		for slot := from; slot < min(from+mountChunk, len(x.ents)); slot++ {
			e := &x.ents[slot]
			if e.fov == 0 {
				continue // a free slot: an active camera's fov is more than 0
			}
			fov := min(max(int(math.Round(e.fov)), 1), 360)
			rng := min(max(int(math.Round(e.rng)), 1), camera.MaxRangeM)
			mt.all.n++
			mt.all.fov[fov]++
			mt.all.rng[rng]++
			// A commune first seen after the junctions were copied is
			// in the area only when the area is everywhere.
			if int(e.commune) < len(communes) && communes[e.commune] || int(e.commune) >= len(communes) && m.communes == nil && m.fn == nil {
				mt.area.n++
				mt.area.fov[fov]++
				mt.area.rng[rng]++
			}
		}
		x.mu.RUnlock()
	}
	return js, mt, nil
}
