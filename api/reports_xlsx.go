package api

import (
	"slices"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/exchange"
	"github.com/matthan/matthan/report"
)

// summaryWorkbook returns the district summary as a workbook: a sheet
// "summary" with a row per commune and the total last, its nested figures
// flattened into columns named after the JSON — coverage_<class>_<figure>
// for "all" and each road class with junctions, incidents_<handling> and
// subjects_<handling> for every handling —, a sheet "window" with the
// windows of the figures, and, when the daemon keeps tips, a sheet "tips":
// a row per outcome with its tips and people, the total last.
func summaryWorkbook(sum *report.Summary) (*exchange.Workbook, error) {
	classes := []string{"all"}
	for _, rc := range camera.RoadClasses {
		if _, ok := sum.Total.Coverage[string(rc)]; ok {
			classes = append(classes, string(rc))
		}
	}
	cols := []exchange.SheetColumn{
		{Name: "commune", Kind: exchange.KindText, Width: 24},
		{Name: "cameras", Kind: exchange.KindCount},
		{Name: "up_now", Kind: exchange.KindCount},
		{Name: "up_hours", Kind: exchange.KindDecimal},
		{Name: "uptime", Kind: exchange.KindRatio},
		{Name: "funding_vnd", Kind: exchange.KindVND},
		{Name: "cost_vnd", Kind: exchange.KindVND},
	}
	for _, k := range classes {
		cols = append(cols,
			exchange.SheetColumn{Name: "coverage_" + k + "_intersections", Kind: exchange.KindCount},
			exchange.SheetColumn{Name: "coverage_" + k + "_installed", Kind: exchange.KindCount},
			exchange.SheetColumn{Name: "coverage_" + k + "_live", Kind: exchange.KindCount},
			exchange.SheetColumn{Name: "coverage_" + k + "_installed_ratio", Kind: exchange.KindRatio},
			exchange.SheetColumn{Name: "coverage_" + k + "_live_ratio", Kind: exchange.KindRatio})
	}
	for _, what := range []string{"incidents_", "subjects_"} {
		for _, h := range camera.Handlings {
			cols = append(cols, exchange.SheetColumn{Name: what + string(h), Kind: exchange.KindCount})
		}
	}
	wb, err := exchange.NewWorkbook()
	if err != nil {
		return nil, err
	}
	if err := fillSummary(wb, sum, cols, classes); err != nil {
		wb.Close()
		return nil, err
	}
	return wb, nil
}

func fillSummary(wb *exchange.Workbook, sum *report.Summary, cols []exchange.SheetColumn, classes []string) error {
	if err := wb.AddSheet("summary", cols); err != nil {
		return err
	}
	cells := make([]any, 0, len(cols))
	for _, r := range slices.Concat(sum.Communes, []report.Row{sum.Total}) {
		cells = append(cells[:0], r.Commune, r.Cameras, r.UpNow, r.UpHours, r.Uptime, r.FundingVND, r.CostVND)
		for _, k := range classes {
			v := r.Coverage[k]
			cells = append(cells, v.Intersections, v.Installed, v.Live, v.InstalledRate, v.LiveRate)
		}
		for _, h := range camera.Handlings {
			cells = append(cells, r.Incidents[h])
		}
		for _, h := range camera.Handlings {
			cells = append(cells, r.Subjects[h])
		}
		if err := wb.WriteRow(cells...); err != nil {
			return err
		}
	}
	err := wb.AddSheet("window", []exchange.SheetColumn{
		{Name: "from", Kind: exchange.KindDateTime}, {Name: "to", Kind: exchange.KindDateTime},
		{Name: "uptime_from", Kind: exchange.KindDateTime}, {Name: "generated_at", Kind: exchange.KindDateTime},
	})
	if err != nil {
		return err
	}
	var from any // no from: incidents of all time, an empty cell
	if sum.From != nil {
		from = *sum.From
	}
	if err := wb.WriteRow(from, sum.To, sum.UptimeFrom, sum.GeneratedAt); err != nil || sum.Tips == nil {
		return err
	}
	err = wb.AddSheet("tips", []exchange.SheetColumn{
		{Name: "outcome", Kind: exchange.KindText, Width: 16}, {Name: "tips", Kind: exchange.KindCount}, {Name: "people", Kind: exchange.KindCount},
	})
	if err != nil {
		return err
	}
	for _, o := range sum.Tips.ByOutcome {
		if err := wb.WriteRow(string(o.Outcome), o.Tips, o.People); err != nil {
			return err
		}
	}
	return wb.WriteRow("total", sum.Tips.Tips, sum.Tips.People)
}
