package exchange

import (
	"encoding/csv"
	"io"
	"iter"
	"strconv"

	"github.com/matthan/matthan/camera"
)

// DonationCSVEncoder writes donations as a donation CSV: the header of
// docs/design.md, then one row per donation in the order given. Ids and who
// recorded a gift are not in the contract and are not written: decoding
// the output and storing it again gives the same gifts under new ids, and
// exporting those gives the same bytes.
type DonationCSVEncoder struct {
	// Ref adds the ref column (DonationRefColumn) after those of
	// docs/design.md, so that a copy keeps each gift's bank reference and
	// imports again as the same transactions. Public adds the public
	// column (DonationPublicColumn, yes or no) after it, so that a copy
	// keeps each donor's consent. Set them before the first Encode.
	Ref, Public bool

	w       *csv.Writer
	started bool
	rec     [numDonationCols]string
}

// NewDonationCSVEncoder returns an encoder writing to w. Call Close at the
// end.
func NewDonationCSVEncoder(w io.Writer) *DonationCSVEncoder {
	return &DonationCSVEncoder{w: csv.NewWriter(w)}
}

// Encode writes one donation, after the header if it is the first.
func (e *DonationCSVEncoder) Encode(d *camera.Donation) error {
	if err := e.start(); err != nil {
		return err
	}
	e.rec = [numDonationCols]string{d.Donor, strconv.FormatInt(d.AmountVND, 10), d.ReceivedOn, d.CameraID, d.Commune, d.Note, d.Ref, ConsentText(d.Public)}
	return e.w.Write(e.pick(e.rec[:]))
}

// ConsentText is how the public column writes a donor's consent.
func ConsentText(public bool) string {
	if public {
		return "yes"
	}
	return "no"
}

// Close writes the header if no donation was encoded and flushes. It does
// not close the underlying writer.
func (e *DonationCSVEncoder) Close() error {
	if err := e.start(); err != nil {
		return err
	}
	e.w.Flush()
	return e.w.Error()
}

func (e *DonationCSVEncoder) start() error {
	if e.started {
		return nil
	}
	e.started = true
	return e.w.Write(e.pick(donationColNames[:]))
}

// pick returns the fields of rec (a full record, every column) that the
// encoder writes.
func (e *DonationCSVEncoder) pick(rec []string) []string {
	out := rec[:dcRef:dcRef]
	if e.Ref {
		out = append(out, rec[dcRef])
	}
	if e.Public {
		out = append(out, rec[dcPublic])
	}
	return out
}

// WriteDonationsCSV writes the donations of seq as a donation CSV (use
// slices.Values for a slice), in seq's order: the registry's
// (received_on, id) order gives a deterministic export. It writes the
// columns of docs/design.md only; a DonationCSVEncoder with Ref set keeps the
// refs too.
func WriteDonationsCSV(w io.Writer, seq iter.Seq[*camera.Donation]) error {
	enc := NewDonationCSVEncoder(w)
	for d := range seq {
		if err := enc.Encode(d); err != nil {
			return err
		}
	}
	return enc.Close()
}
