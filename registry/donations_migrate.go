package registry

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/matthan/matthan/registry/record"
	bolt "go.etcd.io/bbolt"
)

// giftIndexBatch is how many entries of donations_by_gift the migration
// writes per transaction. bbolt holds a transaction's new pages in memory
// until it commits, about 150 bytes an entry: one transaction for five
// million donations would need most of a gigabyte, batches of half a
// million about 75 MB.
const giftIndexBatch = 500_000

// indexGifts builds donations_by_gift from the stored donations: the
// migration to schema 2 of a database written before the index existed.
// It reads every record in one snapshot, sorts the entries, and writes
// them in batches, in key order, into an index emptied first: a
// migration cut off halfway (the schema version is written only after
// it) starts again from nothing on the next open. Nothing else writes
// meanwhile: Open has not returned and the file is locked.
func (s *Store) indexGifts() error {
	var entries [][giftEntryLen]byte
	err := s.db.View(func(tx *bolt.Tx) error {
		f := folder{}
		recs := tx.Bucket(bucketDonations)
		entries = make([][giftEntryLen]byte, 0, recs.Stats().KeyN)
		c := recs.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(k) != 8 {
				return fmt.Errorf("donation key %x: %w", k, record.ErrDamagedDonation)
			}
			seq := binary.BigEndian.Uint64(k)
			d, err := record.DecodeDonation(seq, v)
			if err != nil {
				return err
			}
			key := giftKeyOf(f, d)
			var e [giftEntryLen]byte
			giftEntry(e[:0], &key, seq)
			entries = append(entries, e)
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(entries, func(a, b [giftEntryLen]byte) int { return bytes.Compare(a[:], b[:]) })
	err = s.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketDonByGift) != nil {
			if err := tx.DeleteBucket(bucketDonByGift); err != nil {
				return err
			}
		}
		_, err := tx.CreateBucket(bucketDonByGift)
		return err
	})
	if err != nil {
		return err
	}
	for start := 0; start < len(entries); start += giftIndexBatch {
		batch := entries[start:min(start+giftIndexBatch, len(entries))]
		err := s.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketDonByGift)
			for i := range batch {
				if err := b.Put(batch[i][:], []byte{}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// indexRefs builds donations_by_ref from the stored donations: the
// migration to schema 5. Records written before it are of version 1 and
// carry no ref, so on a database of an older program the index comes out
// empty after one pass over the records' first bytes; it is built from
// the records all the same, so that a run cut off halfway, or a file
// whose version was set back, ends with an index that matches them.
func (s *Store) indexRefs() error {
	var entries [][]byte
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketDonations).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(k) != 8 {
				return fmt.Errorf("donation key %x: %w", k, record.ErrDamagedDonation)
			}
			if len(v) > 0 && v[0] == 1 { // version 1: no ref
				continue
			}
			seq := binary.BigEndian.Uint64(k)
			d, err := record.DecodeDonation(seq, v)
			if err != nil {
				return err
			}
			if d.Ref != "" {
				entries = append(entries, refEntry(nil, foldRef(d.Ref), seq))
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(entries, bytes.Compare)
	err = s.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketDonByRef) != nil {
			if err := tx.DeleteBucket(bucketDonByRef); err != nil {
				return err
			}
		}
		_, err := tx.CreateBucket(bucketDonByRef)
		return err
	})
	if err != nil {
		return err
	}
	for start := 0; start < len(entries); start += giftIndexBatch {
		batch := entries[start:min(start+giftIndexBatch, len(entries))]
		err := s.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketDonByRef)
			for _, e := range batch {
				if err := b.Put(e, []byte{}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
