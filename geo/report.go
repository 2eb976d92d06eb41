package geo

import (
	"cmp"
	"slices"
	"strings"

	"github.com/matthan/matthan/camera"
)

// CoverageGroup is the coverage of a set of intersections: all of them, one
// commune, one road class, or one commune × road class.
type CoverageGroup struct {
	Commune       string           `json:"commune,omitempty"`
	RoadClass     camera.RoadClass `json:"road_class,omitempty"`
	Intersections int              `json:"intersections"`
	Covered       int              `json:"covered"`
	// Ratio is Covered / Intersections, 0 when there are none.
	Ratio float64 `json:"ratio"`
}

func (g *CoverageGroup) finish() {
	if g.Intersections > 0 {
		g.Ratio = float64(g.Covered) / float64(g.Intersections)
	}
}

// CoverageReport answers GET /coverage: the totals of the intersections
// passing the filter, and their breakdown per commune × road class, per
// commune and per road class. Groups are ordered by commune name, then
// road class (national first).
type CoverageReport struct {
	Mode          Mode            `json:"mode"`
	Intersections int             `json:"intersections"`
	Covered       int             `json:"covered"`
	Ratio         float64         `json:"ratio"`
	Groups        []CoverageGroup `json:"groups"`
	Communes      []CoverageGroup `json:"communes"`
	RoadClasses   []CoverageGroup `json:"road_classes"`
}

// Coverage returns the coverage of the intersections passing f, in mode
// (installed: any active camera covers them; live: an up camera does).
// Without an intersection layer every count is 0. The counts are kept
// current by camera updates, so this is one pass over the intersections.
func (x *Index) Coverage(f AreaFilter, mode Mode) (CoverageReport, error) {
	if _, err := ParseMode(string(mode)); err != nil {
		return CoverageReport{}, err
	}
	if mode == "" {
		mode = Installed
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	m, err := compileArea(f, &x.names)
	if err != nil {
		return CoverageReport{}, err
	}
	rep := CoverageReport{Mode: mode, Groups: []CoverageGroup{}, Communes: []CoverageGroup{}, RoadClasses: []CoverageGroup{}}
	if x.cov == nil {
		return rep, nil
	}
	// Count in dense arrays indexed by interned commune × class: a
	// pass over 100,000 intersections without a map lookup.
	tot, cov := x.cov.tally(func(i int, p *ipoint) (bool, bool) {
		return m.area(p.commune, p.class), x.cov.covered(i, mode)
	})
	var total CoverageGroup
	classes := make([]CoverageGroup, len(camera.RoadClasses))
	for c := range classes {
		classes[c].RoadClass = camera.RoadClasses[c]
	}
	for commune := range len(tot) / classSlots {
		var cg CoverageGroup
		for class := range len(camera.RoadClasses) {
			k := commune*classSlots + class
			if tot[k] == 0 {
				continue
			}
			g := CoverageGroup{Commune: x.names.name(uint32(commune)), RoadClass: camera.RoadClasses[class], Intersections: int(tot[k]), Covered: int(cov[k])}
			g.finish()
			rep.Groups = append(rep.Groups, g)
			cg.Intersections += g.Intersections
			cg.Covered += g.Covered
			classes[class].Intersections += g.Intersections
			classes[class].Covered += g.Covered
		}
		if cg.Intersections > 0 {
			cg.Commune = x.names.name(uint32(commune))
			cg.finish()
			rep.Communes = append(rep.Communes, cg)
			total.Intersections += cg.Intersections
			total.Covered += cg.Covered
		}
	}
	for _, g := range classes {
		if g.Intersections > 0 {
			g.finish()
			rep.RoadClasses = append(rep.RoadClasses, g)
		}
	}
	total.finish()
	rep.Intersections, rep.Covered, rep.Ratio = total.Intersections, total.Covered, total.Ratio
	byCommuneClass := func(a, b CoverageGroup) int {
		if c := strings.Compare(a.Commune, b.Commune); c != 0 {
			return c
		}
		return cmp.Compare(a.RoadClass.Rank(), b.RoadClass.Rank())
	}
	slices.SortFunc(rep.Groups, byCommuneClass)
	slices.SortFunc(rep.Communes, byCommuneClass)
	return rep, nil
}

// classSlots is the stride of the commune × class tallies (a power of
// two above the number of road classes).
const classSlots = 8

// tally counts the intersections that pass keep, and of those the
// covered, by interned commune × class (index commune*classSlots+class).
// The caller holds the read lock.
func (cv *coverage) tally(keep func(i int, p *ipoint) (pass, covered bool)) (tot, cov []int32) {
	n := 0
	for _, p := range cv.pts {
		n = max(n, int(p.commune)+1)
	}
	tot, cov = make([]int32, n*classSlots), make([]int32, n*classSlots)
	for i := range cv.pts {
		p := &cv.pts[i]
		pass, covered := keep(i, p)
		if !pass {
			continue
		}
		k := int(p.commune)*classSlots + int(p.class)
		tot[k]++
		if covered {
			cov[k]++
		}
	}
	return tot, cov
}

// CoverageCount is one commune × road class of the coverage metrics.
type CoverageCount struct {
	Commune          string           `json:"commune"`
	RoadClass        camera.RoadClass `json:"road_class"`
	Intersections    int              `json:"intersections"`
	CoveredInstalled int              `json:"covered_installed"`
	CoveredLive      int              `json:"covered_live"`
}

// Covered returns the number of intersections covered in mode.
func (c CoverageCount) Covered(mode Mode) int {
	if mode == Live {
		return c.CoveredLive
	}
	return c.CoveredInstalled
}

// Ratio returns the share of intersections covered in mode, 0 when there
// are none.
func (c CoverageCount) Ratio(mode Mode) float64 {
	if c.Intersections == 0 {
		return 0
	}
	return float64(c.Covered(mode)) / float64(c.Intersections)
}

// CoverageCounts returns, for the metrics, every commune × road class
// that has intersections, with the number covered in each mode — enough
// for matthan_intersections{commune,road_class,covered} (covered and
// uncovered are Covered(mode) and Intersections − Covered(mode)) and
// matthan_coverage_ratio{commune,road_class,mode}. Ordered by commune,
// then road class. Intersections without a commune have Commune "".
func (x *Index) CoverageCounts() []CoverageCount {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.cov == nil {
		return nil
	}
	all, inst := x.cov.tally(func(i int, _ *ipoint) (bool, bool) { return true, x.cov.inst[i] > 0 })
	_, live := x.cov.tally(func(i int, _ *ipoint) (bool, bool) { return true, x.cov.live[i] > 0 })
	var out []CoverageCount
	for k, n := range all {
		if n > 0 {
			out = append(out, CoverageCount{
				Commune:          x.names.name(uint32(k / classSlots)),
				RoadClass:        camera.RoadClasses[k%classSlots],
				Intersections:    int(n),
				CoveredInstalled: int(inst[k]),
				CoveredLive:      int(live[k]),
			})
		}
	}
	slices.SortFunc(out, func(a, b CoverageCount) int {
		if c := strings.Compare(a.Commune, b.Commune); c != 0 {
			return c
		}
		return cmp.Compare(a.RoadClass.Rank(), b.RoadClass.Rank())
	})
	return out
}
