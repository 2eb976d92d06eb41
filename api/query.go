package api

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// Pagination limits of docs/design.md.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

// checkQuery rejects parameters the route does not know, repeated ones and
// invalid UTF-8, so that a typo (?comune=) is an error rather than a
// silently unfiltered answer.
func checkQuery(c *gin.Context, known ...string) (url.Values, error) {
	q := c.Request.URL.Query()
	for k, vs := range q {
		if !utf8.ValidString(k) {
			return nil, invalid("query", "parameter names must be valid UTF-8")
		}
		found := false
		for _, n := range known {
			if n == k {
				found = true
				break
			}
		}
		if !found {
			return nil, invalid(k, "is not a known query parameter here")
		}
		if len(vs) > 1 {
			return nil, invalid(k, "is given more than once")
		}
		if !utf8.ValidString(vs[0]) {
			return nil, invalid(k, "must be valid UTF-8")
		}
	}
	return q, nil
}

// pageParams reads limit and cursor. The cursor is opaque to clients: the
// base64url of the last key of the previous page.
func pageParams(q url.Values) (limit int, after string, err error) {
	limit = defaultLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return 0, "", invalid("limit", "must be a whole number from 1 to %d, got %q", maxLimit, v)
		}
		limit = n
	}
	if v := q.Get("cursor"); v != "" {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || !utf8.Valid(raw) {
			return 0, "", invalid("cursor", "is not a cursor this server gave out")
		}
		after = string(raw)
	}
	return limit, after, nil
}

// encodeCursor makes the opaque next_cursor for a last key.
func encodeCursor(key string) string {
	if key == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(key))
}

// page is the shape of every list answer.
type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// seqPageParams is pageParams for lists keyed by a sequence number (the
// audit log, a clip's custody): the cursor holds the last number, 0 when
// there is none.
func seqPageParams(q url.Values) (limit int, after uint64, err error) {
	limit, key, err := pageParams(q)
	if err != nil || key == "" {
		return limit, 0, err
	}
	if after, err = strconv.ParseUint(key, 10, 64); err != nil {
		return 0, 0, invalid("cursor", "is not a cursor this server gave out")
	}
	return limit, after, nil
}
