package geo

import (
	"bytes"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"

	"github.com/matthan/matthan/camera"
)

// gridRoads is a planner's street grid: n east–west and n north–south
// straight lines, stepM metres apart (see road). Every line crosses every
// line of the other direction: n² junctions from 2n features.
func gridRoads(n int, stepM float64) []Road {
	roads := make([]Road, 0, 2*n)
	end := float64(n) * stepM
	for i := range n {
		at := float64(i)*stepM + stepM/2
		roads = append(roads,
			road(fmt.Sprintf("Ngang %d", i), camera.RoadUrban, [2]float64{0, at}, [2]float64{end, at}),
			road(fmt.Sprintf("Dọc %d", i), camera.RoadUrban, [2]float64{at, 0}, [2]float64{at, end}))
	}
	return roads
}

// roadsJSON writes roads as a GeoJSON FeatureCollection of LineStrings.
func roadsJSON(roads []Road) []byte {
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, r := range roads {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"Feature","properties":{"name":%q,"road_class":%q},"geometry":{"type":"LineString","coordinates":[`, r.Name, r.RoadClass)
		for j, p := range r.Lines[0] {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "[%v,%v]", p[0], p[1])
		}
		b.WriteString(`]}}`)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// square is the square of side size degrees whose south-west corner is
// (lon, lat), as a MultiPolygon.
func square(lon, lat, size float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{lon, lat}, {lon + size, lat}, {lon + size, lat + size}, {lon, lat + size}, {lon, lat}}}}
}

// tiledCommunes tiles nx × ny squares of side size degrees from (lon0,
// lat0), each a commune whose boundary has perSide positions a side, the
// sides wavy; neighbours share their sides, position for position.
func tiledCommunes(lon0, lat0 float64, nx, ny int, size float64, perSide int) []Commune {
	var list []Commune
	for i := range nx {
		for j := range ny {
			x0, y0 := lon0+float64(i)*size, lat0+float64(j)*size
			list = append(list, Commune{Name: fmt.Sprintf("Xã %d-%d", i, j), Geometry: orb.MultiPolygon{{wavySquare(x0, y0, size, perSide)}}})
		}
	}
	return list
}

// wavySquare is the ring of a square of side size from (x0, y0), with
// perSide positions a side, each side bent by a wave drawn the same way
// from either end.
func wavySquare(x0, y0, size float64, perSide int) orb.Ring {
	sw, se, ne, nw := orb.Point{x0, y0}, orb.Point{x0 + size, y0}, orb.Point{x0 + size, y0 + size}, orb.Point{x0, y0 + size}
	var r orb.Ring
	for _, s := range [][2]orb.Point{{sw, se}, {se, ne}, {ne, nw}, {nw, sw}} {
		r = append(r, wavySide(s[0], s[1], perSide)...)
	}
	return append(r, sw)
}

// wavySide returns perSide positions from a (included) towards b
// (excluded). The side is drawn from its lower end, whichever way it is
// walked, so that two neighbours draw it alike.
func wavySide(a, b orb.Point, perSide int) []orb.Point {
	flip := b[0] < a[0] || b[0] == a[0] && b[1] < a[1]
	if flip {
		a, b = b, a
	}
	dx, dy := b[0]-a[0], b[1]-a[1]
	l := math.Hypot(dx, dy)
	pts := make([]orb.Point, perSide+1)
	for k := range pts {
		t := float64(k) / float64(perSide)
		w := 0.08 * l * math.Sin(math.Pi*t) * math.Sin(7*math.Pi*t)
		pts[k] = orb.Point{a[0] + t*dx - w*dy/l, a[1] + t*dy + w*dx/l}
	}
	pts[0], pts[perSide] = a, b
	if flip {
		slices.Reverse(pts)
	}
	return pts[:perSide]
}
