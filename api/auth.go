package api

import (
	"crypto/subtle"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

const actorKey = "matthan.actor"

// authenticate resolves the bearer token to an actor, or answers 401.
// The environment's admin token is compared by hash in constant time; other
// tokens are looked up by hash in the store, so no secret is ever stored.
func (s *Server) authenticate() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.GetHeader("Authorization")
		scheme, secret, found := strings.Cut(h, " ")
		if h == "" && s.sessions != nil {
			if cookie := sessionSecret(c.Request); cookie != "" {
				s.authenticateSession(c, cookie)
				return
			}
		}
		if h == "" {
			s.writeError(c, camera.Errorf(camera.EUNAUTHORIZED, "Authorization", "a bearer token is required"))
			return
		}
		if !found || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			s.writeError(c, camera.Errorf(camera.EUNAUTHORIZED, "Authorization", "must be \"Bearer <token>\""))
			return
		}
		secret = strings.TrimSpace(secret)
		hash := registry.HashToken(secret)
		if s.adminHash != "" && subtle.ConstantTimeCompare([]byte(hash), []byte(s.adminHash)) == 1 {
			c.Set(actorKey, camera.Actor{Name: "env-admin", Role: camera.RoleAdmin})
			c.Next()
			return
		}
		tok, err := s.store.LookupToken(c, secret)
		if err != nil {
			if camera.ErrorCode(err) == camera.EUNAUTHORIZED {
				s.writeError(c, camera.Errorf(camera.EUNAUTHORIZED, "Authorization", "unknown token"))
			} else {
				s.writeError(c, err)
			}
			return
		}
		c.Set(actorKey, camera.Actor{Name: tok.Name, Role: tok.Role})
		c.Next()
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
