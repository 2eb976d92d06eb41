package registry

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/vntext"
)

// Duplicates. A fundraiser who imports the same bank sheet twice must not
// double the money, so a donation can be refused when it is the same
// gift as one stored or as an earlier one of the same call: same donor
// (folded: no accents, no case, single spaces, trimmed), amount, date,
// camera and commune (folded). Two real gifts can look so — a donor who
// gives the same sum twice on one day — which is why refusing them is an
// option (DonationOptions) and not a rule of the ledger.
//
// "donations_by_gift" finds them without a scan: date(4) hash(8) seq(8)
// → empty, where hash is an FNV-1a of the gift's key. The date comes
// first so that a bank sheet, whose gifts are of a few recent weeks,
// writes and looks up a few neighbouring pages of the index rather than
// pages all over it. A hash only narrows the search: every candidate's
// record is read and compared, so two gifts whose hashes collide are
// never taken for one. Its entries are written and deleted in the
// transactions that write and delete the records.

// giftKey is what makes two donations the same gift.
type giftKey struct {
	donor   string // folded
	amount  int64
	date    uint32 // dateNum
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
	return newGiftKey(f, d.Donor, d.AmountVND, dateNum(d.ReceivedOn), d.CameraID, d.Commune)
}

// giftEntryLen is the length of a key of donations_by_gift.
const giftEntryLen = 4 + 8 + 8

// giftEntry appends the key of k's entry in donations_by_gift for seq.
func giftEntry(b []byte, k *giftKey, seq uint64) []byte {
	b = binary.BigEndian.AppendUint32(b, k.date)
	b = binary.BigEndian.AppendUint64(b, k.hash)
	return binary.BigEndian.AppendUint64(b, seq)
}

// storedGift returns the id of a stored donation that is the gift k, ""
// when there is none.
func storedGift(tx *bolt.Tx, f folder, k *giftKey) (string, error) {
	b := tx.Bucket(bucketDonByGift)
	if b == nil {
		return "", fmt.Errorf("no duplicate index: open the database read-write once to migrate it to schema %d", SchemaVersion)
	}
	recs := tx.Bucket(bucketDonations)
	prefix := giftEntry(nil, k, 0)[:giftEntryLen-8]
	c := b.Cursor()
	for e, _ := c.Seek(prefix); e != nil && bytes.HasPrefix(e, prefix); e, _ = c.Next() {
		if len(e) != giftEntryLen {
			return "", fmt.Errorf("duplicate index key %x: %w", e, errDonationRecord)
		}
		seq := binary.BigEndian.Uint64(e[len(prefix):])
		v := recs.Get(e[len(prefix):])
		if v == nil {
			return "", fmt.Errorf("donation %d: %w: in the duplicate index but not stored", seq, errDonationRecord)
		}
		d, err := decodeDonation(seq, v)
		if err != nil {
			return "", err
		}
		if giftKeyOf(f, d) == *k {
			return d.ID, nil
		}
	}
	return "", nil
}

// Duplicate says that a donation of a call repeats a gift: a stored
// donation, or an earlier donation of the same call.
type Duplicate struct {
	// Index is the donation's index in the call.
	Index int
	// Existing is the id of the stored donation it repeats; "" when it
	// repeats an earlier donation of the call.
	Existing string
	// Earlier is the index of that earlier donation; -1 when Existing is
	// set.
	Earlier int
}

// DuplicateError is the error, code ECONFLICT, of a donation refused as a
// duplicate (DonationOptions.RejectDuplicates). Its message names the
// donation it repeats; Duplicate says which, for callers that report it
// their own way (a CSV line rather than an index).
type DuplicateError struct {
	Duplicate
	err *camera.Error
}

func newDuplicateError(bulk bool, dup Duplicate) *DuplicateError {
	what := fmt.Sprintf("donation %s", dup.Existing)
	if dup.Existing == "" {
		what = fmt.Sprintf("donations[%d] of the same call", dup.Earlier)
	}
	e := camera.Errorf(camera.ECONFLICT, "", "repeats %s: same donor, amount_vnd, received_on, camera_id and commune; store it with duplicates allowed if it is another gift", what)
	if bulk {
		e.Field = fmt.Sprintf("donations[%d]", dup.Index)
	}
	return &DuplicateError{Duplicate: dup, err: e}
}

// Error implements error.
func (e *DuplicateError) Error() string { return e.err.Error() }

// Unwrap gives the *camera.Error, for camera.ErrorCode and the API.
func (e *DuplicateError) Unwrap() error { return e.err }

// FindDuplicates returns the donations of ds that repeat a stored gift or
// an earlier one of ds, in index order. ds are donations as the decoder
// of an import gives them: cleaned, and resolved (a camera's gift carries
// its camera's commune). A donation repeating both a stored gift and an
// earlier one is reported with the stored one. It reads one snapshot,
// one index lookup per donation, in key order so that the lookups walk
// the index rather than jump around it.
func (s *Store) FindDuplicates(ctx context.Context, ds []*camera.Donation) ([]Duplicate, error) {
	f := folder{}
	keys := make([]giftKey, len(ds))
	for i, d := range ds {
		keys[i] = giftKeyOf(f, d)
	}
	var out []Duplicate
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		out, err = findDuplicates(ctx, tx, f, keys)
		return err
	})
	return out, err
}

// findDuplicates is FindDuplicates on keys, inside tx.
func findDuplicates(ctx context.Context, tx *bolt.Tx, f folder, keys []giftKey) ([]Duplicate, error) {
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(keys[a].date, keys[b].date); c != 0 {
			return c
		}
		if c := cmp.Compare(keys[a].hash, keys[b].hash); c != 0 {
			return c
		}
		return a - b
	})
	existing := make([]string, len(keys))
	for n, i := range order {
		if n%4096 == 4095 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		var err error
		if existing[i], err = storedGift(tx, f, &keys[i]); err != nil {
			return nil, err
		}
	}
	var out []Duplicate
	// The first gift of each hash, by index: a map of whole keys would
	// take five times the memory on an import of a million rows. A
	// different gift with a hash already taken goes to clash.
	first := make(map[uint64]int, len(keys))
	var clash map[giftKey]int
	for i := range keys {
		if existing[i] != "" {
			out = append(out, Duplicate{Index: i, Existing: existing[i], Earlier: -1})
			continue
		}
		j, seen := first[keys[i].hash]
		switch {
		case !seen:
			first[keys[i].hash] = i
			continue
		case keys[j] != keys[i]:
			if clash == nil {
				clash = map[giftKey]int{}
			}
			if j, seen = clash[keys[i]]; !seen {
				clash[keys[i]] = i
				continue
			}
		}
		out = append(out, Duplicate{Index: i, Earlier: j})
	}
	return out, nil
}
