package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/exchange"
	"github.com/matthan/matthan/registry"
)

// donationReport answers a donation import.
type donationReport struct {
	registry.DonationImport
	Rejected int `json:"rejected"`
	// Duplicates is how many of the rejected rows repeat a stored gift or
	// an earlier row (0 with ?duplicates=allow).
	Duplicates int                  `json:"duplicates"`
	Rejections []exchange.Rejection `json:"rejections"`
}

// importDonations stores the valid rows of a donation CSV or XLSX
// workbook (donationDecoder tells them apart; every row is checked
// first: a body that breaks off stores nothing). A row that
// repeats a stored gift, or an earlier row, is rejected naming that
// donation or line, unless ?duplicates=allow: importing one bank sheet
// twice must not double the money. With ?atomic=true nothing is stored
// if any row is rejected.
func (s *Server) importDonations(c *gin.Context) {
	q, atomic, err := importQuery(c, "duplicates")
	if err != nil {
		s.writeError(c, err)
		return
	}
	opts, err := duplicatesParam(q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	places, err := s.donations.Places(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	dec, err := s.donationDecoder(c, places)
	if err != nil {
		s.writeError(c, err)
		return
	}
	ds, lines, rejects, err := readDonationRows(dec)
	if err != nil {
		s.writeError(c, readError(err))
		return
	}
	rep := donationReport{}
	if opts.RejectDuplicates {
		dups, err := s.donations.FindDuplicates(c, ds)
		if err != nil {
			s.writeError(c, err)
			return
		}
		rep.Duplicates = len(dups)
		ds, lines, rejects = rejectDuplicates(ds, lines, rejects, dups)
	}
	rep.Rejected, rep.Rejections = len(rejects), rejects
	if rep.Rejections == nil {
		rep.Rejections = []exchange.Rejection{}
	}
	if atomic && len(rejects) > 0 {
		code := camera.EINVALID
		if rep.Duplicates == len(rejects) {
			code = camera.ECONFLICT
		}
		s.writeError(c, camera.Errorf(code, "body", "%d rows were rejected, the first: %s; nothing was stored (atomic import)", len(rejects), rejects[0].Error()))
		return
	}
	res, err := s.donations.ImportDonationsWith(c, ds, actor(c), opts)
	rep.DonationImport = res
	if dup, isDup := asDuplicate(err); isDup {
		// Stored meanwhile by another request: the same sheet sent twice
		// at once. Batches before this one may be stored (res).
		line := lines[dup.Index]
		stored := "nothing of this import was stored"
		if res.Created > 0 {
			stored = fmt.Sprintf("the %d rows before it were stored (%s to %s)", res.Created, res.First, res.Last)
		}
		s.writeDuplicate(c, dup, fmt.Sprintf("line %d", line), fmt.Sprintf("line %d repeats donation %s, stored by another request during this import; %s", line, dup.Existing, stored))
		return
	}
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, http.StatusOK, rep)
}

// readDonationRows reads every row of d: the valid donations with the
// lines they start on, and the rejections, in file order.
func readDonationRows(d exchange.DonationDecoder) (ds []*camera.Donation, lines []int, rejects []exchange.Rejection, err error) {
	for {
		row, err := d.Next()
		if errors.Is(err, io.EOF) {
			return ds, lines, rejects, nil
		}
		if err != nil {
			return nil, nil, nil, err
		}
		if row.Reject != nil {
			rejects = append(rejects, *row.Reject)
			continue
		}
		ds, lines = append(ds, row.Donation), append(lines, row.Line)
	}
}

// rejectDuplicates turns the duplicates found among ds into rejections
// naming the donation or the line each repeats, and returns the rest of
// ds with their lines and every rejection in line order.
func rejectDuplicates(ds []*camera.Donation, lines []int, rejects []exchange.Rejection, dups []registry.Duplicate) ([]*camera.Donation, []int, []exchange.Rejection) {
	if len(dups) == 0 {
		return ds, lines, rejects
	}
	drop := make([]bool, len(ds))
	for _, dup := range dups {
		what := "donation " + dup.Existing
		if dup.Existing == "" {
			what = fmt.Sprintf("line %d", lines[dup.Earlier])
		}
		drop[dup.Index] = true
		rejects = append(rejects, exchange.Rejection{
			Line: lines[dup.Index], Feature: -1, ID: ds[dup.Index].CameraID,
			Reason: fmt.Sprintf("repeats %s (same donor, amount_vnd, received_on, camera_id and commune): import with ?duplicates=allow if it is another gift", what),
		})
	}
	keep, keepLines := ds[:0:0], lines[:0:0]
	for i, d := range ds {
		if !drop[i] {
			keep, keepLines = append(keep, d), append(keepLines, lines[i])
		}
	}
	slices.SortStableFunc(rejects, func(a, b exchange.Rejection) int { return a.Line - b.Line })
	return keep, keepLines, rejects
}
