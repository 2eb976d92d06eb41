package exchange

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/matthan/matthan/camera"
)

// FuzzDonationXLSXDecoder checks what the XLSX decoder promises on any
// body: no panic, an end, a fatal error that is EINVALID, accepted
// donations valid and resolved, rejections located below a header and
// explained. Most mutations of a zip break it; the seeds are whole
// workbooks so that some reach the sheet.
func FuzzDonationXLSXDecoder(f *testing.F) {
	f.Add(bankSheet(f))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := NewDonationXLSXDecoder(bytes.NewReader(data), testPlaces{}, donationNow)
		for i := 0; ; i++ {
			if i > MaxXLSXRows {
				t.Fatal("decoder does not end")
			}
			row, err := d.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				if camera.ErrorCode(err) != camera.EINVALID {
					t.Fatalf("fatal error %v is not EINVALID", err)
				}
				return
			}
			switch {
			case (row.Donation == nil) == (row.Reject == nil):
				t.Fatalf("row %+v: exactly one of Donation and Reject must be set", row)
			case row.Reject != nil:
				if row.Reject.Line < 2 || row.Reject.Line > MaxXLSXRows || row.Reject.Reason == "" {
					t.Fatalf("rejection %+v has no row or no reason", *row.Reject)
				}
			default:
				if err := row.Donation.Validate(donationNow); err != nil {
					t.Fatalf("accepted donation %+v is invalid: %v", *row.Donation, err)
				}
				if _, ok := (testPlaces{}).Commune(row.Donation.Commune); !ok {
					t.Fatalf("accepted donation %+v is in no known commune", *row.Donation)
				}
			}
		}
	})
}
