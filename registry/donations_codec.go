package registry

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/matthan/matthan/camera"
)

// Donation layout.
//
//   - "donations": seq(8) → the record (encodeDonation), compact binary:
//     five million donations are read by every funding view, and JSON
//     would make decoding the cost of the view.
//   - "donations_by_date": date(4) seq(8) → donor. The order of every
//     list: (received_on, id).
//   - "donations_by_camera": camera id 0x00 date(4) seq(8) → amount,
//     donor; gifts to a camera only.
//   - "donations_by_commune": folded commune 0x00 date(4) seq(8) → pool
//     flag, amount, donor; every gift.
//   - "donations_by_donor": donor 0x00 date(4) seq(8) → amount, camera
//     id, folded commune. Its bucket sequence counts the distinct donors.
//   - "donation_totals": folded commune (see totalsKey) → total(8)
//     count(8) pool(8) spelling: the running sums behind the donation
//     metrics.
//   - "donations_by_gift": date(4) hash(8) seq(8) → empty: finds a stored gift
//     identical to a new one (donations_dupes.go). Since schema 2.
//   - "donations_by_ref": folded ref 0x00 seq(8) → empty: finds the
//     stored donations of a bank transaction (donations_dupes.go); gifts
//     with a ref only. Since schema 5.
//
// seq(8) is the number of the id (DN-0000012 is 12), big-endian; date(4)
// is received_on as the number YYYYMMDD, big-endian, so byte order is
// date order. Camera ids, donors and folded communes are printable text
// (no 0x00, see camera.Validate), so the 0x00 separator cannot occur
// inside a prefix, and every index sorts one prefix's donations by
// (received_on, id).
//
// Each index carries in its value what the funding view grouped by it
// needs, and the donor for the donor filter of lists, so that neither
// reads a record: a view is one sequential pass over one index. Index
// entries and totals are written in the transaction that writes the
// record.

// donationVersion is the first byte of a record: the encoding can change
// without a migration of old records. Version 2 added the ref at the end;
// records of version 1 are read as donations without one. Version 3 adds
// a byte of flags after the ref (flagPublic: the donor's consent to be
// named on the public statement). A record without flags is still
// written as version 2, so that a ledger that never records consent
// stays readable by a program from before it; records of versions 1 and
// 2 read as gifts without consent.
const (
	donationVersion       = 3
	donationVersionNoFlag = 2
)

// Flags of a version 3 record.
const (
	flagPublic byte = 1 << iota
)

// tailLen is the length of the date(4) seq(8) that ends every index key.
const tailLen = 12

// errDonationRecord reports a record or an index entry that does not
// decode: the file is damaged or was written by a newer program.
var errDonationRecord = errors.New("damaged donation record")

// dateNum returns received_on (a valid YYYY-MM-DD) as YYYYMMDD.
func dateNum(s string) uint32 {
	if len(s) != 10 {
		return 0
	}
	var n uint32
	for _, i := range [...]int{0, 1, 2, 3, 5, 6, 8, 9} {
		n = n*10 + uint32(s[i]-'0')
	}
	return n
}

// dateText is the inverse of dateNum.
func dateText(n uint32) string {
	b := []byte("0000-00-00")
	for _, i := range [...]int{9, 8, 6, 5, 3, 2, 1, 0} {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b)
}

// appendTail appends date(4) seq(8).
func appendTail(b []byte, date uint32, seq uint64) []byte {
	b = binary.BigEndian.AppendUint32(b, date)
	return binary.BigEndian.AppendUint64(b, seq)
}

// splitTail splits an index key into its prefix (without the 0x00) and
// its tail. ok is false for a key too short to be an index key.
func splitTail(k []byte, separated bool) (prefix []byte, date uint32, seq uint64, ok bool) {
	n := tailLen
	if separated {
		n++
	}
	if len(k) < n || (separated && k[len(k)-n] != 0) {
		return nil, 0, 0, false
	}
	t := k[len(k)-tailLen:]
	return k[:len(k)-n], binary.BigEndian.Uint32(t), binary.BigEndian.Uint64(t[4:]), true
}

// donationSize bounds the length of the record of d.
func donationSize(d *camera.Donation) int {
	return 2 + 3*binary.MaxVarintLen64 + 7*binary.MaxVarintLen32 +
		len(d.CameraID) + len(d.Commune) + len(d.Donor) + len(d.Note) + len(d.CreatedBy.Name) + len(d.CreatedBy.Role) + len(d.Ref)
}

// appendDonation appends the record of d.
func appendDonation(b []byte, d *camera.Donation) []byte {
	var flags byte
	if d.Public {
		flags |= flagPublic
	}
	ver := byte(donationVersion)
	if flags == 0 {
		ver = donationVersionNoFlag
	}
	b = append(b, ver)
	b = binary.AppendUvarint(b, uint64(d.AmountVND))
	b = binary.AppendUvarint(b, uint64(dateNum(d.ReceivedOn)))
	for _, s := range [...]string{d.CameraID, d.Commune, d.Donor, d.Note, d.CreatedBy.Name, string(d.CreatedBy.Role)} {
		b = appendString(b, s)
	}
	b = binary.AppendVarint(b, d.CreatedAt.UnixNano())
	b = appendString(b, d.Ref)
	if ver >= 3 {
		b = append(b, flags)
	}
	return b
}

// decodeDonation reads a record stored under seq.
func decodeDonation(seq uint64, v []byte) (*camera.Donation, error) {
	r := reader{b: v}
	ver := r.byte()
	if ver < 1 || ver > donationVersion {
		return nil, fmt.Errorf("donation %d: %w (version %d)", seq, errDonationRecord, ver)
	}
	d := &camera.Donation{ID: camera.FormatDonationID(seq)}
	d.AmountVND = int64(r.uvarint())
	d.ReceivedOn = dateText(uint32(r.uvarint()))
	d.CameraID = string(r.bytes())
	d.Commune = string(r.bytes())
	d.Donor = string(r.bytes())
	d.Note = string(r.bytes())
	d.CreatedBy.Name = string(r.bytes())
	d.CreatedBy.Role = camera.Role(r.bytes())
	d.CreatedAt = time.Unix(0, r.varint()).UTC()
	if ver >= 2 {
		d.Ref = string(r.bytes())
	}
	if ver >= 3 {
		flags := r.byte()
		if flags&^flagPublic != 0 {
			// A flag this program does not know: written by a newer one.
			r.bad = true
		}
		d.Public = flags&flagPublic != 0
	}
	if r.bad {
		return nil, fmt.Errorf("donation %d: %w", seq, errDonationRecord)
	}
	return d, nil
}

// appendString appends a length-prefixed string (or bytes).
func appendString[T ~string | ~[]byte](b []byte, s T) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// reader decodes the varints and strings of records and index values
// without allocating; its slices point into the value, valid as long as
// the transaction. A short or malformed input sets bad and yields zeros.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.bad = true
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.bad = true
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

// rest returns what is left.
func (r *reader) rest() []byte {
	s := r.b
	r.b = nil
	return s
}

// Index values. Each holds what one funding view needs (see the layout).

func appendByCamera(b []byte, d *camera.Donation) []byte {
	b = binary.AppendUvarint(b, uint64(d.AmountVND))
	return append(b, d.Donor...)
}

func readByCamera(v []byte) (amount int64, donor []byte, ok bool) {
	r := reader{b: v}
	amount = int64(r.uvarint())
	donor = r.rest()
	return amount, donor, !r.bad
}

func appendByCommune(b []byte, d *camera.Donation) []byte {
	flag := byte(0)
	if d.Pool() {
		flag = 1
	}
	b = append(b, flag)
	b = binary.AppendUvarint(b, uint64(d.AmountVND))
	return append(b, d.Donor...)
}

func readByCommune(v []byte) (pool bool, amount int64, donor []byte, ok bool) {
	r := reader{b: v}
	pool = r.byte() == 1
	amount = int64(r.uvarint())
	donor = r.rest()
	return pool, amount, donor, !r.bad
}

func appendByDonor(b []byte, d *camera.Donation, fold string) []byte {
	b = binary.AppendUvarint(b, uint64(d.AmountVND))
	b = appendString(b, d.CameraID)
	return append(b, fold...)
}

func readByDonor(v []byte) (amount int64, cameraID, fold []byte, ok bool) {
	r := reader{b: v}
	amount = int64(r.uvarint())
	cameraID = r.bytes()
	fold = r.rest()
	return amount, cameraID, fold, !r.bad
}

// totalsKey is the donation_totals key of a folded commune. bbolt keys
// cannot be empty, and gifts to a camera without a commune have the
// empty commune: that one is 0x00, which no folded name holds.
func totalsKey(fold string) []byte {
	if fold == "" {
		return []byte{0}
	}
	return []byte(fold)
}

// communeTotal is a value of donation_totals.
type communeTotal struct {
	Total, Count, Pool int64
	Spelling           string
}

func (t communeTotal) encode() []byte {
	b := make([]byte, 24, 24+len(t.Spelling))
	binary.BigEndian.PutUint64(b, uint64(t.Total))
	binary.BigEndian.PutUint64(b[8:], uint64(t.Count))
	binary.BigEndian.PutUint64(b[16:], uint64(t.Pool))
	return append(b, t.Spelling...)
}

func decodeCommuneTotal(v []byte) (communeTotal, error) {
	if len(v) < 24 {
		return communeTotal{}, fmt.Errorf("donation totals: %w", errDonationRecord)
	}
	return communeTotal{
		Total:    int64(binary.BigEndian.Uint64(v)),
		Count:    int64(binary.BigEndian.Uint64(v[8:])),
		Pool:     int64(binary.BigEndian.Uint64(v[16:])),
		Spelling: string(v[24:]),
	}, nil
}
