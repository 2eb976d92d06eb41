package exchange

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/sample"
)

// FuzzDonationCSVDecoder checks what the donation decoder promises on any
// input: no panic, an end, accepted donations valid and resolved,
// rejections located and explained, and a round trip that keeps every
// accepted donation.
func FuzzDonationCSVDecoder(f *testing.F) {
	f.Add(readTestdata(f, "donations.csv"))
	f.Add(sample.Donations()[:400])
	f.Add([]byte("donor,amount_vnd,received_on,commune\n\"An\",1,2024-01-01,cho gao\n"))
	f.Add([]byte("ref,donor,amount_vnd,received_on,commune\nFT24122 0001,An,1,2024-01-01,cho gao\n,Bình,2,2024-01-01,cho gao\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := NewDonationCSVDecoder(bytes.NewReader(data), testPlaces{}, donationNow)
		var ds []*camera.Donation
		for i := 0; ; i++ {
			if i > 1<<20 {
				t.Fatal("decoder does not end")
			}
			row, err := d.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				if camera.ErrorCode(err) != camera.EINVALID {
					t.Fatalf("fatal error %v is not EINVALID", err)
				}
				break
			}
			switch {
			case (row.Donation == nil) == (row.Reject == nil):
				t.Fatalf("row %+v: exactly one of Donation and Reject must be set", row)
			case row.Reject != nil:
				if row.Reject.Line < 2 || row.Reject.Reason == "" {
					t.Fatalf("rejection %+v has no line or no reason", *row.Reject)
				}
			default:
				if err := row.Donation.Validate(donationNow); err != nil {
					t.Fatalf("accepted donation %+v is invalid: %v", *row.Donation, err)
				}
				if _, ok := (testPlaces{}).Commune(row.Donation.Commune); !ok {
					t.Fatalf("accepted donation %+v is in no known commune", *row.Donation)
				}
				ds = append(ds, row.Donation)
			}
		}
		var out bytes.Buffer
		enc := NewDonationCSVEncoder(&out)
		enc.Ref = true
		for _, d := range ds {
			if err := enc.Encode(d); err != nil {
				t.Fatal(err)
			}
		}
		if err := enc.Close(); err != nil {
			t.Fatal(err)
		}
		again, rejects, err := ReadAllDonations(NewDonationCSVDecoder(&out, testPlaces{}, donationNow))
		if err != nil || len(rejects) > 0 {
			t.Fatalf("round trip: %v, rejects %v", err, rejects)
		}
		if len(again) != len(ds) {
			t.Fatalf("round trip gave %d donations, want %d", len(again), len(ds))
		}
		for i := range ds {
			if !reflect.DeepEqual(again[i], ds[i]) {
				t.Fatalf("round trip changed donation %d:\n got %+v\nwant %+v", i, *again[i], *ds[i])
			}
		}
	})
}
