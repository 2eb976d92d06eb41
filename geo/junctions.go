package geo

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"github.com/matthan/matthan/camera"
)

// Tolerances of the junction finder, in metres.
const (
	// JunctionMergeM merges junction candidates this close (single
	// linkage): the two crossings of a slightly offset digitisation, a
	// road end stopping just short of another road.
	JunctionMergeM = 5
	// junctionSnapM is how close a road end must come to another road to
	// meet it: digitised T-junctions rarely land exactly on the line.
	junctionSnapM = 1
	// junctionEndM is how close to a line's end a junction counts as the
	// line ending there (one arm) rather than passing through (two arms).
	junctionEndM = 5
	// armProbeM is how far along a line its direction is measured.
	armProbeM = 20
	// armSameDeg: arms whose directions differ by less are one arm.
	armSameDeg = 10
)

// Junctions computes the intersections of a road network: every place
// where two different roads cross (segment intersection), touch (a road
// end lying on another road, within 1 m), or share an end point or a
// vertex. Candidates within JunctionMergeM of each other are merged.
//
// Two features with the same name and class are the same road (road data
// is often cut into many features), so where only they meet there is no
// junction; unnamed features are each their own road. A junction's arms
// (legs) are the distinct directions in which the lines leave it (10°
// apart at least, measured 20 m out): a line passing through gives two, a
// line ending within 5 m of it one, and lines lying on top of each other
// (two routes sharing a stretch) the same ones. Places with fewer than 3
// arms (a road changing its name, a shared stretch) are not junctions.
// Each junction carries the highest
// road class meeting there, the names of the roads (highest class first,
// then by name), a name built from them ("Ngã tư Quốc lộ 50 – Đường tỉnh
// 879": Ngã ba for 3 arms, Ngã tư 4, Ngã năm 5, Ngã sáu 6, Ngã bảy 7 and
// more), and the id "J-" + 12 hex digits of a hash of its position
// rounded to 1e-5° (a metre), stable as long as the roads do not move.
//
// Segments are bucketed in a grid, so the cost is about linear in the
// number of segments. Segments are straight in lon/lat; each pair is
// measured in a local flat frame, exact enough over a segment's length.
// Junctions come ordered by class (national first), then north to south.
//
// At most max junctions are made (max < 0: no limit; 0: the default of
// Limits): past it, or past twice as many places where two roads meet
// (the candidates, before merging), the search stops with an ETOOLARGE
// error, so that a small grid of long lines crossing a million times
// costs milliseconds, not gigabytes. ctx is looked at as the search goes;
// once it is done the search stops with its error.
func Junctions(ctx context.Context, roads []Road, max int) ([]Intersection, error) {
	out, _, err := findJunctions(ctx, roads, max, false)
	return out, err
}

// JunctionLine is a line of a road meeting a junction, and where: the
// first place it meets the junction (a line may meet a merged junction
// more than once).
type JunctionLine struct {
	Road int     // index of the road in the roads given
	Line int     // index of the line in the road's Lines
	At   float64 // metres along the line from its first position (Distance)
}

// JunctionsAlong is Junctions, with the lines that meet at each junction
// (lines[i] for out[i]), in the order they were found: for a caller that
// places things along the roads from their junctions (the sample
// district's cameras).
func JunctionsAlong(ctx context.Context, roads []Road, max int) (out []Intersection, lines [][]JunctionLine, err error) {
	return findJunctions(ctx, roads, max, true)
}

// findJunctions is Junctions, with the lines of each junction when
// withLines is set.
func findJunctions(ctx context.Context, roads []Road, max int, withLines bool) ([]Intersection, [][]JunctionLine, error) {
	max = Limits{Junctions: max}.resolve().Junctions
	jf := newJunctionFinder(roads)
	jf.maxEvents = max
	if max <= int(^uint(0)>>2) {
		jf.maxEvents = candidatesPerJunction * max
	}
	if err := jf.findEvents(ctx); err != nil {
		return nil, nil, err
	}
	if jf.events.len() > jf.maxEvents {
		return nil, nil, tooLarge("features", max, "max_junctions",
			"the roads meet in more than %d places, %d times the junctions an import may hold", jf.maxEvents, candidatesPerJunction)
	}
	return jf.junctions(ctx, max, withLines)
}

// candidatesPerJunction bounds the candidates of the search against the
// junctions allowed. Candidates at one input vertex are counted once,
// however many segments meet there, so that real road data (ways split at
// junctions, as OpenStreetMap has them) comes near one candidate per
// junction: 298 for 296 junctions in the sample district.
const candidatesPerJunction = 2

// jpart is one line of one road.
type jpart struct {
	road  int   // road identity (same name and class = same road)
	feat  int32 // index in roads
	line  int32 // index in the feature's Lines
	pts   []orb.Point
	cum   []float64 // chainage of each vertex, metres
	segAt int       // index of the first segment in jf.segs
}

// jseg is one segment: part and index of its first vertex.
type jseg struct{ part, i int32 }

// jhit is a line passing a junction candidate, at chainage s.
type jhit struct {
	part int32
	s    float64
}

// jevent is a junction candidate.
type jevent struct {
	lat, lon float64
	vertex   bool // at a vertex of the input, rather than a computed crossing
	hits     [2]jhit
}

type junctionFinder struct {
	roads  []Road
	parts  []jpart
	segs   []jseg
	names  []string // road identity → display name
	ranks  []int    // road identity → class rank
	events eventList

	// The same junction at an input vertex is found by every pair of
	// segments meeting there (four for two lines passing through it);
	// atVertex keeps one candidate per vertex and pair of lines.
	atVertex  map[vertexKey]struct{}
	maxEvents int // the search stops past this many candidates
}

// vertexKey is a candidate at an input vertex: its position and the two
// lines meeting there.
type vertexKey struct {
	lat, lon float64
	a, b     int32
}

func newJunctionFinder(roads []Road) *junctionFinder {
	jf := &junctionFinder{roads: roads, atVertex: map[vertexKey]struct{}{}, maxEvents: int(^uint(0) >> 1)}
	ident := map[string]int{}
	for fi, r := range roads {
		key := "#" + fmt.Sprint(fi)
		if r.Name != "" {
			key = r.Name + "\x00" + string(r.RoadClass)
		}
		id, ok := ident[key]
		if !ok {
			id = len(jf.names)
			ident[key] = id
			jf.names = append(jf.names, r.Name)
			jf.ranks = append(jf.ranks, r.RoadClass.Rank())
		}
		for li, l := range r.Lines {
			pts := dedupePoints(l)
			if len(pts) < 2 {
				continue
			}
			p := jpart{road: id, feat: int32(fi), line: int32(li), pts: pts, cum: make([]float64, len(pts)), segAt: len(jf.segs)}
			for i := 1; i < len(pts); i++ {
				p.cum[i] = p.cum[i-1] + Distance(pts[i-1][1], pts[i-1][0], pts[i][1], pts[i][0])
				jf.segs = append(jf.segs, jseg{int32(len(jf.parts)), int32(i - 1)})
			}
			jf.parts = append(jf.parts, p)
		}
	}
	return jf
}

// dedupePoints drops repeated consecutive positions (zero-length segments).
func dedupePoints(l orb.LineString) []orb.Point {
	out := make([]orb.Point, 0, len(l))
	for _, p := range l {
		if len(out) == 0 || p != out[len(out)-1] {
			out = append(out, p)
		}
	}
	return out
}

// segBox returns the box of a segment padded by pad metres.
func (jf *junctionFinder) segBox(s jseg, pad float64) (minLat, maxLat, minLon, maxLon float64) {
	p := &jf.parts[s.part]
	a, b := p.pts[s.i], p.pts[s.i+1]
	dLat, dLon := sectorReachDeg(math.Max(math.Abs(a[1]), math.Abs(b[1])), pad)
	return math.Min(a[1], b[1]) - dLat, math.Max(a[1], b[1]) + dLat, math.Min(a[0], b[0]) - dLon, math.Max(a[0], b[0]) + dLon
}

// findEvents buckets the segments in grids and tests every pair of
// segments of different roads sharing a cell, once. It stops early when
// ctx is done (with its error) or when the candidates pass maxEvents.
//
// A segment is filed in the finest of a few grids (cells of 0.01°, then
// 16, 256 and 4096 times that) where its box spans at most
// maxSegmentCells cells: a street is in a cell or two of the finest, and
// a line drawn across the country — one segment of two positions — in a
// few cells of a coarse grid rather than in millions of fine ones. A
// segment meets the segments of its own grid through the cells they
// share, and those of the coarser grids through the cells its box spans
// there (few, the cells being larger).
func (jf *junctionFinder) findEvents(ctx context.Context) error {
	var grids [junctionLevels]*grid
	var cells [junctionLevels]map[uint64][]int32
	deg := defaultCellDeg
	for l := range grids {
		grids[l], cells[l] = newGrid(deg), map[uint64][]int32{}
		deg *= junctionLevelStep
	}
	// Boxes padded by the snap distance: two segments whose boxes do not
	// overlap cannot meet, and most pairs sharing a cell are rejected so.
	boxes := make([][4]float64, len(jf.segs))
	level := make([]uint8, len(jf.segs))
	for si, s := range jf.segs {
		if si%checkEvery == 0 {
			if err := canceled(ctx); err != nil {
				return err
			}
		}
		minLat, maxLat, minLon, maxLon := jf.segBox(s, junctionSnapM)
		boxes[si] = [4]float64{minLat, maxLat, minLon, maxLon}
		for l, g := range grids {
			sp := g.boxSpan(minLat, maxLat, minLon, maxLon)
			if l < junctionLevels-1 && (sp.all || sp.row1-sp.row0 >= maxSegmentCells || g.cellCount(&sp) > maxSegmentCells) {
				continue
			}
			level[si] = uint8(l)
			g.eachCell(&sp, func(k uint64) { cells[l][k] = append(cells[l][k], int32(si)) })
			break
		}
	}
	seen := make([]int32, len(jf.segs)) // stamp: last segment that tested this one
	for i := range seen {
		seen[i] = -1
	}
	for si, s := range jf.segs {
		if si%checkEvery == 0 {
			if err := canceled(ctx); err != nil {
				return err
			}
		}
		if jf.events.len() > jf.maxEvents {
			return nil
		}
		b := &boxes[si]
		road := jf.parts[s.part].road
		for l := int(level[si]); l < junctionLevels; l++ {
			if len(cells[l]) == 0 {
				continue
			}
			own := l == int(level[si]) // a pair in one grid is tested from its first segment
			sp := grids[l].boxSpan(b[0], b[1], b[2], b[3])
			grids[l].eachCell(&sp, func(k uint64) {
				for _, ti := range cells[l][k] {
					if own && int(ti) <= si || seen[ti] == int32(si) {
						continue
					}
					seen[ti] = int32(si)
					o := &boxes[ti]
					if o[0] > b[1] || o[1] < b[0] || (math.Abs(b[2]-b[3]) < 180 && (o[2] > b[3] || o[3] < b[2])) {
						continue
					}
					if jf.parts[jf.segs[ti].part].road == road {
						continue
					}
					// Events name the earlier segment first.
					if int(ti) < si {
						jf.testPair(jf.segs[ti], s)
					} else {
						jf.testPair(s, jf.segs[ti])
					}
				}
			})
		}
	}
	return nil
}

// The segment grids of findEvents.
const (
	junctionLevels    = 4
	junctionLevelStep = 16
	maxSegmentCells   = 64
)

// testPair records where segments s and t meet, if they do.
func (jf *junctionFinder) testPair(s, t jseg) {
	ps, pt := &jf.parts[s.part], &jf.parts[t.part]
	A, B := ps.pts[s.i], ps.pts[s.i+1]
	C, D := pt.pts[t.i], pt.pts[t.i+1]
	f := newFrame(A)
	a, b, c, d := f.xy(A), f.xy(B), f.xy(C), f.xy(D)
	r, q := b.sub(a), d.sub(c)
	lr, lq := r.len(), q.len()
	add := func(u, v float64) { // u along s, v along t, both in [0, 1]
		ev := jevent{hits: [2]jhit{
			{s.part, ps.cum[s.i] + u*(ps.cum[s.i+1]-ps.cum[s.i])},
			{t.part, pt.cum[t.i] + v*(pt.cum[t.i+1]-pt.cum[t.i])},
		}}
		// Prefer an input vertex for the position: shared vertices are
		// exact, computed crossings are not.
		switch {
		case u*lr <= 1e-6:
			ev.lat, ev.lon, ev.vertex = A[1], A[0], true
		case (1-u)*lr <= 1e-6:
			ev.lat, ev.lon, ev.vertex = B[1], B[0], true
		case v*lq <= 1e-6:
			ev.lat, ev.lon, ev.vertex = C[1], C[0], true
		case (1-v)*lq <= 1e-6:
			ev.lat, ev.lon, ev.vertex = D[1], D[0], true
		default:
			ev.lat, ev.lon = A[1]+u*(B[1]-A[1]), A[0]+u*(B[0]-A[0])
			if math.Abs(B[0]-A[0]) > 180 { // across the antimeridian
				ev.lon = normLon(A[0] + u*f.xy(B).x/f.kx)
			}
		}
		if ev.vertex {
			k := vertexKey{ev.lat, ev.lon, ev.hits[0].part, ev.hits[1].part}
			if _, dup := jf.atVertex[k]; dup {
				return
			}
			jf.atVertex[k] = struct{}{}
		}
		jf.events.add(ev)
	}
	denom := r.cross(q)
	if math.Abs(denom) > 1e-9*lr*lq {
		ac := c.sub(a)
		u := ac.cross(q) / denom // along s
		v := ac.cross(r) / denom // along t
		tu, tv := junctionSnapM/lr, junctionSnapM/lq
		if u >= -tu && u <= 1+tu && v >= -tv && v <= 1+tv {
			add(clamp01(u), clamp01(v))
			return
		}
	}
	// Parallel, or the lines cross beyond the segments: an end of one
	// may still lie on the other (collinear overlaps, shallow T's).
	for _, e := range []struct {
		p       vec
		onS     bool
		atStart bool
	}{{c, false, true}, {d, false, false}, {a, true, true}, {b, true, false}} {
		var o, dir vec
		var l float64
		if e.onS {
			o, dir, l = c, q, lq
		} else {
			o, dir, l = a, r, lr
		}
		w := clamp01(e.p.sub(o).dot(dir) / (l * l))
		if (vec{o.x + w*dir.x - e.p.x, o.y + w*dir.y - e.p.y}).len() > junctionSnapM {
			continue
		}
		end := 0.0
		if !e.atStart {
			end = 1
		}
		if e.onS {
			add(end, w)
		} else {
			add(w, end)
		}
		return
	}
}

func clamp01(v float64) float64 { return math.Max(0, math.Min(1, v)) }

// at returns the point of the line at chainage s.
func (p *jpart) at(s float64) orb.Point {
	i, _ := slices.BinarySearch(p.cum, s)
	switch {
	case i == 0:
		return p.pts[0]
	case i >= len(p.cum):
		return p.pts[len(p.pts)-1]
	}
	a, b := p.pts[i-1], p.pts[i]
	t := (s - p.cum[i-1]) / (p.cum[i] - p.cum[i-1])
	return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
}

// countDirections counts the bearings of dirs that are apart by more than
// sameDeg, going round the circle: 0°, 5° and 180° are two directions.
func countDirections(dirs []float64, sameDeg float64) int {
	if len(dirs) == 0 {
		return 0
	}
	slices.Sort(dirs)
	n := 0
	for i := range dirs {
		gap := 360 + dirs[0] - dirs[i]
		if i+1 < len(dirs) {
			gap = dirs[i+1] - dirs[i]
		}
		if gap > sameDeg {
			n++
		}
	}
	return max(n, 1)
}

// junctions merges the events within JunctionMergeM and turns each group
// into an intersection, stopping past max of them; with withLines, it
// also returns the lines of each.
func (jf *junctionFinder) junctions(ctx context.Context, max int, withLines bool) ([]Intersection, [][]JunctionLine, error) {
	groups, err := clusterEvents(ctx, &jf.events, JunctionMergeM)
	if err != nil {
		return nil, nil, err
	}
	out := make([]Intersection, 0, min(len(groups), max))
	var lines [][]JunctionLine
	ids := map[string]bool{}
	for gi, grp := range groups {
		if gi%checkEvery == 0 {
			if err := canceled(ctx); err != nil {
				return nil, nil, err
			}
		}
		it, ls, ok := jf.junction(grp, withLines)
		if !ok {
			continue
		}
		if len(out) == max {
			return nil, nil, tooLarge("features", max, "max_junctions", "the roads make more than %d junctions", max)
		}
		base := it.ID
		for n := 2; ids[it.ID]; n++ {
			it.ID = fmt.Sprintf("%s-%d", base, n)
		}
		ids[it.ID] = true
		out = append(out, it)
		if withLines {
			lines = append(lines, ls)
		}
	}
	if !withLines {
		slices.SortFunc(out, compareJunctions)
		return out, nil, nil
	}
	order := make([]int, len(out))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return compareJunctions(out[a], out[b]) })
	sorted, sortedLines := make([]Intersection, len(out)), make([][]JunctionLine, len(out))
	for i, o := range order {
		sorted[i], sortedLines[i] = out[o], lines[o]
	}
	return sorted, sortedLines, nil
}

// compareJunctions orders junctions by class (national first), then north
// to south, west to east, then by id.
func compareJunctions(a, b Intersection) int {
	if c := cmp.Compare(a.RoadClass.Rank(), b.RoadClass.Rank()); c != 0 {
		return c
	}
	if c := cmp.Compare(b.Lat, a.Lat); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Lon, b.Lon); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// legWords names a junction by its number of arms.
var legWords = []string{3: "Ngã ba", 4: "Ngã tư", 5: "Ngã năm", 6: "Ngã sáu", 7: "Ngã bảy"}

// junction builds the intersection of a group of events, and with
// withLines the lines meeting there.
func (jf *junctionFinder) junction(grp []int, withLines bool) (Intersection, []JunctionLine, bool) {
	evs := &jf.events
	lat, lon := evs.at(grp[0]).lat, evs.at(grp[0]).lon
	for _, i := range grp {
		if e := evs.at(i); e.vertex {
			lat, lon = e.lat, e.lon
			break
		}
	}
	// Each line meeting the group counts once, where it first met it.
	chain := map[int32]float64{}
	var order []int32
	for _, i := range grp {
		for _, h := range evs.at(i).hits {
			if _, ok := chain[h.part]; !ok {
				chain[h.part] = h.s
				order = append(order, h.part)
			}
		}
	}
	// The arms are the distinct directions in which the lines leave the
	// junction: a line passing through leaves in two, a line ending there
	// in one, and lines running on top of each other (two routes sharing a
	// stretch, a road cut into two features) in the same ones.
	var dirs []float64
	roadSet := map[int]bool{}
	for _, p := range order {
		part := &jf.parts[p]
		s, length := chain[p], part.cum[len(part.cum)-1]
		if s >= junctionEndM {
			q := part.at(math.Max(0, s-armProbeM))
			dirs = append(dirs, Bearing(lat, lon, q[1], q[0]))
		}
		if length-s >= junctionEndM {
			q := part.at(math.Min(length, s+armProbeM))
			dirs = append(dirs, Bearing(lat, lon, q[1], q[0]))
		}
		roadSet[part.road] = true
	}
	legs := countDirections(dirs, armSameDeg)
	if legs < 3 || len(roadSet) < 2 {
		return Intersection{}, nil, false
	}
	roads := make([]int, 0, len(roadSet))
	for r := range roadSet {
		roads = append(roads, r)
	}
	slices.SortFunc(roads, func(a, b int) int {
		if c := cmp.Compare(jf.ranks[a], jf.ranks[b]); c != 0 {
			return c
		}
		if c := strings.Compare(jf.names[a], jf.names[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	var names []string
	for _, r := range roads {
		if n := jf.names[r]; n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	word := legWords[min(legs, len(legWords)-1)]
	name := word
	if len(names) > 0 {
		name += " " + strings.Join(names, " – ")
	}
	var lines []JunctionLine
	if withLines {
		lines = make([]JunctionLine, len(order))
		for i, p := range order {
			lines[i] = JunctionLine{Road: int(jf.parts[p].feat), Line: int(jf.parts[p].line), At: chain[p]}
		}
	}
	lat, lon = round7(lat), round7(lon)
	return Intersection{
		ID:        junctionID(lat, lon),
		Name:      name,
		Lat:       lat,
		Lon:       lon,
		RoadClass: camera.RoadClasses[min(jf.ranks[roads[0]], len(camera.RoadClasses)-1)],
		Legs:      legs,
		Roads:     names,
	}, lines, true
}

// round7 rounds degrees to 1e-7 (1 cm): computed crossings otherwise carry
// meaningless digits.
func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }

// junctionID is "J-" and 12 hex digits of the FNV-1a hash of the position
// rounded to 1e-5° (about a metre).
func junctionID(lat, lon float64) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%.5f,%.5f", lat, lon)
	return fmt.Sprintf("J-%012x", h.Sum64()>>16)
}
