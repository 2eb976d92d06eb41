package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/report"
)

// UptimeStore sums the active cameras' up time over a window by commune
// in one pass.
type UptimeStore interface {
	UptimeByCommune(ctx context.Context, from, to time.Time) (map[string]time.Duration, error)
}

var _ UptimeStore = (*registry.Store)(nil)

// summary answers the district report (package report): per commune and
// in total, active cameras, up now, uptime over the window, coverage of
// intersections by road class, funding received, incidents and suspects
// by handling. Incidents count over [from, to) (all time without from);
// uptime over the same window, or the last 30 days without from. JSON,
// or a workbook with ?format=xlsx (summaryWorkbook).
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
	sum, err := report.Build(c, s.reportSources(), report.Query{From: from, To: to, Now: now, Location: s.loc})
	if err != nil {
		s.writeError(c, err)
		return
	}
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

// reportSources are the server's sources of the summary. Uptime,
// incidents and donations are capabilities New insists on; the map is
// optional, and stays a nil interface when absent (an interface holding a
// nil pointer would not be).
func (s *Server) reportSources() report.Sources {
	src := report.Sources{Uptime: s.uptime, Incidents: s.incidents, Money: s.donations}
	if s.geo != nil {
		src.Map = s.geo
	}
	if s.tips != nil {
		src.Tips = s.tips
	}
	return src
}
