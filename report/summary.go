package report

import (
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// DefaultUptimeWindow is the uptime window of a summary without a start:
// the last 30 days.
const DefaultUptimeWindow = 30 * 24 * time.Hour

// Row is one commune of the district summary, or the total.
type Row struct {
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
	Coverage map[string]Coverage `json:"coverage"`
	// FundingVND is what was given in the commune (to its cameras and its
	// pool); CostVND what its cameras cost.
	FundingVND int64 `json:"funding_vnd"`
	CostVND    int64 `json:"cost_vnd"`
	// Incidents and subjects (suspects) by handling.
	Incidents map[camera.Handling]int `json:"incidents"`
	Subjects  map[camera.Handling]int `json:"subjects"`
}

// Coverage is the coverage of one road class in a commune.
type Coverage struct {
	Intersections int     `json:"intersections"`
	Installed     int     `json:"installed"`
	Live          int     `json:"live"`
	InstalledRate float64 `json:"installed_ratio"`
	LiveRate      float64 `json:"live_ratio"`
}

// Summary is the district report. Its times carry the offset of the zone
// it was built in (Query.Location).
type Summary struct {
	From       *time.Time `json:"from,omitempty"`
	To         time.Time  `json:"to"`
	UptimeFrom time.Time  `json:"uptime_from"`
	Communes   []Row      `json:"communes"`
	Total      Row        `json:"total"`
	// Tips is the table of hotline tips over [From, To): left out when
	// the daemon keeps no tips (tips.enabled false).
	Tips        *TipTable `json:"tips,omitempty"`
	GeneratedAt time.Time `json:"generated_at"`
}

// TipTable is the district's second table: the tips received and what
// came of them ("165 tips: 15 criminal cases with 17 suspects, 24
// administrative cases with 40 people, 25 people educated"). Every
// outcome and channel is listed, zeros included.
type TipTable struct {
	Tips      int                        `json:"tips"`
	People    int                        `json:"people"`
	ByOutcome []registry.TipOutcomeCount `json:"by_outcome"`
	ByChannel []registry.TipChannelCount `json:"by_channel"`
}

// newRow returns an empty row of commune.
func newRow(commune string) *Row {
	return &Row{Commune: commune, Coverage: map[string]Coverage{},
		Incidents: map[camera.Handling]int{}, Subjects: map[camera.Handling]int{}}
}

func withRates(v Coverage) Coverage {
	if v.Intersections > 0 {
		v.InstalledRate = float64(v.Installed) / float64(v.Intersections)
		v.LiveRate = float64(v.Live) / float64(v.Intersections)
	}
	return v
}

func setUptime(r *Row, windowHours float64) {
	if r.Cameras > 0 && windowHours > 0 {
		u := r.UpHours / (float64(r.Cameras) * windowHours)
		r.Uptime = &u
	}
}
