package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/exchange"
	"github.com/matthan/matthan/registry"
)

// DonationStore is what the donation and funding routes need.
type DonationStore interface {
	CreateDonationWith(ctx context.Context, d *camera.Donation, actor camera.Actor, o registry.DonationOptions) error
	GetDonation(ctx context.Context, id string) (*camera.Donation, error)
	DeleteDonation(ctx context.Context, id, reason string, actor camera.Actor) (*camera.Donation, error)
	ImportDonationsWith(ctx context.Context, ds []*camera.Donation, actor camera.Actor, o registry.DonationOptions) (registry.DonationImport, error)
	FindDuplicates(ctx context.Context, ds []*camera.Donation) ([]registry.Duplicate, error)
	ListDonations(ctx context.Context, f registry.DonationFilter, cursor string, limit int) ([]*camera.Donation, string, error)
	EachDonation(ctx context.Context, f registry.DonationFilter, fn func(*camera.Donation) error) error
	Places(ctx context.Context) (*registry.Places, error)
	Funding(ctx context.Context, groupBy registry.GroupBy, w registry.Window) (*registry.FundingReport, error)
	FundingIn(ctx context.Context, groupBy registry.GroupBy, w registry.Window, commune string) (*registry.FundingReport, error)
	PlanDonations(ctx context.Context, ds []*camera.Donation, o registry.DonationOptions) (registry.DonationImport, error)
	SetDonationPublic(ctx context.Context, id string, public bool, actor camera.Actor) (*camera.Donation, error)
	DonationMonths(ctx context.Context, commune, from, to string) ([]registry.CommuneMonths, error)
	DonationTotals(ctx context.Context) (map[string]int64, error)
	CostTotals(ctx context.Context) (map[string]int64, error)
}

var _ DonationStore = (*registry.Store)(nil)

// donationInput is the JSON of a new donation.
type donationInput struct {
	Donor      string `json:"donor"`
	AmountVND  int64  `json:"amount_vnd"`
	ReceivedOn string `json:"received_on"`
	CameraID   string `json:"camera_id"`
	Commune    string `json:"commune"`
	Note       string `json:"note"`
	Ref        string `json:"ref"`
	Public     bool   `json:"public"`
}

// createDonation stores one donation. One that repeats a stored gift —
// the same gift key as any stored donation, unless it carries a ref that
// is not stored; or a stored ref — is 409 naming it, unless
// ?duplicates=allow.
func (s *Server) createDonation(c *gin.Context) {
	q, err := checkQuery(c, "duplicates")
	if err != nil {
		s.writeError(c, err)
		return
	}
	opts, err := duplicatesParam(q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	var in donationInput
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	d := &camera.Donation{Donor: in.Donor, AmountVND: in.AmountVND, ReceivedOn: in.ReceivedOn, CameraID: in.CameraID, Commune: in.Commune, Note: in.Note, Ref: in.Ref, Public: in.Public}
	if err := s.donations.CreateDonationWith(c, d, actor(c), opts); err != nil {
		if dup, isDup := asDuplicate(err); isDup {
			detail := fmt.Sprintf("donation %s records the same gift (same donor, amount_vnd, received_on, camera_id and commune): send it with ?duplicates=allow, or with its bank ref, if it is another one", dup.Existing)
			if dup.ByRef {
				detail = fmt.Sprintf("donation %s has the same ref %q, one bank transaction: send it with ?duplicates=allow if the ref is another bank's", dup.Existing, d.Ref)
			}
			s.writeDuplicate(c, dup, "", detail)
			return
		}
		s.writeError(c, err)
		return
	}
	ok(c, http.StatusCreated, d)
}

// getDonation answers one donation by its id (DN-0000012); an id that
// is not one, or that no donation has, is 404.
func (s *Server) getDonation(c *gin.Context) {
	if _, err := checkQuery(c); err != nil {
		s.writeError(c, err)
		return
	}
	d, err := s.donations.GetDonation(c, c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, http.StatusOK, d)
}

// deleteDonation corrects the ledger: it removes a donation recorded by
// mistake and answers it as it was. ?reason= is required (400 naming
// reason before anything else is looked at); the audit log keeps it with
// the whole record, so a deletion can be seen and undone.
func (s *Server) deleteDonation(c *gin.Context) {
	q, err := checkQuery(c, "reason")
	if err != nil {
		s.writeError(c, err)
		return
	}
	d, err := s.donations.DeleteDonation(c, c.Param("id"), q.Get("reason"), actor(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.statementCache.clear()
	ok(c, http.StatusOK, d)
}

// donationPatch is the JSON of PATCH /donations/{id}: the donor's
// consent, the one thing about a stored gift that changes in place.
type donationPatch struct {
	Public *bool `json:"public"`
}

// patchDonation records a donor's consent to be named on the public
// statement, or its withdrawal: {"public": true|false}. Any other field
// is refused naming it — a gift is corrected by deleting it and entering
// it again — and so is a body without public. Audited as
// donation.public.
func (s *Server) patchDonation(c *gin.Context) {
	if _, err := checkQuery(c); err != nil {
		s.writeError(c, err)
		return
	}
	body, err := readAll(c, s.bodyLimit)
	if err != nil {
		s.writeError(c, err)
		return
	}
	var fields map[string]json.RawMessage
	if err := decodeStrict(body, &fields); err != nil {
		s.writeError(c, err)
		return
	}
	for name := range fields {
		if name != "public" {
			s.writeError(c, invalid(name, "cannot be changed: only public (the donor's consent) changes on a stored gift; delete the gift with a reason and enter it again"))
			return
		}
	}
	var in donationPatch
	if err := decodeStrict(body, &in); err != nil {
		s.writeError(c, err)
		return
	}
	if in.Public == nil {
		s.writeError(c, invalid("public", "is required: true (the donor agrees to be named on the public statement) or false"))
		return
	}
	d, err := s.donations.SetDonationPublic(c, c.Param("id"), *in.Public, actor(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.statementCache.clear()
	ok(c, http.StatusOK, d)
}

// listDonations answers donations filtered by camera, commune
// (accent-insensitive), donor (accent-insensitive substring) and a date
// range, in received order: a page of JSON, or with ?format=csv or xlsx
// every matching donation as a donation CSV or workbook
// (exportDonations).
func (s *Server) listDonations(c *gin.Context) {
	q, err := checkQuery(c, "camera_id", "commune", "donor", "from", "to", "limit", "cursor", "format", "bom")
	if err != nil {
		s.writeError(c, err)
		return
	}
	f := registry.DonationFilter{CameraID: q.Get("camera_id"), Commune: q.Get("commune"), Donor: q.Get("donor"), From: q.Get("from"), To: q.Get("to")}
	if err := f.Validate(); err != nil {
		s.writeError(c, err)
		return
	}
	switch format := q.Get("format"); format {
	case "", "json":
	case "csv", "xlsx":
		s.exportDonations(c, q, f, format == "xlsx")
		return
	default:
		s.writeError(c, invalid("format", "must be json, csv or xlsx, got %q", format))
		return
	}
	if q.Has("bom") {
		s.writeError(c, invalid("bom", "applies to format=csv only"))
		return
	}
	limit, err := intParam(q, "limit", defaultLimit, 1, maxLimit)
	if err != nil {
		s.writeError(c, err)
		return
	}
	items, next, err := s.donations.ListDonations(c, f, q.Get("cursor"), limit)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if items == nil {
		items = []*camera.Donation{}
	}
	ok(c, http.StatusOK, page[*camera.Donation]{Items: items, NextCursor: next})
}

// funding answers one funding view: per camera, commune or donor, what
// was given against what the cameras cost, and the cost per working hour
// over [from, to); JSON a page at a time (limit, cursor), or every row as
// CSV with ?format=csv (?bom=true for a byte order mark) or as a workbook
// with ?format=xlsx. ?commune= narrows the view to a commune (its
// cameras, the gifts given there, its totals: registry.FundingIn), ?q=
// keeps the rows whose key, name or commune contains the text (the
// totals stay the view's), ?sort= orders the rows by a field (-field:
// largest first). The view is computed whole for every request, so the
// pages of one order follow each other with the cursor.
func (s *Server) funding(c *gin.Context) {
	q, err := checkQuery(c, "group_by", "from", "to", "format", "limit", "cursor", "bom", "commune", "q", "sort")
	if err != nil {
		s.writeError(c, err)
		return
	}
	format := q.Get("format")
	switch format {
	case "", "json", "csv", "xlsx":
	default:
		s.writeError(c, invalid("format", "must be json, csv or xlsx, got %q", format))
		return
	}
	bom, err := bomParam(q, format == "csv")
	if err != nil {
		s.writeError(c, err)
		return
	}
	limit, err := intParam(q, "limit", defaultLimit, 1, maxLimit)
	if err != nil {
		s.writeError(c, err)
		return
	}
	groupBy, err := registry.ParseGroupBy(q.Get("group_by"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	from, to, err := timeWindow(q.Get("from"), q.Get("to"), s.now())
	if err != nil {
		s.writeError(c, err)
		return
	}
	if q.Get("to") == "" {
		to = time.Time{}
	}
	rep, err := s.donations.FundingIn(c, groupBy, registry.Window{From: from, To: to}, q.Get("commune"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	rep.Keep(q.Get("q"))
	if err := rep.Sort(q.Get("sort")); err != nil {
		s.writeError(c, err)
		return
	}
	switch format {
	case "", "json":
		// A page of rows (a million cameras are a million rows), with the
		// totals of the whole view on every page.
		rows, next, err := rep.Page(q.Get("cursor"), limit)
		if err != nil {
			s.writeError(c, err)
			return
		}
		c.Header("Content-Type", "application/json; charset=utf-8")
		c.Status(http.StatusOK)
		if err := exchange.WriteFundingJSON(c.Writer, rep, rows, next); err != nil {
			s.log.Error("funding json", "err", err)
		}
	case "csv":
		startCSV(c, "funding-by-"+string(groupBy), bom)
		if err := exchange.WriteFundingCSV(c.Writer, rep); err != nil && !errors.Is(err, io.ErrClosedPipe) {
			s.log.Error("funding csv", "err", err)
		}
	case "xlsx":
		wb, err := exchange.FundingWorkbook(rep)
		if err != nil {
			s.writeError(c, err)
			return
		}
		defer wb.Close()
		s.sendWorkbook(c, "funding-by-"+string(groupBy), wb)
	}
}
