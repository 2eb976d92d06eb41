package registry

import (
	"context"
	"math"
	"math/bits"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// GroupBy is how a funding view groups money: the words of
// GET /api/v1/funding?group_by=.
type GroupBy string

// Groupings.
const (
	GroupByCamera  GroupBy = "camera"
	GroupByCommune GroupBy = "commune"
	GroupByDonor   GroupBy = "donor"
)

// ParseGroupBy returns the grouping named s (any case), a QueryError of
// QueryGrouping otherwise.
func ParseGroupBy(s string) (GroupBy, error) {
	switch g := GroupBy(strings.ToLower(strings.TrimSpace(s))); g {
	case GroupByCamera, GroupByCommune, GroupByDonor:
		return g, nil
	}
	return "", queryErrorf(QueryGrouping, "must be camera, commune or donor, got %q", s)
}

// DefaultFundingWindow is the window of "cost per working hour" when the
// caller gives no start: the last 30 days.
const DefaultFundingWindow = 30 * 24 * time.Hour

// Window is the time window [From, To) over which up time is measured.
// A zero To means now; a zero From means DefaultFundingWindow before To.
// To is clamped to the store's clock, as Uptime does.
type Window struct {
	From, To time.Time
}

// resolve fills the defaults and checks the window.
func (w Window) resolve(now time.Time) (Window, error) {
	if w.To.IsZero() || w.To.After(now) {
		w.To = now
	}
	if w.From.IsZero() {
		w.From = w.To.Add(-DefaultFundingWindow)
	}
	w.From, w.To = w.From.UTC(), w.To.UTC()
	if !w.To.After(w.From) {
		return w, queryErrorf(QueryStart, "must be before to (and before now), got %s", w.From.Format(time.RFC3339))
	}
	return w, nil
}

// FundingRow is one line of a funding view: a camera, a commune or a
// donor, or the totals. Which fields mean something depends on the
// grouping; the JSON and the CSV of a row carry exactly those (see
// FundingFields), in snake_case.
//
// Money is integer đồng. BalanceVND is donated minus cost: negative is a
// gap still to fund, positive a surplus (upkeep money). The cost per
// working hour is the cost divided by the hours the cameras were up in
// the window, rounded to the nearest đồng; nil (JSON null) when they were
// never up in it.
type FundingRow struct {
	// Key is the camera id, the commune (canonical spelling) or the
	// donor; "total" on the totals row.
	Key string
	// Name, Commune and Status describe a camera (camera rows).
	Name    string
	Commune string
	Status  camera.Status
	// Cameras is, for a commune, how many cameras it has; for a donor,
	// how many distinct cameras they gave to; in the totals, how many
	// cameras are registered.
	Cameras int
	// Communes is, for a donor, in how many communes they gave; in the
	// totals, how many communes have cameras.
	Communes int
	// CostVND is what the cameras cost (retired ones too: the money was
	// spent).
	CostVND int64
	// DonatedVND is every gift: to the cameras, and for a commune, a
	// donor and the totals also to the communes' pools.
	DonatedVND int64
	// PoolVND is the part of DonatedVND given to communes' pools.
	PoolVND    int64
	BalanceVND int64
	// Donors is how many distinct donors gave (donors are told apart by
	// their name as stored, in NFC).
	Donors int
	// Donations is how many gifts.
	Donations int
	// UpMillis is how long the cameras were up in the window, summed.
	UpMillis int64
	// CostPerUpHourVND is CostVND per hour up, nil when UpMillis is 0.
	CostPerUpHourVND *int64
}

// UpHours is UpMillis in hours, to four decimals (a third of a second).
func (r *FundingRow) UpHours() float64 {
	return math.Round(float64(r.UpMillis)/360) / 10_000
}

// finish computes the derived fields.
// slot, when the row has up time, receives the cost per up hour, and
// CostPerUpHourVND points at it: the caller hands out slots of one slice,
// so that a million rows are not a million small allocations.
func (r *FundingRow) finish(slot *int64) {
	r.BalanceVND = r.DonatedVND - r.CostVND
	if v, ok := costPerUpHour(r.CostVND, r.UpMillis); ok {
		*slot = v
		r.CostPerUpHourVND = slot
	}
}

// costPerUpHour returns cost × 3,600,000 ÷ upMillis rounded half away
// from zero, in 128-bit integer arithmetic: exact whatever the sizes, so
// that a report sums and divides the same way on every machine. ok is
// false when upMillis is not positive; the result saturates at the int64
// range.
func costPerUpHour(cost, upMillis int64) (int64, bool) {
	if upMillis <= 0 {
		return 0, false
	}
	neg := cost < 0
	mag := uint64(cost)
	if neg {
		mag = uint64(-(cost + 1)) + 1
	}
	d := uint64(upMillis)
	hi, lo := bits.Mul64(mag, 3_600_000)
	var carry uint64
	lo, carry = bits.Add64(lo, d/2, 0)
	hi += carry
	q := uint64(math.MaxInt64)
	if hi < d {
		if x, _ := bits.Div64(hi, lo, d); x < q {
			q = x
		}
	}
	v := int64(q)
	if neg {
		v = -v
	}
	return v, true
}

// FundingReport is a funding view: one row per camera, commune or donor,
// in Key order (communes by their folded name, so that "Đăng Hưng
// Phước" sorts among the D's), and the totals, which are the same in
// every view.
type FundingReport struct {
	GroupBy GroupBy
	// From and To are the up-time window used, after defaults.
	From, To time.Time
	Rows     []FundingRow
	Totals   FundingRow
}

// Funding computes a funding view: how the money given compares with what
// the cameras cost, grouped by camera, commune or donor, with the cost
// per working hour of cameras and communes over the window w.
//
// A gift counts for the commune it was given in (stored with it); a
// camera's cost and up time for the commune the camera is in now. Gifts
// to a camera that was deleted make a row of their own with no cost.
//
// Each view is three passes over buckets in key order, without lookups,
// two of them side by side (see funding_passes.go): the cameras (four
// fields decoded of each), their health history (a walk in key order,
// see upWalker), and one donation index. With a million cameras and five
// million donations a view takes about a second (see BenchmarkFunding*).
// The passes read their own transactions, started within a moment of
// each other: a write that commits in between may be seen by one and not
// another, as if that part of the report had been taken a moment later.
func (s *Store) Funding(ctx context.Context, groupBy GroupBy, w Window) (*FundingReport, error) {
	rep, err := s.newFundingReport(ctx, groupBy, w)
	if err != nil {
		return nil, err
	}
	groupBy, w = rep.GroupBy, Window{From: rep.From, To: rep.To}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		ds   *donationSide
		derr error
		done = make(chan struct{})
	)
	// The passes are split in two piles of about equal weight. The camera
	// and commune views' donation pass is the heavier (five million index
	// entries against a million 40-byte camera facts), so the camera pass
	// walks the health history alongside; the donor view's camera pass
	// only sums the totals, so the history goes to the other pile.
	inlineUp := groupBy != GroupByDonor
	var upMillis int64
	go func() {
		defer close(done)
		if !inlineUp {
			derr = s.view(func(tx *bolt.Tx) error {
				var err error
				upMillis, err = upTotal(ctx, tx, w.From, w.To)
				return err
			})
		}
		if derr == nil {
			derr = s.view(func(tx *bolt.Tx) error {
				var err error
				ds, err = donationPass(ctx, tx, groupBy)
				return err
			})
		}
		if derr != nil {
			cancel()
		}
	}()
	var cs *cameraSide
	cerr := s.view(func(tx *bolt.Tx) error {
		var err error
		cs, err = cameraPass(ctx, tx, groupBy, inlineUp, w)
		return err
	})
	if cerr != nil {
		cancel()
	}
	<-done
	if cerr != nil {
		return nil, cerr
	}
	if derr != nil {
		return nil, derr
	}
	if !inlineUp {
		cs.total.UpMillis += upMillis
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
	slots := make([]int64, len(rep.Rows)+1)
	for i := range rep.Rows {
		rep.Rows[i].finish(&slots[i])
	}
	rep.Totals.finish(&slots[len(rep.Rows)])
	return rep, nil
}

// Page returns up to limit rows after the row whose key is after ("" =
// from the first), and the key to pass as after for the next page, ""
// on the last page. An after that is no row's key is a QueryError of
// QueryCursor.
func (r *FundingReport) Page(after string, limit int) (rows []FundingRow, next string, err error) {
	start := 0
	if after != "" {
		start = -1
		for i := range r.Rows {
			if r.Rows[i].Key == after {
				start = i + 1
				break
			}
		}
		if start < 0 {
			return nil, "", queryErrorf(QueryCursor, "is not a key of this view")
		}
	}
	if limit <= 0 {
		limit = 100
	}
	end := min(start+limit, len(r.Rows))
	rows = r.Rows[start:end]
	if end < len(r.Rows) {
		next = r.Rows[end-1].Key
	}
	return rows, next, nil
}

// newFundingReport checks a view's question — the grouping and the
// window, resolved against the store's clock — and returns the empty
// report that the passes of Funding and FundingIn fill.
func (s *Store) newFundingReport(ctx context.Context, groupBy GroupBy, w Window) (*FundingReport, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	groupBy, err := ParseGroupBy(string(groupBy))
	if err != nil {
		return nil, err
	}
	w, err = w.resolve(s.now())
	if err != nil {
		return nil, err
	}
	return &FundingReport{GroupBy: groupBy, From: w.From, To: w.To}, nil
}
