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
	"github.com/matthan/matthan/registry/record"
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
	offset   int   // index of batch[0] in the caller's slice
	index    []int // when not nil, the index of batch[i] there instead
	actor    camera.Actor
	at       time.Time

	records, dates, byCam, byCommune, byDonor, byGift, byRef []kv
	totals                                                   map[string]*record.CommuneTotal
	over                                                     map[string]bool // the batch's own sum of a commune overflows
	rows                                                     []giftRow       // of batch[i]
	fold                                                     folder
	// reject makes write refuse a donation that a gift stored since the
	// call was checked would repeat (DonationOptions.RejectDuplicates):
	// since is the last sequence number of that snapshot, own the
	// sequence numbers this call stored in the batches before this one.
	reject bool
	since  uint64
	own    [][2]uint64
}

// prepareBatch encodes a batch; communes are the donations' resolved
// communes, at the time they are stored at. offset is the index of
// batch[0] in the caller's slice, or index, when not nil, the index of
// each (the call's repeats were left out).
func prepareBatch(batch []*camera.Donation, communes []string, offset int, index []int, actor camera.Actor, at time.Time) *preparedBatch {
	n := len(batch)
	p := &preparedBatch{
		batch: batch, saved: make([]camera.Donation, n), communes: communes, offset: offset, index: index, actor: actor, at: at,
		records: make([]kv, 0, n), dates: make([]kv, 0, n), byCam: make([]kv, 0, n), byCommune: make([]kv, 0, n), byDonor: make([]kv, 0, n), byGift: make([]kv, 0, n),
		totals: map[string]*record.CommuneTotal{}, rows: make([]giftRow, n), fold: folder{},
	}
	var mem arena
	for i, orig := range batch {
		p.saved[i] = *orig
		d := *orig
		d.Commune, d.CreatedBy, d.CreatedAt = communes[i], actor, at
		seq := uint64(i) + 1 // provisional
		p.records = append(p.records, kv{binary.BigEndian.AppendUint64(mem.make(8), seq), record.AppendDonation(mem.make(record.DonationSize(&d)), &d)})
		fold := p.fold.fold(d.Commune)
		date := record.DateNum(d.ReceivedOn)
		p.rows[i] = giftRowOf(p.fold, &d, d.Commune)
		p.byGift = append(p.byGift, kv{giftEntry(mem.make(giftEntryLen), &p.rows[i].key, seq), []byte{}})
		if ref := p.rows[i].ref; ref != "" {
			p.byRef = append(p.byRef, kv{refEntry(mem.make(len(ref)+9), ref, seq), []byte{}})
		}
		p.dates = append(p.dates, kv{record.AppendTail(mem.make(record.TailLen), date, seq), append(mem.make(len(d.Donor)), d.Donor...)})
		if !d.Pool() {
			p.byCam = append(p.byCam, kv{appendIndexKey(mem.make(len(d.CameraID)+1+record.TailLen), d.CameraID, date, seq), record.AppendByCamera(mem.make(10+len(d.Donor)), &d)})
		}
		p.byCommune = append(p.byCommune, kv{appendIndexKey(mem.make(len(fold)+1+record.TailLen), fold, date, seq), record.AppendByCommune(mem.make(11+len(d.Donor)), &d)})
		p.byDonor = append(p.byDonor, kv{appendIndexKey(mem.make(len(d.Donor)+1+record.TailLen), d.Donor, date, seq), record.AppendByDonor(mem.make(20+len(d.CameraID)+len(fold)), &d, fold)})
		t := p.totals[fold]
		if t == nil {
			t = &record.CommuneTotal{}
			p.totals[fold] = t
		}
		ok := addVND(&t.Total, d.AmountVND)
		t.Count++
		if d.Pool() {
			ok = addVND(&t.Pool, d.AmountVND) && ok
		}
		if !ok {
			if p.over == nil {
				p.over = map[string]bool{}
			}
			p.over[fold] = true
		}
		t.Spelling = d.Commune
	}
	// Records are in key order already; the indexes are sorted side by
	// side.
	var wg sync.WaitGroup
	for _, entries := range [][]kv{p.dates, p.byCam, p.byCommune, p.byDonor, p.byGift, p.byRef} {
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
			return donationItemError(bulk, p.callIndex(i), camera.Errorf(camera.EINVALID, "camera_id", "no camera with id %q (deleted during the import)", d.CameraID))
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
	for _, entries := range [][]kv{p.records, p.dates, p.byCam, p.byCommune, p.byDonor, p.byGift, p.byRef} {
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
	}{{main, p.records}, {tx.Bucket(bucketDonByDate), p.dates}, {tx.Bucket(bucketDonByCamera), p.byCam}, {tx.Bucket(bucketDonByCommune), p.byCommune}, {tx.Bucket(bucketDonByGift), p.byGift}, {tx.Bucket(bucketDonByRef), p.byRef}} {
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
	if err := p.addTotals(tx.Bucket(bucketDonTotals), bulk); err != nil {
		return err
	}
	if !bulk {
		return appendAudit(tx, p.at, p.actor, "donation.create", p.batch[0].ID, nil)
	}
	target := fmt.Sprintf("%d donations, %s to %s", len(p.batch), p.batch[0].ID, p.batch[len(p.batch)-1].ID)
	return appendAudit(tx, p.at, p.actor, "donation.import", target, nil)
}

// checkStored refuses the batch when a donation stored since the call
// was checked (after p.since, and not by the call itself) would make one
// of its donations a repeat: a stored gift of the same key that the rules
// (donations_dupes.go) would match with it, or a stored donation with
// the same ref. The caller checked the whole call against a snapshot
// before writing; this catches what another writer stored since, such as
// the same bank sheet imported from a second window. It is stricter than
// the rules — a batch holding more gifts of a key than the ledger had
// then is refused when another writer stores one more of them — so that
// one sheet sent twice at once is stored once. The entries of byGift and
// byRef are in key order, which walks the indexes rather than jumps
// around them; their provisional sequence numbers are the batch indexes
// plus one, and only index entries of newer donations are read whole.
func (p *preparedBatch) checkStored(tx *bolt.Tx, bulk bool) error {
	for n := 0; n < len(p.byGift); {
		prefix := p.byGift[n].k[:giftEntryLen-8]
		end := n + 1
		for end < len(p.byGift) && bytes.HasPrefix(p.byGift[end].k, prefix) {
			end++
		}
		var done []giftKey // the keys of this hash checked already
		for _, e := range p.byGift[n:end] {
			i := p.batchIndex(e.k)
			key := p.rows[i].key
			if slices.Contains(done, key) {
				continue
			}
			done = append(done, key)
			// The batch's donations of the key: which kinds of stored
			// gift could repeat them.
			noRef, withRef := -1, -1
			for _, e := range p.byGift[n:end] {
				j := p.batchIndex(e.k)
				switch {
				case p.rows[j].key != key:
				case p.rows[j].ref == "" && noRef < 0:
					noRef = j
				case p.rows[j].ref != "" && withRef < 0:
					withRef = j
				}
			}
			err := storedGifts(tx, p.fold, &key, p.since, func(seq uint64, d *camera.Donation) error {
				switch {
				case p.ownSeq(seq):
					return nil
				case noRef >= 0:
					return newDuplicateError(bulk, Duplicate{Index: p.callIndex(noRef), Existing: d.ID, Earlier: -1}, "")
				case bulk && withRef >= 0 && d.Ref == "":
					return newDuplicateError(bulk, Duplicate{Index: p.callIndex(withRef), Existing: d.ID, Earlier: -1}, "")
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		n = end
	}
	for _, e := range p.byRef {
		i := p.batchIndex(e.k)
		err := storedRefs(tx, p.rows[i].ref, func(seq uint64) error {
			if p.ownSeq(seq) {
				return nil
			}
			return newDuplicateError(bulk, Duplicate{Index: p.callIndex(i), Existing: camera.FormatDonationID(seq), Earlier: -1, ByRef: true}, p.batch[i].Ref)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// callIndex returns the index in the caller's slice of batch[i].
func (p *preparedBatch) callIndex(i int) int {
	if p.index != nil {
		return p.index[i]
	}
	return p.offset + i
}

// batchIndex returns the index in the batch of the donation of an index
// key, from its provisional sequence number.
func (p *preparedBatch) batchIndex(k []byte) int {
	return int(binary.BigEndian.Uint64(k[len(k)-8:])) - 1
}

// ownSeq reports whether seq was stored by an earlier batch of the call.
func (p *preparedBatch) ownSeq(seq uint64) bool {
	for _, r := range p.own {
		if r[0] <= seq && seq <= r[1] {
			return true
		}
	}
	return false
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
	return record.AppendTail(k, date, seq)
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
		p := e.k[:len(e.k)-record.TailLen] // the donor and its 0x00
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
