package api

import (
	"io"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/exchange"
)

// bomParam reads ?bom=true|false of a CSV export: with true the CSV starts
// with a UTF-8 byte order mark, so that a spreadsheet program opening it
// with its defaults reads Vietnamese as UTF-8 rather than as mojibake.
// Without it nothing changes (a byte order mark would surprise a program
// that reads the CSV). It is refused, naming bom, with any other format.
func bomParam(q url.Values, csv bool) (bool, error) {
	bom, err := boolParam(q, "bom")
	if err != nil {
		return false, err
	}
	if bom && !csv {
		return false, invalid("bom", "applies to format=csv only")
	}
	return bom, nil
}

// startCSV sends the status and headers of a CSV download named
// filename, and the byte order mark when asked for.
func startCSV(c *gin.Context, filename string, bom bool) {
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="`+filename+`.csv"`)
	c.Status(http.StatusOK)
	if bom {
		_, _ = c.Writer.WriteString(exchange.BOM) // a failed write shows in the next one
	}
}

// sendWorkbook answers a workbook built in full (exchange.Workbook) as a
// download named filename.xlsx. Once the status is sent a failure can
// only cut the file short; it is logged.
func (s *Server) sendWorkbook(c *gin.Context, filename string, wb io.WriterTo) {
	c.Header("Content-Type", exchange.XLSXContentType)
	c.Header("Content-Disposition", `attachment; filename="`+filename+`.xlsx"`)
	c.Status(http.StatusOK)
	if _, err := wb.WriteTo(c.Writer); err != nil {
		s.log.Error("xlsx export", "file", filename, "err", err)
	}
}
