package api

import (
	"context"
	"math"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/registry"
)

// UptimeStore sums the active cameras' up time over a window by commune
// in one pass.
type UptimeStore interface {
	UptimeByCommune(ctx context.Context, from, to time.Time) (map[string]time.Duration, error)
}

var _ UptimeStore = (*registry.Store)(nil)

// defaultReportUptime is the uptime window of a summary without from.
const defaultReportUptime = 30 * 24 * time.Hour

// SummaryRow is one commune of the district summary, or the total.
type SummaryRow struct {
	Commune string `json:"commune"`
	// Cameras counts the active cameras; UpNow those whose state is up.
	Cameras int `json:"cameras"`
	UpNow   int `json:"up_now"`
	// UpHours sums the cameras' up time over the uptime window; Uptime is
	// that over cameras × window (time before a camera's first probe
	// counts as not up).
	UpHours float64  `json:"up_hours"`
	Uptime  *float64 `json:"uptime"`
	// Coverage of intersections per road class ("all" for the sum), in
	// installed and live mode.
	Coverage map[string]SummaryCoverage `json:"coverage"`
	// FundingVND is what was given in the commune (to its cameras and its
	// pool); CostVND what its cameras cost.
	FundingVND int64 `json:"funding_vnd"`
	CostVND    int64 `json:"cost_vnd"`
	// Incidents and subjects (suspects) by handling.
	Incidents map[camera.Handling]int `json:"incidents"`
	Subjects  map[camera.Handling]int `json:"subjects"`
}

// SummaryCoverage is the coverage of one road class in a commune.
type SummaryCoverage struct {
	Intersections int     `json:"intersections"`
	Installed     int     `json:"installed"`
	Live          int     `json:"live"`
	InstalledRate float64 `json:"installed_ratio"`
	LiveRate      float64 `json:"live_ratio"`
}

// Summary is the district report. Its times carry the offset of the
// daemon's zone (Options.Location).
type Summary struct {
	From        *time.Time   `json:"from,omitempty"`
	To          time.Time    `json:"to"`
	UptimeFrom  time.Time    `json:"uptime_from"`
	Communes    []SummaryRow `json:"communes"`
	Total       SummaryRow   `json:"total"`
	GeneratedAt time.Time    `json:"generated_at"`
}

// summary answers the district report: per commune and in total, active
// cameras, up now, uptime over the window, coverage of intersections by
// road class, funding received, incidents and suspects by handling.
// Incidents count over [from, to) (all time without from); uptime over
// the same window, or the last 30 days without from. JSON, or a workbook
// with ?format=xlsx (summaryWorkbook).
func (s *Server) summary(c *gin.Context) {
	q, err := checkQuery(c, "from", "to", "format")
	if err != nil {
		s.writeError(c, err)
		return
	}
	switch f := q.Get("format"); f {
	case "", "json", "xlsx":
	default:
		s.writeError(c, invalid("format", "must be json or xlsx, got %q", f))
		return
	}
	now := s.now()
	from, to, err := timeWindow(q.Get("from"), q.Get("to"), now)
	if err != nil {
		s.writeError(c, err)
		return
	}
	sum, err := s.buildSummary(c, from, to)
	if err != nil {
		s.writeError(c, err)
		return
	}
	sum.GeneratedAt = now
	if q.Get("format") == "xlsx" {
		wb, err := summaryWorkbook(sum)
		if err != nil {
			s.writeError(c, err)
			return
		}
		defer wb.Close()
		s.sendWorkbook(c, "summary", wb)
		return
	}
	ok(c, http.StatusOK, sum)
}

// summaryParts are the figures of the summary that come from the store,
// each read by a pass of its own.
type summaryParts struct {
	upTime    map[string]time.Duration // by commune
	given     map[string]int64
	cost      map[string]int64
	incidents *registry.IncidentCounts
}

// readSummaryParts runs the store's passes of the summary side by side:
// at a million cameras the up-time walk and the incident count each take
// a good part of a second, and they read different buckets, each in a
// read transaction of its own, so on two cores they overlap. (The parts
// are not one snapshot: a donation stored between two passes shows in
// one and not the other, as it would a moment later anyway.)
func (s *Server) readSummaryParts(ctx context.Context, from, upFrom, to time.Time) (*summaryParts, error) {
	// The first pass to fail stops the others: its error is the answer.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		p  summaryParts
		wg sync.WaitGroup
	)
	run := func(pass func() error) {
		if err := pass(); err != nil {
			cancel(err)
		}
	}
	if s.uptime != nil {
		wg.Go(func() {
			run(func() (err error) { p.upTime, err = s.uptime.UptimeByCommune(ctx, upFrom, to); return err })
		})
	}
	if s.incidents != nil {
		wg.Go(func() {
			run(func() (err error) { p.incidents, err = s.incidents.HandlingCounts(ctx, from, to); return err })
		})
	}
	if s.donations != nil {
		// Both read running totals: a few thousand records.
		run(func() (err error) {
			if p.given, err = s.donations.DonationTotals(ctx); err != nil {
				return err
			}
			p.cost, err = s.donations.CostTotals(ctx)
			return err
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return &p, nil
}

func (s *Server) buildSummary(ctx context.Context, from, to time.Time) (*Summary, error) {
	rows := map[string]*SummaryRow{}
	row := func(commune string) *SummaryRow {
		r := rows[commune]
		if r == nil {
			r = &SummaryRow{Commune: commune, Coverage: map[string]SummaryCoverage{},
				Incidents: map[camera.Handling]int{}, Subjects: map[camera.Handling]int{}}
			rows[commune] = r
		}
		return r
	}
	// The window is answered in the daemon's zone, whatever offset the
	// query was written with.
	out := &Summary{To: to.In(s.loc)}
	if !from.IsZero() {
		f := from.In(s.loc)
		out.From = &f
	}
	upFrom := from
	if upFrom.IsZero() {
		upFrom = to.Add(-defaultReportUptime)
	}
	out.UptimeFrom = upFrom.In(s.loc)

	parts, err := s.readSummaryParts(ctx, from, upFrom, to)
	if err != nil {
		return nil, err
	}
	if s.geo != nil {
		for _, cc := range s.geo.CameraCounts() {
			r := row(cc.Commune)
			r.Cameras += cc.Cameras
			r.UpNow += cc.States[camera.StateUp]
		}
		s.summaryCoverage(row)
	}
	for commune, up := range parts.upTime {
		row(commune).UpHours += up.Hours()
	}
	// Money sums are checked: a total that cannot be held is an error,
	// never a wrapped negative number.
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
	if parts.incidents != nil {
		for _, h := range parts.incidents.ByHandling {
			r := row(h.Commune)
			r.Incidents[h.Handling] += h.Incidents
			r.Subjects[h.Handling] += h.Subjects
		}
	}

	window := to.Sub(upFrom).Hours()
	total := SummaryRow{Commune: "total", Coverage: map[string]SummaryCoverage{},
		Incidents: map[camera.Handling]int{}, Subjects: map[camera.Handling]int{}}
	names := make([]string, 0, len(rows))
	for name := range rows {
		names = append(names, name)
	}
	sort.Strings(names)
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
	setUptime(&total, window)
	out.Total = total
	if out.Communes == nil {
		out.Communes = []SummaryRow{}
	}
	return out, nil
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

// summaryCoverage adds each commune's coverage per road class, and its
// "all" sum, in both modes.
func (s *Server) summaryCoverage(row func(string) *SummaryRow) {
	for _, c := range s.geo.CoverageCounts() {
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

func withRates(v SummaryCoverage) SummaryCoverage {
	if v.Intersections > 0 {
		v.InstalledRate = float64(v.Installed) / float64(v.Intersections)
		v.LiveRate = float64(v.Live) / float64(v.Intersections)
	}
	return v
}

func setUptime(r *SummaryRow, windowHours float64) {
	if r.Cameras > 0 && windowHours > 0 {
		u := r.UpHours / (float64(r.Cameras) * windowHours)
		r.Uptime = &u
	}
}
