package api

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// duplicatesParam reads ?duplicates=: "reject" (the default) refuses a
// donation that repeats a stored gift, or the ref of an earlier row of
// the same import; "allow" stores it, for the gift the ledger takes for
// another (a donor who gave the same sum twice on one day, entered one
// at a time; a ref another bank gave too).
func duplicatesParam(q url.Values) (registry.DonationOptions, error) {
	switch v := q.Get("duplicates"); v {
	case "", "reject":
		return registry.DonationOptions{RejectDuplicates: true}, nil
	case "allow":
		return registry.DonationOptions{}, nil
	default:
		return registry.DonationOptions{}, invalid("duplicates", "must be reject or allow, got %q", v)
	}
}

// asDuplicate returns the duplicate a store error reports, if it is one.
func asDuplicate(err error) (*registry.DuplicateError, bool) {
	var dup *registry.DuplicateError
	return dup, errors.As(err, &dup)
}

// duplicateProblem is the 409 answer to a donation refused as a
// duplicate: a problem with the id of the donation it repeats, as an
// extension member (RFC 9457 §3.2) that a client can link to.
type duplicateProblem struct {
	Problem
	ExistingID string `json:"existing_id,omitempty"`
}

// writeDuplicate answers a refused duplicate as writeError would, with
// field (a line of an import, or none) and detail, plus existing_id. The
// status comes from statusOf, the one table of them.
func (s *Server) writeDuplicate(c *gin.Context, dup *registry.DuplicateError, field, detail string) {
	status := statusOf[camera.ECONFLICT]
	c.Abort()
	writeJSON(c, status, ProblemContentType, duplicateProblem{
		Problem: Problem{
			Type: "urn:matthan:problem:" + camera.ECONFLICT, Title: http.StatusText(status), Status: status,
			Detail: detail, Field: field, Instance: c.Request.URL.Path,
		},
		ExistingID: dup.Existing,
	})
}
