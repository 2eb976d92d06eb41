package record

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/gendata"
)

// benchCamera is a camera as a registry holds many: Vietnamese text, a
// stream URL with a query string (whose '&' encoding/json writes as
// \u0026), credentials, notes and both time stamps.
func benchCamera() *camera.Camera {
	at := time.Date(2024, 3, 9, 7, 41, 5, 123456789, time.UTC)
	return &camera.Camera{
		ID: "TG-CG-000123", Name: "Ngã tư Quốc lộ 50 – Đường tỉnh 879 (cổng chợ Gạo)", Lat: 10.354281, Lon: 106.463917,
		Commune: "Thị trấn Chợ Gạo", District: "Chợ Gạo", Province: "Tiền Giang",
		RoadClass: camera.RoadNational, Site: camera.SiteIntersection,
		DirectionDeg: 135, FOVDeg: 92.5, RangeM: 60,
		RTSPURL: "rtsp://10.20.30.40:554/cam/realmonitor?channel=1&subtype=0", InstalledOn: "2022-06-01",
		CostVND: 4_500_000, Status: camera.StatusActive, Notes: "Hội Phụ nữ xã tặng",
		CreatedAt: at, UpdatedAt: at.Add(36 * time.Hour),
		Credentials: camera.Credentials{Username: "admin", Password: "Mắt-thần#2024"},
	}
}

// benchCameras are the two kinds of record the codec benchmarks use:
// benchCamera, and a generated one as BenchmarkDaemonStart1M stores a
// million of (no credentials, no notes, full-precision coordinates).
func benchCameras() []struct {
	name string
	cam  *camera.Camera
} {
	gen := gendata.Cameras(gendata.Rows(1, 21, "ST", gendata.Vietnam))[0]
	gen.CreatedAt = time.Date(2025, 1, 2, 3, 4, 5, 678901234, time.UTC)
	gen.UpdatedAt = gen.CreatedAt
	return []struct {
		name string
		cam  *camera.Camera
	}{{"typical", benchCamera()}, {"generated", gen}}
}

// BenchmarkDecodeCamera is DecodeCamera, the cost of every camera of every
// scan (list, export, the daemon's start), beside encoding/json decoding
// the same record (the _encoding_json rows, what it replaced). With
// encoding/json the codec was most of a daemon's start with a million
// cameras. github.com/goccy/go-json, which gin brings in, was measured
// too, near this decoder's speed, and left out: a second JSON
// implementation whose corner cases (invalid UTF-8, duplicate and
// case-folded keys, what is an error) would be in every record, where
// here whatever the fast path is not sure of goes to encoding/json.
func BenchmarkDecodeCamera(b *testing.B) {
	for _, bc := range benchCameras() {
		b.Run(bc.name, func(b *testing.B) {
			v, err := EncodeCamera(bc.cam)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(v)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := DecodeCamera(v); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bc.name+"_encoding_json", func(b *testing.B) {
			v, err := EncodeCamera(bc.cam)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(v)))
			b.ReportAllocs()
			for b.Loop() {
				rec := cameraRecord{Camera: &camera.Camera{}}
				if err := json.Unmarshal(v, &rec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEncodeCamera is EncodeCamera, the cost of every camera
// written (create, update, import), beside json.Marshal.
func BenchmarkEncodeCamera(b *testing.B) {
	for _, bc := range benchCameras() {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := EncodeCamera(bc.cam); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bc.name+"_encoding_json", func(b *testing.B) {
			b.ReportAllocs()
			c := bc.cam
			for b.Loop() {
				if _, err := json.Marshal(cameraRecord{Camera: c, Username: c.Credentials.Username, Password: c.Credentials.Password}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
