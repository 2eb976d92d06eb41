package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
)

// seriesOut answers GET /donations/series: the money given per period, in
// each commune and in all of them, for a chart. periods runs without a
// gap from the first period with gifts to the last (or over from..to
// when given); every series has a value, often 0, for each.
type seriesOut struct {
	Interval string        `json:"interval"`
	Periods  []string      `json:"periods"`
	Series   []seriesOfOne `json:"series"`
	Total    seriesValues  `json:"total"`
}

type seriesOfOne struct {
	Commune string `json:"commune"`
	seriesValues
}

type seriesValues struct {
	DonatedVND []int64 `json:"donated_vnd"`
	Donations  []int   `json:"donations"`
}

// donationSeries sums the gifts by month (interval=month, the default) or
// year, per commune: of every commune, or of commune= (named as the
// donation list's filter names it), with received_on in from..to
// (YYYY-MM-DD, both included). It reads the index of gifts by commune
// only (registry.Store.DonationMonths).
func (s *Server) donationSeries(c *gin.Context) {
	q, err := checkQuery(c, "commune", "from", "to", "interval")
	if err != nil {
		s.writeError(c, err)
		return
	}
	interval := q.Get("interval")
	switch interval {
	case "":
		interval = "month"
	case "month", "year":
	default:
		s.writeError(c, invalid("interval", "must be month or year, got %q", interval))
		return
	}
	months, err := s.donations.DonationMonths(c, q.Get("commune"), q.Get("from"), q.Get("to"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	period := func(month string) string { return month }
	if interval == "year" {
		period = func(month string) string { return month[:4] }
	}
	// The span: from..to when given, widened to the gifts found.
	first, last := "", ""
	if v := q.Get("from"); v != "" {
		first = period(v[:7])
	}
	if v := q.Get("to"); v != "" {
		last = period(v[:7])
	}
	for _, cm := range months {
		if p := period(cm.Months[0].Month); first == "" || p < first {
			first = p
		}
		if p := period(cm.Months[len(cm.Months)-1].Month); last == "" || p > last {
			last = p
		}
	}
	out := seriesOut{Interval: interval, Periods: []string{}, Series: []seriesOfOne{}}
	if first != "" && last != "" {
		out.Periods = periodsBetween(first, last, interval)
	}
	at := make(map[string]int, len(out.Periods))
	for i, p := range out.Periods {
		at[p] = i
	}
	n := len(out.Periods)
	out.Total = seriesValues{DonatedVND: make([]int64, n), Donations: make([]int, n)}
	for _, cm := range months {
		one := seriesOfOne{Commune: cm.Commune, seriesValues: seriesValues{DonatedVND: make([]int64, n), Donations: make([]int, n)}}
		for _, m := range cm.Months {
			i := at[period(m.Month)]
			sum, ok1 := camera.AddVND(one.DonatedVND[i], m.DonatedVND)
			total, ok2 := camera.AddVND(out.Total.DonatedVND[i], m.DonatedVND)
			if !ok1 || !ok2 {
				s.writeError(c, camera.Errorf(camera.EINTERNAL, "amount_vnd", "the donations of %s sum to more than a total can hold", m.Month))
				return
			}
			one.DonatedVND[i], out.Total.DonatedVND[i] = sum, total
			one.Donations[i] += m.Donations
			out.Total.Donations[i] += m.Donations
		}
		out.Series = append(out.Series, one)
	}
	ok(c, http.StatusOK, out)
}

// periodsBetween lists the months (YYYY-MM) or years (YYYY) from first to
// last, both included.
func periodsBetween(first, last, interval string) []string {
	var out []string
	y, _ := strconv.Atoi(first[:4])
	if interval == "year" {
		end, _ := strconv.Atoi(last[:4])
		for ; y <= end; y++ {
			out = append(out, fmt.Sprintf("%04d", y))
		}
		return out
	}
	m, _ := strconv.Atoi(first[5:7])
	for {
		p := fmt.Sprintf("%04d-%02d", y, m)
		if p > last {
			return out
		}
		out = append(out, p)
		if m++; m > 12 {
			y, m = y+1, 1
		}
	}
}
