package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/matthan/matthan/camera"
)

// The donation record and the values of the donation indexes, in compact
// binary: five million donations are read by every funding view, and JSON
// would make decoding the cost of the view. Which bucket holds what under
// which key is the store's layout (registry/donations_layout.go).

// DonationVersion is the first byte of a record: the encoding can change
// without a migration of old records. Version 2 added the ref at the end;
// records of version 1 are read as donations without one. Version 3 adds
// a byte of flags after the ref (FlagPublic: the donor's consent to be
// named on the public statement). A record without flags is still
// written as version 2, so that a ledger that never records consent
// stays readable by a program from before it; records of versions 1 and
// 2 read as gifts without consent.
const (
	DonationVersion       = 3
	donationVersionNoFlag = 2
)

// Flags of a version 3 record.
const (
	FlagPublic byte = 1 << iota
)

// TailLen is the length of the date(4) seq(8) that ends every index key.
const TailLen = 12

// ErrDamagedDonation reports a record or an index entry that does not
// decode: the file is damaged or was written by a newer program.
var ErrDamagedDonation = errors.New("damaged donation record")

// DateNum returns received_on (a valid YYYY-MM-DD) as YYYYMMDD.
func DateNum(s string) uint32 {
	if len(s) != 10 {
		return 0
	}
	var n uint32
	for _, i := range [...]int{0, 1, 2, 3, 5, 6, 8, 9} {
		n = n*10 + uint32(s[i]-'0')
	}
	return n
}

// DateText is the inverse of DateNum.
func DateText(n uint32) string {
	b := []byte("0000-00-00")
	for _, i := range [...]int{9, 8, 6, 5, 3, 2, 1, 0} {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b)
}

// AppendTail appends date(4) seq(8).
func AppendTail(b []byte, date uint32, seq uint64) []byte {
	b = binary.BigEndian.AppendUint32(b, date)
	return binary.BigEndian.AppendUint64(b, seq)
}

// SplitTail splits an index key into its prefix (without the 0x00) and
// its tail. ok is false for a key too short to be an index key.
func SplitTail(k []byte, separated bool) (prefix []byte, date uint32, seq uint64, ok bool) {
	n := TailLen
	if separated {
		n++
	}
	if len(k) < n || (separated && k[len(k)-n] != 0) {
		return nil, 0, 0, false
	}
	t := k[len(k)-TailLen:]
	return k[:len(k)-n], binary.BigEndian.Uint32(t), binary.BigEndian.Uint64(t[4:]), true
}

// DonationSize bounds the length of the record of d.
func DonationSize(d *camera.Donation) int {
	return 2 + 3*binary.MaxVarintLen64 + 7*binary.MaxVarintLen32 +
		len(d.CameraID) + len(d.Commune) + len(d.Donor) + len(d.Note) + len(d.CreatedBy.Name) + len(d.CreatedBy.Role) + len(d.Ref)
}

// AppendDonation appends the record of d.
func AppendDonation(b []byte, d *camera.Donation) []byte {
	var flags byte
	if d.Public {
		flags |= FlagPublic
	}
	ver := byte(DonationVersion)
	if flags == 0 {
		ver = donationVersionNoFlag
	}
	b = append(b, ver)
	b = binary.AppendUvarint(b, uint64(d.AmountVND))
	b = binary.AppendUvarint(b, uint64(DateNum(d.ReceivedOn)))
	for _, s := range [...]string{d.CameraID, d.Commune, d.Donor, d.Note, d.CreatedBy.Name, string(d.CreatedBy.Role)} {
		b = AppendString(b, s)
	}
	b = binary.AppendVarint(b, d.CreatedAt.UnixNano())
	b = AppendString(b, d.Ref)
	if ver >= 3 {
		b = append(b, flags)
	}
	return b
}

// DecodeDonation reads a record stored under seq.
func DecodeDonation(seq uint64, v []byte) (*camera.Donation, error) {
	r := Reader{b: v}
	ver := r.Byte()
	if ver < 1 || ver > DonationVersion {
		return nil, fmt.Errorf("donation %d: %w (version %d)", seq, ErrDamagedDonation, ver)
	}
	d := &camera.Donation{ID: camera.FormatDonationID(seq)}
	d.AmountVND = int64(r.Uvarint())
	d.ReceivedOn = DateText(uint32(r.Uvarint()))
	d.CameraID = string(r.Bytes())
	d.Commune = string(r.Bytes())
	d.Donor = string(r.Bytes())
	d.Note = string(r.Bytes())
	d.CreatedBy.Name = string(r.Bytes())
	d.CreatedBy.Role = camera.Role(r.Bytes())
	d.CreatedAt = time.Unix(0, r.Varint()).UTC()
	if ver >= 2 {
		d.Ref = string(r.Bytes())
	}
	if ver >= 3 {
		flags := r.Byte()
		if flags&^FlagPublic != 0 {
			// A flag this program does not know: written by a newer one.
			r.bad = true
		}
		d.Public = flags&FlagPublic != 0
	}
	if r.bad {
		return nil, fmt.Errorf("donation %d: %w", seq, ErrDamagedDonation)
	}
	return d, nil
}

// DonationCameraID reads the camera id of a donation record
// (AppendDonation) without decoding the rest: version, amount, date, then
// the id.
func DonationCameraID(v []byte) (string, bool) {
	r := Reader{b: v}
	if ver := r.Byte(); ver < 1 || ver > DonationVersion {
		return "", false
	}
	r.Uvarint()
	r.Uvarint()
	id := r.Bytes()
	return string(id), !r.bad
}

// Index values. Each holds what one funding view needs (see the layout).

// AppendByCamera appends the value of a donations_by_camera entry:
// amount, donor.
func AppendByCamera(b []byte, d *camera.Donation) []byte {
	b = binary.AppendUvarint(b, uint64(d.AmountVND))
	return append(b, d.Donor...)
}

// ReadByCamera reads a value of AppendByCamera; donor points into v.
func ReadByCamera(v []byte) (amount int64, donor []byte, ok bool) {
	r := Reader{b: v}
	amount = int64(r.Uvarint())
	donor = r.Rest()
	return amount, donor, !r.bad
}

// AppendByCommune appends the value of a donations_by_commune entry:
// pool flag, amount, donor.
func AppendByCommune(b []byte, d *camera.Donation) []byte {
	flag := byte(0)
	if d.Pool() {
		flag = 1
	}
	b = append(b, flag)
	b = binary.AppendUvarint(b, uint64(d.AmountVND))
	return append(b, d.Donor...)
}

// ReadByCommune reads a value of AppendByCommune; donor points into v.
func ReadByCommune(v []byte) (pool bool, amount int64, donor []byte, ok bool) {
	r := Reader{b: v}
	pool = r.Byte() == 1
	amount = int64(r.Uvarint())
	donor = r.Rest()
	return pool, amount, donor, !r.bad
}

// AppendByDonor appends the value of a donations_by_donor entry: amount,
// camera id, folded commune.
func AppendByDonor(b []byte, d *camera.Donation, fold string) []byte {
	b = binary.AppendUvarint(b, uint64(d.AmountVND))
	b = AppendString(b, d.CameraID)
	return append(b, fold...)
}

// ReadByDonor reads a value of AppendByDonor; the slices point into v.
func ReadByDonor(v []byte) (amount int64, cameraID, fold []byte, ok bool) {
	r := Reader{b: v}
	amount = int64(r.Uvarint())
	cameraID = r.Bytes()
	fold = r.Rest()
	return amount, cameraID, fold, !r.bad
}

// CommuneTotal is a value of donation_totals: the running sums of a
// commune's gifts and the commune's spelling.
type CommuneTotal struct {
	Total, Count, Pool int64
	Spelling           string
}

// Encode returns the value: total(8) count(8) pool(8) spelling.
func (t CommuneTotal) Encode() []byte {
	b := make([]byte, 24, 24+len(t.Spelling))
	binary.BigEndian.PutUint64(b, uint64(t.Total))
	binary.BigEndian.PutUint64(b[8:], uint64(t.Count))
	binary.BigEndian.PutUint64(b[16:], uint64(t.Pool))
	return append(b, t.Spelling...)
}

// DecodeCommuneTotal reads a value of CommuneTotal.Encode.
func DecodeCommuneTotal(v []byte) (CommuneTotal, error) {
	if len(v) < 24 {
		return CommuneTotal{}, fmt.Errorf("donation totals: %w", ErrDamagedDonation)
	}
	return CommuneTotal{
		Total:    int64(binary.BigEndian.Uint64(v)),
		Count:    int64(binary.BigEndian.Uint64(v[8:])),
		Pool:     int64(binary.BigEndian.Uint64(v[16:])),
		Spelling: string(v[24:]),
	}, nil
}
