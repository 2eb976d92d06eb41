package api

import (
	"crypto/subtle"
	"errors"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

const actorKey = "matthan.actor"

// Reasons of a failed authentication: the values of the reason label of
// matthan_auth_failures_total, a fixed set.
const (
	authMissing   = "missing"   // no Authorization header
	authMalformed = "malformed" // not "Bearer <token>"
	authUnknown   = "unknown"   // no such token (or revoked)
	authExpired   = "expired"   // past its expires_at
	authThrottled = "throttled" // refused unread: too many failures from the address
	authPassword  = "password"  // a wrong user name or password at the console's sign-in
)

var authReasons = []string{authMissing, authMalformed, authUnknown, authExpired, authThrottled, authPassword}

// newAuthFailures returns matthan_auth_failures_total, every reason
// present from the start (at 0), so that a rate() alert works before the
// first failure.
func newAuthFailures(reg prometheus.Registerer) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "matthan_auth_failures_total",
		Help: "Failed authentications on /api/v1, by reason: missing, malformed, unknown or expired token, a wrong password at sign-in, or throttled (refused unread after too many failures from the client's address).",
	}, []string{"reason"})
	for _, r := range authReasons {
		c.WithLabelValues(r)
	}
	reg.MustRegister(c)
	return c
}

// authenticate resolves the bearer token to an actor, or answers 401.
// The environment's admin token is compared by hash in constant time; other
// tokens are looked up by hash in the store, so no secret is ever stored.
//
// Failures are counted per client address (Throttle): past the limit in a
// minute the address is answered 429 with Retry-After before its token is
// even read, so that guessing costs time whatever the token. Failures are
// logged with the address and a count, never the token, at most one line
// per address per minute.
func (s *Server) authenticate() gin.HandlerFunc {
	return func(c *gin.Context) {
		client := ClientKey(c.ClientIP())
		if s.refuseThrottled(c, client, "Authorization") {
			return
		}
		// A console session: its 256-bit secret cannot be guessed, and a
		// browser with an ended session asks for many tiles at once, so
		// its failures are not counted against the address (which would
		// then be refused at sign-in).
		if c.GetHeader("Authorization") == "" {
			if cookie := sessionSecret(c.Request); cookie != "" {
				s.authenticateSession(c, cookie)
				return
			}
		}
		a, reason, err := s.resolveToken(c)
		if err != nil {
			if reason != "" {
				s.authFailed(c, client, reason, s.authThrottle.Fail(client))
			}
			s.writeError(c, err)
			return
		}
		c.Set(actorKey, a)
		c.Next()
	}
}

// refuseThrottled answers 429 with Retry-After, and reports true, when
// the client has failed to authenticate too often in the last minute.
// field names what the client sent (Authorization, or the password of a
// sign-in).
func (s *Server) refuseThrottled(c *gin.Context, client, field string) bool {
	wait, rep := s.authThrottle.Check(client)
	if wait <= 0 {
		return false
	}
	secs := int(math.Ceil(wait.Seconds()))
	s.authFailed(c, client, authThrottled, rep)
	c.Header("Retry-After", strconv.Itoa(secs))
	s.writeError(c, camera.Errorf(camera.ETOOMANY, field, "too many failed authentications from your address: try again in %d s", secs))
	return true
}

// resolveToken returns who the request's bearer token is, or the error to
// answer and, when the token itself is at fault, the reason.
func (s *Server) resolveToken(c *gin.Context) (camera.Actor, string, error) {
	h := c.GetHeader("Authorization")
	if h == "" {
		return camera.Actor{}, authMissing, camera.Errorf(camera.EUNAUTHORIZED, "Authorization", "a bearer token is required")
	}
	secret, ok := bearer(h)
	if !ok {
		return camera.Actor{}, authMalformed, camera.Errorf(camera.EUNAUTHORIZED, "Authorization", "must be \"Bearer <token>\"")
	}
	hash := registry.HashToken(secret)
	if s.adminHash != "" && subtle.ConstantTimeCompare([]byte(hash), []byte(s.adminHash)) == 1 {
		return camera.Actor{Name: "env-admin", Role: camera.RoleAdmin}, "", nil
	}
	tok, err := s.store.LookupToken(c, secret)
	switch {
	case errors.Is(err, registry.ErrTokenExpired):
		return camera.Actor{}, authExpired, camera.Errorf(camera.EUNAUTHORIZED, "Authorization", "token expired")
	case camera.ErrorCode(err) == camera.EUNAUTHORIZED:
		return camera.Actor{}, authUnknown, camera.Errorf(camera.EUNAUTHORIZED, "Authorization", "unknown token")
	case err != nil:
		return camera.Actor{}, "", err
	}
	return camera.Actor{Name: tok.Name, Role: tok.Role}, "", nil
}

// bearer reads the secret of an Authorization header "Bearer <secret>".
func bearer(h string) (string, bool) {
	scheme, secret, found := strings.Cut(h, " ")
	secret = strings.TrimSpace(secret)
	return secret, found && strings.EqualFold(scheme, "Bearer") && secret != ""
}

// authFailed counts a failed authentication and logs it when the
// throttle says so: the address and the count, never the token.
func (s *Server) authFailed(c *gin.Context, client, reason string, rep Report) {
	s.authFailures.WithLabelValues(reason).Inc()
	if rep.Log {
		s.log.Warn("authentication failed",
			slog.String("client", client),
			slog.String("reason", reason),
			slog.Int("failures", rep.Failures), // since this address's previous line, at most one a minute
			slog.String("method", c.Request.Method),
			slog.String("route", routeLabel(c)))
	}
}

// allow lets only the given roles through; others get 403.
func (s *Server) allow(roles ...camera.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		a := actor(c)
		if !slices.Contains(roles, a.Role) {
			s.writeError(c, camera.Errorf(camera.EFORBIDDEN, "", "role %s may not %s %s", a.Role, c.Request.Method, c.FullPath()))
			return
		}
		c.Next()
	}
}

// actor returns who is calling, set by authenticate.
func actor(c *gin.Context) camera.Actor {
	if v, ok := c.Get(actorKey); ok {
		return v.(camera.Actor)
	}
	return camera.Actor{}
}
