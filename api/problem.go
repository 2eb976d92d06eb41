package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
)

// statusOf maps domain error codes to HTTP statuses. The only such table.
var statusOf = map[string]int{
	camera.EINVALID:      http.StatusBadRequest,
	camera.ENOTFOUND:     http.StatusNotFound,
	camera.ECONFLICT:     http.StatusConflict,
	camera.EUNAUTHORIZED: http.StatusUnauthorized,
	camera.EFORBIDDEN:    http.StatusForbidden,
	camera.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	camera.EUNAVAILABLE:  http.StatusServiceUnavailable,
	camera.ETOOMANY:      http.StatusTooManyRequests,
	camera.ETIMEOUT:      http.StatusRequestTimeout,
	camera.EINTERNAL:     http.StatusInternalServerError,
}

// Problem is an RFC 9457 problem details object, with a `field` extension
// naming the field, row or parameter at fault.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Field    string `json:"field,omitempty"`
	Instance string `json:"instance,omitempty"`
}

// ProblemContentType is the media type of error bodies.
const ProblemContentType = "application/problem+json"

// writeError answers err as problem+json; a part of a query the store
// refused names its query parameter (paramError). Internal errors are
// logged with their cause and answered with a generic detail.
func (s *Server) writeError(c *gin.Context, err error) {
	if terr := bodyTimeoutError(c); terr != nil {
		// The body was cut off for arriving too slowly: that is the
		// answer, whatever the handler made of the failed read.
		err = terr
	}
	err = paramError(err)
	code := camera.ErrorCode(err)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		code = camera.ETOOLARGE
		err = camera.Errorf(camera.ETOOLARGE, "body", "is larger than the limit of %d bytes", mbe.Limit)
	}
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status == http.StatusInternalServerError {
		s.log.Error("request failed", slog.String("method", c.Request.Method), slog.String("route", c.FullPath()), slog.Any("err", err))
	}
	p := Problem{
		Type:     "urn:matthan:problem:" + code,
		Title:    http.StatusText(status),
		Status:   status,
		Detail:   camera.ErrorMessage(err),
		Field:    camera.ErrorField(err),
		Instance: c.Request.URL.Path,
	}
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="matthan"`)
	}
	c.Abort()
	writeJSON(c, status, ProblemContentType, p)
}

// invalid is shorthand for a 400 naming a field or parameter.
func invalid(field, format string, args ...any) error {
	return camera.Errorf(camera.EINVALID, field, format, args...)
}
