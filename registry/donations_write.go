package registry

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// Writing a batch of donations is two steps. prepareBatch, outside any
// transaction, encodes every record and index entry and sorts each index's
// entries: bbolt inserts sorted keys many times faster than random ones,
// since it fills each page it touches in one go. The keys carry
// provisional sequence numbers 1..n, which keep their order when write,
// inside the transaction, adds the bucket's sequence to each of them.

// kv is one entry to write.
type kv struct{ k, v []byte }

// preparedBatch is a batch of donations ready to write.
type preparedBatch struct {
	batch    []*camera.Donation
	saved    []camera.Donation // the donations as the caller gave them
	communes []string
	offset   int // index of batch[0] in the caller's slice
	actor    camera.Actor
	at       time.Time

	records, dates, byCam, byCommune, byDonor, byGift []kv
	totals                                            map[string]*communeTotal
	keys                                              []giftKey // of batch[i]
	fold                                              folder
	// reject makes write refuse a donation whose gift is stored already
	// (DonationOptions.RejectDuplicates).
	reject bool
}

// prepareBatch encodes a batch; communes are the donations' resolved
// communes, at the time they are stored at.
func prepareBatch(batch []*camera.Donation, communes []string, offset int, actor camera.Actor, at time.Time) *preparedBatch {
	n := len(batch)
	p := &preparedBatch{
		batch: batch, saved: make([]camera.Donation, n), communes: communes, offset: offset, actor: actor, at: at,
		records: make([]kv, 0, n), dates: make([]kv, 0, n), byCam: make([]kv, 0, n), byCommune: make([]kv, 0, n), byDonor: make([]kv, 0, n), byGift: make([]kv, 0, n),
		totals: map[string]*communeTotal{}, keys: make([]giftKey, n), fold: folder{},
	}
	var mem arena
	for i, orig := range batch {
		p.saved[i] = *orig
		d := *orig
		d.Commune, d.CreatedBy, d.CreatedAt = communes[i], actor, at
		seq := uint64(i) + 1 // provisional
		p.records = append(p.records, kv{binary.BigEndian.AppendUint64(mem.make(8), seq), appendDonation(mem.make(donationSize(&d)), &d)})
		fold := p.fold.fold(d.Commune)
		date := dateNum(d.ReceivedOn)
		p.keys[i] = newGiftKey(p.fold, d.Donor, d.AmountVND, date, d.CameraID, d.Commune)
		p.byGift = append(p.byGift, kv{giftEntry(mem.make(giftEntryLen), &p.keys[i], seq), []byte{}})
		p.dates = append(p.dates, kv{appendTail(mem.make(tailLen), date, seq), append(mem.make(len(d.Donor)), d.Donor...)})
		if !d.Pool() {
			p.byCam = append(p.byCam, kv{appendIndexKey(mem.make(len(d.CameraID)+1+tailLen), d.CameraID, date, seq), appendByCamera(mem.make(10+len(d.Donor)), &d)})
		}
		p.byCommune = append(p.byCommune, kv{appendIndexKey(mem.make(len(fold)+1+tailLen), fold, date, seq), appendByCommune(mem.make(11+len(d.Donor)), &d)})
		p.byDonor = append(p.byDonor, kv{appendIndexKey(mem.make(len(d.Donor)+1+tailLen), d.Donor, date, seq), appendByDonor(mem.make(20+len(d.CameraID)+len(fold)), &d, fold)})
		t := p.totals[fold]
		if t == nil {
			t = &communeTotal{}
			p.totals[fold] = t
		}
		t.Total += d.AmountVND
		t.Count++
		if d.Pool() {
			t.Pool += d.AmountVND
		}
		t.Spelling = d.Commune
	}
	// Records are in key order already; the five indexes are sorted side
	// by side.
	var wg sync.WaitGroup
	for _, entries := range [][]kv{p.dates, p.byCam, p.byCommune, p.byDonor, p.byGift} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slices.SortFunc(entries, func(x, y kv) int { return bytes.Compare(x.k, y.k) })
		}()
	}
	wg.Wait()
	return p
}

// write stores the batch inside tx: records, index entries, totals and
// one audit entry, and sets the ids and the rest of what the store fills
// on the caller's donations. It checks first that every camera given to
// is still registered.
func (p *preparedBatch) write(ctx context.Context, tx *bolt.Tx, bulk bool) error {
	cams := tx.Bucket(bucketCameras)
	there := map[string]bool{}
	for i, d := range p.batch {
		if d.Pool() || there[d.CameraID] {
			continue
		}
		if cams.Get([]byte(d.CameraID)) == nil {
			return donationItemError(bulk, p.offset+i, camera.Errorf(camera.EINVALID, "camera_id", "no camera with id %q (deleted during the import)", d.CameraID))
		}
		there[d.CameraID] = true
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if p.reject {
		if err := p.checkStored(tx, bulk); err != nil {
			return err
		}
	}
	main := tx.Bucket(bucketDonations)
	// Sequence numbers only grow: every record goes at the end, and full
	// pages waste nothing.
	main.FillPercent = 1
	tx.Bucket(bucketDonByDate).FillPercent = 0.9 // imports come mostly in date order
	seq0 := main.Sequence()
	for _, entries := range [][]kv{p.records, p.dates, p.byCam, p.byCommune, p.byDonor, p.byGift} {
		for _, e := range entries {
			tail := e.k[len(e.k)-8:]
			binary.BigEndian.PutUint64(tail, binary.BigEndian.Uint64(tail)+seq0)
		}
	}
	for i, d := range p.batch {
		d.ID, d.Commune, d.CreatedBy, d.CreatedAt = camera.FormatDonationID(seq0+uint64(i)+1), p.communes[i], p.actor, p.at
	}
	for _, ix := range []struct {
		b       *bolt.Bucket
		entries []kv
	}{{main, p.records}, {tx.Bucket(bucketDonByDate), p.dates}, {tx.Bucket(bucketDonByCamera), p.byCam}, {tx.Bucket(bucketDonByCommune), p.byCommune}, {tx.Bucket(bucketDonByGift), p.byGift}} {
		for _, e := range ix.entries {
			if err := ix.b.Put(e.k, e.v); err != nil {
				return err
			}
		}
	}
	if err := main.SetSequence(seq0 + uint64(len(p.batch))); err != nil {
		return err
	}
	if err := putDonors(tx.Bucket(bucketDonByDonor), p.byDonor); err != nil {
		return err
	}
	if err := addTotals(tx.Bucket(bucketDonTotals), p.totals); err != nil {
		return err
	}
	if !bulk {
		return appendAudit(tx, p.at, p.actor, "donation.create", p.batch[0].ID, nil)
	}
	target := fmt.Sprintf("%d donations, %s to %s", len(p.batch), p.batch[0].ID, p.batch[len(p.batch)-1].ID)
	return appendAudit(tx, p.at, p.actor, "donation.import", target, nil)
}

// checkStored refuses the batch when one of its gifts is stored already.
// The caller checked the whole call against a snapshot before writing;
// this catches what another writer stored since, such as the same bank
// sheet imported from a second window. The entries of byGift are in
// key order, which walks the index rather than jumps around it; their
// provisional sequence numbers are the batch indexes plus one.
func (p *preparedBatch) checkStored(tx *bolt.Tx, bulk bool) error {
	for _, e := range p.byGift {
		i := int(binary.BigEndian.Uint64(e.k[giftEntryLen-8:])) - 1
		id, err := storedGift(tx, p.fold, &p.keys[i])
		if err != nil {
			return err
		}
		if id != "" {
			return newDuplicateError(bulk, Duplicate{Index: p.offset + i, Existing: id, Earlier: -1})
		}
	}
	return nil
}

// arena hands out byte slices carved from large blocks: an import
// writes five keys and values per donation, and one allocation each
// would keep the garbage collector busier than bbolt. bbolt keeps the
// values it is given until the transaction commits; the blocks live as
// long as the prepared batch.
type arena struct{ block []byte }

// make returns an empty slice with capacity n.
func (a *arena) make(n int) []byte {
	if len(a.block)+n > cap(a.block) {
		a.block = make([]byte, 0, max(1<<20, n))
	}
	l := len(a.block)
	a.block = a.block[:l+n]
	return a.block[l : l : l+n]
}

// appendIndexKey appends prefix 0x00 date(4) seq(8).
func appendIndexKey(k []byte, prefix string, date uint32, seq uint64) []byte {
	k = append(k, prefix...)
	k = append(k, 0)
	return appendTail(k, date, seq)
}

// putDonors writes the (sorted) entries of donations_by_donor and counts
// in the bucket's sequence the donors it did not hold before: the funding
// views' count of distinct donors, which would otherwise be a walk over
// every key.
func putDonors(b *bolt.Bucket, entries []kv) error {
	c := b.Cursor()
	var last []byte
	added := uint64(0)
	for _, e := range entries {
		p := e.k[:len(e.k)-tailLen] // the donor and its 0x00
		if last == nil || !bytes.Equal(p, last) {
			last = p
			if k, _ := c.Seek(p); k == nil || !bytes.HasPrefix(k, p) {
				added++
			}
		}
		if err := b.Put(e.k, e.v); err != nil {
			return err
		}
	}
	return b.SetSequence(b.Sequence() + added)
}

// addTotals adds a batch's sums to donation_totals.
func addTotals(b *bolt.Bucket, totals map[string]*communeTotal) error {
	for fold, t := range totals {
		sum := *t
		if v := b.Get(totalsKey(fold)); v != nil {
			old, err := decodeCommuneTotal(v)
			if err != nil {
				return err
			}
			sum.Total += old.Total
			sum.Count += old.Count
			sum.Pool += old.Pool
		}
		if err := b.Put(totalsKey(fold), sum.encode()); err != nil {
			return err
		}
	}
	return nil
}
