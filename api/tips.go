package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/internal/informant"
	"github.com/matthan/matthan/internal/vntext"
	"github.com/matthan/matthan/registry"
)

// TipStore is what the tip routes need of the registry. Every read of a
// tip is audited by the store itself (GetTip, ListTips, TipInformant).
type TipStore interface {
	CreateTip(ctx context.Context, t *camera.Tip, sealed []byte, actor camera.Actor) error
	GetTip(ctx context.Context, id string, actor camera.Actor) (*camera.Tip, error)
	UpdateTip(ctx context.Context, id string, actor camera.Actor, fn func(*camera.Tip) error) (*camera.Tip, error)
	ListTips(ctx context.Context, q registry.TipQuery, actor camera.Actor) ([]*camera.Tip, string, error)
	TipCounts(ctx context.Context, from, to time.Time) (*registry.TipCounts, error)
	TipInformant(ctx context.Context, id string, actor camera.Actor, reason string) ([]byte, error)
}

var _ TipStore = (*registry.Store)(nil)

// TipSealer encrypts an informant's details to the police chiefs' public
// keys (*informant.Sealer). The server holds no key that opens them.
type TipSealer interface {
	Seal(in *camera.Informant) ([]byte, error)
}

var _ TipSealer = (*informant.Sealer)(nil)

// newTipMetrics registers the count of tips recorded, by channel: the
// only figure of a tip that reaches /metrics.
func newTipMetrics(reg prometheus.Registerer) *prometheus.CounterVec {
	v := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "matthan_tips_recorded_total",
		Help: "Hotline tips recorded through the API, by channel (hotline, in_person, message, other).",
	}, []string{"channel"})
	for _, ch := range camera.Channels {
		v.WithLabelValues(string(ch))
	}
	reg.MustRegister(v)
	return v
}

// decodeSecretJSON is decodeJSON for a body that may carry an
// informant's details: the raw bytes are overwritten once decoded, so
// that they do not wait in memory for the collector.
func (s *Server) decodeSecretJSON(c *gin.Context, v any) error {
	body, err := readAll(c, s.bodyLimit)
	if err != nil {
		return err
	}
	defer clear(body)
	return decodeStrict(body, v)
}

// placeTip fills the commune of a tip given as a point from the commune
// boundaries, when the caller named none.
func (s *Server) placeTip(t *camera.Tip) {
	if t.Commune != "" || !t.HasPlace() || s.geo == nil {
		return
	}
	if name, found := s.geo.CommuneAt(*t.Lat, *t.Lon); found {
		t.Commune = name
	}
}

// createTip records a tip. The informant, when given, is sealed before
// anything is written and only the ciphertext reaches the store; the
// answer says whether one is kept (has_informant), never what it holds.
func (s *Server) createTip(c *gin.Context) {
	if _, err := checkQuery(c); err != nil {
		s.writeError(c, err)
		return
	}
	var in tipInput
	if err := s.decodeSecretJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	// Whatever happens next, the plaintext goes with this function.
	who := in.Informant
	in.Informant = nil
	if err := in.requireFields(); err != nil {
		s.writeError(c, err)
		return
	}
	t := camera.NewTip()
	if err := in.apply(t); err != nil {
		s.writeError(c, err)
		return
	}
	t.Normalize()
	s.placeTip(t)
	if err := t.Validate(); err != nil {
		s.writeError(c, err)
		return
	}
	var sealed []byte
	if who != nil {
		inf := who.informant()
		var err error
		sealed, err = s.tipSealer.Seal(inf)
		*inf, *who = camera.Informant{}, informantInput{}
		if err != nil {
			s.writeError(c, err)
			return
		}
	}
	if err := s.tips.CreateTip(c, t, sealed, actor(c)); err != nil {
		s.writeError(c, err)
		return
	}
	s.tipsRecorded.WithLabelValues(string(t.Channel)).Inc()
	c.Header("Location", "/api/v1/tips/"+t.ID)
	ok(c, http.StatusCreated, t)
}

func (s *Server) getTip(c *gin.Context) {
	id, err := idWithoutQuery(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	t, err := s.tips.GetTip(c, id, actor(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, http.StatusOK, t)
}

// patchTip applies the fields present (a merge patch): the outcome and
// the people it dealt with, links to incidents, a legal hold, a
// correction. The informant cannot be given or changed here: it is
// sealed once, when the tip is recorded.
func (s *Server) patchTip(c *gin.Context) {
	id, err := idWithoutQuery(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	var in tipInput
	if err := s.decodeSecretJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	if in.Informant != nil {
		in.Informant = nil
		s.writeError(c, invalid("informant", "cannot be given or changed after the tip is recorded"))
		return
	}
	if in.ID != nil && strings.TrimSpace(*in.ID) != id {
		s.writeError(c, invalid("id", "%q does not match the id %q in the path", *in.ID, id))
		return
	}
	t, err := s.tips.UpdateTip(c, id, actor(c), func(t *camera.Tip) error {
		if err := in.apply(t); err != nil {
			return err
		}
		t.Normalize()
		return t.Validate()
	})
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, http.StatusOK, t)
}

// listTips answers the tips matching the filters, newest first, a page at
// a time. The store audits the page read.
func (s *Server) listTips(c *gin.Context) {
	q, err := checkQuery(c, "from", "to", "commune", "category", "channel", "outcome", "incident_id", "lat", "lon", "radius_m", "limit", "cursor")
	if err != nil {
		s.writeError(c, err)
		return
	}
	tq, err := tipQuery(q.Get)
	if err != nil {
		s.writeError(c, err)
		return
	}
	items, next, err := s.tips.ListTips(c, tq, actor(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	if items == nil {
		items = []*camera.Tip{}
	}
	ok(c, http.StatusOK, page[*camera.Tip]{Items: items, NextCursor: next})
}

// tipQuery reads the list filters; a place is lat, lon and radius_m
// together.
func tipQuery(get func(string) string) (registry.TipQuery, error) {
	var tq registry.TipQuery
	var err error
	if v := strings.TrimSpace(get("from")); v != "" {
		if tq.From, err = parseTime("from", v); err != nil {
			return tq, err
		}
	}
	if v := strings.TrimSpace(get("to")); v != "" {
		if tq.To, err = parseTime("to", v); err != nil {
			return tq, err
		}
	}
	if v := strings.TrimSpace(get("category")); v != "" {
		if tq.Category = camera.Category(v); !tq.Category.Valid() {
			return tq, invalid("category", "must be one of %s, got %q", categoryList(), v)
		}
	}
	if v := strings.TrimSpace(get("channel")); v != "" {
		if tq.Channel = camera.Channel(v); !tq.Channel.Valid() {
			return tq, invalid("channel", "must be one of hotline, in_person, message, other, got %q", v)
		}
	}
	if v := strings.TrimSpace(get("outcome")); v != "" {
		if tq.Outcome = camera.Outcome(v); !tq.Outcome.Valid() {
			return tq, invalid("outcome", "must be one of criminal, administrative, education, unfounded, pending, got %q", v)
		}
	}
	tq.Commune = vntext.NFC(strings.TrimSpace(get("commune")))
	tq.IncidentID = strings.TrimSpace(get("incident_id"))
	if tq.Limit, err = limitParam(get("limit")); err != nil {
		return tq, err
	}
	tq.After = get("cursor")
	if tq.Lat, tq.Lon, tq.RadiusM, err = radiusParams(get); err != nil {
		return tq, err
	}
	return tq, tq.Validate()
}

// tipCounts answers the aggregated figures every role may see: tips by
// month × channel × outcome, and the people by outcome — the district's
// "165 tips, 15 criminal cases (17 suspects) ..." table. Months are the
// daemon's zone's (Options.Location).
func (s *Server) tipCounts(c *gin.Context) {
	from, to, err := countsWindow(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	counts, err := s.tips.TipCounts(c, from.In(s.loc), to)
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, http.StatusOK, counts)
}

// tipSeeingAnswer is the cameras that could have seen a tip's place at
// the time it names.
type tipSeeingAnswer struct {
	TipID string      `json:"tip_id"`
	Lat   float64     `json:"lat"`
	Lon   float64     `json:"lon"`
	At    time.Time   `json:"at"`
	Items []seeingHit `json:"items"`
}

// tipSeeing answers, for a tip, which cameras cover its point and what
// their health was when it was received: the seeing query
// (/cameras/seeing) at the tip's place and time. The read of the tip is
// audited.
func (s *Server) tipSeeing(c *gin.Context) {
	id, err := idWithoutQuery(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	t, err := s.tips.GetTip(c, id, actor(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	if !t.HasPlace() {
		s.writeError(c, invalid("lat", "tip %s has no point (only a commune and a description of the place): patch its lat and lon first", id))
		return
	}
	hits, err := s.seeingAt(c, *t.Lat, *t.Lon, t.ReceivedAt, true, geo.Filter{})
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, http.StatusOK, tipSeeingAnswer{TipID: t.ID, Lat: *t.Lat, Lon: *t.Lon, At: t.ReceivedAt, Items: hits})
}

// tipInformantAnswer is a tip's sealed informant, in age's ASCII armor:
// `matthan tips reveal` (or `age --decrypt -i KEY`) opens it with a
// police chief's private key.
type tipInformantAnswer struct {
	TipID      string `json:"tip_id"`
	Format     string `json:"format"`
	Ciphertext string `json:"ciphertext"`
}

// tipInformant answers POST /api/v1/tips/{id}/informant {"reason"}: the
// sealed informant, after the store has committed the audit entry with
// the reason. The daemon cannot open it, and no route answers it opened.
func (s *Server) tipInformant(c *gin.Context) {
	id, err := idWithoutQuery(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	var in struct {
		Reason *string `json:"reason"`
	}
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	reason := ""
	if in.Reason != nil {
		reason = vntext.NFC(strings.TrimSpace(*in.Reason))
	}
	if err := camera.ValidateAccessReason(reason); err != nil {
		s.writeError(c, err)
		return
	}
	sealed, err := s.tips.TipInformant(c, id, actor(c), reason)
	if err != nil {
		s.writeError(c, err)
		return
	}
	text, err := informant.Armor(sealed)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	ok(c, http.StatusOK, tipInformantAnswer{TipID: id, Format: "age", Ciphertext: text})
}
