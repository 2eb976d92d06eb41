package exchange

import (
	"testing"

	"github.com/matthan/matthan/camera"
)

func TestDetectDonationFormat(t *testing.T) {
	const zip = "PK\x03\x04\x14\x00"
	tests := []struct {
		contentType string
		body        string
		want        Format
		field       string // error for this field, "" if none
	}{
		{XLSXContentType, zip, FormatXLSX, ""},
		{XLSXContentType, "donor,", FormatXLSX, ""}, // the decoder says it is no workbook
		{"text/csv", "donor,", FormatCSV, ""},
		{"text/csv; charset=utf-8", "\xEF\xBB\xBFdonor", FormatCSV, ""},
		{"text/csv", zip, "", "Content-Type"},
		{"", zip, FormatXLSX, ""},
		{"application/octet-stream", zip, FormatXLSX, ""},
		{"application/x-www-form-urlencoded", zip, FormatXLSX, ""}, // curl --data-binary @sheet.xlsx
		{"application/vnd.ms-excel", "donor,amount_vnd", FormatCSV, ""},
		{"application/zip", zip, FormatXLSX, ""},
		{"", "donor,amount_vnd", FormatCSV, ""},
		{"", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "", "body"},
		{"", "", "", "body"},
		{"", "\xEF\xBB\xBF \n", "", "body"},
		{"application/json", "donor,amount_vnd", FormatCSV, ""},
		{"text/csv; charset", "", "", "Content-Type"},
	}
	for _, tt := range tests {
		t.Run(tt.contentType+"|"+tt.body, func(t *testing.T) {
			got, err := DetectDonationFormat(tt.contentType, []byte(tt.body))
			if tt.field != "" {
				if camera.ErrorCode(err) != camera.EINVALID || camera.ErrorField(err) != tt.field {
					t.Errorf("DetectDonationFormat error = %v, want one for %s", err, tt.field)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("DetectDonationFormat = %q, %v, want %q", got, err, tt.want)
			}
		})
	}
	if _, err := NewDonationDecoder(FormatGeoJSON, nil, nil, donationNow); camera.ErrorField(err) != "format" {
		t.Errorf("NewDonationDecoder(geojson) error = %v, want one for format", err)
	}
}
