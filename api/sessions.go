package api

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// People sign in to the console with a name and a password and get a
// session: a random secret in a cookie that scripts cannot read
// (HttpOnly), that the browser sends only to this site's own pages
// (SameSite=Strict) and, under TLS, only over TLS (Secure, and the
// __Host- prefix, which also pins it to this host). Tokens stay for
// machines. A request with a session cookie and no Authorization header
// is authenticated by its session; every request of such a session that
// changes something must carry the session's CSRF token in
// X-CSRF-Token, and, when the browser sends an Origin (or Referer), come
// from this site — so a page elsewhere cannot make a signed-in browser
// do anything.

// SessionStore is what sign-in needs of the registry.
type SessionStore interface {
	CheckPassword(ctx context.Context, name, password string) (*camera.User, error)
	CreateSession(ctx context.Context, u *camera.User, l registry.SessionLimits) (string, registry.Session, error)
	LookupSession(ctx context.Context, secret string, l registry.SessionLimits) (registry.Session, error)
	DeleteSession(ctx context.Context, secret string, actor camera.Actor) error
}

var _ SessionStore = (*registry.Store)(nil)

const (
	sessionCookie       = "matthan_session"
	sessionCookieSecure = "__Host-matthan_session"
	csrfHeader          = "X-CSRF-Token"
	sessionKey          = "matthan.session"
)

// cookieName is the session cookie's name for r: the __Host- form under
// TLS, which browsers accept only with Secure, Path=/ and no Domain.
func cookieName(r *http.Request) string {
	if r.TLS != nil {
		return sessionCookieSecure
	}
	return sessionCookie
}

// sessionSecret returns the session cookie of r, "" when there is none.
func sessionSecret(r *http.Request) string {
	if c, err := r.Cookie(cookieName(r)); err == nil {
		return c.Value
	}
	return ""
}

// setSessionCookie sets (secret != "") or clears the session cookie.
func setSessionCookie(c *gin.Context, secret string, maxAge time.Duration) {
	ck := &http.Cookie{
		Name: cookieName(c.Request), Value: secret, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.Request.TLS != nil,
		MaxAge: int(maxAge / time.Second),
	}
	if secret == "" {
		ck.MaxAge = -1
	}
	http.SetCookie(c.Writer, ck)
}

// safeMethod reports whether m changes nothing (RFC 9110 §9.2.1).
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// sameOrigin reports whether the request's Origin (or, failing it, its
// Referer) is this site. A request with neither passes: browsers send
// Origin on every cross-site POST, PATCH and DELETE, so its absence
// means a same-site navigation or a non-browser client, and the CSRF
// token is checked anyway.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		ref := r.Header.Get("Referer")
		if ref == "" {
			return true
		}
		u, err := url.Parse(ref)
		if err != nil {
			return false
		}
		origin = u.Scheme + "://" + u.Host
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return strings.EqualFold(origin, scheme+"://"+r.Host)
}

// authenticateSession authenticates a request by its session cookie.
func (s *Server) authenticateSession(c *gin.Context, secret string) {
	sess, err := s.sessions.LookupSession(c, secret, s.sessionLimits)
	if err != nil {
		if camera.ErrorCode(err) == camera.EUNAUTHORIZED {
			setSessionCookie(c, "", 0)
		}
		s.writeError(c, err)
		return
	}
	if !safeMethod(c.Request.Method) {
		if !sameOrigin(c.Request) {
			s.writeError(c, camera.Errorf(camera.EFORBIDDEN, "Origin", "this request comes from another site: refused (cross-site request forgery)"))
			return
		}
		got := c.GetHeader(csrfHeader)
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) != 1 {
			s.writeError(c, camera.Errorf(camera.EFORBIDDEN, csrfHeader, "missing or wrong CSRF token: reload the page"))
			return
		}
	}
	c.Set(actorKey, sess.User.Actor())
	c.Set(sessionKey, &sess)
	c.Next()
}

// Viewer resolves the session cookie of r for the console's pages: the
// signed-in user and the session's CSRF token; ok is false without a
// live session.
func (s *Server) Viewer(r *http.Request) (camera.User, string, bool) {
	secret := sessionSecret(r)
	if secret == "" {
		return camera.User{}, "", false
	}
	sess, err := s.sessions.LookupSession(r.Context(), secret, s.sessionLimits)
	if err != nil {
		return camera.User{}, "", false
	}
	return sess.User, sess.CSRF, true
}

type signInRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// sessionAnswer is what sign-in and GET /session answer: who is signed
// in, the CSRF token and when the session ends if left idle.
type sessionAnswer struct {
	User      camera.User `json:"user"`
	CSRFToken string      `json:"csrf_token"`
	CreatedAt time.Time   `json:"created_at"`
	ExpiresAt time.Time   `json:"expires_at"`
}

// signIn checks a name and password and starts a session. It needs no
// authentication, so it is where guessing happens: failures are logged
// and throttled per client address like bad tokens, and it accepts only
// requests from this site (a page elsewhere cannot sign a browser in to
// an account of its choosing).
func (s *Server) signIn(c *gin.Context) {
	if !sameOrigin(c.Request) {
		s.writeError(c, camera.Errorf(camera.EFORBIDDEN, "Origin", "sign-in from another site is refused"))
		return
	}
	client := ClientKey(c.ClientIP())
	if s.refuseThrottled(c, client, "password") {
		return
	}
	var in signInRequest
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	switch {
	case strings.TrimSpace(in.Name) == "":
		s.writeError(c, invalid("name", "is required"))
		return
	case in.Password == "":
		s.writeError(c, invalid("password", "is required"))
		return
	}
	u, err := s.sessions.CheckPassword(c, in.Name, in.Password)
	if err != nil {
		if camera.ErrorCode(err) == camera.EUNAUTHORIZED {
			s.authFailed(c, client, authPassword, s.authThrottle.Fail(client))
		}
		s.writeError(c, err)
		return
	}
	secret, sess, err := s.sessions.CreateSession(c, u, s.sessionLimits)
	if err != nil {
		s.writeError(c, err)
		return
	}
	setSessionCookie(c, secret, s.sessionLimits.Max)
	ok(c, http.StatusOK, sessionAnswer{User: sess.User, CSRFToken: sess.CSRF, CreatedAt: sess.CreatedAt, ExpiresAt: sess.ExpiresAt})
}

// currentSession answers the caller's session; 404 for a token.
func (s *Server) currentSession(c *gin.Context) {
	v, found := c.Get(sessionKey)
	if !found {
		s.writeError(c, camera.Errorf(camera.ENOTFOUND, "", "this request is authenticated by a token, not a session"))
		return
	}
	sess := v.(*registry.Session)
	ok(c, http.StatusOK, sessionAnswer{User: sess.User, CSRFToken: sess.CSRF, CreatedAt: sess.CreatedAt, ExpiresAt: sess.ExpiresAt})
}

// signOut ends the caller's session and clears its cookie.
func (s *Server) signOut(c *gin.Context) {
	if _, found := c.Get(sessionKey); !found {
		s.writeError(c, camera.Errorf(camera.ENOTFOUND, "", "this request is authenticated by a token, not a session"))
		return
	}
	if err := s.sessions.DeleteSession(c, sessionSecret(c.Request), actor(c)); err != nil {
		s.writeError(c, err)
		return
	}
	setSessionCookie(c, "", 0)
	c.Status(http.StatusNoContent)
}
