package exchange

import (
	"bytes"
	"mime"
	"strings"

	"github.com/matthan/matthan/camera"
)

// Format is an exchange format. Its values are the words of the export
// endpoint's format parameter (docs/design.md: ?format=csv|geojson, and xlsx
// for a spreadsheet).
type Format string

// Formats. XLSX is written for every export, and read for donations.
const (
	FormatCSV     Format = "csv"
	FormatGeoJSON Format = "geojson"
	FormatXLSX    Format = "xlsx"
)

// XLSXContentType is the media type of an .xlsx workbook.
const XLSXContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// ParseFormat returns the format named s ("csv", "geojson" or "xlsx", any
// case).
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case FormatCSV, FormatGeoJSON, FormatXLSX:
		return f, nil
	}
	return "", camera.Errorf(camera.EINVALID, "format", "must be csv, geojson or xlsx, got %q", s)
}

// ContentType returns the media type to send an export of format f with.
func (f Format) ContentType() string {
	switch f {
	case FormatGeoJSON:
		return "application/geo+json"
	case FormatXLSX:
		return XLSXContentType
	}
	return "text/csv; charset=utf-8"
}

// DetectFormat tells the format of an import body from its Content-Type and
// its first bytes (a few hundred are plenty; they are not consumed).
//
// An explicit CSV or JSON media type decides. A missing or generic one
// (text/plain, application/octet-stream, and the
// application/x-www-form-urlencoded that curl --data-binary sends by
// default) falls back to sniffing: after an optional UTF-8 byte order mark
// and white space, '{' or '[' means GeoJSON (the decoder then explains what
// is wrong with an array) and anything else CSV. Other media types are an
// error rather than a guess, so that an upload of the wrong file fails
// clearly.
func DetectFormat(contentType string, firstBytes []byte) (Format, error) {
	if strings.TrimSpace(contentType) != "" {
		mt, _, err := mime.ParseMediaType(contentType)
		if err != nil {
			return "", camera.Errorf(camera.EINVALID, "Content-Type", "is not a valid media type")
		}
		switch mt {
		case "text/csv", "application/csv", "text/comma-separated-values":
			return FormatCSV, nil
		case "application/geo+json", "application/json", "application/vnd.geo+json":
			return FormatGeoJSON, nil
		case "text/plain", "application/octet-stream", "application/x-www-form-urlencoded":
			// Sniff below.
		default:
			return "", camera.Errorf(camera.EINVALID, "Content-Type", "must be text/csv or application/geo+json, got %q", mt)
		}
	}
	b := bytes.TrimPrefix(firstBytes, []byte(utf8BOM))
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return "", camera.Errorf(camera.EINVALID, "body", "is empty: send a camera CSV or a GeoJSON FeatureCollection")
	}
	if b[0] == '{' || b[0] == '[' {
		return FormatGeoJSON, nil
	}
	return FormatCSV, nil
}

// utf8BOM is the byte order mark that spreadsheet programs (Excel in
// particular) put at the start of a "CSV UTF-8" file.
const utf8BOM = "\xEF\xBB\xBF"

// BOM is the UTF-8 byte order mark. Written before a CSV it makes a
// spreadsheet program read the file as UTF-8 when it is opened with the
// program's defaults: without it Excel reads Vietnamese as mojibake. The
// decoders skip it.
const BOM = utf8BOM
