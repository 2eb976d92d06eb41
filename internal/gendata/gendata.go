// Package gendata makes synthetic cameras for tests and benchmarks: any
// number, deterministic for a seed, spread over a box of Vietnam with
// Vietnamese commune names. The sample district in internal/sample is the
// hand-checked data set; this is for volume.
package gendata

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/matthan/matthan/camera"
)

// CSVHeader is the camera CSV header of docs/design.md.
const CSVHeader = "id,name,lat,lon,commune,district,province,road_class,site,direction_deg,fov_deg,range_m,rtsp_url,installed_on,cost_vnd"

var communes = []string{
	"Thị trấn Chợ Gạo", "Long Bình Điền", "Song Bình", "Xuân Đông", "Hòa Định", "Bình Ninh", "Mỹ Tịnh An",
	"Lương Hòa Lạc", "Tân Bình Thạnh", "Phú Kiết", "Thanh Bình", "Quơn Long", "Tân Thuận Bình",
	"Bình Phục Nhứt", "Bình Phan", "Hòa Tịnh", "An Thạnh Thủy", "Đăng Hưng Phước", "Trung Hòa",
}

var roadClasses = []string{"national", "provincial", "district", "commune", "urban", "other"}

// Box is a latitude/longitude rectangle cameras are placed in.
type Box struct{ MinLat, MinLon, MaxLat, MaxLon float64 }

// Vietnam is a box around the country's southern half, where a
// province-scale network would be.
var Vietnam = Box{MinLat: 8.6, MinLon: 104.5, MaxLat: 12.5, MaxLon: 109.2}

// ChoGao is a box around Chợ Gạo district.
var ChoGao = Box{MinLat: 10.27, MinLon: 106.36, MaxLat: 10.43, MaxLon: 106.58}

// Row is one generated camera as CSV fields.
type Row struct {
	ID, Name               string
	Lat, Lon               float64
	Commune, RoadClass     string
	Site                   string
	Direction, FOV, RangeM int
	CostVND                int64
}

// Rows returns n deterministic cameras with ids prefix-000001 upward.
func Rows(n int, seed uint64, prefix string, box Box) []Row {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]Row, n)
	for i := range out {
		commune := communes[r.IntN(len(communes))]
		site := "intersection"
		if r.IntN(3) == 0 {
			site = "road"
		}
		fov := 90 + r.IntN(30)
		if r.IntN(10) == 0 {
			fov = 360
		}
		out[i] = Row{
			ID:        fmt.Sprintf("%s-%06d", prefix, i+1),
			Name:      fmt.Sprintf("Ngã tư %s số %d", commune, i+1),
			Lat:       box.MinLat + r.Float64()*(box.MaxLat-box.MinLat),
			Lon:       box.MinLon + r.Float64()*(box.MaxLon-box.MinLon),
			Commune:   commune,
			RoadClass: roadClasses[r.IntN(len(roadClasses))],
			Site:      site,
			Direction: r.IntN(360),
			FOV:       fov,
			RangeM:    30 + r.IntN(50),
			CostVND:   int64(25+r.IntN(65)) * 100_000,
		}
	}
	return out
}

// CSV returns the rows as a camera CSV with header.
func CSV(rows []Row) []byte {
	var b bytes.Buffer
	b.Grow(len(rows) * 200)
	b.WriteString(CSVHeader)
	b.WriteByte('\n')
	for _, x := range rows {
		b.WriteString(x.ID)
		b.WriteByte(',')
		b.WriteString(x.Name)
		b.WriteByte(',')
		b.WriteString(strconv.FormatFloat(x.Lat, 'f', 6, 64))
		b.WriteByte(',')
		b.WriteString(strconv.FormatFloat(x.Lon, 'f', 6, 64))
		fmt.Fprintf(&b, ",%s,Chợ Gạo,Tiền Giang,%s,%s,%d,%d,%d,rtsp://cam-%s.local:554/stream1,2022-06-01,%d\n",
			x.Commune, x.RoadClass, x.Site, x.Direction, x.FOV, x.RangeM, x.ID, x.CostVND)
	}
	return b.Bytes()
}

// Cameras returns the rows as valid active cameras.
func Cameras(rows []Row) []*camera.Camera {
	out := make([]*camera.Camera, len(rows))
	for i, x := range rows {
		out[i] = &camera.Camera{
			ID: x.ID, Name: x.Name, Lat: x.Lat, Lon: x.Lon, Commune: x.Commune,
			District: "Chợ Gạo", Province: "Tiền Giang",
			RoadClass: camera.RoadClass(x.RoadClass), Site: camera.Site(x.Site),
			DirectionDeg: float64(x.Direction), FOVDeg: float64(x.FOV), RangeM: float64(x.RangeM),
			RTSPURL: "rtsp://cam-" + x.ID + ".local:554/stream1", InstalledOn: "2022-06-01",
			CostVND: x.CostVND, Status: camera.StatusActive,
		}
	}
	return out
}

// Intersection is a generated junction in the shape of the intersections
// layer (geo.Intersection's JSON).
type Intersection struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Lat       float64 `json:"lat"`
	Lon       float64 `json:"lon"`
	RoadClass string  `json:"road_class"`
}

// Intersections returns n deterministic junctions in box.
func Intersections(n int, seed uint64, box Box) []Intersection {
	r := rand.New(rand.NewPCG(seed, seed^0x2545f4914f6cdd1d))
	out := make([]Intersection, n)
	for i := range out {
		out[i] = Intersection{
			ID:        fmt.Sprintf("INT-%07d", i+1),
			Name:      fmt.Sprintf("Ngã tư số %d", i+1),
			Lat:       box.MinLat + r.Float64()*(box.MaxLat-box.MinLat),
			Lon:       box.MinLon + r.Float64()*(box.MaxLon-box.MinLon),
			RoadClass: roadClasses[r.IntN(len(roadClasses))],
		}
	}
	return out
}
