package registry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/internal/vntext"
	"github.com/matthan/matthan/registry/record"
)

// FundingIn is Funding narrowed to the communes named by commune, read
// as a commune filter reads it (vntext.CommuneFilter: accents, case and
// the word Xã, Thị trấn or Phường do not count): the cameras in them,
// the gifts given in them, and totals of those alone. The donor view
// then says what each donor gave there. A blank commune is Funding; a
// filter that names no commune answers an empty view.
//
// The rules are Funding's: a gift counts for the commune it was given
// in, a camera's cost and up time for the commune it is in now. So a
// commune's camera view has a row without cost for gifts it received
// for a camera deleted or moved since, and does not count the gifts a
// camera moved into it received elsewhere.
//
// A narrowed view is commune-sized: one pass over the cameras' facts
// (which every view makes), their health history walked for the
// commune's cameras only, and the commune's range of
// donations_by_commune, reading a gift's record for its camera in the
// camera and donor views. It runs in one read transaction.
func (s *Store) FundingIn(ctx context.Context, groupBy GroupBy, w Window, commune string) (*FundingReport, error) {
	filter := vntext.NewCommuneFilter(commune)
	if filter.Empty() {
		return s.Funding(ctx, groupBy, w)
	}
	return s.fundingWhere(ctx, groupBy, w, filter.Match)
}

// fundingWhere is the view of FundingIn over the communes whose stored
// spelling match accepts.
func (s *Store) fundingWhere(ctx context.Context, groupBy GroupBy, w Window, match func(commune string) bool) (*FundingReport, error) {
	rep, err := s.newFundingReport(ctx, groupBy, w)
	if err != nil {
		return nil, err
	}
	groupBy, w = rep.GroupBy, Window{From: rep.From, To: rep.To}
	err = s.view(func(tx *bolt.Tx) error {
		cs, err := scopedCameras(ctx, tx, groupBy, w, match)
		if err != nil {
			return err
		}
		ds, err := scopedDonations(ctx, tx, groupBy, match)
		if err != nil {
			return err
		}
		switch groupBy {
		case GroupByCamera:
			rep.Rows = mergeCameras(cs.rows, ds.cameras)
		case GroupByCommune:
			rep.Rows = mergeCommunes(cs, ds)
		case GroupByDonor:
			rep.Rows = ds.donors
		}
		rep.Totals = FundingRow{
			Key:     "total",
			Cameras: cs.total.Cameras, Communes: cs.total.Communes, CostVND: cs.total.CostVND, UpMillis: cs.total.UpMillis,
			DonatedVND: ds.total.DonatedVND, PoolVND: ds.total.PoolVND, Donations: ds.total.Donations, Donors: ds.total.Donors,
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slots := make([]int64, len(rep.Rows)+1)
	for i := range rep.Rows {
		rep.Rows[i].finish(&slots[i])
	}
	rep.Totals.finish(&slots[len(rep.Rows)])
	return rep, nil
}

// scopedCameras is cameraPass for the cameras of the communes match
// accepts: their rows (camera view) or sums by commune (commune view), and
// their part of the totals, with their up time in w.
func scopedCameras(ctx context.Context, tx *bolt.Tx, g GroupBy, w Window, match func(string) bool) (*cameraSide, error) {
	out := &cameraSide{names: newCommuneNames()}
	if g == GroupByCommune {
		out.communes = map[string]*FundingRow{}
	}
	in := map[string]bool{} // a district's few spellings, matched once each
	up := newUpWalker(tx, w.From, w.To)
	err := eachCameraFacts(ctx, tx, func(k []byte, f *cameraFacts) error {
		ok, seen := in[string(f.commune)]
		if !seen {
			ok = match(string(f.commune))
			in[string(f.commune)] = ok
		}
		if !ok {
			return nil
		}
		// Only the commune's own cameras count for its canonical
		// spelling.
		sp := out.names.add(f.commune)
		upMillis := up.upFor(k).Milliseconds()
		out.total.Cameras++
		if !addVND(&out.total.CostVND, f.cost) {
			return errCostOverflow
		}
		out.total.UpMillis += upMillis
		switch g {
		case GroupByCamera:
			out.rows = append(out.rows, FundingRow{Key: string(k), Name: string(f.name), Commune: sp.raw, Status: statusOf(f.status), CostVND: f.cost, UpMillis: upMillis})
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
			r.UpMillis += upMillis
		}
		return nil
	})
	if errors.Is(err, errCostOverflow) {
		return nil, costTooLarge(tx, "the cameras")
	}
	if err != nil {
		return nil, err
	}
	if up.err != nil {
		return nil, up.err
	}
	out.names.finish()
	out.total.Communes = len(out.names.canon)
	return out, nil
}

// scopedDonations is donationPass for the gifts given in the communes
// match accepts: the range of each in donations_by_commune, and for the
// camera and donor views each camera gift's record, for its camera.
func scopedDonations(ctx context.Context, tx *bolt.Tx, g GroupBy, match func(string) bool) (*donationSide, error) {
	folds, err := donationFolds(tx, match)
	if err != nil {
		return nil, err
	}
	out := &donationSide{}
	if g == GroupByCommune {
		out.communes = map[string]*FundingRow{}
	}
	cams := map[string]*scopedGifts{}
	donors := map[string]*scopedGifts{}
	all := map[string]struct{}{} // every donor of the scope
	totals := tx.Bucket(bucketDonTotals)
	recs := tx.Bucket(bucketDonations)
	t := ticker{ctx: ctx}
	for _, fold := range folds {
		row := &FundingRow{Key: fold}
		if v := totals.Get(totalsKey(fold)); v != nil {
			ct, err := record.DecodeCommuneTotal(v)
			if err != nil {
				return nil, err
			}
			row.Key = ct.Spelling
		}
		here := map[string]struct{}{} // the commune's donors
		prefix := append([]byte(fold), 0)
		c := tx.Bucket(bucketDonByCommune).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+record.TailLen; k, v = c.Next() {
			if err := t.tick(); err != nil {
				return nil, err
			}
			pool, amount, donor, ok := record.ReadByCommune(v)
			if !ok {
				return nil, fmt.Errorf("index entry %q: %w", k, record.ErrDamagedDonation)
			}
			sums := addVND(&row.DonatedVND, amount)
			if pool {
				sums = addVND(&row.PoolVND, amount) && sums
			}
			if !sums {
				return nil, donationsTooLarge(fmt.Sprintf("the donations in commune %q", row.Key))
			}
			row.Donations++
			name := string(donor)
			here[name], all[name] = struct{}{}, struct{}{}
			if g == GroupByCommune {
				continue
			}
			var camID string
			if !pool {
				_, _, seq, _ := record.SplitTail(k, true)
				id, ok := record.DonationCameraID(recs.Get(itob(seq)))
				if !ok {
					return nil, fmt.Errorf("donation %d: %w", seq, record.ErrDamagedDonation)
				}
				camID = id
			}
			var sg *scopedGifts
			switch {
			case g == GroupByCamera && pool:
				continue
			case g == GroupByCamera:
				sg = cams[camID]
				if sg == nil {
					sg = newScopedGifts()
					cams[camID] = sg
				}
			default:
				sg = donors[name]
				if sg == nil {
					sg = newScopedGifts()
					donors[name] = sg
				}
			}
			if !sg.add(amount, pool, name, camID, fold) {
				what := fmt.Sprintf("the donations of donor %q", name)
				if g == GroupByCamera {
					what = fmt.Sprintf("the donations to camera %q", camID)
				}
				return nil, donationsTooLarge(what)
			}
		}
		row.Donors = len(here)
		if !addVND(&out.total.DonatedVND, row.DonatedVND) || !addVND(&out.total.PoolVND, row.PoolVND) {
			return nil, donationsTooLarge("the donations of the communes")
		}
		out.total.Donations += row.Donations
		if out.communes != nil {
			out.communes[fold] = row
		}
	}
	out.total.Donors = len(all)
	switch g {
	case GroupByCamera:
		for id, sg := range cams {
			out.cameras = append(out.cameras, cameraGifts{id: id, donated: sg.donated, donations: sg.donations, donors: len(sg.donors)})
		}
		slices.SortFunc(out.cameras, func(a, b cameraGifts) int { return strings.Compare(a.id, b.id) })
	case GroupByDonor:
		for name, sg := range donors {
			out.donors = append(out.donors, FundingRow{Key: name, DonatedVND: sg.donated, PoolVND: sg.pool,
				Donations: sg.donations, Cameras: len(sg.cameras), Communes: len(sg.communes)})
		}
		// The order of donations_by_donor: bytes of the name.
		slices.SortFunc(out.donors, func(a, b FundingRow) int { return strings.Compare(a.Key, b.Key) })
	}
	return out, nil
}

// scopedGifts sums the gifts of one camera or donor in a narrowed view.
type scopedGifts struct {
	donated, pool             int64
	donations                 int
	donors, cameras, communes map[string]struct{}
}

func newScopedGifts() *scopedGifts {
	return &scopedGifts{donors: map[string]struct{}{}, cameras: map[string]struct{}{}, communes: map[string]struct{}{}}
}

// add counts one gift: amount đồng from donor, to camID (none: to the
// pool of the commune fold). It reports false when a sum overflows.
func (g *scopedGifts) add(amount int64, pool bool, donor, camID, fold string) bool {
	ok := addVND(&g.donated, amount)
	if pool {
		ok = addVND(&g.pool, amount) && ok
	}
	g.donations++
	g.donors[donor] = struct{}{}
	if camID != "" {
		g.cameras[camID] = struct{}{}
	}
	g.communes[fold] = struct{}{}
	return ok
}

// donationFolds returns, sorted, the folded communes that have donations
// and whose stored spelling match accepts, from the running totals.
func donationFolds(tx *bolt.Tx, match func(string) bool) ([]string, error) {
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
		if match(name) {
			folds = append(folds, string(k))
		}
		return nil
	})
	slices.Sort(folds)
	return folds, err
}
