package api

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/exchange"
	"github.com/matthan/matthan/registry"
)

// exportDonations writes every donation matching f as a donation CSV
// (DESIGN.md: donor,amount_vnd,received_on,camera_id,commune,note, then
// each gift's bank ref), in received order, streamed from one snapshot:
// the file imports unchanged into a daemon with the same cameras, and
// adds nothing to this one. Pages do not apply, so limit and cursor are
// refused rather than ignored.
func (s *Server) exportDonations(c *gin.Context, q url.Values, f registry.DonationFilter) {
	for _, p := range []string{"limit", "cursor"} {
		if q.Has(p) {
			s.writeError(c, invalid(p, "applies to JSON pages: format=csv answers every matching donation"))
			return
		}
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="donations.csv"`)
	c.Status(http.StatusOK)
	enc := exchange.NewDonationCSVEncoder(c.Writer)
	enc.Ref = true
	err := s.donations.EachDonation(c, f, enc.Encode)
	if err == nil {
		err = enc.Close()
	}
	if err != nil {
		// The status is sent: a cut-off file is what the client sees.
		s.log.Error("donation export", "err", err)
	}
}
