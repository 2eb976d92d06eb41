package api

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/exchange"
	"github.com/matthan/matthan/registry"
)

// DonationStore is what the donation and funding routes need.
type DonationStore interface {
	CreateDonation(ctx context.Context, d *camera.Donation, actor camera.Actor) error
	GetDonation(ctx context.Context, id string) (*camera.Donation, error)
	DeleteDonation(ctx context.Context, id, reason string, actor camera.Actor) (*camera.Donation, error)
	ImportDonations(ctx context.Context, ds []*camera.Donation, actor camera.Actor) (registry.DonationImport, error)
	ListDonations(ctx context.Context, f registry.DonationFilter, cursor string, limit int) ([]*camera.Donation, string, error)
	Places(ctx context.Context) (*registry.Places, error)
	Funding(ctx context.Context, groupBy registry.GroupBy, w registry.Window) (*registry.FundingReport, error)
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
}

func (s *Server) createDonation(c *gin.Context) {
	var in donationInput
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	d := &camera.Donation{Donor: in.Donor, AmountVND: in.AmountVND, ReceivedOn: in.ReceivedOn, CameraID: in.CameraID, Commune: in.Commune, Note: in.Note}
	if err := s.donations.CreateDonation(c, d, actor(c)); err != nil {
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
	ok(c, http.StatusOK, d)
}

// listDonations answers donations filtered by camera, commune
// (accent-insensitive), donor (accent-insensitive substring) and a date
// range, in received order.
func (s *Server) listDonations(c *gin.Context) {
	q, err := checkQuery(c, "camera_id", "commune", "donor", "from", "to", "limit", "cursor", "format")
	if err != nil {
		s.writeError(c, err)
		return
	}
	f := registry.DonationFilter{CameraID: q.Get("camera_id"), Commune: q.Get("commune"), Donor: q.Get("donor"), From: q.Get("from"), To: q.Get("to")}
	if err := f.Validate(); err != nil {
		s.writeError(c, err)
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

// donationReport answers a donation import.
type donationReport struct {
	registry.DonationImport
	Rejected   int                  `json:"rejected"`
	Rejections []exchange.Rejection `json:"rejections"`
}

// importDonations stores the valid rows of a donation CSV (every row is
// checked first: a body that breaks off stores nothing); with
// ?atomic=true nothing is stored if any row is bad.
func (s *Server) importDonations(c *gin.Context) {
	q, err := checkQuery(c, "atomic")
	if err != nil {
		s.writeError(c, err)
		return
	}
	atomic := false
	if v := q.Get("atomic"); v != "" {
		if atomic, err = strconv.ParseBool(v); err != nil {
			s.writeError(c, invalid("atomic", "must be true or false, got %q", v))
			return
		}
	}
	places, err := s.donations.Places(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	body := bufio.NewReaderSize(http.MaxBytesReader(c.Writer, c.Request.Body, s.importLimit), 64<<10)
	ds, rejects, err := exchange.ReadAllDonations(exchange.NewDonationCSVDecoder(body, places, s.now()))
	if err != nil {
		s.writeError(c, readError(err))
		return
	}
	rep := donationReport{Rejected: len(rejects), Rejections: rejects}
	if rep.Rejections == nil {
		rep.Rejections = []exchange.Rejection{}
	}
	if atomic && len(rejects) > 0 {
		s.writeError(c, invalid("body", "%d rows were rejected, the first: %s; nothing was stored (atomic import)", len(rejects), rejects[0].Error()))
		return
	}
	res, err := s.donations.ImportDonations(c, ds, actor(c))
	rep.DonationImport = res
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, http.StatusOK, rep)
}

// funding answers one funding view: per camera, commune or donor, what
// was given against what the cameras cost, and the cost per working hour
// over [from, to); JSON a page at a time (limit, cursor), or every row as
// CSV with ?format=csv.
func (s *Server) funding(c *gin.Context) {
	q, err := checkQuery(c, "group_by", "from", "to", "format", "limit", "cursor")
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
	rep, err := s.donations.Funding(c, groupBy, registry.Window{From: from, To: to})
	if err != nil {
		s.writeError(c, err)
		return
	}
	switch q.Get("format") {
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
		if err := registry.WriteFundingJSON(c.Writer, rep, rows, next); err != nil {
			s.log.Error("funding json", "err", err)
		}
	case "csv":
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", `attachment; filename="funding-by-`+string(groupBy)+`.csv"`)
		c.Status(http.StatusOK)
		if err := registry.WriteFundingCSV(c.Writer, rep); err != nil && !errors.Is(err, io.ErrClosedPipe) {
			s.log.Error("funding csv", "err", err)
		}
	default:
		s.writeError(c, invalid("format", "must be json or csv, got %q", q.Get("format")))
	}
}
