package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/vntext"
	"github.com/matthan/matthan/registry/record"
)

// DonationBatch is how many donations ImportDonations writes per
// transaction. The indexes keyed by camera, commune and donor take their
// entries all over their key space, so a transaction rewrites most of
// their pages whatever its size: large batches pay that, and the fsync,
// rarely. A batch's encoded records and index entries take about 120 MB
// (measured before the duplicate index, whose entries and keys add some
// 30 MB by their sizes), and the next batch is encoded while one is
// written: an import of more than 200,000 donations holds about twice
// that on top of its input.
const DonationBatch = 200_000

// DonationImport says what ImportDonations stored.
type DonationImport struct {
	// Created is how many donations were stored.
	Created int `json:"created"`
	// First and Last are the ids given to the first and last of them
	// (ids are consecutive within one import unless another write came in
	// between two batches).
	First string `json:"first_id,omitempty"`
	Last  string `json:"last_id,omitempty"`
	// TotalVND is the sum of the amounts stored.
	TotalVND int64 `json:"total_vnd"`
	// Repeats are the donations left out as repeats of stored gifts
	// (DonationOptions.SkipDuplicates), in index order.
	Repeats []Duplicate `json:"-"`
}

// DonationOptions tune how CreateDonationWith and ImportDonationsWith
// store donations. The zero value stores every valid donation.
type DonationOptions struct {
	// RejectDuplicates refuses a donation that repeats a stored gift or
	// an earlier donation of the call, by the rules of donations_dupes.go:
	// a stored or earlier ref; or the same donor (compared without
	// accents, case or extra spaces), amount, date, camera and commune as
	// a stored gift, when the call holds no more such gifts than the
	// ledger. The call fails with a *DuplicateError, code ECONFLICT, and
	// nothing of it is stored. It is checked against one snapshot before
	// anything is written, and again in each write transaction, so that
	// two imports of one bank sheet sent at once cannot both be stored.
	RejectDuplicates bool
	// SkipDuplicates, with RejectDuplicates, stores the donations of the
	// call that are not repeats and reports the others in
	// DonationImport.Repeats, rather than failing the call: an import
	// of a bank sheet that overlaps the ledger. A gift stored by another
	// writer meanwhile still fails it.
	SkipDuplicates bool
}

// CreateDonation stores a new donation and assigns its ID
// ("DN-0000001"); CreatedBy and CreatedAt are set by the store. The
// donation is cleaned (text in NFC, trimmed), validated against the
// store's clock and resolved against the registry (camera.Donation
// .Resolve): its camera must exist, or — a gift to a commune's pool — its
// commune must have cameras; the canonical spelling of the commune is
// stored. Errors are EINVALID naming the field. It reads the camera by
// its id and the canonical spellings from the running commune facts
// (commune_facts.go), never every camera. A donation that repeats a
// stored gift is stored: see CreateDonationWith.
func (s *Store) CreateDonation(ctx context.Context, d *camera.Donation, actor camera.Actor) error {
	return s.CreateDonationWith(ctx, d, actor, DonationOptions{})
}

// CreateDonationWith is CreateDonation with options.
func (s *Store) CreateDonationWith(ctx context.Context, d *camera.Donation, actor camera.Actor, o DonationOptions) error {
	_, err := s.importDonations(ctx, []*camera.Donation{d}, actor, false, o)
	return err
}

// ImportDonations stores many donations (a CSV import) in transactions
// of DonationBatch, cleaning, validating and resolving each as
// CreateDonation does. Every donation is validated before the first
// write; one that is invalid or refers to a camera or commune that is not
// there fails the call with its index in the error's field
// ("donations[12].camera_id") and nothing is stored. A failure while
// writing (a camera deleted meanwhile, an I/O error) stops the call: the
// batches before it are stored, and the result says what they hold. One
// audit entry is written per batch. Duplicates are stored: see
// ImportDonationsWith.
func (s *Store) ImportDonations(ctx context.Context, ds []*camera.Donation, actor camera.Actor) (DonationImport, error) {
	return s.ImportDonationsWith(ctx, ds, actor, DonationOptions{})
}

// ImportDonationsWith is ImportDonations with options. A duplicate
// refused (DonationOptions.RejectDuplicates) fails the call with its
// index in the error's field ("donations[12]"); use FindDuplicates first
// to report every one of them, or SkipDuplicates to store the rest.
func (s *Store) ImportDonationsWith(ctx context.Context, ds []*camera.Donation, actor camera.Actor, o DonationOptions) (DonationImport, error) {
	return s.importDonations(ctx, ds, actor, true, o)
}

// donationPlan is what storing a call's donations would do, decided
// against one snapshot before anything is written: which donations are
// stored (keep, with their indexes in the call when some were left out,
// and their resolved communes) and which repeat stored gifts.
type donationPlan struct {
	keep     []*camera.Donation
	index    []int // nil when keep is the whole call
	communes []string
	since    uint64 // the last sequence number of the snapshot (with RejectDuplicates)
	repeats  []Duplicate
}

// PlanDonations runs every check ImportDonationsWith runs before it
// writes — cleaning, validation, the camera or commune of each donation,
// the repeats of stored gifts under o, the running sums — and answers
// what it would store, storing nothing: a preview of an import (the
// API's dry run). Created and TotalVND count the donations it would
// store, Repeats those it would leave out (o.SkipDuplicates); First and
// Last are empty, since no id is given. Errors are those of
// ImportDonationsWith. What another writer stores in the meantime can
// make the import itself answer differently: it checks again.
func (s *Store) PlanDonations(ctx context.Context, ds []*camera.Donation, o DonationOptions) (DonationImport, error) {
	p, err := s.planDonations(ctx, ds, true, o)
	if err != nil {
		return DonationImport{}, err
	}
	res := DonationImport{Created: len(p.keep), Repeats: p.repeats}
	for _, d := range p.keep {
		res.TotalVND += d.AmountVND // checkDonationSums bounded the sum
	}
	return res, nil
}

// planDonations checks a call's donations against one snapshot (see
// donationPlan).
func (s *Store) planDonations(ctx context.Context, ds []*camera.Donation, bulk bool, o DonationOptions) (*donationPlan, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	for i, d := range ds {
		if d.ID != "" {
			return nil, donationItemError(bulk, i, camera.Errorf(camera.EINVALID, "id", "is assigned by the store: leave it out"))
		}
		cleanDonation(d)
		if err := d.Validate(now); err != nil {
			return nil, donationItemError(bulk, i, err)
		}
	}
	// Resolve everything against one snapshot before writing anything,
	// so that a bad reference fails the import whole; the write
	// transactions only check that the cameras are still there. The
	// canonical spellings come from the commune facts, one record per
	// spelling, and each camera is read by its id: a single donation
	// costs a few lookups however many cameras there are.
	p := &donationPlan{keep: ds, communes: make([]string, len(ds))}
	err := s.view(func(tx *bolt.Tx) error {
		names, _, err := readCommuneNames(tx, s.folds)
		if err != nil {
			return err
		}
		places := newTxPlaces(tx, names)
		for i, d := range ds {
			c := *d
			if err := c.Resolve(places); err != nil {
				if places.err != nil {
					return places.err
				}
				return donationItemError(bulk, i, err)
			}
			p.communes[i] = c.Commune
		}
		if !o.RejectDuplicates {
			return nil
		}
		p.since = tx.Bucket(bucketDonations).Sequence()
		f := folder{}
		rows := make([]giftRow, len(ds))
		for i, d := range ds {
			rows[i] = giftRowOf(f, d, p.communes[i])
		}
		dups, err := findDuplicates(ctx, tx, f, rows, bulk)
		if err != nil || len(dups) == 0 {
			return err
		}
		if !o.SkipDuplicates {
			return newDuplicateError(bulk, dups[0], ds[dups[0].Index].Ref)
		}
		p.repeats = dups
		p.keep, p.index, p.communes = withoutRepeats(ds, p.communes, dups)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.view(func(tx *bolt.Tx) error { return checkDonationSums(tx, p.keep, p.communes, p.index, bulk) }); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Store) importDonations(ctx context.Context, ds []*camera.Donation, actor camera.Actor, bulk bool, o DonationOptions) (DonationImport, error) {
	var res DonationImport
	plan, err := s.planDonations(ctx, ds, bulk, o)
	if err != nil {
		return res, err
	}
	res.Repeats = plan.repeats
	keep, index, communes, since := plan.keep, plan.index, plan.communes, plan.since
	// Each batch is encoded and sorted (prepareBatch) while the one before
	// it is written: on two cores that hides most of the encoding behind
	// bbolt's own work.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	prepared := make(chan *preparedBatch) // unbuffered: two batches in memory at most
	go func() {
		defer close(prepared)
		at := s.now().UTC()
		for start := 0; start < len(keep); start += DonationBatch {
			end := min(start+DonationBatch, len(keep))
			var idx []int
			if index != nil {
				idx = index[start:end]
			}
			p := prepareBatch(keep[start:end], communes[start:end], start, idx, actor, at)
			p.reject, p.since = o.RejectDuplicates, since
			select {
			case prepared <- p:
			case <-ctx.Done():
				return
			}
		}
	}()
	var own [][2]uint64 // the sequence numbers stored by the batches so far
	for p := range prepared {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		p.own = own
		err := s.update(func(tx *bolt.Tx) error {
			return p.write(ctx, tx, bulk)
		})
		if err != nil {
			// Nothing of the batch was stored (bbolt commits all or
			// nothing): give the caller back its donations as they were.
			for i, d := range p.batch {
				*d = p.saved[i]
			}
			cancel()
			for range prepared { // let the preparing goroutine end
			}
			return res, err
		}
		if res.Created == 0 {
			res.First = p.batch[0].ID
		}
		res.Created += len(p.batch)
		res.Last = p.batch[len(p.batch)-1].ID
		lo, _ := camera.ParseDonationID(p.batch[0].ID)
		hi, _ := camera.ParseDonationID(p.batch[len(p.batch)-1].ID)
		own = append(own, [2]uint64{lo, hi}) // a batch's ids are consecutive
		for _, d := range p.batch {
			res.TotalVND += d.AmountVND
		}
	}
	return res, ctx.Err()
}

// cleanDonation puts the text of d in the form it is stored in: NFC,
// trimmed (a name typed with combining marks is the same donor).
func cleanDonation(d *camera.Donation) {
	d.Donor = strings.TrimSpace(vntext.NFC(d.Donor))
	d.CameraID = strings.TrimSpace(d.CameraID)
	d.Commune = strings.TrimSpace(vntext.NFC(d.Commune))
	d.ReceivedOn = strings.TrimSpace(d.ReceivedOn)
	d.Note = strings.TrimSpace(vntext.NFC(d.Note))
	d.Ref = strings.TrimSpace(vntext.NFC(d.Ref))
}

// donationItemError prefixes the field of a bulk item's error with its
// index.
func donationItemError(bulk bool, i int, err error) error {
	if !bulk {
		return err
	}
	var e *camera.Error
	if errors.As(err, &e) {
		return &camera.Error{Code: e.Code, Field: fmt.Sprintf("donations[%d].%s", i, e.Field), Message: e.Message}
	}
	return fmt.Errorf("donation %d: %w", i, err)
}

// GetDonation returns the donation with the given id, or ENOTFOUND.
func (s *Store) GetDonation(ctx context.Context, id string) (*camera.Donation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	seq, ok := camera.ParseDonationID(id)
	if !ok {
		return nil, notFound("donation", id)
	}
	var d *camera.Donation
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketDonations).Get(itob(seq))
		if v == nil {
			return notFound("donation", id)
		}
		var err error
		d, err = record.DecodeDonation(seq, v)
		return err
	})
	return d, err
}

// CountDonations returns how many donations are stored and their sum,
// from the running totals (no scan).
func (s *Store) CountDonations(ctx context.Context) (count int, totalVND int64, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDonTotals).ForEach(func(_, v []byte) error {
			t, err := record.DecodeCommuneTotal(v)
			if err != nil {
				return err
			}
			count += int(t.Count)
			if !addVND(&totalVND, t.Total) {
				return donationsTooLarge("the donations of all communes")
			}
			return nil
		})
	})
	return count, totalVND, err
}

// withoutRepeats returns the donations of ds that dups do not name, with
// their indexes in ds and their communes.
func withoutRepeats(ds []*camera.Donation, communes []string, dups []Duplicate) (keep []*camera.Donation, index []int, keepCommunes []string) {
	n := len(ds) - len(dups)
	keep, index, keepCommunes = make([]*camera.Donation, 0, n), make([]int, 0, n), make([]string, 0, n)
	next := 0 // into dups, which are in index order
	for i, d := range ds {
		if next < len(dups) && dups[next].Index == i {
			next++
			continue
		}
		keep, index, keepCommunes = append(keep, d), append(index, i), append(keepCommunes, communes[i])
	}
	return keep, index, keepCommunes
}
