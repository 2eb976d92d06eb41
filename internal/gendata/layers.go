package gendata

import (
	"bytes"
	"fmt"
	"math"

	"github.com/matthan/matthan/geo"
)

// RoadGrid is a planner's street grid as a roads GeoJSON FeatureCollection:
// n east–west and n north–south straight LineStrings (two positions each),
// stepM metres apart, from the south-west corner (lat, lon). Every line
// crosses every line of the other direction: n² junctions from 2n
// features. 1,000 × 1,000 is the red team's 294 KB import that became a
// million junctions.
func RoadGrid(n int, stepM, lat, lon float64) []byte {
	dLat := stepM / (geo.EarthRadius * math.Pi / 180)
	dLon := dLat / math.Cos(lat*math.Pi/180)
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	north, east := lat+float64(n)*dLat, lon+float64(n)*dLon
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		y := lat + (float64(i)+0.5)*dLat
		x := lon + (float64(i)+0.5)*dLon
		fmt.Fprintf(&b, `{"type":"Feature","properties":{"name":"Ngang %d","road_class":"urban"},"geometry":{"type":"LineString","coordinates":[[%.7f,%.7f],[%.7f,%.7f]]}},`, i, lon, y, east, y)
		fmt.Fprintf(&b, `{"type":"Feature","properties":{"name":"Dọc %d","road_class":"urban"},"geometry":{"type":"LineString","coordinates":[[%.7f,%.7f],[%.7f,%.7f]]}}`, i, x, lat, x, north)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// CommuneGrid is a commune layer as GeoJSON: nx × ny square communes of
// side size degrees from the south-west corner (lat, lon), named after the
// sample district's communes (numbered when they repeat), each boundary
// with perSide positions a side.
func CommuneGrid(nx, ny int, size, lat, lon float64, perSide int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i := range nx {
		for j := range ny {
			if i+j > 0 {
				b.WriteByte(',')
			}
			k := i*ny + j
			fmt.Fprintf(&b, `{"type":"Feature","properties":{"name":"%s %d","district":"Chợ Gạo","province":"Tiền Giang"},"geometry":{"type":"Polygon","coordinates":[[`,
				communes[k%len(communes)], k/len(communes)+1)
			x0, y0 := lon+float64(i)*size, lat+float64(j)*size
			corners := [][2]float64{{x0, y0}, {x0 + size, y0}, {x0 + size, y0 + size}, {x0, y0 + size}, {x0, y0}}
			for c := range 4 {
				a, e := corners[c], corners[c+1]
				for s := range perSide {
					t := float64(s) / float64(perSide)
					fmt.Fprintf(&b, "[%.7f,%.7f],", a[0]+t*(e[0]-a[0]), a[1]+t*(e[1]-a[1]))
				}
			}
			fmt.Fprintf(&b, "[%.7f,%.7f]]]}}", x0, y0)
		}
	}
	b.WriteString(`]}`)
	return b.Bytes()
}
