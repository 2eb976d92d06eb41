package exchange

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// BenchmarkDonationXLSXDecode decodes and resolves a workbook of
// MaxXLSXRows-1 donations, in rows per second: with number cells
// (typed), and with every amount text that also reads as a number
// ("1.125"), which makes each cell's type be looked up (ambiguous).
func BenchmarkDonationXLSXDecode(b *testing.B) {
	for _, ambiguous := range []bool{false, true} {
		name := "typed"
		if ambiguous {
			name = "ambiguous"
		}
		b.Run(name, func(b *testing.B) {
			wb, err := NewWorkbook()
			if err != nil {
				b.Fatal(err)
			}
			cols := donationSheet
			if ambiguous {
				cols = append([]SheetColumn(nil), donationSheet...)
				cols[1].Kind = KindText
			}
			if err := wb.AddSheet("donations", cols); err != nil {
				b.Fatal(err)
			}
			rows := MaxXLSXRows - 1
			for i := range rows {
				var amount any = int64(1+i%300) * 10_000
				if ambiguous {
					amount = fmt.Sprintf("%d.%03d", 1+i%300, 1+i%999)
				}
				if err := wb.WriteRow(fmt.Sprintf("Nguyễn Văn Nhà hảo tâm %d", i%5000), amount, "2023-05-12", "CG-0001", "", "Ủng hộ lắp camera an ninh"); err != nil {
					b.Fatal(err)
				}
			}
			var buf bytes.Buffer
			if _, err := wb.WriteTo(&buf); err != nil {
				b.Fatal(err)
			}
			wb.Close()
			data := buf.Bytes()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				got, rejects, err := ReadAllDonations(NewDonationXLSXDecoder(bytes.NewReader(data), testPlaces{}, donationNow))
				if err != nil || len(rejects) > 0 || len(got) != rows {
					b.Fatalf("%d donations, %d rejects, %v", len(got), len(rejects), err)
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkFundingWorkbook writes a funding view of a million cameras as a
// workbook, in rows per second.
func BenchmarkFundingWorkbook(b *testing.B) {
	const n = 1_000_000
	rep := &registry.FundingReport{GroupBy: registry.GroupByCamera, Rows: make([]registry.FundingRow, n)}
	perHour := int64(6_424)
	for i := range rep.Rows {
		rep.Rows[i] = registry.FundingRow{Key: fmt.Sprintf("CG-%07d", i), Name: "Ngã tư Chợ Gạo", Commune: "Thị trấn Chợ Gạo",
			Status: camera.StatusActive, CostVND: 4_500_000, DonatedVND: int64(i % 9_000_000), BalanceVND: int64(i%9_000_000) - 4_500_000,
			Donors: 3, Donations: 4, UpMillis: 2_520_000_000, CostPerUpHourVND: &perHour}
	}
	b.ReportAllocs()
	for b.Loop() {
		wb, err := FundingWorkbook(rep)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := wb.WriteTo(io.Discard); err != nil {
			b.Fatal(err)
		}
		wb.Close()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
