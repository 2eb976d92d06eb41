package api

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/registry"
)

// Bounds of the audit log's filters.
const (
	maxAuditText    = 200 // runes of actor and target
	maxAuditActions = 20
)

// auditAction is an action ("user.create") or a family of them
// ("camera.*").
var auditAction = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?$`)

// listAudit answers the audit log, newest first, filtered by actor,
// action, target and time. A page examines at most
// registry.DefaultAuditScan entries: a selective filter over a long log
// answers short pages (even empty ones) with a next_cursor to go on.
func (s *Server) listAudit(c *gin.Context) {
	q, err := checkQuery(c, "limit", "cursor", "actor", "action", "target", "from", "to")
	if err != nil {
		s.writeError(c, err)
		return
	}
	limit, before, err := seqPageParams(q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	aq, err := s.auditQuery(q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	aq.Before, aq.Limit = before, limit
	items, next, err := s.store.QueryAudit(c, aq)
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := page[registry.AuditEntry]{Items: items}
	if out.Items == nil {
		out.Items = []registry.AuditEntry{}
	}
	if next != 0 {
		out.NextCursor = encodeCursor(strconv.FormatUint(next, 10))
	}
	ok(c, http.StatusOK, out)
}

// auditQuery reads the filters of the audit log. from and to are RFC
// 3339 times or dates (YYYY-MM-DD, days of the daemon's timezone; to's
// day is included).
func (s *Server) auditQuery(q url.Values) (registry.AuditQuery, error) {
	var aq registry.AuditQuery
	for _, p := range []struct {
		name string
		dst  *string
	}{{"actor", &aq.Actor}, {"target", &aq.Target}} {
		v := strings.TrimSpace(q.Get(p.name))
		if n := utf8.RuneCountInString(v); n > maxAuditText {
			return aq, invalid(p.name, "must be at most %d characters, got %d", maxAuditText, n)
		}
		*p.dst = v
	}
	if v := q.Get("action"); v != "" {
		for a := range strings.SplitSeq(v, ",") {
			a = strings.TrimSpace(a)
			if a == "" {
				continue
			}
			if !auditAction.MatchString(a) {
				return aq, invalid("action", "must be actions such as user.create or families such as camera.*, separated by commas, got %q", a)
			}
			aq.Actions = append(aq.Actions, a)
		}
		if len(aq.Actions) > maxAuditActions {
			return aq, invalid("action", "must name at most %d actions, got %d", maxAuditActions, len(aq.Actions))
		}
	}
	var err error
	if aq.From, err = s.auditTime("from", q.Get("from"), false); err != nil {
		return aq, err
	}
	if aq.To, err = s.auditTime("to", q.Get("to"), true); err != nil {
		return aq, err
	}
	if !aq.From.IsZero() && !aq.To.IsZero() && !aq.From.Before(aq.To) {
		return aq, invalid("to", "must be after from")
	}
	return aq, nil
}

// auditTime reads a bound of the audit log's window: an RFC 3339 time,
// or a date in the daemon's timezone (its start; the next day's start for
// to, so that to's day is included). "" is no bound.
func (s *Server) auditTime(field, v string, end bool) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseInLocation(time.DateOnly, v, s.loc); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, invalid(field, "must be a date such as 2026-11-28 or an RFC 3339 time such as 2026-11-28T21:40:00+07:00, got %q", v)
}
