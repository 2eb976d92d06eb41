package geo

import (
	"math"
)

// grid divides the sphere into cells of cellDeg degrees of latitude, each
// row of cells cut into as many longitude cells as keep the cells at least
// cellDeg "wide" in true distance: a row near the equator has 360/cellDeg
// cells, a row at 60° half as many, and the rows touching a pole a single
// cell. Square-ish cells mean a radius query touches a handful of cells at
// any latitude, and the polar rows need no special case.
//
// A cell is named by a key, row<<32 | col. The grid itself holds nothing:
// the camera index keeps a map from key to slots, the intersection layer a
// compact table (see cellTable).
type grid struct {
	cellDeg float64
	rows    int
	nLon    []int32 // number of longitude cells in each row
}

// defaultCellDeg is the cell size of the camera and intersection grids:
// 0.01° is 1.1 km north–south. A 500 m radius query then touches 4 to 9
// cells, and a country of a million cameras (Vietnam: 15° by 7.5°) has about
// one camera per cell — measured faster than orb's quadtree (see
// BenchmarkNear500m1M and BenchmarkQuadtreeNear500m1M).
const defaultCellDeg = 0.01

func newGrid(cellDeg float64) *grid {
	rows := int(math.Ceil(180 / cellDeg))
	g := &grid{cellDeg: cellDeg, rows: rows, nLon: make([]int32, rows)}
	maxCols := int32(math.Ceil(360 / cellDeg))
	for r := range rows {
		lo := -90 + float64(r)*cellDeg
		hi := math.Min(90, lo+cellDeg)
		far := math.Max(math.Abs(lo), math.Abs(hi)) // the narrowest edge of the row
		n := int32(math.Floor(360 * math.Cos(far*deg2rad) / cellDeg))
		g.nLon[r] = max(1, min(n, maxCols))
	}
	return g
}

// row returns the row of latitude lat, clamped to the grid.
func (g *grid) row(lat float64) int {
	r := int(math.Floor((lat + 90) / g.cellDeg))
	return max(0, min(r, g.rows-1))
}

// col returns the column of longitude lon in row r, clamped to the row:
// longitude 180 falls in the last column and −180 in the first, which are
// neighbours across the antimeridian.
func (g *grid) col(r int, lon float64) int {
	n := int(g.nLon[r])
	c := int(math.Floor((lon + 180) / 360 * float64(n)))
	return max(0, min(c, n-1))
}

// key returns the key of the cell holding (lat, lon).
func (g *grid) key(lat, lon float64) uint64 {
	r := g.row(lat)
	return cellKey(r, g.col(r, lon))
}

func cellKey(r, c int) uint64 { return uint64(r)<<32 | uint64(uint32(c)) }

// lonRange is a closed interval of longitudes within [-180, 180].
type lonRange struct{ lo, hi float64 }

// span is a region to scan: the rows from row0 to row1, and in each row
// either every column (all) or the columns of up to three longitude
// ranges (a range cut in two by the antimeridian, plus the seam column).
type span struct {
	row0, row1 int
	all        bool
	lons       [3]lonRange
	n          int
}

// slop pads every span by a few nano-degrees so that rounding never drops
// a cell at a boundary; candidates are tested exactly afterwards.
const slop = 1e-9

// circleSpan returns the cells that may hold points within radiusM metres
// of (lat, lon). The latitude band is exact (the north–south reach of the
// circle); the longitude half-width is the largest longitude difference of
// any point of the spherical cap, asin(sin δ / cos φ). When the cap
// contains a pole, the rows beyond it are scanned all the way round.
func (g *grid) circleSpan(lat, lon, radiusM float64) span {
	dLat, dLon := sectorReachDeg(lat, radiusM)
	s := span{row0: g.row(lat - dLat - slop), row1: g.row(lat + dLat + slop)}
	if dLon >= 180 || lat+dLat >= 90 || lat-dLat <= -90 {
		s.all = true
		return s
	}
	s.setLons(lon-dLon-slop, lon+dLon+slop)
	return s
}

// boxSpan returns the cells of a latitude band and a longitude interval
// [lo, hi]; lo > hi is an interval crossing the antimeridian (RFC 7946
// §5.2), and lo, hi beyond ±180 wrap.
func (g *grid) boxSpan(minLat, maxLat, lo, hi float64) span {
	s := span{row0: g.row(minLat - slop), row1: g.row(maxLat + slop)}
	if lo > hi {
		hi += 360
	}
	if hi-lo >= 360 {
		s.all = true
		return s
	}
	s.setLons(lo-slop, hi+slop)
	return s
}

// setLons records the interval [lo, hi] (hi − lo < 360, lo ≥ −540, hi ≤
// 540) as up to three ranges within [-180, 180]. An interval touching the
// antimeridian also takes the first or last column, where the same meridian
// is filed under the other sign.
func (s *span) setLons(lo, hi float64) {
	switch {
	case lo < -180:
		s.add(lo+360, 180)
		s.add(-180, hi)
	case hi > 180:
		s.add(lo, 180)
		s.add(-180, hi-360)
	default:
		s.add(lo, hi)
		if hi >= 180 {
			s.add(-180, -180)
		}
		if lo <= -180 {
			s.add(180, 180)
		}
	}
}

func (s *span) add(lo, hi float64) {
	s.lons[s.n] = lonRange{max(lo, -180), min(hi, 180)}
	s.n++
}

// colRange is a closed interval of columns.
type colRange struct{ c0, c1 int }

// cols returns the column intervals of row r covered by the span, merged
// so that no column appears twice (in a polar row every range maps to the
// one column).
func (g *grid) cols(s *span, r int, buf []colRange) []colRange {
	buf = buf[:0]
	if s.all {
		return append(buf, colRange{0, int(g.nLon[r]) - 1})
	}
	for i := range s.n {
		buf = append(buf, colRange{g.col(r, s.lons[i].lo), g.col(r, s.lons[i].hi)})
	}
	// Sort (at most three) and merge overlapping or adjacent intervals.
	for i := 1; i < len(buf); i++ {
		for j := i; j > 0 && buf[j].c0 < buf[j-1].c0; j-- {
			buf[j], buf[j-1] = buf[j-1], buf[j]
		}
	}
	out := buf[:1]
	for _, c := range buf[1:] {
		last := &out[len(out)-1]
		if c.c0 <= last.c1+1 {
			last.c1 = max(last.c1, c.c1)
			continue
		}
		out = append(out, c)
	}
	return out
}

// cellCount returns the number of cells in the span, to choose between
// visiting cells and scanning everything.
func (g *grid) cellCount(s *span) int {
	var buf [3]colRange
	n := 0
	for r := s.row0; r <= s.row1; r++ {
		for _, c := range g.cols(s, r, buf[:0]) {
			n += c.c1 - c.c0 + 1
		}
	}
	return n
}

// eachCell calls fn with the key of every cell of the span, each once.
func (g *grid) eachCell(s *span, fn func(key uint64)) {
	var buf [3]colRange
	for r := s.row0; r <= s.row1; r++ {
		for _, c := range g.cols(s, r, buf[:0]) {
			for col := c.c0; col <= c.c1; col++ {
				fn(cellKey(r, col))
			}
		}
	}
}
