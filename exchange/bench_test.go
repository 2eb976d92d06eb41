package exchange

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"

	"github.com/matthan/matthan/camera"
)

// benchRows is the size of the import the HTTP API must take in at most
// 5 s; the decoder should do it in well under half a second.
const benchRows = 100_000

// benchCameras returns n realistic cameras: Vietnamese names, a third with
// credentials, every field set.
func benchCameras(n int) []*camera.Camera {
	communes := []string{"Thị trấn Chợ Gạo", "Long Bình Điền", "Song Bình", "Xuân Đông", "Hòa Định", "Bình Ninh", "Mỹ Tịnh An", "Lương Hòa Lạc"}
	cams := make([]*camera.Camera, n)
	for i := range cams {
		c := &camera.Camera{
			ID:           fmt.Sprintf("CG-%06d", i),
			Name:         fmt.Sprintf("Ngã tư %s số %d", communes[i%len(communes)], i),
			Lat:          10.2 + float64(i%3000)*0.0001,
			Lon:          106.3 + float64(i/3000)*0.001,
			Commune:      communes[i%len(communes)],
			District:     "Chợ Gạo",
			Province:     "Tiền Giang",
			RoadClass:    camera.RoadClasses[i%len(camera.RoadClasses)],
			Site:         camera.SiteIntersection,
			DirectionDeg: float64(i % 360),
			FOVDeg:       90,
			RangeM:       50,
			RTSPURL:      fmt.Sprintf("rtsp://10.%d.%d.%d:554/Streaming/Channels/101", i>>16&255, i>>8&255, i&255),
			InstalledOn:  "2023-05-12",
			CostVND:      3_700_000,
			Status:       camera.StatusActive,
		}
		if i%3 == 0 {
			c.Credentials = camera.Credentials{Username: "admin", Password: "Mk@t2024"}
		}
		cams[i] = c
	}
	return cams
}

// benchCSV returns the CSV of n cameras, credentials in the URLs of a third.
func benchCSV(b *testing.B, n int) []byte {
	b.Helper()
	cams := benchCameras(n)
	for _, c := range cams {
		if !c.Credentials.Empty() {
			c.RTSPURL = c.StreamURL()
		}
	}
	var buf bytes.Buffer
	enc := NewCSVEncoder(&buf)
	for _, c := range cams {
		// Encode would strip the credentials; write the row by hand.
		if err := enc.start(); err != nil {
			b.Fatal(err)
		}
		rec := []string{c.ID, c.Name, formatFloat(c.Lat), formatFloat(c.Lon), c.Commune, c.District, c.Province,
			string(c.RoadClass), string(c.Site), formatFloat(c.DirectionDeg), formatFloat(c.FOVDeg), formatFloat(c.RangeM),
			c.RTSPURL, c.InstalledOn, fmt.Sprint(c.CostVND)}
		if err := enc.w.Write(rec); err != nil {
			b.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkCSVDecode decodes 100,000 rows per iteration and reports rows/s.
// go test -run x -bench CSVDecode -benchmem ./exchange/
func BenchmarkCSVDecode(b *testing.B) {
	data := benchCSV(b, benchRows)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		decodeBench(b, NewCSVDecoder(bytes.NewReader(data)))
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkGeoJSONDecode decodes 100,000 features per iteration.
func BenchmarkGeoJSONDecode(b *testing.B) {
	var buf bytes.Buffer
	if err := WriteGeoJSON(&buf, slices.Values(benchCameras(benchRows))); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		decodeBench(b, NewGeoJSONDecoder(bytes.NewReader(data)))
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkCSVEncode(b *testing.B) {
	cams := benchCameras(benchRows)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteCSV(io.Discard, slices.Values(cams)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkGeoJSONEncode(b *testing.B) {
	cams := benchCameras(benchRows)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteGeoJSON(io.Discard, slices.Values(cams)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// decodeBench reads d to the end and wants benchRows cameras.
func decodeBench(b *testing.B, d Decoder) {
	b.Helper()
	n := 0
	for {
		row, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		if row.Reject != nil {
			b.Fatalf("rejected: %v", row.Reject)
		}
		n++
	}
	if n != benchRows {
		b.Fatalf("decoded %d rows, want %d", n, benchRows)
	}
}
