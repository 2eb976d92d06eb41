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
	// the ref of an earlier row (0 with ?duplicates=allow).
	Duplicates int                  `json:"duplicates"`
	Rejections []exchange.Rejection `json:"rejections"`
	// DryRun and the preview answer a dry run (?dry_run=true).
	DryRun bool `json:"dry_run,omitempty"`
	*preview
}

// preview is the part of a dry run's answer an import does not have: the
// rows that would be stored, the first maxPreviewRows of them, and how
// many that is.
type preview struct {
	Rows      []importRow `json:"rows"`
	RowsShown int         `json:"rows_shown"`
}

// maxPreviewRows bounds the rows a dry run lists: a bank statement is a
// few hundred; created counts them all.
const maxPreviewRows = 5000

// importRow is a row a dry run would store, with the line it is on and
// its commune as it would be stored.
type importRow struct {
	Line       int    `json:"line"`
	Donor      string `json:"donor"`
	AmountVND  int64  `json:"amount_vnd"`
	ReceivedOn string `json:"received_on"`
	CameraID   string `json:"camera_id"`
	Commune    string `json:"commune"`
	Note       string `json:"note"`
	Ref        string `json:"ref,omitempty"`
	Public     bool   `json:"public"`
}

// importDonations stores the valid rows of a donation CSV or XLSX
// workbook (donationDecoder tells them apart; every row is checked first:
// a body that breaks off stores nothing). Unless ?duplicates=allow, a row
// that repeats a stored gift (the multiset rules of
// registry/donations_dupes.go: the rows of a gift key beyond those stored
// are new) or a ref of the ledger or of an earlier row is rejected naming
// that donation or line: importing one bank sheet twice must not double
// the money, and its repeated gifts must all be kept. With ?atomic=true
// nothing is stored if any row is rejected. With ?dry_run=true nothing is
// stored at all: the answer is what the import would answer (previewImport).
func (s *Server) importDonations(c *gin.Context) {
	q, atomic, err := importQuery(c, "duplicates", "dry_run")
	if err != nil {
		s.writeError(c, err)
		return
	}
	opts, err := duplicatesParam(q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	dryRun, err := boolParam(q, "dry_run")
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
	if dryRun {
		s.previewImport(c, ds, lines, rejects, opts, atomic)
		return
	}
	rep := donationReport{}
	if opts.RejectDuplicates && atomic {
		// Every rejection is counted before anything is stored; the
		// import checks again, against what was stored meanwhile.
		dups, err := s.donations.FindDuplicates(c, ds)
		if err != nil {
			s.writeError(c, err)
			return
		}
		rep.Duplicates = len(dups)
		rejects = append(rejects, repeatRejections(ds, lines, dups)...)
		slices.SortStableFunc(rejects, func(a, b exchange.Rejection) int { return a.Line - b.Line })
	}
	if atomic && len(rejects) > 0 {
		s.writeError(c, atomicRefusal(rejects, rep.Duplicates))
		return
	}
	// Without atomic, the store leaves the repeats out as it imports, in
	// the snapshot it imports against.
	opts.SkipDuplicates = opts.RejectDuplicates && !atomic
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
		s.writeDuplicate(c, dup, fmt.Sprintf("line %d", line), fmt.Sprintf("line %d repeats %s, stored by another request during this import; %s", line, repeated(dup.Duplicate, lines), stored))
		return
	}
	if err != nil {
		s.writeError(c, atLine(err, lines))
		return
	}
	if len(res.Repeats) > 0 {
		rep.Duplicates = len(res.Repeats)
		rejects = append(rejects, repeatRejections(ds, lines, res.Repeats)...)
		slices.SortStableFunc(rejects, func(a, b exchange.Rejection) int { return a.Line - b.Line })
	}
	rep.Rejected, rep.Rejections = len(rejects), rejects
	if rep.Rejections == nil {
		rep.Rejections = []exchange.Rejection{}
	}
	ok(c, http.StatusOK, rep)
}

// atomicRefusal is the answer to an atomic import with rejections: 409
// when every one repeats a stored gift, 400 otherwise.
func atomicRefusal(rejects []exchange.Rejection, duplicates int) error {
	code := camera.EINVALID
	if duplicates == len(rejects) {
		code = camera.ECONFLICT
	}
	return camera.Errorf(code, "body", "%d rows were rejected, the first: %s; nothing was stored (atomic import)", len(rejects), rejects[0].Error())
}

// previewImport answers a dry run of a donation import: every check the
// import makes — the rows decoded, checked and resolved already, then the
// store's (registry.Store.PlanDonations: repeats of stored gifts and of
// earlier rows, the running sums) — and the report it would answer, with
// the rows it would store; nothing is stored. An atomic dry run answers
// the error the import would. The import itself checks again: what was
// stored in between can change its answer.
func (s *Server) previewImport(c *gin.Context, ds []*camera.Donation, lines []int, rejects []exchange.Rejection, opts registry.DonationOptions, atomic bool) {
	opts.SkipDuplicates = opts.RejectDuplicates
	plan, err := s.donations.PlanDonations(c, ds, opts)
	if err != nil {
		s.writeError(c, atLine(err, lines))
		return
	}
	rep := donationReport{DryRun: true, Duplicates: len(plan.Repeats)}
	repeat := make(map[int]bool, len(plan.Repeats))
	if len(plan.Repeats) > 0 {
		for _, dup := range plan.Repeats {
			repeat[dup.Index] = true
		}
		rejects = append(rejects, repeatRejections(ds, lines, plan.Repeats)...)
		slices.SortStableFunc(rejects, func(a, b exchange.Rejection) int { return a.Line - b.Line })
	}
	if atomic && len(rejects) > 0 {
		s.writeError(c, atomicRefusal(rejects, rep.Duplicates))
		return
	}
	rep.Created, rep.TotalVND = plan.Created, plan.TotalVND
	rep.Rejected, rep.Rejections = len(rejects), rejects
	if rep.Rejections == nil {
		rep.Rejections = []exchange.Rejection{}
	}
	rep.preview = &preview{Rows: []importRow{}}
	for i, d := range ds {
		if repeat[i] {
			continue
		}
		if len(rep.Rows) == maxPreviewRows {
			break
		}
		rep.Rows = append(rep.Rows, importRow{Line: lines[i], Donor: d.Donor, AmountVND: d.AmountVND, ReceivedOn: d.ReceivedOn,
			CameraID: d.CameraID, Commune: d.Commune, Note: d.Note, Ref: d.Ref, Public: d.Public})
	}
	rep.RowsShown = len(rep.Rows)
	ok(c, http.StatusOK, rep)
}

// atLine turns the store's error about its donations[i] (a gift that
// would take its commune's total past what a total can hold, a camera
// deleted during the import) into one naming the field and the line of
// the CSV: the store knows the index, the person the line.
func atLine(err error, lines []int) error {
	var e *camera.Error
	if !errors.As(err, &e) {
		return err
	}
	var i int
	var field string
	if n, _ := fmt.Sscanf(e.Field, "donations[%d].%s", &i, &field); n != 2 || i < 0 || i >= len(lines) {
		return err
	}
	return camera.Errorf(e.Code, field, "line %d: %s", lines[i], e.Message)
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

// repeated names what dup repeats: a stored donation, or an earlier
// line.
func repeated(dup registry.Duplicate, lines []int) string {
	if dup.Existing == "" {
		return fmt.Sprintf("line %d", lines[dup.Earlier])
	}
	return "donation " + dup.Existing
}

// repeatRejections turns the repeats found among ds into rejections
// naming the donation or the line each repeats, and why.
func repeatRejections(ds []*camera.Donation, lines []int, dups []registry.Duplicate) []exchange.Rejection {
	out := make([]exchange.Rejection, 0, len(dups))
	for _, dup := range dups {
		d := ds[dup.Index]
		reason := fmt.Sprintf("repeats %s (same donor, amount_vnd, received_on, camera_id and commune; each stored gift stands for one row): import with ?duplicates=allow if it is another gift", repeated(dup, lines))
		if dup.ByRef {
			reason = fmt.Sprintf("repeats %s (same ref %q: one bank transaction)", repeated(dup, lines), d.Ref)
		}
		out = append(out, exchange.Rejection{Line: lines[dup.Index], Feature: -1, ID: d.CameraID, Reason: reason})
	}
	return out
}
