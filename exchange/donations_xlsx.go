package exchange

import (
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/matthan/matthan/camera"
)

// DonationXLSXDecoder reads the donations of a workbook (.xlsx): the
// first sheet, with the columns, checks and rejections of
// DonationCSVDecoder, through the same row path. What differs is the
// file:
//
//   - rows above the header that name none of the columns (a bank
//     statement's title, account and period lines, at most 30) are
//     skipped: the header is the first row with a cell that names a column
//     (donor, amount_vnd, ...);
//   - rows are numbered as the spreadsheet shows them: a rejection's
//     line is the row number;
//   - a number cell is a number: amount_vnd takes a whole number (4500000,
//     whatever its display format) and refuses one with decimals, where
//     the text "4.500.000" reads the Vietnamese way; received_on takes a
//     date cell (a number counting days, Excel's date serial, in the
//     workbook's 1900 or 1904 system) as well as the dates of text;
//   - columns the header does not name are left out (a table may start in
//     column B, a header cell may be merged over two columns); a value in
//     one, or a formula error (#N/A), rejects its row.
//
// The workbook is at most MaxXLSXBytes, unpacks to at most
// MaxXLSXUnzipped, and has no data below row MaxXLSXRows; a body that is
// not a workbook, or breaks these limits, is a fatal error (EINVALID
// naming body, header or the row).
type DonationXLSXDecoder struct {
	donationDecoder
	sheet *xlsxRecords
}

// NewDonationXLSXDecoder returns a decoder reading the workbook r; places
// and now are those of NewDonationCSVDecoder. r is read whole on the
// first call to Next.
func NewDonationXLSXDecoder(r io.Reader, places camera.Places, now time.Time) *DonationXLSXDecoder {
	d := &DonationXLSXDecoder{donationDecoder: donationDecoder{places: places, now: now}}
	d.sheet = newXLSXRecords(r, headerSpec{kind: "donation", header: DonationCSVHeader}, isDonationHeader, d.setHeader, d.classify)
	d.recs = d.sheet
	return d
}

// isDonationHeader reports whether a row names a donation column.
func isDonationHeader(cells []string) bool {
	for _, c := range cells {
		name := strings.ToLower(strings.TrimSpace(c))
		for col := range numDonationCols {
			if col.String() == name {
				return true
			}
		}
	}
	return false
}

// classify says how a value of column col is read. Only amount_vnd and
// received_on care whether a cell holds a number: a number in
// received_on is a date serial (with or without a time of day), and in
// amount_vnd the cell's type is looked up only when it changes the
// answer — "1.125" is refused as a number and 1125 đồng as text, while
// "4500000" is the same either way and "1.5" refused either way.
func (d *DonationXLSXDecoder) classify(col int, v string) cellClass {
	switch {
	case !isNumberLiteral(v):
		return cellText
	case col == d.index[dcReceivedOn]:
		return cellNumber
	case col != d.index[dcAmount]:
		return cellText
	case isWholeLiteral(v):
		return cellNumber
	}
	_, number := wholeNumber(v)
	_, why := parseVND(v)
	if !number && why != "" {
		return cellText // refused either way; the text's reason is the clearer
	}
	return cellAsk
}

// Next returns the next row, io.EOF after the last one, or a fatal error.
func (d *DonationXLSXDecoder) Next() (DonationRow, error) {
	rec, line, rej, err := d.sheet.next()
	switch {
	case err != nil:
		return DonationRow{}, err
	case rej != nil:
		return DonationRow{Line: line, Reject: rej}, nil
	}
	if i := d.index[dcAmount]; i >= 0 && d.sheet.number(i) {
		v, ok := wholeNumber(rec[i])
		if !ok {
			return d.reject(d.recs.badRow(rec, line, dcAmount.String(), "must be a whole number of đồng, got the number "+rec[i])), nil
		}
		rec[i] = v
	}
	if i := d.index[dcReceivedOn]; i >= 0 && d.sheet.number(i) {
		v, err := strconv.ParseFloat(rec[i], 64)
		if err != nil {
			return d.reject(d.recs.badRow(rec, line, dcReceivedOn.String(), "must be a date, got "+quoteShort(rec[i]))), nil
		}
		t, err := excelize.ExcelDateToTime(v, d.sheet.date1904)
		if err != nil || v < 1 || t.Year() > 9999 {
			return d.reject(d.recs.badRow(rec, line, dcReceivedOn.String(), "must be a date, got the number "+rec[i])), nil
		}
		rec[i] = t.Format(camera.DateLayout)
	}
	return d.row(rec, line), nil
}

// wholeNumber returns the digits of a number as a sheet stores it
// (4500000, 4.5E+6, 4500000.0), or false when it has a fractional part.
// A sheet's numbers are float64, exact for whole đồng up to 2^53, far
// above camera.MaxVND.
func wholeNumber(s string) (string, bool) {
	if isWholeLiteral(s) {
		return s, true
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != math.Trunc(v) || math.IsInf(v, 0) {
		return "", false
	}
	return strconv.FormatFloat(v, 'f', -1, 64), true
}
