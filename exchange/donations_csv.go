package exchange

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/matthan/matthan/camera"
)

// donationCol is a column of the donation CSV.
type donationCol int

// The columns of DESIGN.md's donation CSV, in contract order: the order
// in which a row's fields are checked.
const (
	dcDonor donationCol = iota
	dcAmount
	dcReceivedOn
	dcCameraID
	dcCommune
	dcNote
	numDonationCols
)

var donationColNames = [numDonationCols]string{"donor", "amount_vnd", "received_on", "camera_id", "commune", "note"}

func (c donationCol) String() string { return donationColNames[c] }

// DonationCSVHeader is the donation CSV header of DESIGN.md, as
// WriteDonationsCSV writes it.
const DonationCSVHeader = "donor,amount_vnd,received_on,camera_id,commune,note"

// DonationCSVColumns returns the columns of DonationCSVHeader, a new slice
// on every call.
func DonationCSVColumns() []string { return append([]string(nil), donationColNames[:]...) }

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
// or commune (or both); note is optional. amount_vnd is a whole number of
// đồng without separators ("1.500.000", "1,5" and "1.5" are refused, not
// guessed), more than 0 and at most camera.MaxDonationVND.
//
// Unlike a camera, a donation has no natural key: two equal rows are two
// gifts, and importing a file twice stores it twice.
type DonationCSVDecoder struct {
	src *boundedReader
	br  *bufio.Reader
	r   *csv.Reader

	places camera.Places
	now    time.Time

	header bool
	err    error // sticky: io.EOF or a fatal error
	bom    int64

	cols  []string
	index [numDonationCols]int
	prev  int64
	last  int
}

// NewDonationCSVDecoder returns a decoder reading r. places, when not
// nil, resolves every row's camera and commune (registry.Places is one):
// an unknown camera or commune rejects the row. now decides which dates
// are in the future (camera.Donation.Validate).
func NewDonationCSVDecoder(r io.Reader, places camera.Places, now time.Time) *DonationCSVDecoder {
	src := newBoundedReader(r, MaxCSVRecordBytes+csvBufferSize)
	br := bufio.NewReaderSize(src, csvBufferSize)
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	return &DonationCSVDecoder{src: src, br: br, r: cr, places: places, now: now}
}

// Next returns the next row, io.EOF after the last one, or a fatal error.
func (d *DonationCSVDecoder) Next() (DonationRow, error) {
	for d.err == nil {
		if !d.header {
			d.err = d.readHeader()
			continue
		}
		row, skip, err := d.next()
		if err != nil {
			d.err = err
			break
		}
		if !skip {
			return row, nil
		}
	}
	return DonationRow{}, d.err
}

// ReadAllDonations reads every row of d: the valid donations and the
// rejections, each in file order. On a fatal error it returns what it had
// read so far with the error.
func ReadAllDonations(d *DonationCSVDecoder) (ds []*camera.Donation, rejects []Rejection, err error) {
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

// next reads one record. skip is set for a row of empty fields.
func (d *DonationCSVDecoder) next() (row DonationRow, skip bool, err error) {
	rec, rerr := d.r.Read()
	if rerr == io.EOF {
		return DonationRow{}, false, io.EOF
	}
	if errors.Is(rerr, errTooLarge) {
		return DonationRow{}, false, d.tooLarge(rec)
	}
	off := d.bom + d.r.InputOffset()
	if off-d.prev > MaxCSVRecordBytes {
		return DonationRow{}, false, d.tooLarge(rec)
	}
	d.prev = off
	d.src.allow(off, MaxCSVRecordBytes+csvBufferSize)
	if rerr != nil {
		var perr *csv.ParseError
		if !errors.As(rerr, &perr) {
			return DonationRow{}, false, fmt.Errorf("read csv: %w", rerr)
		}
		d.last = max(perr.Line, d.endLine(rec))
		if errors.Is(perr.Err, csv.ErrFieldCount) && blank(rec) {
			return DonationRow{}, true, nil
		}
		field := ""
		if !errors.Is(perr.Err, csv.ErrFieldCount) && len(rec) < len(d.cols) {
			field = d.cols[len(rec)]
		}
		return d.reject(rec, perr.StartLine, field, parseReason(perr, len(d.cols))), false, nil
	}
	line, _ := d.r.FieldPos(0)
	d.last = d.endLine(rec)
	if blank(rec) {
		return DonationRow{}, true, nil
	}
	return d.row(rec, line), false, nil
}

// readHeader reads and checks the header line.
func (d *DonationCSVDecoder) readHeader() error {
	d.header = true
	if b, _ := d.br.Peek(len(utf8BOM)); string(b) == utf8BOM {
		_, _ = d.br.Discard(len(utf8BOM))
		d.bom = int64(len(utf8BOM))
	}
	rec, err := d.r.Read()
	switch {
	case err == io.EOF:
		return camera.Errorf(camera.EINVALID, "header", "the file is empty: its first line must be the header %s", DonationCSVHeader)
	case errors.Is(err, errTooLarge):
		return camera.Errorf(camera.EINVALID, "header", "line 1 is larger than %d bytes: is this a donation CSV?", MaxCSVRecordBytes)
	case err != nil:
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			return camera.Errorf(camera.EINVALID, "header", "line %d: %s", perr.StartLine, parseReason(perr, 0))
		}
		return fmt.Errorf("read csv: %w", err)
	}
	line, _ := d.r.FieldPos(0)
	d.last = d.endLine(rec)
	d.prev = d.bom + d.r.InputOffset()
	d.src.allow(d.prev, MaxCSVRecordBytes+csvBufferSize)
	return d.setHeader(rec, line)
}

// setHeader maps the header's names to columns.
func (d *DonationCSVDecoder) setHeader(rec []string, line int) error {
	for i := range d.index {
		d.index[i] = -1
	}
	d.cols = make([]string, len(rec))
	for i, raw := range rec {
		if !utf8.ValidString(raw) {
			return camera.Errorf(camera.EINVALID, "header", "line %d is not valid UTF-8: save the file as CSV UTF-8", line)
		}
		name := strings.ToLower(strings.TrimSpace(raw))
		col := donationCol(-1)
		for c := range numDonationCols {
			if c.String() == name {
				col = c
			}
		}
		switch {
		case name == "":
			return camera.Errorf(camera.EINVALID, "header", "column %d of the header has no name; the columns are %s", i+1, DonationCSVHeader)
		case col < 0 && len(rec) == 1 && strings.Contains(name, ";"):
			return camera.Errorf(camera.EINVALID, "header", "the columns are separated by ';': save the file with ',' between columns")
		case col < 0:
			return camera.Errorf(camera.EINVALID, cutUTF8(name, camera.MaxIDLen), "unknown column in the header; the columns are %s", DonationCSVHeader)
		case d.index[col] >= 0:
			return camera.Errorf(camera.EINVALID, name, "duplicate column in the header")
		}
		d.index[col] = i
		d.cols[i] = name
	}
	for _, col := range []donationCol{dcDonor, dcAmount, dcReceivedOn} {
		if d.index[col] < 0 {
			return camera.Errorf(camera.EINVALID, col.String(), "missing column in the header; the columns are %s", DonationCSVHeader)
		}
	}
	if d.index[dcCameraID] < 0 && d.index[dcCommune] < 0 {
		return camera.Errorf(camera.EINVALID, "camera_id", "missing column in the header: a donation goes to a camera (camera_id) or a commune's pool (commune); the columns are %s", DonationCSVHeader)
	}
	return nil
}

// row turns a well-formed record into a donation or a rejection.
func (d *DonationCSVDecoder) row(rec []string, line int) DonationRow {
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
	}
	amount, err := parseAmount(field(dcAmount))
	if err != nil {
		return d.badRow(rec, line, err.Field, err.Message)
	}
	dn.AmountVND = amount
	if err := dn.Validate(d.now); err != nil {
		e := asDomain(err)
		return d.badRow(rec, line, e.Field, e.Message)
	}
	if d.places != nil {
		if err := dn.Resolve(d.places); err != nil {
			e := asDomain(err)
			return d.badRow(rec, line, e.Field, e.Message)
		}
	}
	return DonationRow{Line: line, Donation: dn}
}

// parseAmount parses amount_vnd: a whole number of đồng. Money is never a
// float (DESIGN.md), so "1.5" is refused rather than rounded, and
// "1.500.000" (how amounts are displayed) rather than guessed.
func parseAmount(raw string) (int64, *camera.Error) {
	s := strings.TrimSpace(raw)
	name := dcAmount.String()
	if s == "" {
		return 0, camera.Errorf(camera.EINVALID, name, "is required")
	}
	n, ok := parseWhole(s)
	if !ok {
		if strings.ContainsAny(s, ".,") && strings.Trim(s, "+-0123456789.,") == "" {
			return 0, camera.Errorf(camera.EINVALID, name, "must be a whole number of đồng without separators or decimals, got %s", quoteShort(s))
		}
		return 0, camera.Errorf(camera.EINVALID, name, "must be a whole number of đồng, got %s", quoteShort(s))
	}
	if err := camera.ValidateAmount(name, n); err != nil {
		return 0, asDomain(err)
	}
	return n, nil
}

// parseWhole parses [+-]digits. A number too large for int64 is returned
// as a value over the cap, so that the message says "at most".
func parseWhole(s string) (int64, bool) {
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n <= camera.MaxDonationVND {
			n = n*10 + int64(c-'0')
		}
	}
	if neg {
		n = -n
	}
	return n, true
}

// badRow rejects a record, naming a field that is not valid UTF-8 first:
// that is what the person must fix, and it explains any other error.
func (d *DonationCSVDecoder) badRow(rec []string, line int, field, reason string) DonationRow {
	for i, f := range rec {
		if !utf8.ValidString(f) {
			return d.reject(rec, line, d.cols[i], "is not valid UTF-8: save the file as CSV UTF-8")
		}
	}
	return d.reject(rec, line, field, reason)
}

// reject returns the rejection of rec, which starts on line.
func (d *DonationCSVDecoder) reject(rec []string, line int, field, reason string) DonationRow {
	id := ""
	if i := d.index[dcCameraID]; i >= 0 && i < len(rec) {
		id = cleanText(rec[i])
	}
	return DonationRow{Line: line, Reject: newRejection(line, -1, id, field, reason)}
}

// tooLarge is the fatal error for a record over MaxCSVRecordBytes.
func (d *DonationCSVDecoder) tooLarge(rec []string) error {
	line := d.last + 1
	if len(rec) > 0 {
		line, _ = d.r.FieldPos(0)
	}
	return camera.Errorf(camera.EINVALID, fmt.Sprintf("line %d", line), "the record is larger than %d bytes: is a quote left open?", MaxCSVRecordBytes)
}

// endLine returns the last physical line of rec, the record just read.
func (d *DonationCSVDecoder) endLine(rec []string) int {
	if len(rec) == 0 {
		return d.last
	}
	line, _ := d.r.FieldPos(len(rec) - 1)
	return line + strings.Count(rec[len(rec)-1], "\n")
}
