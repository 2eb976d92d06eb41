package exchange

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/matthan/matthan/camera"
)

// BenchmarkDonationCSVDecode decodes and resolves 100,000 donations (a
// tenth of them gifts to a commune's pool), in rows per second.
func BenchmarkDonationCSVDecode(b *testing.B) {
	ds := make([]*camera.Donation, benchRows)
	for i := range ds {
		d := &camera.Donation{Donor: fmt.Sprintf("Nguyễn Văn Nhà hảo tâm %d", i%5000), AmountVND: int64(1+i%300) * 10_000, ReceivedOn: "2023-05-12", Note: "Ủng hộ lắp camera an ninh"}
		if i%10 == 0 {
			d.Commune = "Bình Ninh"
		} else {
			d.CameraID = "CG-0001"
		}
		ds[i] = d
	}
	var buf bytes.Buffer
	if err := WriteDonationsCSV(&buf, slices.Values(ds)); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		got, rejects, err := ReadAllDonations(NewDonationCSVDecoder(bytes.NewReader(data), testPlaces{}, donationNow))
		if err != nil || len(rejects) > 0 || len(got) != benchRows {
			b.Fatalf("%d donations, %d rejects, %v", len(got), len(rejects), err)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
