package exchange

import (
	"bytes"
	"io"
	"mime"
	"strings"
	"time"

	"github.com/matthan/matthan/camera"
)

// File signatures: an .xlsx is a zip; an Excel 97-2003 .xls (and an
// encrypted .xlsx) is an OLE compound file.
var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// DetectDonationFormat tells the format of a donation import — FormatCSV
// or FormatXLSX — from its Content-Type and its first bytes (eight are
// enough; they are not consumed).
//
// The XLSX media type decides for XLSX, and the CSV ones for CSV unless
// the body is a zip, which a CSV never is. Any other type — none, or a
// generic one such as application/octet-stream, the
// application/x-www-form-urlencoded of curl --data-binary, or the
// application/vnd.ms-excel that browsers on Windows give a .csv file —
// leaves it to the body: a zip is a workbook, anything else a CSV (as
// every donation import was before workbooks; the CSV decoder explains a
// body that is not one). An .xls file is an error, so that it fails
// clearly.
func DetectDonationFormat(contentType string, firstBytes []byte) (Format, error) {
	zipBody := bytes.HasPrefix(firstBytes, zipMagic)
	if bytes.HasPrefix(firstBytes, oleMagic) {
		return "", camera.Errorf(camera.EINVALID, "body", "is an Excel 97-2003 (.xls) or password-protected workbook: save it as .xlsx without a password, or as CSV UTF-8")
	}
	if strings.TrimSpace(contentType) != "" {
		mt, _, err := mime.ParseMediaType(contentType)
		if err != nil {
			return "", camera.Errorf(camera.EINVALID, "Content-Type", "is not a valid media type")
		}
		switch mt {
		case XLSXContentType:
			return FormatXLSX, nil
		case "text/csv", "application/csv", "text/comma-separated-values":
			if zipBody {
				return "", camera.Errorf(camera.EINVALID, "Content-Type", "says CSV, but the body is a zip (an .xlsx workbook?): send it as %s", XLSXContentType)
			}
			return FormatCSV, nil
		}
	}
	if len(bytes.TrimSpace(bytes.TrimPrefix(firstBytes, []byte(utf8BOM)))) == 0 {
		return "", camera.Errorf(camera.EINVALID, "body", "is empty: send a donation CSV or an .xlsx workbook")
	}
	if zipBody {
		return FormatXLSX, nil
	}
	return FormatCSV, nil
}

// NewDonationDecoder returns the decoder for format f (FormatCSV or
// FormatXLSX) reading r, with the places and clock of
// NewDonationCSVDecoder.
func NewDonationDecoder(f Format, r io.Reader, places camera.Places, now time.Time) (DonationDecoder, error) {
	switch f {
	case FormatCSV:
		return NewDonationCSVDecoder(r, places, now), nil
	case FormatXLSX:
		return NewDonationXLSXDecoder(r, places, now), nil
	}
	return nil, camera.Errorf(camera.EINVALID, "format", "must be csv or xlsx, got %q", string(f))
}
