package sample

import (
	"bytes"
	"encoding/csv"
	"strconv"
)

// RepeatedGiftsSheet returns the sample district's donations as a
// district's bank sheet lists them, with the gifts that look alike and
// are not the same: every gift to a commune's pool paid a second time,
// the same day and in the same sum (a women's union paying in two
// instalments), and, after every twentieth gift to a camera, two
// anonymous cash gifts of 500.000 ₫ to that camera on that day. Every
// row is a gift: rows is how many, totalVND what they sum to, and a
// ledger that imports the sheet, once or again, must hold the whole of
// it.
func RepeatedGiftsSheet() (sheet []byte, rows int, totalVND int64) {
	recs, err := csv.NewReader(bytes.NewReader(Donations())).ReadAll()
	if err != nil {
		panic("sample: donations.csv: " + err.Error())
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	write := func(rec []string) {
		amount, err := strconv.ParseInt(rec[1], 10, 64)
		if err != nil {
			panic("sample: donations.csv: " + err.Error())
		}
		if err := w.Write(rec); err != nil {
			panic("sample: " + err.Error())
		}
		rows++
		totalVND += amount
	}
	if err := w.Write(recs[0]); err != nil {
		panic("sample: " + err.Error())
	}
	cameraGifts := 0
	for _, rec := range recs[1:] {
		write(rec)
		donor, date, camID, commune := rec[0], rec[2], rec[3], rec[4]
		if camID == "" {
			write(rec)
			continue
		}
		if cameraGifts++; cameraGifts%20 == 0 {
			cash := []string{"Nhà hảo tâm ẩn danh", "500000", date, camID, commune, "Tiền mặt, nhận tại công trình (" + donor + " chuyển giúp)"}
			write(cash)
			write(cash)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		panic("sample: " + err.Error())
	}
	return buf.Bytes(), rows, totalVND
}
