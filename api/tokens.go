package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

type tokenRequest struct {
	Name string      `json:"name"`
	Role camera.Role `json:"role"`
}

// createToken answers the new secret once; only its hash is stored.
func (s *Server) createToken(c *gin.Context) {
	var in tokenRequest
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	secret, err := s.store.CreateToken(c, in.Name, in.Role, actor(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, http.StatusCreated, map[string]string{"token": secret, "name": in.Name, "role": string(in.Role)})
}

func (s *Server) listAudit(c *gin.Context) {
	q, err := checkQuery(c, "limit", "cursor")
	if err != nil {
		s.writeError(c, err)
		return
	}
	limit, before, err := seqPageParams(q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	items, next, err := s.store.ListAudit(c, before, limit)
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
