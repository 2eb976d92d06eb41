package api

import (
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/exchange"
	"github.com/matthan/matthan/registry"
)

// exportDonations writes every donation matching f as a donation CSV
// (docs/design.md: donor,amount_vnd,received_on,camera_id,commune,note, then
// each gift's bank ref and the donor's consent, public; with ?bom=true
// after a byte order mark) or, when
// xlsx, as a workbook of the same columns, in received order, from one
// snapshot: either imports unchanged into a daemon with the same cameras,
// and adds nothing to this one. Pages do not apply, so limit and cursor
// are refused rather than ignored.
func (s *Server) exportDonations(c *gin.Context, q url.Values, f registry.DonationFilter, xlsx bool) {
	for _, p := range []string{"limit", "cursor"} {
		if q.Has(p) {
			s.writeError(c, invalid(p, "applies to JSON pages: format=%s answers every matching donation", q.Get("format")))
			return
		}
	}
	bom, err := bomParam(q, !xlsx)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if xlsx {
		s.exportDonationsXLSX(c, f)
		return
	}
	startCSV(c, "donations", bom)
	enc := exchange.NewDonationCSVEncoder(c.Writer)
	enc.Ref, enc.Public = true, true
	err = s.donations.EachDonation(c, f, enc.Encode)
	if err == nil {
		err = enc.Close()
	}
	if err != nil {
		// The status is sent: a cut-off file is what the client sees.
		s.log.Error("donation export", "err", err)
	}
}

// exportDonationsXLSX sends the donations matching f as a workbook, built
// in full before anything is sent (more than a sheet holds is a 400).
func (s *Server) exportDonationsXLSX(c *gin.Context, f registry.DonationFilter) {
	enc, err := exchange.NewDonationXLSXEncoder()
	if err != nil {
		s.writeError(c, err)
		return
	}
	defer enc.Close()
	if err := s.donations.EachDonation(c, f, enc.Encode); err != nil {
		s.writeError(c, err)
		return
	}
	s.sendWorkbook(c, "donations", enc)
}
