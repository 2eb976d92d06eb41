package exchange

import (
	"errors"
	"io"
	"strings"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/vntext"
)

// donationCol is a column of the donation CSV.
type donationCol int

// The columns of docs/design.md's donation CSV, in contract order: the order
// in which a row's fields are checked; then the optional ref, the bank's
// transaction reference, and public, the donor's consent to be named on
// the public statement.
const (
	dcDonor donationCol = iota
	dcAmount
	dcReceivedOn
	dcCameraID
	dcCommune
	dcNote
	dcRef
	dcPublic
	numDonationCols
)

var donationColNames = [numDonationCols]string{"donor", "amount_vnd", "received_on", "camera_id", "commune", "note", "ref", "public"}

func (c donationCol) String() string { return donationColNames[c] }

// DonationCSVHeader is the donation CSV header of docs/design.md, as
// WriteDonationsCSV writes it.
const DonationCSVHeader = "donor,amount_vnd,received_on,camera_id,commune,note"

// DonationCSVColumns returns the columns of DonationCSVHeader, a new slice
// on every call.
func DonationCSVColumns() []string { return append([]string(nil), donationColNames[:dcRef]...) }

// DonationRefColumn is the optional column of a donation CSV after those
// of DonationCSVHeader: the bank's reference of the transaction
// (camera.Donation.Ref).
const DonationRefColumn = "ref"

// DonationPublicColumn is the optional column of a donation CSV that
// carries the donor's consent to be named on the public statement
// (camera.Donation.Public): yes, true, 1, x, có (co) for consent; no,
// false, 0, không (khong) or empty for none; any case. Without the
// column no row has consent.
const DonationPublicColumn = "public"

// DonationRow is one record of a donation import. Exactly one of
// Donation and Reject is set.
type DonationRow struct {
	// Line is the physical line on which the record starts (header = 1).
	Line int
	// Donation is the valid donation of the row: text in NFC and trimmed,
	// validated, and — when the decoder has Places — resolved (its camera
	// or commune exists; commune in canonical spelling). ID, CreatedBy and
	// CreatedAt are left for the store.
	Donation *camera.Donation
	// Reject says why the row could not become a donation. Its ID is the
	// row's camera_id.
	Reject *Rejection
}

// DonationCSVDecoder reads a donation CSV one row at a time, with the
// habits of CSVDecoder: header names matched trimmed and in any case, in
// any order; a UTF-8 byte order mark, CRLF line endings and quoted fields
// (commas, quotes, line breaks) accepted; rows numbered by the physical
// line on which they start; blank rows skipped; a bad row rejected with
// its line, field and reason while the import goes on; a broken header or
// a record over MaxCSVRecordBytes ends it with a fatal error.
//
// donor, amount_vnd and received_on are required columns, and camera_id
// or commune (or both); note, ref (DonationRefColumn) and public
// (DonationPublicColumn) are optional.
// amount_vnd is a whole number of đồng, with or without thousands
// separators and a currency mark ("4.500.000 ₫"; parseVND), more than 0
// and at most camera.MaxVND; "4.5" and "4.500,50" are refused, not
// rounded.
//
// Unlike a camera, a donation has no natural key — its ref, when the
// bank gave one, comes closest — and the decoder passes equal rows and
// repeated refs: whether they are one gift entered twice or two gifts is
// the caller's to decide (registry.Store.FindDuplicates; the API leaves
// out the rows that repeat stored gifts unless asked not to).
type DonationCSVDecoder struct {
	donationDecoder
	csv csvRecords
}

// DonationDecoder reads a donation import one row at a time: the CSV of
// NewDonationCSVDecoder or the sheet of NewDonationXLSXDecoder. Next
// returns the next row, io.EOF after the last one, or a fatal error.
type DonationDecoder interface {
	Next() (DonationRow, error)
}

var (
	_ DonationDecoder = (*DonationCSVDecoder)(nil)
	_ DonationDecoder = (*DonationXLSXDecoder)(nil)
)

// donationDecoder is the row path the CSV and the XLSX decoders share:
// the header's names mapped to columns, and each record — text, whatever
// the file held — turned into a donation or a rejection.
type donationDecoder struct {
	recs  records
	index [numDonationCols]int

	places camera.Places
	now    time.Time
}

// records is what donationDecoder needs of a record loop: the header's
// columns and the wording of rejections (csvRecords, xlsxRecords).
type records interface {
	matchHeader(rec []string, line int, index []int, lookup func(name string) (int, bool)) error
	badRow(rec []string, line int, field, reason string) *Rejection
	setIDCol(i int)
}

// NewDonationCSVDecoder returns a decoder reading r. places, when not
// nil, resolves every row's camera and commune (registry.Places is one):
// an unknown camera or commune rejects the row. now decides which dates
// are in the future (camera.Donation.Validate).
func NewDonationCSVDecoder(r io.Reader, places camera.Places, now time.Time) *DonationCSVDecoder {
	d := &DonationCSVDecoder{donationDecoder: donationDecoder{places: places, now: now}}
	d.csv = newCSVRecords(r, headerSpec{kind: "donation", header: DonationCSVHeader, more: ", optionally with " + DonationRefColumn + " and " + DonationPublicColumn}, d.setHeader)
	d.recs = &d.csv
	return d
}

// Next returns the next row, io.EOF after the last one, or a fatal error.
func (d *DonationCSVDecoder) Next() (DonationRow, error) {
	rec, line, rej, err := d.csv.next()
	switch {
	case err != nil:
		return DonationRow{}, err
	case rej != nil:
		return DonationRow{Line: line, Reject: rej}, nil
	}
	return d.row(rec, line), nil
}

// ReadAllDonations reads every row of d: the valid donations and the
// rejections, each in file order. On a fatal error it returns what it had
// read so far with the error.
func ReadAllDonations(d DonationDecoder) (ds []*camera.Donation, rejects []Rejection, err error) {
	for {
		row, err := d.Next()
		if errors.Is(err, io.EOF) {
			return ds, rejects, nil
		}
		if err != nil {
			return ds, rejects, err
		}
		if row.Reject != nil {
			rejects = append(rejects, *row.Reject)
			continue
		}
		ds = append(ds, row.Donation)
	}
}

// setHeader maps the header's names to columns.
func (d *donationDecoder) setHeader(rec []string, line int) error {
	err := d.recs.matchHeader(rec, line, d.index[:], func(name string) (int, bool) {
		for c := range numDonationCols {
			if c.String() == name {
				return int(c), true
			}
		}
		return 0, false
	})
	if err != nil {
		return err
	}
	for _, col := range []donationCol{dcDonor, dcAmount, dcReceivedOn} {
		if d.index[col] < 0 {
			return camera.Errorf(camera.EINVALID, col.String(), "missing column in the header; the columns are %s", DonationCSVHeader)
		}
	}
	if d.index[dcCameraID] < 0 && d.index[dcCommune] < 0 {
		return camera.Errorf(camera.EINVALID, "camera_id", "missing column in the header: a donation goes to a camera (camera_id) or a commune's pool (commune); the columns are %s", DonationCSVHeader)
	}
	// A rejection quotes the row's camera: the closest a donation has
	// to an id.
	d.recs.setIDCol(d.index[dcCameraID])
	return nil
}

// row turns a well-formed record into a donation or a rejection.
func (d *donationDecoder) row(rec []string, line int) DonationRow {
	field := func(c donationCol) string {
		if i := d.index[c]; i >= 0 {
			return rec[i]
		}
		return ""
	}
	dn := &camera.Donation{
		Donor:      cleanText(field(dcDonor)),
		ReceivedOn: strings.TrimSpace(field(dcReceivedOn)),
		CameraID:   cleanText(field(dcCameraID)),
		Commune:    cleanText(field(dcCommune)),
		Note:       cleanNotes(field(dcNote)),
		Ref:        cleanText(field(dcRef)),
	}
	public, err := parseConsent(field(dcPublic))
	if err != nil {
		return d.reject(d.recs.badRow(rec, line, err.Field, err.Message))
	}
	dn.Public = public
	amount, err := parseAmount(field(dcAmount))
	if err != nil {
		return d.reject(d.recs.badRow(rec, line, err.Field, err.Message))
	}
	dn.AmountVND = amount
	if dn.ReceivedOn, err = parseReceivedOn(dn.ReceivedOn); err != nil {
		return d.reject(d.recs.badRow(rec, line, err.Field, err.Message))
	}
	if err := dn.Validate(d.now); err != nil {
		e := asDomain(err)
		return d.reject(d.recs.badRow(rec, line, e.Field, e.Message))
	}
	if d.places != nil {
		if err := dn.Resolve(d.places); err != nil {
			e := asDomain(err)
			return d.reject(d.recs.badRow(rec, line, e.Field, e.Message))
		}
	}
	return DonationRow{Line: line, Donation: dn}
}

// parseAmount parses amount_vnd: a whole number of đồng, written as
// parseVND reads it (4500000, 4.500.000, 4 500 000 ₫, ...). Money is never a
// float (docs/design.md), so "4.5" and "4.500,50" are refused rather than
// rounded.
func parseAmount(raw string) (int64, *camera.Error) {
	name := dcAmount.String()
	n, why := parseVND(raw)
	if why != "" {
		return 0, camera.Errorf(camera.EINVALID, name, "%s", why)
	}
	if err := camera.ValidateAmount(name, n); err != nil {
		return 0, asDomain(err)
	}
	return n, nil
}

// parseConsent reads the public column (DonationPublicColumn): a yes or
// a no in the words a Vietnamese or an English sheet uses, a checkbox's
// x, or nothing, which is no. Anything else is refused rather than taken
// for a no: a name must not be published, or left out, on a guess.
func parseConsent(raw string) (bool, *camera.Error) {
	switch vntext.Fold(raw) {
	case "yes", "y", "true", "1", "x", "co", "dong y":
		return true, nil
	case "", "no", "n", "false", "0", "khong", "khong dong y":
		return false, nil
	}
	return false, camera.Errorf(camera.EINVALID, dcPublic.String(), "must be yes or no (có / không, true / false, 1 / 0, x / empty), got %s", quoteShort(raw))
}

// reject wraps a rejection in a row.
func (d *donationDecoder) reject(r *Rejection) DonationRow {
	return DonationRow{Line: r.Line, Reject: r}
}
