package api

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// Public statements ("sao kê"): an admin publishes a commune's, and
// anyone may read it without signing in at GET
// /api/v1/public/statements/{slug} — the one route under /api/v1 that
// needs no credentials (with the console's sign-in), answering one
// published commune's aggregate and nothing else. The console shows it
// at /cong-khai/{slug}.

// StatementStore is what the public statement routes need.
type StatementStore interface {
	Publish(ctx context.Context, commune string, actor camera.Actor) (registry.Publication, bool, error)
	Unpublish(ctx context.Context, commune string, actor camera.Actor) (registry.Publication, error)
	Publications(ctx context.Context) ([]registry.Publication, error)
	PublicationBySlug(ctx context.Context, slug string) (registry.Publication, error)
	PublicStatement(ctx context.Context, slug string) (*registry.Statement, error)
}

var _ StatementStore = (*registry.Store)(nil)

// PublicStatementPath is where the console shows the statement of slug.
func PublicStatementPath(slug string) string { return "/cong-khai/" + slug }

// statementTTL is how long an answer of the open route is reused: anyone
// may ask, as often as they like, and a statement takes a pass over the
// commune's cameras and gifts. Consent, deletions and publishing clear it
// at once (statementCache.clear); new gifts show within a minute.
const statementTTL = time.Minute

// publication is a publication as the API answers it, with the path of
// its page.
type publication struct {
	registry.Publication
	Path string `json:"path"`
}

func publicationOut(p registry.Publication) publication {
	return publication{Publication: p, Path: PublicStatementPath(p.Slug)}
}

// listPublications answers the communes whose statement is published.
func (s *Server) listPublications(c *gin.Context) {
	if _, err := checkQuery(c); err != nil {
		s.writeError(c, err)
		return
	}
	pubs, err := s.statements.Publications(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	items := make([]publication, len(pubs))
	for i, p := range pubs {
		items[i] = publicationOut(p)
	}
	ok(c, http.StatusOK, page[publication]{Items: items})
}

// publish turns a commune's public statement on: 201 with the
// publication, 200 when it was on already.
func (s *Server) publish(c *gin.Context) {
	if _, err := checkQuery(c); err != nil {
		s.writeError(c, err)
		return
	}
	pub, created, err := s.statements.Publish(c, c.Param("commune"), actor(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.statementCache.clear()
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	ok(c, status, publicationOut(pub))
}

// unpublish turns a commune's public statement off (by its name or its
// slug) and answers the publication removed; its page answers 404 from
// then on.
func (s *Server) unpublish(c *gin.Context) {
	if _, err := checkQuery(c); err != nil {
		s.writeError(c, err)
		return
	}
	pub, err := s.statements.Unpublish(c, c.Param("commune"), actor(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.statementCache.clear()
	ok(c, http.StatusOK, publicationOut(pub))
}

// statementOut is the JSON of a public statement. It is built field by
// field from the store's statement, so that nothing is published by
// accident: a field added to a donation or a camera does not appear here
// unless it is added here.
type statementOut struct {
	Commune     string    `json:"commune"`
	Slug        string    `json:"slug"`
	PublishedAt time.Time `json:"published_at"`
	// UptimeFrom and UptimeTo are the window of the cameras' uptime.
	UptimeFrom  time.Time          `json:"uptime_from"`
	UptimeTo    time.Time          `json:"uptime_to"`
	Cameras     []statementCamera  `json:"cameras"`
	ReceivedVND int64              `json:"received_vnd"`
	PoolVND     int64              `json:"pool_vnd"`
	SpentVND    int64              `json:"spent_vnd"`
	BalanceVND  int64              `json:"balance_vnd"`
	Donors      int                `json:"donors"`
	Donations   int                `json:"donations"`
	Gifts       []statementGiftOut `json:"gifts"`
}

type statementCamera struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Retired    bool   `json:"retired,omitempty"`
	CostVND    int64  `json:"cost_vnd"`
	DonatedVND int64  `json:"donated_vnd"`
	// Uptime is the share of the window the camera was up (0 to 1); null
	// for a retired camera.
	Uptime *float64 `json:"uptime"`
}

type statementGiftOut struct {
	ReceivedOn string `json:"received_on"`
	AmountVND  int64  `json:"amount_vnd"`
	// Donor is there only when the donor consented to be named.
	Donor    string `json:"donor,omitempty"`
	CameraID string `json:"camera_id,omitempty"`
}

func newStatementOut(st *registry.Statement) statementOut {
	out := statementOut{
		Commune: st.Commune, Slug: st.Slug, PublishedAt: st.PublishedAt, UptimeFrom: st.From, UptimeTo: st.To,
		ReceivedVND: st.Totals.DonatedVND, PoolVND: st.Totals.PoolVND, SpentVND: st.Totals.CostVND, BalanceVND: st.Totals.BalanceVND,
		Donors: st.Totals.Donors, Donations: st.Totals.Donations,
		Cameras: make([]statementCamera, len(st.Cameras)), Gifts: make([]statementGiftOut, len(st.Gifts)),
	}
	window := st.To.Sub(st.From).Milliseconds()
	for i, cam := range st.Cameras {
		sc := statementCamera{ID: cam.ID, Name: cam.Name, Retired: cam.Retired, CostVND: cam.CostVND, DonatedVND: cam.DonatedVND}
		if !cam.Retired && window > 0 {
			u := min(float64(cam.UpMillis)/float64(window), 1)
			sc.Uptime = &u
		}
		out.Cameras[i] = sc
	}
	for i, g := range st.Gifts {
		out.Gifts[i] = statementGiftOut{ReceivedOn: g.ReceivedOn, AmountVND: g.AmountVND, Donor: g.Donor, CameraID: g.CameraID}
	}
	return out
}

// publicStatement answers the statement published at slug, to anyone: no
// credentials are read (a session cookie or a token sent along changes
// nothing), 404 when no commune's statement is on there. Answers are
// reused for statementTTL.
func (s *Server) publicStatement(c *gin.Context) {
	if _, err := checkQuery(c); err != nil {
		s.writeError(c, err)
		return
	}
	slug := c.Param("slug")
	pub, err := s.statements.PublicationBySlug(c, slug)
	if err != nil {
		s.writeError(c, err)
		return
	}
	body, found := s.statementCache.get(pub, s.now())
	if !found {
		st, err := s.statements.PublicStatement(c, slug)
		if err != nil {
			s.writeError(c, err)
			return
		}
		if body, err = json.Marshal(newStatementOut(st)); err != nil {
			s.writeError(c, err)
			return
		}
		s.statementCache.put(pub, body, s.now())
	}
	c.Header("Cache-Control", "public, max-age=60")
	c.Data(http.StatusOK, "application/json; charset=utf-8", body)
}

// statementCache holds the answers of the open route, one per published
// commune (a district has a few dozen): an entry is used while it is
// fresh and its publication unchanged.
type statementCache struct {
	mu sync.Mutex
	m  map[string]cachedStatement
}

type cachedStatement struct {
	published time.Time
	at        time.Time
	body      []byte
}

func newStatementCache() *statementCache {
	return &statementCache{m: map[string]cachedStatement{}}
}

func (sc *statementCache) get(pub registry.Publication, now time.Time) ([]byte, bool) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	e, found := sc.m[pub.Slug]
	if !found || !e.published.Equal(pub.PublishedAt) || now.Sub(e.at) >= statementTTL || now.Before(e.at) {
		return nil, false
	}
	return e.body, true
}

func (sc *statementCache) put(pub registry.Publication, body []byte, now time.Time) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.m[pub.Slug] = cachedStatement{published: pub.PublishedAt, at: now, body: body}
}

// clear forgets every answer: a donor's consent changed, a gift was
// deleted, a commune published or unpublished.
func (sc *statementCache) clear() {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	clear(sc.m)
}
