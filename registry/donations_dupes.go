package registry

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/vntext"
	"github.com/matthan/matthan/registry/record"
)

// Repeats. A fundraiser who imports the same bank sheet twice must not
// double the money; but a sheet may hold two real gifts that look alike
// (a women's union paying twice the same day, two anonymous cash gifts of
// 500.000 ₫), and both must be kept. So the donations of a call are
// matched against the stored ones as multisets:
//
//   - A donation whose ref (the bank's transaction reference, folded as
//     names are) is stored repeats the stored donation with that ref,
//     whatever else it says; one whose ref an earlier donation of the
//     call has repeats that one. Stored donations whose ref is in the
//     call are that ref's: no other donation is matched with them.
//   - The others are matched by their gift key: donor (folded: no
//     accents, no case, single spaces, trimmed), amount, date, camera and
//     commune (folded). When a call holds k donations of a key and the
//     ledger m, the first min(k, m) of them, in call order, repeat one
//     stored donation each, oldest first; the rest are new. Donations of
//     one call never repeat each other by their key.
//   - Two refs that differ are two transactions: a donation with a ref is
//     matched by key only with stored donations without one (a gift typed
//     in by hand, or imported from a sheet without the ref column), and a
//     stored donation with a ref only with donations without one. Within
//     a key, donations without a ref take the stored donations with a ref
//     first (nothing else can), then donations with a ref take those
//     without, then the donations without a ref left take the stored ones
//     without a ref left: as many pairs as there can be.
//   - One donation given alone (CreateDonationWith) with a ref that is
//     not stored is new: whoever types a gift with its bank reference
//     says which transaction it is.
//
// The same sheet imported twice adds nothing the second time, a sheet of
// May and then one of May and June add June, and a sheet with two
// identical gifts stores both; an older ledger without refs and a bank
// statement with them match, so an upgrade does not double an overlap.
// The rules are an option (DonationOptions) and not a rule of the ledger:
// the fundraiser who knows two rows are two gifts stores them.
//
// "donations_by_gift" finds the stored gifts of a key without a scan:
// date(4) hash(8) seq(8) → empty, where hash is an FNV-1a of the gift's
// key. The date comes first so that a bank sheet, whose gifts are of a
// few recent weeks, writes and looks up a few neighbouring pages of the
// index rather than pages all over it. A hash only narrows the search:
// every candidate's record is read and compared, so two gifts whose
// hashes collide are never taken for one. "donations_by_ref" finds the
// donations of a ref: folded ref 0x00 seq(8) → empty, one seek. Their
// entries are written and deleted in the transactions that write and
// delete the records.

// giftKey is what makes two donations the same gift.
type giftKey struct {
	donor   string // folded
	amount  int64
	date    uint32 // record.DateNum
	camera  string
	commune string // folded
	hash    uint64
}

// folder folds text with vntext.Fold, once per distinct text: the donors
// and communes of a bank sheet repeat.
type folder map[string]string

func (f folder) fold(s string) string {
	if v, ok := f[s]; ok {
		return v
	}
	v := vntext.Fold(s)
	if len(f) < 1<<18 { // bound the memory of a five-million-row pass
		f[s] = v
	}
	return v
}

// newGiftKey returns the key of a gift given as stored: commune resolved
// to the spelling it is stored with (any spelling of it folds the same).
func newGiftKey(f folder, donor string, amount int64, date uint32, cameraID, commune string) giftKey {
	k := giftKey{donor: f.fold(donor), amount: amount, date: date, camera: cameraID, commune: f.fold(commune)}
	// FNV-1a, inline: hash/fnv would allocate a hasher per key. The
	// fields are separated by 0x00, which none of them holds, and the
	// numbers have fixed widths, so different keys hash different bytes.
	h := uint64(14695981039346656037)
	add := func(b byte) { h = (h ^ uint64(b)) * 1099511628211 }
	for _, s := range [...]string{k.donor, k.camera, k.commune} {
		for i := 0; i < len(s); i++ {
			add(s[i])
		}
		add(0)
	}
	for i := 56; i >= 0; i -= 8 {
		add(byte(uint64(k.amount) >> i))
	}
	for i := 24; i >= 0; i -= 8 {
		add(byte(k.date >> i))
	}
	k.hash = h
	return k
}

// giftKeyOf returns the key of d, whose Commune is the one it is or will
// be stored with.
func giftKeyOf(f folder, d *camera.Donation) giftKey {
	return newGiftKey(f, d.Donor, d.AmountVND, record.DateNum(d.ReceivedOn), d.CameraID, d.Commune)
}

// giftEntryLen is the length of a key of donations_by_gift.
const giftEntryLen = 4 + 8 + 8

// giftEntry appends the key of k's entry in donations_by_gift for seq.
func giftEntry(b []byte, k *giftKey, seq uint64) []byte {
	b = binary.BigEndian.AppendUint32(b, k.date)
	b = binary.BigEndian.AppendUint64(b, k.hash)
	return binary.BigEndian.AppendUint64(b, seq)
}

// errNoIndex reports a database whose indexes of donations are missing:
// opened read-only before a migration built them.
var errNoIndex = fmt.Errorf("no duplicate index: open the database read-write once to migrate it to schema %d", SchemaVersion)

// storedGifts calls fn with each stored donation whose key is k, in seq
// order. Entries of seq at most after are passed over without reading
// their records (after 0 reads all). An error of fn stops the walk and
// is returned.
func storedGifts(tx *bolt.Tx, f folder, k *giftKey, after uint64, fn func(seq uint64, d *camera.Donation) error) error {
	b := tx.Bucket(bucketDonByGift)
	if b == nil {
		return errNoIndex
	}
	recs := tx.Bucket(bucketDonations)
	prefix := giftEntry(nil, k, 0)[:giftEntryLen-8]
	c := b.Cursor()
	for e, _ := c.Seek(prefix); e != nil && bytes.HasPrefix(e, prefix); e, _ = c.Next() {
		if len(e) != giftEntryLen {
			return fmt.Errorf("duplicate index key %x: %w", e, record.ErrDamagedDonation)
		}
		seq := binary.BigEndian.Uint64(e[len(prefix):])
		if seq <= after {
			continue
		}
		v := recs.Get(e[len(prefix):])
		if v == nil {
			return fmt.Errorf("donation %d: %w: in the duplicate index but not stored", seq, record.ErrDamagedDonation)
		}
		d, err := record.DecodeDonation(seq, v)
		if err != nil {
			return err
		}
		if giftKeyOf(f, d) != *k {
			continue // another gift whose hash collides
		}
		if err := fn(seq, d); err != nil {
			return err
		}
	}
	return nil
}

// foldRef is how refs are compared: "ft24123 456" is "FT24123  456".
func foldRef(ref string) string {
	if ref == "" {
		return ""
	}
	return vntext.Fold(ref)
}

// refEntry appends the key of the entry of donations_by_ref for seq.
// Refs hold no control character (camera.Donation.Validate), so the
// 0x00 ends the ref.
func refEntry(b []byte, fold string, seq uint64) []byte {
	b = append(b, fold...)
	b = append(b, 0)
	return binary.BigEndian.AppendUint64(b, seq)
}

// storedRefs calls fn with the seq of each stored donation whose folded
// ref is fold, in seq order. There is one unless donations were stored
// with duplicates allowed.
func storedRefs(tx *bolt.Tx, fold string, fn func(seq uint64) error) error {
	b := tx.Bucket(bucketDonByRef)
	if b == nil {
		return errNoIndex
	}
	prefix := refEntry(nil, fold, 0)[:len(fold)+1]
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) != len(prefix)+8 {
			return fmt.Errorf("ref index key %x: %w", k, record.ErrDamagedDonation)
		}
		if err := fn(binary.BigEndian.Uint64(k[len(prefix):])); err != nil {
			return err
		}
	}
	return nil
}

// Duplicate says that a donation of a call repeats a gift: a stored
// donation, or an earlier donation of the same call with the same ref.
type Duplicate struct {
	// Index is the donation's index in the call.
	Index int
	// Existing is the id of the stored donation it repeats; "" when it
	// repeats an earlier donation of the call.
	Existing string
	// Earlier is the index of that earlier donation; -1 when Existing is
	// set.
	Earlier int
	// ByRef is true when the two share their ref, false when the
	// donation repeats a stored one by its gift key.
	ByRef bool
}

// DuplicateError is the error, code ECONFLICT, of a donation refused as a
// duplicate (DonationOptions.RejectDuplicates). Its message names the
// donation it repeats; Duplicate says which, for callers that report it
// their own way (a CSV line rather than an index).
type DuplicateError struct {
	Duplicate
	err *camera.Error
}

// newDuplicateError reports dup; ref is the donation's ref as given.
func newDuplicateError(bulk bool, dup Duplicate, ref string) *DuplicateError {
	what := fmt.Sprintf("donation %s", dup.Existing)
	if dup.Existing == "" {
		what = fmt.Sprintf("donations[%d] of the same call", dup.Earlier)
	}
	var e *camera.Error
	switch {
	case dup.ByRef:
		e = camera.Errorf(camera.ECONFLICT, "", "repeats %s: same ref %q, one bank transaction; store it with duplicates allowed if the ref is another bank's", what, ref)
	case bulk:
		e = camera.Errorf(camera.ECONFLICT, "", "repeats %s: same donor, amount_vnd, received_on, camera_id and commune, and the call holds no more such gifts than are stored; store it with duplicates allowed if it is another gift", what)
	default:
		e = camera.Errorf(camera.ECONFLICT, "", "repeats %s: same donor, amount_vnd, received_on, camera_id and commune; store it with duplicates allowed, or with its bank ref, if it is another gift", what)
	}
	if bulk {
		e.Field = fmt.Sprintf("donations[%d]", dup.Index)
	}
	return &DuplicateError{Duplicate: dup, err: e}
}

// Error implements error.
func (e *DuplicateError) Error() string { return e.err.Error() }

// Unwrap gives the *camera.Error, for camera.ErrorCode and the API.
func (e *DuplicateError) Unwrap() error { return e.err }

// giftRow is what the rules read of one donation of a call.
type giftRow struct {
	key giftKey
	ref string // folded; "" without a ref
}

// giftRowOf returns the row of d, stored (or to be stored) in commune.
func giftRowOf(f folder, d *camera.Donation, commune string) giftRow {
	return giftRow{
		key: newGiftKey(f, d.Donor, d.AmountVND, record.DateNum(d.ReceivedOn), d.CameraID, commune),
		ref: foldRef(d.Ref),
	}
}

// FindDuplicates returns the donations of ds that repeat a stored gift or
// an earlier one of ds (the rules at the top of this file, for a call of
// many donations), in index order. ds are donations as the decoder of an
// import gives them: cleaned, and resolved (a camera's gift carries its
// camera's commune). It reads one snapshot, one index lookup per ref and
// per distinct gift key, in key order so that the lookups walk the
// indexes rather than jump around them.
func (s *Store) FindDuplicates(ctx context.Context, ds []*camera.Donation) ([]Duplicate, error) {
	f := folder{}
	rows := make([]giftRow, len(ds))
	for i, d := range ds {
		rows[i] = giftRowOf(f, d, d.Commune)
	}
	var out []Duplicate
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		out, err = findDuplicates(ctx, tx, f, rows, true)
		return err
	})
	return out, err
}

// findDuplicates is FindDuplicates on rows, inside tx; bulk false is the
// rule of one donation given alone.
func findDuplicates(ctx context.Context, tx *bolt.Tx, f folder, rows []giftRow, bulk bool) ([]Duplicate, error) {
	m := matcher{tx: tx, f: f, rows: rows, bulk: bulk, repeat: make([]bool, len(rows))}
	if err := m.refs(ctx); err != nil {
		return nil, err
	}
	if err := m.keys(ctx); err != nil {
		return nil, err
	}
	slices.SortFunc(m.out, func(a, b Duplicate) int { return a.Index - b.Index })
	return m.out, nil
}

// matcher applies the rules to the rows of one call.
type matcher struct {
	tx     *bolt.Tx
	f      folder
	rows   []giftRow
	bulk   bool
	repeat []bool          // rows found to repeat a gift
	claim  map[uint64]bool // stored donations whose ref is in the call
	out    []Duplicate
	steps  int
}

// step counts the lookups of a matcher and checks ctx every 4096.
func (m *matcher) step(ctx context.Context) error {
	m.steps++
	if m.steps%4096 == 0 {
		return ctx.Err()
	}
	return nil
}

// refs marks the rows whose ref is stored, or repeats an earlier row's,
// in ref order: one seek per distinct ref.
func (m *matcher) refs(ctx context.Context) error {
	var order []int
	for i := range m.rows {
		if m.rows[i].ref != "" {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := strings.Compare(m.rows[a].ref, m.rows[b].ref); c != 0 {
			return c
		}
		return a - b
	})
	for n := 0; n < len(order); {
		if err := m.step(ctx); err != nil {
			return err
		}
		ref := m.rows[order[n]].ref
		end := n + 1
		for end < len(order) && m.rows[order[end]].ref == ref {
			end++
		}
		first := uint64(0)
		err := storedRefs(m.tx, ref, func(seq uint64) error {
			if first == 0 {
				first = seq
			}
			if m.claim == nil {
				m.claim = map[uint64]bool{}
			}
			m.claim[seq] = true
			return nil
		})
		if err != nil {
			return err
		}
		for k, i := range order[n:end] {
			switch {
			case first != 0:
				m.out = append(m.out, Duplicate{Index: i, Existing: camera.FormatDonationID(first), Earlier: -1, ByRef: true})
			case k > 0:
				m.out = append(m.out, Duplicate{Index: i, Earlier: order[n], ByRef: true})
			default:
				continue
			}
			m.repeat[i] = true
		}
		n = end
	}
	return nil
}

// keys matches the other rows with stored gifts by key, in key order:
// one seek per distinct key.
func (m *matcher) keys(ctx context.Context) error {
	order := make([]int, 0, len(m.rows))
	for i := range m.rows {
		if !m.repeat[i] {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int {
		ka, kb := &m.rows[a].key, &m.rows[b].key
		if c := cmp.Compare(ka.date, kb.date); c != 0 {
			return c
		}
		if c := cmp.Compare(ka.hash, kb.hash); c != 0 {
			return c
		}
		return a - b
	})
	for n := 0; n < len(order); {
		if err := m.step(ctx); err != nil {
			return err
		}
		k := &m.rows[order[n]].key
		end := n + 1
		for end < len(order) && m.rows[order[end]].key.date == k.date && m.rows[order[end]].key.hash == k.hash {
			end++
		}
		// The rows of one hash, in call order: one key but for a
		// collision, whose other keys go to rest.
		for run := order[n:end]; len(run) > 0; {
			key := m.rows[run[0]].key
			same, rest := run[:0], []int(nil)
			for _, i := range run {
				if m.rows[i].key == key {
					same = append(same, i) // over run's own items, read before
				} else {
					rest = append(rest, i)
				}
			}
			if err := m.group(&key, same); err != nil {
				return err
			}
			run = rest
		}
		n = end
	}
	return nil
}

// group pairs the rows of one gift key, in call order, with the stored
// donations of that key, oldest first.
func (m *matcher) group(key *giftKey, rows []int) error {
	var withRef, noRef []uint64
	err := storedGifts(m.tx, m.f, key, 0, func(seq uint64, d *camera.Donation) error {
		switch {
		case m.claim[seq]:
		case d.Ref != "":
			withRef = append(withRef, seq)
		default:
			noRef = append(noRef, seq)
		}
		return nil
	})
	if err != nil || len(withRef)+len(noRef) == 0 {
		return err
	}
	pair := func(i int, stored *[]uint64) {
		m.out = append(m.out, Duplicate{Index: i, Existing: camera.FormatDonationID((*stored)[0]), Earlier: -1})
		m.repeat[i] = true
		*stored = (*stored)[1:]
	}
	for _, i := range rows {
		if m.rows[i].ref == "" && len(withRef) > 0 {
			pair(i, &withRef)
		}
	}
	if m.bulk {
		for _, i := range rows {
			if m.rows[i].ref != "" && len(noRef) > 0 {
				pair(i, &noRef)
			}
		}
	}
	for _, i := range rows {
		if m.rows[i].ref == "" && !m.repeat[i] && len(noRef) > 0 {
			pair(i, &noRef)
		}
	}
	return nil
}
