package api

import (
	"encoding/json"

	"github.com/gin-gonic/gin"
)

// writeJSON writes v as JSON with the given status and content type. It
// uses encoding/json with HTML escaping off, so Vietnamese text and URLs
// read as written.
func writeJSON(c *gin.Context, status int, contentType string, v any) {
	c.Header("Content-Type", contentType)
	c.Status(status)
	enc := json.NewEncoder(c.Writer)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client went away; nothing to do
}

// ok writes v as application/json with status 200.
func ok(c *gin.Context, status int, v any) {
	writeJSON(c, status, "application/json; charset=utf-8", v)
}
