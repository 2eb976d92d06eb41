package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// getSettings answers the daemon's effective configuration as the
// daemon prepared it (Options.Settings): every key with its value and
// where it was set, secrets left out.
func (s *Server) getSettings(c *gin.Context) {
	if _, err := checkQuery(c); err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	ok(c, http.StatusOK, s.settings())
}
