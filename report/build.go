package report

import (
	"context"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/registry"
)

// Uptimes sums the active cameras' up time over a window by commune in
// one pass (registry.Store.UptimeByCommune).
type Uptimes interface {
	UptimeByCommune(ctx context.Context, from, to time.Time) (map[string]time.Duration, error)
}

// Incidents counts incidents and their subjects by commune and handling
// (registry.Store.HandlingCounts).
type Incidents interface {
	HandlingCounts(ctx context.Context, from, to time.Time) (*registry.IncidentCounts, error)
}

// Tips counts the hotline tips and the people they led to, by outcome
// (registry.Store.TipCounts).
type Tips interface {
	TipCounts(ctx context.Context, from, to time.Time) (*registry.TipCounts, error)
}

// Money gives the donations and the cameras' cost by commune, from
// running totals (registry.Store).
type Money interface {
	DonationTotals(ctx context.Context) (map[string]int64, error)
	CostTotals(ctx context.Context) (map[string]int64, error)
}

// Map gives the active cameras and the coverage of intersections by
// commune, from memory (geo.Index).
type Map interface {
	CameraCounts() []geo.CameraCount
	CoverageCounts() []geo.CoverageCount
}

var (
	_ Uptimes   = (*registry.Store)(nil)
	_ Incidents = (*registry.Store)(nil)
	_ Money     = (*registry.Store)(nil)
	_ Tips      = (*registry.Store)(nil)
	_ Map       = (*geo.Index)(nil)
)

// Sources are where the figures of a summary come from. A nil source
// leaves its figures out: no cameras and coverage without a Map, no up
// time without Uptimes, and so on.
type Sources struct {
	Uptime    Uptimes
	Incidents Incidents
	Money     Money
	Map       Map
	// Tips, when set, adds the table of hotline tips (Summary.Tips).
	Tips Tips
}

// Query is what a summary covers.
type Query struct {
	// From and To bound the incidents counted, [From, To); a zero From
	// counts them all. The uptime window is the same, or the
	// DefaultUptimeWindow before To without From.
	From, To time.Time
	// Now is when the summary is made (GeneratedAt).
	Now time.Time
	// Location is the zone the summary's times are given in (UTC when
	// nil), whatever offset the window was written with.
	Location *time.Location
}

// Build assembles the district summary of q from src: one row per
// commune met in any source, in byte order of the names, and the total.
// Sums of money are checked: a total an int64 cannot hold is an error
// (EINTERNAL), never a wrapped negative number.
func Build(ctx context.Context, src Sources, q Query) (*Summary, error) {
	loc := q.Location
	if loc == nil {
		loc = time.UTC
	}
	from, to := q.From, q.To
	rows := map[string]*Row{}
	row := func(commune string) *Row {
		r := rows[commune]
		if r == nil {
			r = newRow(commune)
			rows[commune] = r
		}
		return r
	}
	out := &Summary{To: to.In(loc), GeneratedAt: q.Now.In(loc)}
	if !from.IsZero() {
		f := from.In(loc)
		out.From = &f
	}
	upFrom := from
	if upFrom.IsZero() {
		upFrom = to.Add(-DefaultUptimeWindow)
	}
	out.UptimeFrom = upFrom.In(loc)

	parts, err := readParts(ctx, src, from, upFrom, to, loc)
	if err != nil {
		return nil, err
	}
	if src.Map != nil {
		for _, cc := range src.Map.CameraCounts() {
			r := row(cc.Commune)
			r.Cameras += cc.Cameras
			r.UpNow += cc.States[camera.StateUp]
		}
		addCoverage(src.Map.CoverageCounts(), row)
	}
	for commune, up := range parts.upTime {
		row(commune).UpHours += up.Hours()
	}
	for commune, v := range parts.given {
		if !addVND(&row(commune).FundingVND, v) {
			return nil, moneyTooLarge("amount_vnd", "the donations in commune "+commune)
		}
	}
	for commune, v := range parts.cost {
		if !addVND(&row(commune).CostVND, v) {
			return nil, moneyTooLarge("cost_vnd", "the cameras of commune "+commune)
		}
	}
	if parts.tips != nil {
		out.Tips = &TipTable{Tips: parts.tips.Tips, People: parts.tips.People, ByOutcome: parts.tips.ByOutcome, ByChannel: parts.tips.ByChannel}
	}
	if parts.incidents != nil {
		for _, h := range parts.incidents.ByHandling {
			r := row(h.Commune)
			r.Incidents[h.Handling] += h.Incidents
			r.Subjects[h.Handling] += h.Subjects
		}
	}

	window := to.Sub(upFrom).Hours()
	total := newRow("total")
	names := make([]string, 0, len(rows))
	for name := range rows {
		names = append(names, name)
	}
	sort.Strings(names)
	out.Communes = make([]Row, 0, len(names))
	for _, name := range names {
		r := rows[name]
		setUptime(r, window)
		total.Cameras += r.Cameras
		total.UpNow += r.UpNow
		total.UpHours += r.UpHours
		if !addVND(&total.FundingVND, r.FundingVND) {
			return nil, moneyTooLarge("amount_vnd", "the donations of all communes")
		}
		if !addVND(&total.CostVND, r.CostVND) {
			return nil, moneyTooLarge("cost_vnd", "the cameras of all communes")
		}
		for k, v := range r.Coverage {
			t := total.Coverage[k]
			t.Intersections += v.Intersections
			t.Installed += v.Installed
			t.Live += v.Live
			total.Coverage[k] = t
		}
		for h, n := range r.Incidents {
			total.Incidents[h] += n
		}
		for h, n := range r.Subjects {
			total.Subjects[h] += n
		}
		out.Communes = append(out.Communes, *r)
	}
	for k, v := range total.Coverage {
		total.Coverage[k] = withRates(v)
	}
	setUptime(total, window)
	out.Total = *total
	return out, nil
}

// parts are the figures of the summary that come from the store, each
// read by a pass of its own.
type parts struct {
	upTime    map[string]time.Duration // by commune
	given     map[string]int64
	cost      map[string]int64
	incidents *registry.IncidentCounts
	tips      *registry.TipCounts
}

// readParts runs the store's passes of the summary side by side: at a
// million cameras the up-time walk and the incident count each take a
// good part of a second, and they read different buckets, each in a read
// transaction of its own, so on two cores they overlap. (The parts are
// not one snapshot: a donation stored between two passes shows in one
// and not the other, as it would a moment later anyway.)
func readParts(ctx context.Context, src Sources, from, upFrom, to time.Time, loc *time.Location) (*parts, error) {
	// The first pass to fail stops the others: its error is the answer.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		p  parts
		wg sync.WaitGroup
	)
	run := func(pass func() error) {
		if err := pass(); err != nil {
			cancel(err)
		}
	}
	if src.Uptime != nil {
		wg.Go(func() {
			run(func() (err error) { p.upTime, err = src.Uptime.UptimeByCommune(ctx, upFrom, to); return err })
		})
	}
	if src.Incidents != nil {
		wg.Go(func() {
			run(func() (err error) { p.incidents, err = src.Incidents.HandlingCounts(ctx, from, to); return err })
		})
	}
	if src.Tips != nil {
		// The time index of tips alone: a few thousand entries a year.
		run(func() (err error) { p.tips, err = src.Tips.TipCounts(ctx, from.In(loc), to); return err })
	}
	if src.Money != nil {
		// Both read running totals: a few thousand records.
		run(func() (err error) {
			if p.given, err = src.Money.DonationTotals(ctx); err != nil {
				return err
			}
			p.cost, err = src.Money.CostTotals(ctx)
			return err
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return &p, nil
}

// addCoverage adds each commune's coverage per road class, and its "all"
// sum, in both modes.
func addCoverage(counts []geo.CoverageCount, row func(string) *Row) {
	for _, c := range counts {
		r := row(c.Commune)
		for _, k := range []string{string(c.RoadClass), "all"} {
			v := r.Coverage[k]
			v.Intersections += c.Intersections
			v.Installed += c.Covered(geo.Installed)
			v.Live += c.Covered(geo.Live)
			r.Coverage[k] = withRates(v)
		}
	}
}

// addVND adds v to *sum and reports whether the sum fits in an int64.
func addVND(sum *int64, v int64) bool {
	s, ok := camera.AddVND(*sum, v)
	*sum = s
	return ok
}

// moneyTooLarge is the error of a summary whose money cannot be summed.
func moneyTooLarge(field, what string) error {
	return camera.Errorf(camera.EINTERNAL, field, "%s sum to more than %s, more than a total can hold", what, camera.FormatVND(math.MaxInt64))
}
