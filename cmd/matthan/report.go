package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"text/tabwriter"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
)

const reportSynopsis = "matthan report [--from T] [--to T] [--json] [--server URL] [--token T]"

// report prints the district summary of a running daemon as a table for a
// person (VND written the Vietnamese way), or its JSON.
func (c *cli) report(ctx context.Context, args []string) error {
	fs := c.newFlagSet("report", reportSynopsis)
	server, token := c.clientFlags(fs)
	from := fs.String("from", "", "count incidents and uptime from `T` (RFC 3339); all incidents and the last 30 days of uptime when empty")
	to := fs.String("to", "", "up to `T` (RFC 3339); now when empty")
	asJSON := fs.Bool("json", false, "print the report's JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos); err != nil {
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
	var sum api.Summary
	if err := json.Unmarshal(raw, &sum); err != nil {
		return fmt.Errorf("read the report: %w", err)
	}
	printSummary(c.stdout, &sum)
	return nil
}

// printSummary writes the report as an aligned table, one commune a line
// and the total last.
func printSummary(w io.Writer, s *api.Summary) {
	fmt.Fprintf(w, "District summary — uptime from %s to %s\n\n", s.UptimeFrom.Format("2006-01-02"), s.To.Format("2006-01-02 15:04"))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "commune\tcameras\tup now\tuptime\tjunctions covered (installed / live)\tnational\tfunding received\tcameras cost\tcriminal cases\tsuspects\tother incidents\t")
	line := func(r api.SummaryRow) {
		uptime := "—"
		if r.Uptime != nil {
			uptime = fmt.Sprintf("%.1f %%", *r.Uptime*100)
		}
		all, nat := r.Coverage["all"], r.Coverage[string(camera.RoadNational)]
		cov := "—"
		if all.Intersections > 0 {
			cov = fmt.Sprintf("%d / %d of %d", all.Installed, all.Live, all.Intersections)
		}
		natS := "—"
		if nat.Intersections > 0 {
			natS = fmt.Sprintf("%d / %d of %d", nat.Installed, nat.Live, nat.Intersections)
		}
		other := 0
		for h, n := range r.Incidents {
			if h != camera.Handling("criminal") {
				other += n
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t\n", r.Commune, r.Cameras, r.UpNow, uptime, cov, natS,
			camera.FormatVND(r.FundingVND), camera.FormatVND(r.CostVND),
			r.Incidents[camera.Handling("criminal")], r.Subjects[camera.Handling("criminal")], other)
	}
	for _, r := range s.Communes {
		line(r)
	}
	fmt.Fprintln(tw, "\t\t\t\t\t\t\t\t\t\t\t")
	line(s.Total)
	_ = tw.Flush()
	fmt.Fprintf(w, "\n%d communes, %d cameras, %s received, %d criminal cases with %d suspects.\n",
		len(s.Communes), s.Total.Cameras, camera.FormatVND(s.Total.FundingVND),
		s.Total.Incidents[camera.Handling("criminal")], s.Total.Subjects[camera.Handling("criminal")])
}
