package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/vntext"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/report"
)

const reportSynopsis = "matthan report [--from T] [--to T] [--json] [--lang vi|en] [--timezone ZONE] [--server URL] [--token T]"

// reportWidth is the widest line the report prints: it fits a terminal of
// 100 columns without wrapping.
const reportWidth = 100

// report prints the district summary of a running daemon as tables for a
// person (VND written the Vietnamese way, times in the users' zone, in
// Vietnamese or English), or its JSON.
func (c *cli) report(ctx context.Context, args []string) error {
	fs := c.newFlagSet("report", reportSynopsis)
	server, token := c.clientFlags(fs)
	from := fs.String("from", "", "count incidents and uptime from `T` (RFC 3339); all incidents and the last 30 days of uptime when empty")
	to := fs.String("to", "", "up to `T` (RFC 3339); now when empty")
	asJSON := fs.Bool("json", false, "print the report's JSON")
	lang := fs.String("lang", "", "`LANG` of the report: vi or en (default: vi when LC_ALL, LC_MESSAGES or LANG starts with vi, else en)")
	tz := timezoneFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos); err != nil {
		return err
	}
	code, ok := reportLang(*lang, c.getenv)
	if !ok {
		return &usageError{msg: fmt.Sprintf("--lang must be vi or en, got %q", *lang), usage: fs.Usage}
	}
	loc, err := c.clientTimezone(fs, *tz)
	if err != nil {
		return err
	}
	cl, err := c.newClient(fs, *server, *token)
	if err != nil {
		return err
	}
	q := url.Values{}
	if *from != "" {
		q.Set("from", *from)
	}
	if *to != "" {
		q.Set("to", *to)
	}
	resp, err := cl.do(ctx, request{method: http.MethodGet, path: "/api/v1/reports/summary", query: q})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if *asJSON {
		_, err := c.stdout.Write(raw)
		return err
	}
	// The daemon assembles the summary (package report); its JSON reads
	// back into the same types.
	var sum report.Summary
	if err := json.Unmarshal(raw, &sum); err != nil {
		return fmt.Errorf("read the report: %w", err)
	}
	return printSummary(c.stdout, &sum, reportCatalogue[code], loc)
}

// printSummary writes the report: when and over which windows, a table of
// cameras and coverage and one of funding and incidents (one commune a
// line, the total last), and a sentence of the main figures. Every line
// fits reportWidth columns; long commune names are cut with "…".
func printSummary(w io.Writer, s *report.Summary, tx *reportText, loc *time.Location) error {
	at := func(t time.Time) string { return t.In(loc).Format(tx.timeFmt) }
	criminal := camera.Handling("criminal")
	fmt.Fprintf(w, tx.title+"\n", at(s.GeneratedAt))
	fmt.Fprintf(w, tx.uptimeWin+"\n", at(s.UptimeFrom), at(s.To))
	if s.From != nil {
		fmt.Fprintf(w, tx.incWin+"\n", at(*s.From), at(s.To))
	} else {
		fmt.Fprintln(w, tx.incAll)
	}
	pct := func(n, of int) string {
		if of == 0 {
			return tx.none
		}
		return fmt.Sprintf("%d %%", int(math.Round(100*float64(n)/float64(of))))
	}
	// Names in the reader's order: "Đăng Hưng Phước" among the D's, not
	// after Z as its bytes would have it.
	communes := slices.Clone(s.Communes)
	slices.SortStableFunc(communes, func(a, b report.Row) int {
		return strings.Compare(vntext.Fold(a.Commune), vntext.Fold(b.Commune))
	})
	name := func(r report.Row, total bool) string {
		if total {
			return tx.total
		}
		return vntext.NFC(r.Commune)
	}

	cams := &textTable{cols: []tableColumn{{head: tx.commune}, {head: tx.cameras, right: true}, {head: tx.upNow, right: true},
		{head: tx.uptime, right: true}, {head: tx.junctions, right: true}, {head: tx.installed, right: true}, {head: tx.live, right: true},
		{head: tx.natInst, right: true}, {head: tx.natLive, right: true}}}
	money := &textTable{cols: []tableColumn{{head: tx.commune}, {head: tx.received, right: true}, {head: tx.cost, right: true},
		{head: tx.criminal, right: true}, {head: tx.suspects, right: true}, {head: tx.otherIncidents, right: true}}}
	row := func(r report.Row, total bool) {
		uptime := tx.none
		if r.Uptime != nil {
			uptime = strings.Replace(fmt.Sprintf("%.1f %%", *r.Uptime*100), ".", tx.decimal, 1)
		}
		all, nat := r.Coverage["all"], r.Coverage[string(camera.RoadNational)]
		junctions := tx.none
		if all.Intersections > 0 {
			junctions = strconv.Itoa(all.Intersections)
		}
		cams.add(name(r, total), strconv.Itoa(r.Cameras), strconv.Itoa(r.UpNow), uptime, junctions,
			pct(all.Installed, all.Intersections), pct(all.Live, all.Intersections),
			pct(nat.Installed, nat.Intersections), pct(nat.Live, nat.Intersections))
		other := 0
		for h, n := range r.Incidents {
			if h != criminal {
				other += n
			}
		}
		money.add(name(r, total), camera.FormatVND(r.FundingVND), camera.FormatVND(r.CostVND),
			strconv.Itoa(r.Incidents[criminal]), strconv.Itoa(r.Subjects[criminal]), strconv.Itoa(other))
	}
	for _, r := range communes {
		row(r, false)
	}
	cams.rule()
	money.rule()
	row(s.Total, true)

	fmt.Fprintf(w, "\n%s\n\n", tx.camTitle)
	if err := cams.write(w, reportWidth, 0); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s\n\n", tx.moneyTitle)
	if err := money.write(w, reportWidth, 0); err != nil {
		return err
	}
	if s.Tips != nil {
		if err := printTips(w, s.Tips, tx); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "\n"+tx.footer+"\n",
		len(s.Communes), s.Total.Cameras, camera.FormatVND(s.Total.FundingVND),
		s.Total.Incidents[criminal], s.Total.Subjects[criminal])
	if err == nil && s.Tips != nil {
		by := map[camera.Outcome]registry.TipOutcomeCount{}
		for _, o := range s.Tips.ByOutcome {
			by[o.Outcome] = o
		}
		_, err = fmt.Fprintf(w, tx.tipsFooter+"\n", s.Tips.Tips,
			by[camera.OutcomeCriminal].Tips, by[camera.OutcomeCriminal].People,
			by[camera.OutcomeAdministrative].Tips, by[camera.OutcomeAdministrative].People,
			by[camera.OutcomeEducation].People)
	}
	return err
}

// printTips writes the table of hotline tips: one outcome a line, the
// tips and the people each dealt with, the total last.
func printTips(w io.Writer, t *report.TipTable, tx *reportText) error {
	table := &textTable{cols: []tableColumn{{head: tx.outcome}, {head: tx.tips, right: true}, {head: tx.people, right: true}}}
	for _, o := range t.ByOutcome {
		table.add(tx.outcomes[o.Outcome], strconv.Itoa(o.Tips), strconv.Itoa(o.People))
	}
	table.rule()
	table.add(tx.total, strconv.Itoa(t.Tips), strconv.Itoa(t.People))
	fmt.Fprintf(w, "\n%s\n\n", tx.tipsTitle)
	return table.write(w, reportWidth, 0)
}
