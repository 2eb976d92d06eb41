package api

import (
	"cmp"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// tokenRequest is the body of POST /api/v1/tokens. The lifetime is
// optional: expires_in ("90d", "720h") or expires_at (RFC 3339), not both.
type tokenRequest struct {
	Name      string      `json:"name"`
	Role      camera.Role `json:"role"`
	ExpiresIn *string     `json:"expires_in"`
	ExpiresAt *string     `json:"expires_at"`
}

// createdToken is the answer to POST /api/v1/tokens: the token's record
// and, this once, its secret.
type createdToken struct {
	registry.Token
	Secret string `json:"token"`
}

// createToken answers the new secret once; only its hash is stored.
func (s *Server) createToken(c *gin.Context) {
	var in tokenRequest
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	spec := registry.TokenSpec{Name: in.Name, Role: in.Role}
	if in.ExpiresIn != nil {
		d, err := registry.ParseTokenLifetime(*in.ExpiresIn)
		if err != nil {
			s.writeError(c, invalid("expires_in", "%v", err))
			return
		}
		if d <= 0 {
			s.writeError(c, invalid("expires_in", "must be more than 0, got %q", *in.ExpiresIn))
			return
		}
		spec.ExpiresIn = d
	}
	if in.ExpiresAt != nil {
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(*in.ExpiresAt))
		if err != nil {
			s.writeError(c, invalid("expires_at", "must be a time such as 2027-01-01T00:00:00+07:00, got %q", *in.ExpiresAt))
			return
		}
		spec.ExpiresAt = t
	}
	tok, secret, err := s.store.CreateToken(c, spec, actor(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.log.Info("token created", slog.String("id", tok.ID), slog.String("name", tok.Name), slog.String("role", string(tok.Role)), slog.String("by", actor(c).Name))
	c.Header("Location", "/api/v1/tokens/"+tok.ID)
	ok(c, http.StatusCreated, createdToken{Token: tok, Secret: secret})
}

// listTokens answers every token, oldest first: id, name, role, who
// created it and when, its expiry and last use. Secrets are not stored,
// so none can be shown.
func (s *Server) listTokens(c *gin.Context) {
	q, err := checkQuery(c, "limit", "cursor")
	if err != nil {
		s.writeError(c, err)
		return
	}
	limit, after, err := pageParams(q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	all, err := s.store.ListTokens(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	// The cursor is the (created_at, id) of the last token of the
	// previous page: a token revoked meanwhile does not shift the pages.
	i := 0
	if after != "" {
		at, id, found := strings.Cut(after, " ")
		t, terr := time.Parse(time.RFC3339Nano, at)
		if !found || terr != nil {
			s.writeError(c, invalid("cursor", "is not a cursor this server gave out"))
			return
		}
		i, _ = slices.BinarySearchFunc(all, registry.Token{CreatedAt: t, ID: id}, func(a, b registry.Token) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
		})
		if i < len(all) && all[i].ID == id {
			i++
		}
	}
	out := page[registry.Token]{Items: all[i:min(i+limit, len(all))]}
	if out.Items == nil {
		out.Items = []registry.Token{}
	}
	if i+limit < len(all) {
		last := out.Items[len(out.Items)-1]
		out.NextCursor = encodeCursor(last.CreatedAt.Format(time.RFC3339Nano) + " " + last.ID)
	}
	ok(c, http.StatusOK, out)
}

// revokeToken deletes a token by its id: the next request with it is
// refused. The revocation is audited.
func (s *Server) revokeToken(c *gin.Context) {
	id, err := idWithoutQuery(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	tok, err := s.store.RevokeToken(c, id, actor(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.log.Info("token revoked", slog.String("id", tok.ID), slog.String("name", tok.Name), slog.String("by", actor(c).Name))
	c.Status(http.StatusNoContent)
}
