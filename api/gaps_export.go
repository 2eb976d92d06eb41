package api

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/exchange"
	"github.com/matthan/matthan/geo"
)

// exportGaps answers GET /coverage/gaps?format=geojson|csv|xlsx: every gap
// the filters pass, ranked as the pages are, as a file to download
// (coverage-gaps.geojson, .csv, .xlsx); bom=true starts the CSV with a
// byte order mark. A file is the whole answer, so limit and cursor are
// refused with it. X-Total-Gaps counts the gaps.
func (s *Server) exportGaps(c *gin.Context, q url.Values, mode geo.Mode, area geo.AreaFilter) {
	format := q.Get("format")
	for _, p := range []string{"limit", "cursor"} {
		if q.Has(p) {
			s.writeError(c, invalid(p, "applies to the pages of gaps, not to a file of every gap (format=%s)", format))
			return
		}
	}
	if format != "geojson" && format != "csv" && format != "xlsx" {
		s.writeError(c, invalid("format", "must be geojson, csv or xlsx, got %q", format))
		return
	}
	bom, err := bomParam(q, format == "csv")
	if err != nil {
		s.writeError(c, err)
		return
	}
	var incidents func(lat, lon float64) int
	if s.incidentCounter != nil {
		incidents = s.incidentCounter()
	}
	gaps, total, err := s.geo.GapsAfter(area, mode, nil, 0, incidents)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("X-Total-Gaps", strconv.Itoa(total))
	const name = "coverage-gaps"
	switch format {
	case "geojson":
		c.Header("Content-Type", geoJSONType)
		c.Header("Content-Disposition", `attachment; filename="`+name+`.geojson"`)
		c.Status(http.StatusOK)
		if err := exchange.WriteGapsGeoJSON(c.Writer, gaps); err != nil {
			s.log.Info("gaps export cut short", "format", format, "err", err)
		}
	case "csv":
		startCSV(c, name, bom)
		if err := exchange.WriteGapsCSV(c.Writer, gaps); err != nil {
			s.log.Info("gaps export cut short", "format", format, "err", err)
		}
	case "xlsx":
		wb, err := exchange.GapsWorkbook(gaps)
		if err != nil {
			s.writeError(c, err)
			return
		}
		defer wb.Close()
		s.sendWorkbook(c, name, wb)
	}
}
