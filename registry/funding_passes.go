package registry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/matthan/matthan/registry/record"
	bolt "go.etcd.io/bbolt"
)

// A funding view is three passes, each in key order and in its own read
// transaction — the cameras' facts, their health history, one donation
// index — in two piles run side by side, of about equal weight for two
// cores: the camera pass, and the donation pass; the history walk goes
// with the lighter of the two (alongside the cameras for the camera and
// commune views, alone before the donations for the donor view). Results own their memory (strings,
// not slices of pages), so that no transaction outlives its pass and no
// pass waits for another while holding one: bbolt can deadlock a reader
// that waits on another reader while a writer waits to grow the file.
// The results are merged at the end (mergeCameras, mergeCommunes).

// cameraSide is what the camera pass gives a view.
type cameraSide struct {
	// rows has one row per camera, in id order (camera view).
	rows []FundingRow
	// communes sums the cameras by folded commune (commune view).
	communes map[string]*FundingRow
	names    *communeNames
	// total has the camera part of the totals: cameras, communes, cost,
	// and up time when the pass walked the history.
	total FundingRow
}

// cameraPass reads every camera's facts (camera_facts.go): its name,
// commune, status and cost. With inlineUp
// it also walks the health history alongside (upWalker) and sums each
// camera's up time in win; without (the donor view), Funding adds the
// total up time from upTotal.
func cameraPass(ctx context.Context, tx *bolt.Tx, g GroupBy, inlineUp bool, win Window) (*cameraSide, error) {
	out := &cameraSide{names: newCommuneNames()}
	var text texts
	switch g {
	case GroupByCamera:
		// A million rows are large: allocated once rather than grown,
		// and so are their ids and names (about 32 bytes a camera).
		// Stats reads page headers only.
		b, err := derivedBucket(tx, bucketCameraFacts)
		if err != nil {
			return nil, err
		}
		n := b.Stats().KeyN
		out.rows = make([]FundingRow, 0, n)
		text.buf, text.ends = make([]byte, 0, 32*n), make([]int, 0, 2*n)
	case GroupByCommune:
		out.communes = map[string]*FundingRow{}
	}
	var w *upWalker
	if inlineUp {
		w = newUpWalker(tx, win.From, win.To)
	}
	err := eachCameraFacts(ctx, tx, func(k []byte, f *cameraFacts) error {
		sp := out.names.add(f.commune)
		var up int64
		if inlineUp {
			up = w.upFor(k).Milliseconds()
		}
		out.total.Cameras++
		if !addVND(&out.total.CostVND, f.cost) {
			return errCostOverflow
		}
		out.total.UpMillis += up
		switch g {
		case GroupByCamera:
			text.add(k)
			text.add(f.name)
			out.rows = append(out.rows, FundingRow{Commune: sp.raw, Status: statusOf(f.status), CostVND: f.cost, UpMillis: up})
		case GroupByCommune:
			r := out.communes[sp.fold]
			if r == nil {
				r = &FundingRow{}
				out.communes[sp.fold] = r
			}
			r.Cameras++
			if !addVND(&r.CostVND, f.cost) {
				return errCostOverflow
			}
			r.UpMillis += up
		}
		return nil
	})
	if errors.Is(err, errCostOverflow) {
		return nil, costTooLarge(tx, "the cameras")
	}
	if err != nil {
		return nil, err
	}
	if w != nil && w.err != nil {
		return nil, w.err
	}
	all := text.strings()
	for i := range out.rows {
		out.rows[i].Key, out.rows[i].Name = all[2*i], all[2*i+1]
	}
	out.names.finish()
	out.total.Communes = len(out.names.canon)
	return out, nil
}

// errCostOverflow stops the camera pass at a cost sum that overflows;
// cameraPass answers costTooLarge for it.
var errCostOverflow = errors.New("cost sum overflows")

// cameraGifts sums the gifts to one camera.
type cameraGifts struct {
	id                string
	donated           int64
	donations, donors int
}

// donationSide is what the donation pass gives a view.
type donationSide struct {
	cameras  []cameraGifts          // camera view, in id order
	communes map[string]*FundingRow // commune view, by fold; Key is the stored spelling
	donors   []FundingRow           // donor view, in donor order
	// total has the donation part of the totals: donated, pool,
	// donations, donors.
	total FundingRow
}

// donationPass reads the donation index of the grouping and the totals.
func donationPass(ctx context.Context, tx *bolt.Tx, g GroupBy) (*donationSide, error) {
	p := &donationPasser{t: ticker{ctx: ctx}, set: newDistinctSet()}
	out := &donationSide{}
	var err error
	switch g {
	case GroupByCamera:
		out.cameras, err = p.cameras(tx)
	case GroupByCommune:
		out.communes, err = p.communes(tx)
	case GroupByDonor:
		out.donors, err = p.donors(tx)
	}
	if err != nil {
		return nil, err
	}
	err = tx.Bucket(bucketDonTotals).ForEach(func(k, val []byte) error {
		ct, err := record.DecodeCommuneTotal(val)
		if err != nil {
			return fmt.Errorf("commune %q: %w", k, err)
		}
		if !addVND(&out.total.DonatedVND, ct.Total) || !addVND(&out.total.PoolVND, ct.Pool) {
			return donationsTooLarge("the donations of all communes")
		}
		out.total.Donations += int(ct.Count)
		return nil
	})
	// The sequence of donations_by_donor counts the donors (putDonors).
	out.total.Donors = int(tx.Bucket(bucketDonByDonor).Sequence())
	return out, err
}

// donationPasser holds the scratch space of a donation pass.
type donationPasser struct {
	t      ticker
	set    *distinctSet
	s1, s2 [][]byte
}

// cameras sums donations_by_camera, one group per camera.
func (p *donationPasser) cameras(tx *bolt.Tx) ([]cameraGifts, error) {
	// Most cameras have gifts: room for one group per camera, allocated
	// once rather than grown (a million groups are tens of megabytes).
	var n int
	if b := tx.Bucket(bucketCameraFacts); b != nil {
		n = b.Stats().KeyN
	}
	out := make([]cameraGifts, 0, n)
	ids := texts{buf: make([]byte, 0, 12*n), ends: make([]int, 0, n)}
	g := newGroups(tx.Bucket(bucketDonByCamera))
	for id := g.prefix(); id != nil; id = g.prefix() {
		ids.add(id)
		var cg cameraGifts
		donors := p.s1[:0]
		sums := true
		err := g.each(&p.t, id, func(val []byte) bool {
			amount, donor, ok := record.ReadByCamera(val)
			sums = addVND(&cg.donated, amount) && sums
			cg.donations++
			donors = append(donors, donor)
			return ok
		})
		if err != nil {
			return nil, err
		}
		if !sums {
			return nil, donationsTooLarge(fmt.Sprintf("the donations to camera %q", id))
		}
		cg.donors = p.set.count(donors)
		p.s1 = donors[:0]
		out = append(out, cg)
	}
	for i, id := range ids.strings() {
		out[i].id = id
	}
	return out, g.err
}

// texts turns many short byte slices into strings with two allocations
// instead of one each: a million camera ids and names are otherwise a
// good part of a view's time, in allocation and in garbage collection.
// The strings share one backing array, which lives as long as any of
// them.
type texts struct {
	buf  []byte
	ends []int
}

func (t *texts) add(b []byte) {
	t.buf = append(t.buf, b...)
	t.ends = append(t.ends, len(t.buf))
}

// strings returns the texts added, in order.
func (t *texts) strings() []string {
	all := string(t.buf)
	out := make([]string, len(t.ends))
	start := 0
	for i, end := range t.ends {
		out[i] = all[start:end]
		start = end
	}
	return out
}

// communes sums donations_by_commune, one group per folded commune. A
// commune's spelling is the one stored with its totals.
func (p *donationPasser) communes(tx *bolt.Tx) (map[string]*FundingRow, error) {
	out := map[string]*FundingRow{}
	totals := tx.Bucket(bucketDonTotals)
	g := newGroups(tx.Bucket(bucketDonByCommune))
	for fold := g.prefix(); fold != nil; fold = g.prefix() {
		r := &FundingRow{Key: string(fold)}
		if v := totals.Get(totalsKey(string(fold))); v != nil {
			ct, err := record.DecodeCommuneTotal(v)
			if err != nil {
				return nil, err
			}
			r.Key = ct.Spelling
		}
		donors := p.s1[:0]
		sums := true
		err := g.each(&p.t, fold, func(val []byte) bool {
			pool, amount, donor, ok := record.ReadByCommune(val)
			sums = addVND(&r.DonatedVND, amount) && sums
			if pool {
				sums = addVND(&r.PoolVND, amount) && sums
			}
			r.Donations++
			donors = append(donors, donor)
			return ok
		})
		if err != nil {
			return nil, err
		}
		if !sums {
			return nil, donationsTooLarge(fmt.Sprintf("the donations in commune %q", r.Key))
		}
		r.Donors = p.set.count(donors)
		p.s1 = donors[:0]
		out[string(fold)] = r
	}
	return out, g.err
}

// donors sums donations_by_donor, one group per donor.
func (p *donationPasser) donors(tx *bolt.Tx) ([]FundingRow, error) {
	b := tx.Bucket(bucketDonByDonor)
	out := make([]FundingRow, 0, b.Sequence())
	g := newGroups(b)
	for donor := g.prefix(); donor != nil; donor = g.prefix() {
		row := FundingRow{Key: string(donor)}
		cams, communes := p.s1[:0], p.s2[:0]
		sums := true
		err := g.each(&p.t, donor, func(val []byte) bool {
			amount, cam, fold, ok := record.ReadByDonor(val)
			sums = addVND(&row.DonatedVND, amount) && sums
			row.Donations++
			if len(cam) == 0 {
				sums = addVND(&row.PoolVND, amount) && sums
			} else {
				cams = append(cams, cam)
			}
			communes = append(communes, fold)
			return ok
		})
		if err != nil {
			return nil, err
		}
		if !sums {
			return nil, donationsTooLarge(fmt.Sprintf("the donations of donor %q", row.Key))
		}
		row.Cameras, row.Communes = p.set.count(cams), p.set.count(communes)
		p.s1, p.s2 = cams[:0], communes[:0]
		out = append(out, row)
	}
	return out, g.err
}

// mergeCameras puts the gifts on the camera rows; both are in id order.
// Gifts to a camera no longer registered make a row of their own,
// without cost.
func mergeCameras(rows []FundingRow, gifts []cameraGifts) []FundingRow {
	orphans := 0
	i := 0
	for _, cg := range gifts {
		for i < len(rows) && rows[i].Key < cg.id {
			i++
		}
		if i < len(rows) && rows[i].Key == cg.id {
			rows[i].DonatedVND, rows[i].Donations, rows[i].Donors = cg.donated, cg.donations, cg.donors
		} else {
			orphans++
		}
	}
	if orphans == 0 {
		return rows
	}
	out := make([]FundingRow, 0, len(rows)+orphans)
	i = 0
	for _, cg := range gifts {
		for i < len(rows) && rows[i].Key < cg.id {
			out = append(out, rows[i])
			i++
		}
		if i < len(rows) && rows[i].Key == cg.id {
			continue
		}
		out = append(out, FundingRow{Key: cg.id, DonatedVND: cg.donated, Donations: cg.donations, Donors: cg.donors})
	}
	return append(out, rows[i:]...)
}

// mergeCommunes joins the cameras and the gifts of each folded commune,
// sorted by folded name. The spelling is the cameras' canonical one, or,
// for a commune that has gifts but no cameras any more, the one stored
// with its gifts.
func mergeCommunes(cs *cameraSide, ds *donationSide) []FundingRow {
	type keyed struct {
		fold string
		row  *FundingRow
	}
	order := make([]keyed, 0, len(cs.communes)+len(ds.communes))
	for fold, r := range cs.communes {
		r.Key = cs.names.canon[fold]
		if d := ds.communes[fold]; d != nil {
			r.DonatedVND, r.PoolVND, r.Donations, r.Donors = d.DonatedVND, d.PoolVND, d.Donations, d.Donors
		}
		order = append(order, keyed{fold, r})
	}
	for fold, d := range ds.communes {
		if cs.communes[fold] == nil {
			order = append(order, keyed{fold, d})
		}
	}
	slices.SortFunc(order, func(a, b keyed) int {
		if c := strings.Compare(a.fold, b.fold); c != 0 {
			return c
		}
		return strings.Compare(a.row.Key, b.row.Key)
	})
	rows := make([]FundingRow, len(order))
	for i, o := range order {
		rows[i] = *o.row
	}
	return rows
}
