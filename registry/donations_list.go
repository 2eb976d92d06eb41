package registry

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/vntext"
	"github.com/matthan/matthan/registry/record"
)

// DonationFilter selects donations. Zero fields select everything.
type DonationFilter struct {
	// CameraID keeps the gifts to one camera.
	CameraID string
	// Commune keeps the gifts given in one commune (to its cameras or its
	// pool), named as vntext.CommuneFilter reads it: accent-insensitively,
	// with or without Xã, Thị trấn or Phường.
	Commune string
	// Donor keeps donations whose donor contains this text,
	// accent-insensitively ("nguyen van" finds "Nguyễn Văn An").
	Donor string
	// From and To bound received_on, both included (YYYY-MM-DD).
	From, To string
}

// Validate checks the dates of f: a QueryError of QueryStart or QueryEnd.
func (f DonationFilter) Validate() error {
	if f.From != "" {
		if err := camera.ValidateDate("", f.From); err != nil {
			return queryErrorf(QueryStart, "%s", camera.ErrorMessage(err))
		}
	}
	if f.To != "" {
		if err := camera.ValidateDate("", f.To); err != nil {
			return queryErrorf(QueryEnd, "%s", camera.ErrorMessage(err))
		}
	}
	if f.From != "" && f.To != "" && f.To < f.From {
		return queryErrorf(QueryEnd, "must not be before from")
	}
	return nil
}

// ListDonations returns up to limit donations matching f, in the order
// (received_on, id), after the position cursor ("" = from the start).
// next is the cursor of the following page, "" on the last page. A
// cursor is opaque; a malformed one is EINVALID naming cursor.
//
// A camera filter walks that camera's index range and a commune filter
// that commune's (resolved to the spellings stored first), so neither reads the donations of other cameras or
// communes; a date range is a range of the same keys. The donor filter is
// checked on index values, without reading records.
func (s *Store) ListDonations(ctx context.Context, f DonationFilter, cursor string, limit int) (items []*camera.Donation, next string, err error) {
	if limit <= 0 {
		limit = 100
	}
	after, err := decodeDonationCursor(cursor)
	if err != nil {
		return nil, "", err
	}
	var last []byte
	err = s.walkDonations(ctx, f, after, func(d *camera.Donation, tail []byte) bool {
		if len(items) == limit {
			// One more matches: there is a next page, which starts
			// after the last item returned.
			next = encodeDonationCursor(last)
			return false
		}
		items, last = append(items, d), tail
		return true
	})
	if err != nil {
		return nil, "", err
	}
	return items, next, nil
}

// EachDonation calls fn with every donation matching f, in the order
// (received_on, id), from one snapshot: an export. It stops at the first
// error fn returns.
func (s *Store) EachDonation(ctx context.Context, f DonationFilter, fn func(*camera.Donation) error) error {
	var ferr error
	err := s.walkDonations(ctx, f, nil, func(d *camera.Donation, _ []byte) bool {
		ferr = fn(d)
		return ferr == nil
	})
	if err != nil {
		return err
	}
	return ferr
}

// walkDonations calls fn with the donations matching f after the tail
// (date(4) seq(8)) after, in order, until fn returns false.
func (s *Store) walkDonations(ctx context.Context, f DonationFilter, after []byte, fn func(d *camera.Donation, tail []byte) bool) error {
	if err := f.Validate(); err != nil {
		return err
	}
	var (
		bucket    = bucketDonByDate
		prefix    []byte
		donorOf   = func(v []byte) []byte { return v }
		communeIs func(string) bool // checked on the record; nil = any
	)
	commune := vntext.NewCommuneFilter(f.Commune)
	if !commune.Empty() {
		// Folding costs microseconds; the records of a walk repeat a
		// few spellings.
		memo := map[string]bool{}
		communeIs = func(name string) bool {
			ok, seen := memo[name]
			if !seen {
				ok = commune.Match(name)
				memo[name] = ok
			}
			return ok
		}
	}
	var lo, hi uint32 = 0, ^uint32(0)
	if f.From != "" {
		lo = record.DateNum(f.From)
	}
	if f.To != "" {
		hi = record.DateNum(f.To)
	}
	donor := newDonorMatcher(f.Donor)
	return s.view(func(tx *bolt.Tx) error {
		switch {
		case f.CameraID != "":
			bucket, prefix = bucketDonByCamera, append([]byte(f.CameraID), 0)
			donorOf = func(v []byte) []byte { _, d, _ := record.ReadByCamera(v); return d }
		case communeIs != nil:
			// The filter names a commune the way people write it; the
			// index is keyed by the folded spellings stored. One
			// matching commune is one range of its index; several (a
			// town and a commune of one name, "Thị trấn X" and "Xã X")
			// are merged by walking the dates and checking each record.
			folds, err := donationCommunes(tx, commune)
			switch {
			case err != nil:
				return err
			case len(folds) == 0:
				return nil
			case len(folds) == 1:
				bucket, prefix = bucketDonByCommune, append([]byte(folds[0]), 0)
				donorOf = func(v []byte) []byte { _, _, d, _ := record.ReadByCommune(v); return d }
				communeIs = nil
			}
		}
		recs := tx.Bucket(bucketDonations)
		c := tx.Bucket(bucket).Cursor()
		start := record.AppendTail(bytes.Clone(prefix), lo, 0)
		if after != nil {
			if s := append(bytes.Clone(prefix), after...); bytes.Compare(s, start) > 0 {
				start = s
			}
		}
		k, v := c.Seek(start)
		if after != nil && k != nil && bytes.Equal(k, start) && bytes.Equal(k[len(prefix):], after) {
			k, v = c.Next()
		}
		for i := 0; k != nil; k, v = c.Next() {
			if i++; i%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			// Ids, donors and folded communes hold no 0x00: the prefix
			// with its separator selects exactly one camera or commune.
			if !bytes.HasPrefix(k, prefix) || len(k) != len(prefix)+record.TailLen {
				break
			}
			tail := k[len(prefix):]
			date, seq := binary.BigEndian.Uint32(tail), binary.BigEndian.Uint64(tail[4:])
			if date > hi {
				break
			}
			if !donor.match(donorOf(v)) {
				continue
			}
			rv := recs.Get(itob(seq))
			if rv == nil {
				return fmt.Errorf("donation %d: %w: indexed but not stored", seq, record.ErrDamagedDonation)
			}
			d, err := record.DecodeDonation(seq, rv)
			if err != nil {
				return err
			}
			if communeIs != nil && !communeIs(d.Commune) {
				continue
			}
			if !fn(d, bytes.Clone(tail)) {
				return nil
			}
		}
		return nil
	})
}

// donationCommunes returns the folded communes that have donations and
// whose stored spelling the filter matches, from the running totals (one
// record per commune).
func donationCommunes(tx *bolt.Tx, filter vntext.CommuneFilter) ([]string, error) {
	var folds []string
	err := tx.Bucket(bucketDonTotals).ForEach(func(k, v []byte) error {
		if len(k) == 1 && k[0] == 0 {
			return nil // gifts to cameras without a commune
		}
		t, err := record.DecodeCommuneTotal(v)
		if err != nil {
			return fmt.Errorf("commune %q: %w", k, err)
		}
		name := t.Spelling
		if name == "" {
			name = string(k)
		}
		if filter.Match(name) {
			folds = append(folds, string(k))
		}
		return nil
	})
	return folds, err
}

// donorMatcher checks the donor filter, folding each distinct donor
// once: a filter over a whole district's donations meets the same names
// again and again.
type donorMatcher struct {
	needle string
	memo   map[string]bool
}

func newDonorMatcher(filter string) *donorMatcher {
	if strings.TrimSpace(filter) == "" {
		return nil
	}
	return &donorMatcher{needle: vntext.Fold(filter), memo: map[string]bool{}}
}

func (m *donorMatcher) match(donor []byte) bool {
	if m == nil {
		return true
	}
	if ok, seen := m.memo[string(donor)]; seen {
		return ok
	}
	ok := strings.Contains(vntext.Fold(string(donor)), m.needle)
	if len(m.memo) < 1<<16 {
		m.memo[string(donor)] = ok
	}
	return ok
}

// Cursors are the tail (date(4) seq(8)) of the last donation of a page,
// base64url: opaque to clients, and valid in whichever index the filter
// walks, since every index ends its keys with the same tail.

func encodeDonationCursor(tail []byte) string { return base64.RawURLEncoding.EncodeToString(tail) }

func decodeDonationCursor(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != record.TailLen {
		return nil, queryErrorf(QueryCursor, "is not a cursor this list returned")
	}
	return b, nil
}
