package api

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// HealthStore is what the health routes need of the registry.
type HealthStore interface {
	GetCamera(ctx context.Context, id string) (*camera.Camera, error)
	CurrentHealth(ctx context.Context, id string) (camera.Health, error)
	ListHealth(ctx context.Context, after string, limit int, keep func(*registry.HealthItem) bool) ([]registry.HealthItem, string, error)
	HealthSummary(ctx context.Context) ([]registry.CommuneHealth, error)
	Transitions(ctx context.Context, id string, from, to time.Time, limit int) ([]camera.Transition, error)
	StateAt(ctx context.Context, id string, t time.Time) (camera.HealthState, string, error)
	Uptime(ctx context.Context, id string, from, to time.Time) (registry.UptimeStats, error)
}

var _ HealthStore = (*registry.Store)(nil)

// recentTransitions is how many transitions the camera health view lists.
const recentTransitions = 20

// cameraHealth is the answer of GET /cameras/{id}/health.
type cameraHealth struct {
	camera.Health
	Uptime      map[string]registry.UptimeStats `json:"uptime"`
	Transitions []camera.Transition             `json:"transitions"`
	// StateAt answers ?at=: the state the camera was in at that time.
	StateAt *stateAt `json:"state_at,omitempty"`
}

type stateAt struct {
	At     time.Time          `json:"at"`
	State  camera.HealthState `json:"state"`
	Reason string             `json:"reason,omitempty"`
}

// uptimeWindows are the fixed windows every camera health answer carries.
var uptimeWindows = []struct {
	name string
	d    time.Duration
}{{"24h", 24 * time.Hour}, {"7d", 7 * 24 * time.Hour}, {"30d", 30 * 24 * time.Hour}}

// cameraHealthView answers the current state, uptime over 24 h, 7 d and 30
// d (and over ?from=&to= when given), the recent transitions and, with
// ?at=, the state at that time.
func (s *Server) cameraHealthView(c *gin.Context) {
	q, err := checkQuery(c, "from", "to", "at")
	if err != nil {
		s.writeError(c, err)
		return
	}
	id, err := pathID(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if _, err := s.health.GetCamera(c, id); err != nil {
		s.writeError(c, err)
		return
	}
	now := s.now()
	from, to, err := timeWindow(q.Get("from"), q.Get("to"), now)
	if err != nil {
		s.writeError(c, err)
		return
	}
	h, err := s.health.CurrentHealth(c, id)
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := cameraHealth{Health: h, Uptime: map[string]registry.UptimeStats{}}
	for _, w := range uptimeWindows {
		if out.Uptime[w.name], err = s.health.Uptime(c, id, now.Add(-w.d), now); err != nil {
			s.writeError(c, err)
			return
		}
	}
	if !from.IsZero() {
		if out.Uptime["window"], err = s.health.Uptime(c, id, from, to); err != nil {
			s.writeError(c, err)
			return
		}
	}
	if out.Transitions, err = s.health.Transitions(c, id, time.Time{}, time.Time{}, recentTransitions); err != nil {
		s.writeError(c, err)
		return
	}
	if out.Transitions == nil {
		out.Transitions = []camera.Transition{}
	}
	if v := q.Get("at"); v != "" {
		at, err := parseTime("at", v)
		if err != nil {
			s.writeError(c, err)
			return
		}
		st, reason, err := s.health.StateAt(c, id, at)
		if err != nil {
			s.writeError(c, err)
			return
		}
		out.StateAt = &stateAt{At: at, State: st, Reason: reason}
	}
	ok(c, http.StatusOK, out)
}

// listHealth answers every camera's current health, filtered by commune
// (accent-insensitive, with or without its prefix: communeMatcher) and
// state, paginated by camera id.
func (s *Server) listHealth(c *gin.Context) {
	q, err := checkQuery(c, "commune", "state", "status", "limit", "cursor")
	if err != nil {
		s.writeError(c, err)
		return
	}
	limit, after, err := pageParams(q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	commune := communeMatcher(q.Get("commune"))
	// state is one state or a list (state=down,degraded: the cameras
	// not up, as the console's health page asks).
	var states []camera.HealthState
	if v := q.Get("state"); v != "" {
		for _, p := range strings.Split(v, ",") {
			st := camera.HealthState(strings.TrimSpace(p))
			if !st.Valid() {
				s.writeError(c, invalid("state", "must be one of up, degraded, down, auth_failed, unknown, or several separated by commas, got %q", p))
				return
			}
			states = append(states, st)
		}
	}
	status := camera.Status(q.Get("status"))
	if status != "" && !status.Valid() {
		s.writeError(c, invalid("status", "must be active or retired, got %q", status))
		return
	}
	keep := func(h *registry.HealthItem) bool {
		return (commune == nil || commune(h.Commune)) &&
			(states == nil || slices.Contains(states, h.State)) &&
			(status == "" || h.Status == status)
	}
	items, next, err := s.health.ListHealth(c, after, limit, keep)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if items == nil {
		items = []registry.HealthItem{}
	}
	ok(c, http.StatusOK, page[registry.HealthItem]{Items: items, NextCursor: encodeCursor(next)})
}

// healthSummary answers the count of active cameras in each state, per
// commune and in total.
func (s *Server) healthSummary(c *gin.Context) {
	if _, err := checkQuery(c); err != nil {
		s.writeError(c, err)
		return
	}
	communes, err := s.health.HealthSummary(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	total := registry.CommuneHealth{States: map[camera.HealthState]int{}}
	for _, st := range camera.HealthStates {
		total.States[st] = 0
	}
	for _, ch := range communes {
		total.Cameras += ch.Cameras
		for st, n := range ch.States {
			total.States[st] += n
		}
	}
	if communes == nil {
		communes = []registry.CommuneHealth{}
	}
	ok(c, http.StatusOK, map[string]any{"communes": communes, "total": total})
}

// parseTime reads an RFC 3339 time parameter.
func parseTime(field, v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, invalid(field, "must be an RFC 3339 time such as 2026-11-28T21:40:00+07:00, got %q", v)
	}
	return t, nil
}

// timeWindow reads an optional [from, to) window; to defaults to now and
// from to nothing (zero) when absent.
func timeWindow(fromS, toS string, now time.Time) (from, to time.Time, err error) {
	to = now
	if toS != "" {
		if to, err = parseTime("to", toS); err != nil {
			return
		}
	}
	if fromS == "" {
		if toS != "" {
			return time.Time{}, time.Time{}, invalid("from", "is required with to")
		}
		return time.Time{}, to, nil
	}
	if from, err = parseTime("from", fromS); err != nil {
		return
	}
	if !from.Before(to) {
		return time.Time{}, time.Time{}, invalid("from", "must be before to")
	}
	return from, to, nil
}
