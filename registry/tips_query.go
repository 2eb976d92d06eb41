package registry

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/internal/vntext"
)

// tipSummary is the value of a tips_by_time entry:
//
//	flags(1) channel(1) outcome(1) category(1) people(4) [lat(8) lon(8)] commune(2+n)
//
// flags: bit 0 hold, bit 1 has place, bit 2 has informant. Channel,
// outcome and category are their positions in camera.Channels,
// camera.Outcomes and camera.Categories, plus one.
type tipSummary struct {
	hold, hasPlace, informant bool
	channel                   camera.Channel
	outcome                   camera.Outcome
	category                  camera.Category
	people                    int
	lat, lon                  float64
	commune                   string
}

func tipSummaryOf(t *camera.Tip) tipSummary {
	s := tipSummary{hold: t.Hold, informant: t.Informant, channel: t.Channel, outcome: t.Outcome,
		category: t.Category, people: t.People, commune: t.Commune}
	if t.HasPlace() {
		s.hasPlace, s.lat, s.lon = true, *t.Lat, *t.Lon
	}
	return s
}

func (s tipSummary) encode() []byte {
	b := make([]byte, 0, 8+16+2+len(s.commune))
	var flags byte
	if s.hold {
		flags |= 1
	}
	if s.hasPlace {
		flags |= 2
	}
	if s.informant {
		flags |= 4
	}
	b = append(b, flags, byte(slices.Index(camera.Channels, s.channel)+1),
		byte(slices.Index(camera.Outcomes, s.outcome)+1), byte(slices.Index(camera.Categories, s.category)+1))
	b = binary.BigEndian.AppendUint32(b, uint32(s.people))
	if s.hasPlace {
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(s.lat))
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(s.lon))
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(s.commune)))
	return append(b, s.commune...)
}

var errBadTipSummary = errors.New("corrupt tip time-index entry")

func decodeTipSummary(v []byte) (tipSummary, error) {
	var s tipSummary
	if len(v) < 10 {
		return s, errBadTipSummary
	}
	flags := v[0]
	s.hold, s.hasPlace, s.informant = flags&1 != 0, flags&2 != 0, flags&4 != 0
	ch, oc, cat := int(v[1])-1, int(v[2])-1, int(v[3])-1
	if ch < 0 || ch >= len(camera.Channels) || oc < 0 || oc >= len(camera.Outcomes) || cat < 0 || cat >= len(camera.Categories) {
		return s, errBadTipSummary
	}
	s.channel, s.outcome, s.category = camera.Channels[ch], camera.Outcomes[oc], camera.Categories[cat]
	s.people = int(binary.BigEndian.Uint32(v[4:8]))
	v = v[8:]
	if s.hasPlace {
		if len(v) < 16 {
			return s, errBadTipSummary
		}
		s.lat = math.Float64frombits(binary.BigEndian.Uint64(v))
		s.lon = math.Float64frombits(binary.BigEndian.Uint64(v[8:]))
		v = v[16:]
	}
	if len(v) < 2 || len(v) != 2+int(binary.BigEndian.Uint16(v)) {
		return s, errBadTipSummary
	}
	s.commune = string(v[2:])
	return s, nil
}

// TipQuery selects tips. Every set field must match:
//
//   - From, To: received in [From, To); a zero bound is open.
//   - Commune: the tip's commune, compared as camera filters compare
//     communes (accents, case and a "Xã"/"Thị trấn" prefix do not
//     matter).
//   - Category, Channel, Outcome.
//   - IncidentID: the tip led to that incident.
//   - RadiusM > 0: the tip's point is within RadiusM metres of (Lat, Lon)
//     (tips known only by commune and description never match a place).
//
// Results are newest first: received time descending, then id
// descending. After is the cursor of the previous page.
type TipQuery struct {
	From, To   time.Time
	Commune    string
	Category   camera.Category
	Channel    camera.Channel
	Outcome    camera.Outcome
	IncidentID string
	Lat, Lon   float64
	RadiusM    float64
	After      string
	Limit      int
}

// Validate checks the query.
func (q *TipQuery) Validate() error {
	if !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From) {
		return queryErrorf(QueryEnd, "must be after from")
	}
	if q.Category != "" && !q.Category.Valid() {
		return queryErrorf(QueryCategory, "unknown category %q", q.Category)
	}
	if q.Channel != "" && !q.Channel.Valid() {
		return camera.Errorf(camera.EINVALID, "channel", "must be one of hotline, in_person, message, other, got %q", q.Channel)
	}
	if q.Outcome != "" && !q.Outcome.Valid() {
		return camera.Errorf(camera.EINVALID, "outcome", "must be one of criminal, administrative, education, unfounded, pending, got %q", q.Outcome)
	}
	if q.IncidentID != "" {
		if err := camera.ValidateID(q.IncidentID); err != nil {
			return camera.Errorf(camera.EINVALID, "incident_id", "%s", strings.TrimPrefix(err.Error(), "id: "))
		}
	}
	if q.RadiusM != 0 {
		if math.IsNaN(q.RadiusM) || q.RadiusM < 0 || q.RadiusM > MaxRadiusM {
			return queryErrorf(QueryRadius, "must be more than 0 and at most %d metres", MaxRadiusM)
		}
		if err := camera.ValidateLatLon(q.Lat, q.Lon); err != nil {
			return err
		}
	}
	return nil
}

// keep is the filter on a summary; commune answers the commune filter
// (nil when there is none).
func (q *TipQuery) keep(s *tipSummary, commune func(string) bool) bool {
	switch {
	case q.Category != "" && s.category != q.Category,
		q.Channel != "" && s.channel != q.Channel,
		q.Outcome != "" && s.outcome != q.Outcome:
		return false
	case q.RadiusM > 0 && (!s.hasPlace || geo.Distance(q.Lat, q.Lon, s.lat, s.lon) > q.RadiusM):
		return false
	case commune != nil && !commune(s.commune):
		return false
	}
	return true
}

// Tip cursors: base64url of version(1) 't' received(8) id.
const tipCursorVersion = 1

func encodeTipCursor(t *camera.Tip) string {
	return base64.RawURLEncoding.EncodeToString(append([]byte{tipCursorVersion, 't'}, entryKey(nil, t.ReceivedAt, t.ID)...))
}

func decodeTipCursor(c string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 11 || b[0] != tipCursorVersion || b[1] != 't' || camera.ValidateID(string(b[10:])) != nil {
		return nil, queryErrorf(QueryCursor, "is not a cursor of this list")
	}
	return b[2:], nil
}

// ListTips returns up to q.Limit tips matching q (DefaultListLimit when 0,
// at most MaxListLimit), newest first, and the cursor of the next page
// ("" on the last page). The read is audited as actor (tip.list, with the
// ids answered) before the page is returned; an empty page leaves no
// entry.
func (s *Store) ListTips(ctx context.Context, q TipQuery, actor camera.Actor) (items []*camera.Tip, next string, err error) {
	pl, err := q.plan()
	if err != nil {
		return nil, "", err
	}
	err = s.update(func(tx *bolt.Tx) error {
		if items, next, err = pl.page(ctx, tx); err != nil || len(items) == 0 {
			return err
		}
		return auditTipList(tx, s.now().UTC(), actor, items)
	})
	if err != nil {
		return nil, "", err
	}
	return items, next, nil
}

// TipPage returns the ids of the page ListTips would answer for q, and
// the cursor of the next page, without reading the tips out or auditing:
// in cluster mode the node that takes a list finds the page here, then
// reads it through ReadTips, which the log orders and every node audits.
func (s *Store) TipPage(ctx context.Context, q TipQuery) (ids []string, next string, err error) {
	pl, err := q.plan()
	if err != nil {
		return nil, "", err
	}
	err = s.view(func(tx *bolt.Tx) error {
		var items []*camera.Tip
		if items, next, err = pl.page(ctx, tx); err != nil {
			return err
		}
		ids = make([]string, len(items))
		for i, t := range items {
			ids[i] = t.ID
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return ids, next, nil
}

// ReadTips returns the tips with the given ids, in that order, leaving
// out those that no longer exist (purged since the page was found), after
// auditing the read as ListTips does (tip.list, with the ids answered).
// It is the read of a page found by TipPage; an empty answer leaves no
// entry.
func (s *Store) ReadTips(ctx context.Context, ids []string, actor camera.Actor) ([]*camera.Tip, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var items []*camera.Tip
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTips)
		for _, id := range ids {
			v := b.Get([]byte(id))
			if v == nil {
				continue
			}
			t, err := decodeTip(v)
			if err != nil {
				return err
			}
			items = append(items, t)
		}
		if len(items) == 0 {
			return nil
		}
		return auditTipList(tx, s.now().UTC(), actor, items)
	})
	if err != nil {
		return nil, err
	}
	return items, nil
}

// auditTipList writes the audit entry of a page of tips read.
func auditTipList(tx *bolt.Tx, now time.Time, actor camera.Actor, items []*camera.Tip) error {
	ids := make([]string, len(items))
	for i, t := range items {
		ids[i] = t.ID
	}
	return appendAudit(tx, now, actor, ActionTipList, fmt.Sprintf("%d tips", len(items)), ids)
}

// tipPlan is a checked TipQuery, ready to run: the key range, the limit
// and the commune filter.
type tipPlan struct {
	q       *TipQuery
	limit   int
	lo, hi  []byte
	commune func(string) bool
}

// plan checks q and prepares its run.
func (q TipQuery) plan() (*tipPlan, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	pl := &tipPlan{q: &q, limit: q.Limit}
	if pl.limit <= 0 {
		pl.limit = DefaultListLimit
	}
	pl.limit = min(pl.limit, MaxListLimit)
	if !q.From.IsZero() {
		t := encTime(q.From)
		pl.lo = t[:]
	}
	if !q.To.IsZero() {
		t := encTime(q.To)
		pl.hi = t[:]
	}
	if q.After != "" {
		after, err := decodeTipCursor(q.After)
		if err != nil {
			return nil, err
		}
		if pl.hi == nil || bytes.Compare(after, pl.hi) < 0 {
			pl.hi = after
		}
	}
	// A district's tips name a few dozen communes: each is folded once.
	if f := vntext.NewCommuneFilter(q.Commune); !f.Empty() {
		seen := map[string]bool{}
		pl.commune = func(name string) bool {
			ok, done := seen[name]
			if !done {
				ok = f.Match(name)
				seen[name] = ok
			}
			return ok
		}
	}
	return pl, nil
}

// page reads the plan's page in tx: the tips, newest first, and the
// cursor of the next page.
func (pl *tipPlan) page(ctx context.Context, tx *bolt.Tx) (items []*camera.Tip, next string, err error) {
	q, lo, hi := pl.q, pl.lo, pl.hi
	tb := openTipBuckets(tx)
	var only map[string]bool
	if q.IncidentID != "" {
		only = map[string]bool{}
		prefix := textPrefix(q.IncidentID)
		c := tb.byIncident.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			only[string(k[len(prefix):])] = true
		}
		if len(only) == 0 {
			return nil, "", nil
		}
	}
	c := tb.byTime.Cursor()
	// Newest first: from the last key below hi (exclusive).
	var k, v []byte
	if hi == nil {
		k, v = c.Last()
	} else if first, _ := c.Seek(hi); first == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	for n := 0; k != nil; k, v = c.Prev() {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, "", err
			}
		}
		if lo != nil && bytes.Compare(k, lo) < 0 {
			break
		}
		if only != nil && !only[string(k[8:])] {
			continue
		}
		sum, err := decodeTipSummary(v)
		if err != nil {
			return nil, "", fmt.Errorf("tip %q: %w", k[8:], err)
		}
		if !q.keep(&sum, pl.commune) {
			continue
		}
		if len(items) == pl.limit {
			next = encodeTipCursor(items[len(items)-1])
			break
		}
		rec := tb.tips.Get(k[8:])
		if rec == nil {
			continue // cannot happen: entries go with their record
		}
		t, err := decodeTip(rec)
		if err != nil {
			return nil, "", err
		}
		items = append(items, t)
	}
	return items, next, nil
}

// TipCountRow is the number of tips received in one month through one
// channel with one outcome, and the people dealt with.
type TipCountRow struct {
	Month   string         `json:"month"` // YYYY-MM
	Channel camera.Channel `json:"channel"`
	Outcome camera.Outcome `json:"outcome"`
	Tips    int            `json:"tips"`
	People  int            `json:"people"`
}

// TipOutcomeCount is the tips and people of one outcome: "15 criminal
// cases, 17 suspects".
type TipOutcomeCount struct {
	Outcome camera.Outcome `json:"outcome"`
	Tips    int            `json:"tips"`
	People  int            `json:"people"`
}

// TipChannelCount is the tips that came through one channel.
type TipChannelCount struct {
	Channel camera.Channel `json:"channel"`
	Tips    int            `json:"tips"`
}

// TipMonthCount is the tips received in one month.
type TipMonthCount struct {
	Month string `json:"month"`
	Tips  int    `json:"tips"`
}

// TipCounts are the aggregated tip figures every role may see: no id, no
// place, no summary, and nothing of any informant.
type TipCounts struct {
	Rows      []TipCountRow     `json:"rows"`
	ByMonth   []TipMonthCount   `json:"by_month"`
	ByChannel []TipChannelCount `json:"by_channel"`
	ByOutcome []TipOutcomeCount `json:"by_outcome"`
	Tips      int               `json:"tips"`
	People    int               `json:"people"`
}

// TipCounts counts the tips received in [from, to) (a zero bound is
// open) by month × channel × outcome, and the totals by month, by channel
// and by outcome (every channel and outcome listed, zeros included, in
// the order of camera.Channels and camera.Outcomes). Months are calendar
// months in from's location, as IncidentCounts. It reads only the time
// index: no record is decoded.
func (s *Store) TipCounts(ctx context.Context, from, to time.Time) (*TipCounts, error) {
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		return nil, queryErrorf(QueryEnd, "must be after from")
	}
	loc := from.Location()
	type rowKey struct {
		month   string
		channel int
		outcome int
	}
	rows := map[rowKey]*TipCountRow{}
	months := map[string]int{}
	channels := make([]int, len(camera.Channels))
	outcomes := make([]TipOutcomeCount, len(camera.Outcomes))
	out := &TipCounts{}
	// A month's name is computed once per month, not once per tip.
	var monthEnd, monthStart time.Time
	var month string
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTipsByTime)
		if b == nil { // a read-only file of schema 5
			return nil
		}
		return walkTimeIndex(ctx, b, from, to, func(k, v []byte) error {
			if len(v) < 8 {
				return fmt.Errorf("tip %q: %w", k[8:], errBadTipSummary)
			}
			ch, oc := int(v[1])-1, int(v[2])-1
			if ch < 0 || ch >= len(channels) || oc < 0 || oc >= len(outcomes) {
				return fmt.Errorf("tip %q: %w", k[8:], errBadTipSummary)
			}
			people := int(binary.BigEndian.Uint32(v[4:8]))
			at := decTime(k[:8])
			if at.Before(monthStart) || !at.Before(monthEnd) {
				l := at.In(loc)
				monthStart = time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc)
				monthEnd = monthStart.AddDate(0, 1, 0)
				month = l.Format("2006-01")
			}
			rk := rowKey{month, ch, oc}
			r := rows[rk]
			if r == nil {
				r = &TipCountRow{Month: month, Channel: camera.Channels[ch], Outcome: camera.Outcomes[oc]}
				rows[rk] = r
			}
			r.Tips++
			r.People += people
			months[month]++
			channels[ch]++
			outcomes[oc].Tips++
			outcomes[oc].People += people
			out.Tips++
			out.People += people
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	out.Rows = make([]TipCountRow, 0, len(rows))
	for _, r := range rows {
		out.Rows = append(out.Rows, *r)
	}
	slices.SortFunc(out.Rows, func(a, b TipCountRow) int {
		if c := strings.Compare(a.Month, b.Month); c != 0 {
			return c
		}
		if c := slices.Index(camera.Channels, a.Channel) - slices.Index(camera.Channels, b.Channel); c != 0 {
			return c
		}
		return slices.Index(camera.Outcomes, a.Outcome) - slices.Index(camera.Outcomes, b.Outcome)
	})
	out.ByMonth = make([]TipMonthCount, 0, len(months))
	for m, n := range months {
		out.ByMonth = append(out.ByMonth, TipMonthCount{Month: m, Tips: n})
	}
	slices.SortFunc(out.ByMonth, func(a, b TipMonthCount) int { return strings.Compare(a.Month, b.Month) })
	for i, ch := range camera.Channels {
		out.ByChannel = append(out.ByChannel, TipChannelCount{Channel: ch, Tips: channels[i]})
	}
	for i, oc := range camera.Outcomes {
		outcomes[i].Outcome = oc
		out.ByOutcome = append(out.ByOutcome, outcomes[i])
	}
	return out, nil
}
